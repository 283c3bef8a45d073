"""Draw a display list into the microdisplay's framebuffer.

The framebuffer is 8-bit sRGB at the profile's native resolution, like the video signal a
microdisplay takes (blending and mipmaps still happen in linear light): it is the light
the display emits, before the waveguide. Panels, lines and text are instanced quads
with analytic (signed-distance) anti-aliasing, so a card costs a handful of draw calls
however much text it has.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import moderngl
import numpy as np
import numpy.typing as npt

from hud.layout import DisplayList
from hud.optics import srgb_to_linear
from hud.profiles import DisplayProfile
from hud.render.programs import GL_FRAMEBUFFER_SRGB, GL_SRGB8_ALPHA8, ProgramCache, set_uniform
from hud.text import TextAtlas

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
        self.atlas = TextAtlas(2048, 1024)
        self.atlas_texture = ctx.texture((self.atlas.width, self.atlas.height), 1, dtype="f1")
        self.atlas_texture.filter = (moderngl.LINEAR, moderngl.LINEAR)
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
        set_uniform(self.text_prog, "u_atlas_size", (self.atlas.width, self.atlas.height))

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
        entries = self.atlas.get_many([(t.text, t.size_px, t.bold) for t in dl.texts])
        if self._atlas_generation != self.atlas.generation:
            self.atlas_texture.write(self.atlas.pixels.tobytes())
            self._atlas_generation = self.atlas.generation
        rows = []
        for t, e in zip(dl.texts, entries):
            rows.append([t.x, t.y, t.x + e.w, t.y + e.h, e.x, e.y, e.w, e.h, *t.rgb])
        self.atlas_texture.use(location=0)
        set_uniform(self.text_prog, "u_atlas", 0)
        data = np.array(rows, dtype="f4")
        self._draw(self.text_prog, data, "4f 4f 3f/i", ["i_rect", "i_uv", "i_rgb"])
        return data[:, :4]

    def _draw(
        self, prog: moderngl.Program, data: npt.NDArray[np.float32], fmt: str, names: list[str]
    ) -> None:
        raw = np.ascontiguousarray(data, dtype="f4").tobytes()
        found = self._instances.get(prog.glo)
        if found is None or found[0].size < len(raw):
            if found is not None:
                found[1].release()
                found[0].release()
            size = max(len(raw), 2 * found[0].size if found is not None else 4096)
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
