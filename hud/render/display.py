"""Draw a display list into the microdisplay's framebuffer.

The framebuffer is 8-bit sRGB at the profile's native resolution, like the video signal a
microdisplay takes (blending and mipmaps still happen in linear light): it is the light
the display emits, before the waveguide. Panels, lines and text are instanced quads
with analytic (signed-distance) anti-aliasing, so a card costs a handful of draw calls
however much text it has: every glyph of a frame is one instance of one draw, sampling
the distance-field atlas of :mod:`hud.text.atlas` (uploaded only where it changed).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import moderngl
import numpy as np
import numpy.typing as npt

from hud.layout import DisplayList, TextRun
from hud.optics import srgb_to_linear
from hud.profiles import DisplayProfile
from hud.render.programs import GL_FRAMEBUFFER_SRGB, GL_SRGB8_ALPHA8, ProgramCache, set_uniform
from hud.text import BASE_PX, SPREAD, GlyphAtlas, baseline_offset, shape

#: sRGB code value -> linear light, exactly as the texture unit decodes it.
_SRGB_DECODE = srgb_to_linear(np.arange(256) / 255.0).astype(np.float32)
#: Serial numbers for forced redraws: each one is new content, whichever display drew it.
_FORCED = itertools.count(1)


@dataclass(frozen=True, eq=False)
class DisplayContent:
    """What a display texture holds, attached to it as ``texture.extra`` on every draw.

    An additive display emits nothing where it is black, so the compositor spends the
    display's optics only on ``rects`` (every drawn quad's bounds, display px, N×4
    x0 y0 x1 y1: the anti-aliased edges included). ``key`` identifies the content across
    displays (the two eyes of a stereo pair draw the same list into two textures and can
    share one bake): the display list and mipmap depth, or a serial number that no other
    frame has when the redraw was forced (content that changes every frame).
    """

    rects: npt.NDArray[np.float32]
    key: tuple[object, ...]
    mip_level: int


class DisplayRenderer:
    """Renders display lists for one profile; keeps its framebuffer and text atlas."""

    def __init__(
        self, ctx: moderngl.Context, programs: ProgramCache, profile: DisplayProfile
    ) -> None:
        self.ctx = ctx
        self.profile = profile
        self.size = (profile.width_px, profile.height_px)
        # 8-bit sRGB, like the video signal a microdisplay takes: perceptually even steps,
        # half the memory traffic of float16, and blending and mipmaps still in linear light.
        self.texture = ctx.texture(self.size, 4, dtype="f1", internal_format=GL_SRGB8_ALPHA8)
        self.texture.repeat_x = False
        self.texture.repeat_y = False
        self.texture.filter = (moderngl.LINEAR_MIPMAP_LINEAR, moderngl.LINEAR)
        self.fbo = ctx.framebuffer(color_attachments=[self.texture])
        self.panel_prog = programs.get("panel.vert", "panel.frag")
        self.line_prog = programs.get("line.vert", "line.frag")
        self.text_prog = programs.get("text.vert", "text.frag")
        self.atlas = GlyphAtlas(2048, 256, max_height=4096)
        self.atlas_texture = self._new_atlas_texture()
        self._atlas_generation = -1
        self._last: DisplayList | None = None
        #: How many times the display was actually redrawn (for tests and the benchmark).
        self.draws = 0
        self._read_cache: tuple[int, npt.NDArray[np.float32]] | None = None
        self._codes_cache: tuple[int, npt.NDArray[np.uint8]] | None = None
        #: Instance data per program, reused from draw to draw (grown by orphaning).
        self._instances: dict[int, tuple[moderngl.Buffer, moderngl.VertexArray]] = {}
        #: Where the last frame drew (x, y, w, h), all that the next clear must cover;
        #: ``None``: the whole framebuffer (nothing drawn yet, or unknown).
        self._drawn: tuple[int, int, int, int] | None = None
        #: Highest mipmap level built; the compositor never needs more than its
        #: minification calls for (see :meth:`set_minification`).
        self.max_mip_level = 1000
        mono = (*profile.mono_rgb, 1.0) if profile.colour == "mono" else (0.0, 0.0, 0.0, 0.0)
        for prog in (self.panel_prog, self.line_prog, self.text_prog):
            set_uniform(prog, "u_display_size", self.size)
            set_uniform(prog, "u_mono", mono)
        set_uniform(self.text_prog, "u_spread", float(SPREAD))

    def render(self, dl: DisplayList, force: bool = False) -> moderngl.Texture:
        """Draw ``dl`` and return the display texture (mipmaps rebuilt).

        Retained mode: when the display list equals the last one drawn, the framebuffer
        already holds it and nothing is redrawn. A HUD's content changes far less often than
        its frames (the world and head pose change every frame; the cards do not).
        """
        if not force and self._last == dl:
            return self.texture
        self._last = dl
        self.draws += 1
        rects: list[npt.NDArray[np.float32]] = []
        self.fbo.use()
        self.ctx.enable_direct(GL_FRAMEBUFFER_SRGB)
        # Black outside the drawn quads already: clear only where the last frame drew.
        if self._drawn is None:
            self.fbo.clear(0.0, 0.0, 0.0, 0.0)
        elif self._drawn[2] > 0 and self._drawn[3] > 0:
            self.fbo.clear(0.0, 0.0, 0.0, 0.0, viewport=self._drawn)
        self.ctx.enable(moderngl.BLEND)
        self.ctx.blend_func = (  # type: ignore[assignment]
            moderngl.SRC_ALPHA,
            moderngl.ONE_MINUS_SRC_ALPHA,
            moderngl.ONE,
            moderngl.ONE_MINUS_SRC_ALPHA,
        )
        if dl.panels:
            data = np.array(
                [
                    [p.x0, p.y0, p.x1, p.y1, p.radius, p.border_width, *p.fill, *p.border]
                    for p in dl.panels
                ],
                dtype="f4",
            )
            rects.append(data[:, :4] + np.array([-1, -1, 1, 1], "f4"))  # the quads' 1-px rim
            self._draw(
                self.panel_prog, data, "4f 2f 3f 3f/i", ["i_rect", "i_shape", "i_fill", "i_border"]
            )
        if dl.lines:
            data = np.array(
                [[ln.x0, ln.y0, ln.x1, ln.y1, ln.width, *ln.rgb] for ln in dl.lines], dtype="f4"
            )
            h = data[:, 4:5] * 0.5 + 1.0  # the capsule quad's half-width (line.vert)
            lo = np.minimum(data[:, 0:2], data[:, 2:4]) - h
            hi = np.maximum(data[:, 0:2], data[:, 2:4]) + h
            rects.append(np.concatenate([lo, hi], axis=1))
            self._draw(self.line_prog, data, "4f 1f 3f/i", ["i_ends", "i_width", "i_rgb"])
        if dl.texts:
            rects.append(self._draw_texts(dl))
        self.ctx.disable(moderngl.BLEND)
        self.ctx.disable_direct(GL_FRAMEBUFFER_SRGB)
        self.texture.build_mipmaps(0, self.max_mip_level)
        key = (next(_FORCED),) if force else (dl, self.max_mip_level)
        drawn = np.concatenate(rects).astype("f4") if rects else np.zeros((0, 4), "f4")
        self._drawn = _bounds(drawn, self.size)
        self.texture.extra = DisplayContent(drawn, key, self.max_mip_level)
        return self.texture

    def _draw_texts(self, dl: DisplayList) -> npt.NDArray[np.float32]:
        """Every glyph of the frame in one instanced draw; returns each run's bounds."""
        shaped = [shape(t.text, t.size_px, t.bold) for t in dl.texts]
        keys = [(int(g), t.bold) for t, run in zip(dl.texts, shaped) for g in run.glyphs]
        entries = self.atlas.place_many(keys)
        self._upload_atlas()
        table = np.array(
            [(e.x, e.y, e.w, e.h, e.left, e.top) for e in entries], dtype=np.float64
        ).reshape(-1, 6)
        rows: list[npt.NDArray[np.float32]] = []
        bounds: list[npt.NDArray[np.float32]] = []
        start = 0
        for t, run in zip(dl.texts, shaped):
            n = len(run.glyphs)
            quads = _glyph_quads(t, run.x_advance, run.x_offset, run.y_offset, table[start:][:n])
            start += n
            if len(quads):
                rows.append(quads)
                bounds.append(
                    np.array([[*quads[:, 0:2].min(axis=0), *quads[:, 2:4].max(axis=0)]], "f4")
                )
        if not rows:
            return np.zeros((0, 4), "f4")
        self.atlas_texture.use(location=0)
        set_uniform(self.text_prog, "u_atlas", 0)
        self._draw(
            self.text_prog,
            np.concatenate(rows),
            "4f 4f 3f 1f/i",
            ["i_rect", "i_uv", "i_rgb", "i_scale"],
        )
        return np.concatenate(bounds)

    def _new_atlas_texture(self) -> moderngl.Texture:
        texture = self.ctx.texture((self.atlas.width, self.atlas.height), 1, dtype="f1")
        texture.filter = (moderngl.LINEAR, moderngl.LINEAR)
        texture.repeat_x = texture.repeat_y = False
        set_uniform(self.text_prog, "u_atlas_size", (self.atlas.width, self.atlas.height))
        return texture

    def _upload_atlas(self) -> None:
        """Send the atlas's new rows (all of it when it grew or was cleared)."""
        atlas = self.atlas
        if self._atlas_generation == atlas.generation:
            return
        rows = atlas.dirty_rows(self._atlas_generation)
        if self.atlas_texture.size != (atlas.width, atlas.height):
            self.atlas_texture.release()
            self.atlas_texture = self._new_atlas_texture()
            rows = None
        if rows is None:
            self.atlas_texture.write(atlas.pixels.tobytes())
        elif rows[1] > rows[0]:
            y0, y1 = rows
            self.atlas_texture.write(
                atlas.pixels[y0:y1].tobytes(), viewport=(0, y0, atlas.width, y1 - y0)
            )
        self._atlas_generation = atlas.generation

    def _draw(
        self, prog: moderngl.Program, data: npt.NDArray[np.float32], fmt: str, names: list[str]
    ) -> None:
        raw = np.ascontiguousarray(data, dtype="f4").tobytes()
        found = self._instances.get(prog.glo)
        if found is None or found[0].size < len(raw):
            size = max(len(raw), 2 * found[0].size if found is not None else 4096)
            if found is not None:  # grown by orphaning: the old buffer goes
                found[1].release()
                found[0].release()
            vbo = self.ctx.buffer(reserve=size, dynamic=True)
            found = self._instances[prog.glo] = (
                vbo,
                self.ctx.vertex_array(prog, [(vbo, fmt, *names)]),
            )
        found[0].write(raw)
        found[1].render(moderngl.TRIANGLES, vertices=6, instances=len(data))

    def set_minification(self, display_px_per_output_px: float) -> None:
        """Build mipmaps only down to the level the eye view samples.

        Each level halves the resolution; the compositor samples at
        ``log2(display px per output px)`` (trilinear: the two levels around it), so
        levels below ``ceil`` of it are never read (should a level of detail computed by
        the driver come out a little beyond it, it clamps to that level). A
        magnified display (fewer display px than output px) samples level 0 only and
        builds no chain at all: the mapping is linear in tan units for both grids, so the
        ratio is the same across the whole field (and ``ppd`` overstates it at the centre).
        """
        ratio = float(display_px_per_output_px)
        level = 0 if ratio <= 1.0 else max(1, math.ceil(math.log2(ratio)))
        if level != self.max_mip_level:
            self.max_mip_level = level
            self._last = None  # rebuild the chain at the new depth on the next render

    def read_codes(self) -> npt.NDArray[np.uint8]:
        """The display frame as 8-bit sRGB codes, H×W×3, rows top first: the video signal
        a panel takes. Read back once per drawn frame (the array is shared: don't write)."""
        if self._codes_cache is None or self._codes_cache[0] != self.draws:
            raw = self.fbo.read(components=3, dtype="f1")
            codes = np.frombuffer(raw, dtype=np.uint8).reshape(self.size[1], self.size[0], 3)
            self._codes_cache = (self.draws, codes)
        return self._codes_cache[1]

    def read(self) -> npt.NDArray[np.float32]:
        """The display frame as float32 RGB, rows top first (emitted light, 1 = white).

        Read back once per drawn frame: an unchanged display is not read again.
        """
        if self._read_cache is None or self._read_cache[0] != self.draws:
            self._read_cache = (self.draws, _SRGB_DECODE[self.read_codes()])
        return self._read_cache[1].copy()

    def release(self) -> None:
        for vbo, vao in self._instances.values():
            vao.release()
            vbo.release()
        self.fbo.release()
        self.texture.release()
        self.atlas_texture.release()


def _glyph_quads(
    t: TextRun,
    advance: npt.NDArray[np.float32],
    x_offset: npt.NDArray[np.float32],
    y_offset: npt.NDArray[np.float32],
    entries: npt.NDArray[np.float64],
) -> npt.NDArray[np.float32]:
    """Instance rows (rect, atlas uv, rgb, scale) for one run's visible glyphs.

    Pens advance from ``t.x`` at sub-pixel positions; the baseline snaps to a whole
    pixel, so horizontal strokes of one line land on the same rows everywhere.
    """
    scale = t.size_px / BASE_PX
    pen = t.x + np.concatenate([[0.0], np.cumsum(advance, dtype=np.float64)[:-1]])
    baseline = round(t.y + baseline_offset(t.size_px))
    x0 = pen + x_offset + entries[:, 4] * scale
    y0 = baseline - y_offset - entries[:, 5] * scale
    out = np.empty((len(entries), 12), np.float32)
    out[:, 0], out[:, 1] = x0, y0
    out[:, 2] = x0 + entries[:, 2] * scale
    out[:, 3] = y0 + entries[:, 3] * scale
    out[:, 4:8] = entries[:, 0:4]
    out[:, 8:11] = t.rgb
    out[:, 11] = scale
    return out[entries[:, 2] > 0]


def _bounds(rects: npt.NDArray[np.float32], size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The whole pixels that ``rects`` (N×4 display px) touch, as a scissor box (x, y, w,
    h) inside ``size``, one pixel of margin on every side; (0, 0, 0, 0) if none."""
    if not len(rects):
        return (0, 0, 0, 0)
    x0 = max(0, math.floor(float(rects[:, 0].min())) - 1)
    y0 = max(0, math.floor(float(rects[:, 1].min())) - 1)
    x1 = min(size[0], math.ceil(float(rects[:, 2].max())) + 1)
    y1 = min(size[1], math.ceil(float(rects[:, 3].max())) + 1)
    return (x0, y0, max(0, x1 - x0), max(0, y1 - y0))
