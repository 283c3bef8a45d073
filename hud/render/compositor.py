"""The optics pass: world image + display frame -> the light that reaches one eye.

Per frame at most: world-side streaks at quarter resolution (only when the ``streaks``
effect is on and the profile has any), a full-frame pass with the world's light, and a pass
that adds the display (``shaders/compose.frag`` compiled both ways). The display's light is
baked beforehand, only when the display or the viewer changes. An additive display emits
nothing where it is black, so the bake and the display pass run only over the rectangles
where the display drew something (its ``DisplayContent``, grown by what the optics spread:
filtering, rainbow, ghost), clipped to the field of view; a display texture without that
record is taken as lit everywhere. The output is either 8-bit sRGB (what a person sees, for
PNGs and windows) or float linear light (for measurements: contrast ratios and the additive
formula are checked on it). Into 8-bit sRGB the full-frame world pass maps the world's
codes straight to output codes (``encode(T·decode(c))`` per channel, see compose.frag).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import moderngl
import numpy as np
import numpy.typing as npt

from hud.errors import HudError
from hud.optics import (
    STREAK_LENGTH,
    STREAK_THRESHOLD,
    TONEMAP_KNEE,
    linear_to_srgb,
    srgb_to_linear,
    tonemap,
)
from hud.render.display import DisplayContent
from hud.render.programs import (
    GL_FRAMEBUFFER_SRGB,
    GL_SRGB8_ALPHA8,
    ProgramCache,
    set_uniform,
)
from hud.render.rects import Rects, fov_rect_px, lit_rects, rect_difference, streak_rects
from hud.render.uniforms import EFFECT_BITS

STREAK_TAPS = 12
STREAK_DOWNSCALE = 4
#: Output px per texel of the display light's low-frequency factors (display_gain.frag).
GAIN_CELL = 4
#: The effects each shader reads (as ``FX_*`` defines). Only these enter its variant and
#: cache keys, so toggling, say, ``tonemap`` neither recompiles nor rebakes the display
#: light, which it cannot change.
LIGHT_EFFECTS = sum(EFFECT_BITS[n] for n in ("fov", "eyebox", "uniformity", "rainbow", "ghost"))
COMPOSE_EFFECTS = EFFECT_BITS["streaks"] | EFFECT_BITS["tonemap"]
#: Uniforms only the world side reads: the display light does not depend on them (the
#: eyes of a stereo pair differ only in ``u_world_shift``, and share one bake).
_WORLD_ONLY_UNIFORMS = frozenset({"u_flags", "u_T", "u_world_shift", "u_streak_gain"})


class _Variant(NamedTuple):
    """One effect set's compose programs (see :meth:`Compositor._variant`)."""

    world: moderngl.Program  # codes to codes (8-bit) or T·world (linear), full-screen
    vao: moderngl.VertexArray  # ``world``'s, no buffers
    world_rects: moderngl.Program  # the same over rectangles
    streak: moderngl.Program  # T·world + streaks, over rectangles
    fov: moderngl.Program  # T·world + streaks + display light, over rectangles


class Compositor:
    """Composites at a fixed output size (the world image's size)."""

    def __init__(
        self, ctx: moderngl.Context, programs: ProgramCache, size: tuple[int, int]
    ) -> None:
        self.ctx = ctx
        self.size = size
        self.programs = programs
        self._variants: dict[tuple[int, bool, bool, bool, bool], _Variant] = {}
        #: Where the display lights the output (the bake and the display pass draw these).
        self._lit = Rects(ctx)
        #: Where the world's streaks reach, in streak-texture px (the streak pass) and in
        #: output px (the world pass that adds them).
        self._streak_small = Rects(ctx)
        self._streak_out = Rects(ctx)
        #: The rest, when the world pass renders straight into the output: the plain world
        #: outside streaks and the display, and the streaks outside the display, so that
        #: every pixel is written by one pass (see :meth:`_disjoint`).
        self._world_rest = Rects(ctx)
        self._streak_rest = Rects(ctx)
        self._disjoint_key: object = None
        self._lit_serial = 0
        self._streak_serial = 0
        self.bright_prog = programs.get(
            "fullscreen.vert", "streak_bright.frag", {"DOWNSCALE": STREAK_DOWNSCALE}
        )
        self.bright_vao = ctx.vertex_array(self.bright_prog, [])
        self.streak_prog = programs.get("rect.vert", "streaks.frag", {"TAPS": STREAK_TAPS})
        # Camera frames arrive as packed RGB: their bytes go as they are into an RGBA8 texture
        # a quarter narrower (world.glsl unpacks them), a plain copy for the driver. Rows
        # whose byte count is not a multiple of 4 are padded into a staging array.
        w, h = size
        self._world_row = 3 * w
        texels = -(-self._world_row // 4)
        self._world_pad = (
            None if self._world_row % 4 == 0 else np.zeros((h, 4 * texels), dtype=np.uint8)
        )
        self.world = ctx.texture((texels, h), 4, dtype="f1")
        self.world.filter = (moderngl.NEAREST, moderngl.NEAREST)
        self.world.repeat_x = self.world.repeat_y = False
        #: WORLD_LUT's table (output code per world code), for the T and shoulder it holds.
        self._code_lut = ctx.texture((256, 1), 1, dtype="f1")
        self._code_lut.filter = (moderngl.NEAREST, moderngl.NEAREST)
        self._code_lut_key: tuple[float, bool] | None = None
        # The output is 8-bit sRGB: the passes in linear light write through the
        # framebuffer's encode, the world pass (codes to codes) writes its codes as they are.
        self.out_tex = ctx.texture(size, 4, dtype="f1", internal_format=GL_SRGB8_ALPHA8)
        self.out_fbo = ctx.framebuffer(color_attachments=[self.out_tex])
        self._linear_fbo: moderngl.Framebuffer | None = None
        small = (max(1, size[0] // STREAK_DOWNSCALE), max(1, size[1] // STREAK_DOWNSCALE))
        self.bright_tex = ctx.texture(small, 1, dtype="f4")
        self.bright_tex.filter = (moderngl.LINEAR, moderngl.LINEAR)
        self.bright_tex.repeat_x = self.bright_tex.repeat_y = False
        self.bright_fbo = ctx.framebuffer(color_attachments=[self.bright_tex])
        self.streak_tex = ctx.texture(small, 4, dtype="f2")
        self.streak_tex.filter = (moderngl.LINEAR, moderngl.LINEAR)
        self.streak_tex.repeat_x = self.streak_tex.repeat_y = False
        self.streak_fbo = ctx.framebuffer(color_attachments=[self.streak_tex])
        self.uniformity = ctx.texture((1, 1), 3, np.ones(3, dtype="f4").tobytes(), dtype="f4")
        #: Level-0 bilinear filtering for a display with no mipmap chain (a magnified one):
        #: what its own sampler would do, without working out a level of detail per tap.
        self._level0 = ctx.sampler(
            filter=(moderngl.LINEAR, moderngl.LINEAR), repeat_x=False, repeat_y=False
        )
        self._world_generation = 0
        self._streak_key: tuple[int, float] | None = None
        self._light_key: object = None
        self._world_prev_key: object = None
        self._world_cache_key: object = None
        self._world_cache_fbo: moderngl.Framebuffer | None = None
        #: How many times the world's light was actually computed (not copied from the cache).
        self.world_passes = 0
        self._light_tex: moderngl.Texture | None = None
        self._gain_fbo: moderngl.Framebuffer | None = None
        self._gain_key: object = None
        self._gain_vaos: dict[int, moderngl.VertexArray] = {}
        self._gain_origin = (0.0, 0.0)
        self._gain_extent = (1.0, 1.0)
        self.gain_passes = 0
        self._light_fbo: moderngl.Framebuffer | None = None
        #: How many times the display light was rebaked (for tests and the benchmark).
        self.light_bakes = 0
        #: How many times the streak pass actually ran (for tests and the benchmark).
        self.streak_passes = 0

    def set_world(self, rgb: npt.NDArray[np.uint8]) -> None:
        """Upload the world image (H×W×3 uint8 sRGB, rows top first)."""
        h, w = rgb.shape[:2]
        if (w, h) != self.size:
            raise HudError(
                f"world image is {w}×{h}, compositor expects {self.size[0]}×{self.size[1]}"
            )
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise HudError(f"world image must be H×W×3 uint8, got {rgb.shape} {rgb.dtype}")
        if self._world_pad is None:
            self.world.write(np.ascontiguousarray(rgb))
        else:
            self._world_pad[:, : self._world_row] = rgb.reshape(h, self._world_row)
            self.world.write(self._world_pad)
        self._world_generation += 1

    def set_uniformity(self, eta: npt.NDArray[np.float32]) -> None:
        h, w = eta.shape[:2]
        self.uniformity.release()
        self.uniformity = self.ctx.texture(
            (w, h), 3, np.ascontiguousarray(eta, dtype="f4").tobytes(), dtype="f4"
        )
        self.uniformity.filter = (moderngl.LINEAR, moderngl.LINEAR)
        self.uniformity.repeat_x = self.uniformity.repeat_y = False
        self._light_key = None
        self._gain_key = None

    def compose(
        self,
        display: moderngl.Texture,
        uniforms: dict[str, object],
        linear: bool = False,
        display_version: int | None = None,
    ) -> moderngl.Framebuffer:
        """Run the optics; returns the framebuffer holding the result.

        The display light is rebaked only when the content or the viewer changes. The
        content is known from the texture's :class:`DisplayContent` (its ``extra``, set
        by the display renderer); for any other texture, ``display_version`` identifies it
        (the display renderer's draw count), and without either it is rebaked every call.
        """
        # compose_uniforms already leaves out the effects this device lacks.
        flags = int(uniforms["u_flags"])  # type: ignore[call-overload]
        streaks = bool(flags & EFFECT_BITS["streaks"])
        if streaks:
            self._streak_pass(float(uniforms["u_world_shift"]))  # type: ignore[arg-type]
        rect = fov_rect_px(uniforms, self.size)
        lit = 0
        if rect is not None:
            lit = self._bake_display_light(display, uniforms, flags, rect, display_version)
        # Where neither streaks nor the display add light it is T·world. Below the knee the
        # shoulder is the identity, so when that light cannot pass the knee the world pass
        # skips it, exactly; streaks and the display are added over their own rectangles.
        T = float(uniforms["u_T"])  # type: ignore[arg-type]
        world_tonemap = T > TONEMAP_KNEE
        shifted = float(uniforms["u_world_shift"]) != 0.0  # type: ignore[arg-type]
        compose_flags = flags & COMPOSE_EFFECTS
        shoulder = world_tonemap and bool(compose_flags & EFFECT_BITS["tonemap"])
        affine = not linear and world_codes_affine(T, shoulder)
        variant = self._variant(compose_flags, linear, world_tonemap, shifted, affine)
        fov_prog = variant.fov
        fbo = self._linear() if linear else self.out_fbo
        self.world.use(location=0)
        self.streak_tex.use(location=2)
        if not linear and not affine and self._code_lut_key != (T, shoulder):
            self._code_lut.write(world_code_table(T, shoulder).tobytes())
            self._code_lut_key = (T, shoulder)
        self._code_lut.use(location=3)
        for prog in (variant.world, variant.world_rects, variant.streak, fov_prog):
            set_uniform(prog, "u_world_shift", uniforms["u_world_shift"])
            set_uniform(prog, "u_T", T)
            set_uniform(prog, "u_T_encoded", T ** (1 / 2.4))
            set_uniform(prog, "u_streak_gain", uniforms["u_streak_gain"])
        world_key = (
            self._world_generation,
            compose_flags,
            uniforms["u_T"],
            uniforms["u_world_shift"],
            uniforms["u_streak_gain"],
        )
        lit_drawn = bool(lit and rect is not None and self._light_tex is not None)
        self._disjoint(streaks, lit_drawn)
        if linear:
            fbo.use()
            self._draw_world(variant, streaks, True)
        else:
            self._world_light(world_key, variant, streaks)
            fbo.use()
        self.ctx.enable_direct(GL_FRAMEBUFFER_SRGB)  # no-op for the float target
        if lit_drawn and rect is not None and self._light_tex is not None:  # baked above
            self._light_tex.use(location=1)
            set_uniform(fov_prog, "u_origin", (rect[0], rect[1]))
            self._lit.draw(fov_prog)
        self.ctx.disable_direct(GL_FRAMEBUFFER_SRGB)
        return fbo

    def _disjoint(self, streaks: bool, lit: bool) -> None:
        """The world pass's and the streak pass's rectangles outside the passes drawn
        after them (streaks, display light), rebuilt when those rectangles change."""
        key = (streaks and self._streak_serial, lit and self._lit_serial)
        if key == self._disjoint_key:
            return
        self._disjoint_key = key
        w, h = self.size
        frame = np.array([[0.0, 0.0, w, h]], dtype="f4")
        lit_rects_ = self._lit.rects if lit else np.zeros((0, 4), "f4")
        streak_rects_ = self._streak_out.rects if streaks else np.zeros((0, 4), "f4")
        self._streak_rest.set(rect_difference(streak_rects_, lit_rects_))
        self._world_rest.set(rect_difference(frame, np.concatenate([lit_rects_, streak_rects_])))

    def _draw_world(self, variant: _Variant, streaks: bool, disjoint: bool) -> None:
        """T·world (codes to codes into an 8-bit target: no encode), then in linear light
        with the streaks where they reach (encoded). ``disjoint``: only where no later
        pass of this frame writes (:meth:`_disjoint`); otherwise over the whole frame."""
        self.ctx.disable_direct(GL_FRAMEBUFFER_SRGB)
        if disjoint:
            self._world_rest.draw(variant.world_rects)
        else:
            variant.vao.render(moderngl.TRIANGLES, vertices=3)
        if streaks:
            self.ctx.enable_direct(GL_FRAMEBUFFER_SRGB)
            (self._streak_rest if disjoint else self._streak_out).draw(variant.streak)
            self.ctx.disable_direct(GL_FRAMEBUFFER_SRGB)

    def _world_light(self, key: tuple[object, ...], variant: _Variant, streaks: bool) -> None:
        """Fill the output with the world's light (T·world + streaks) outside the display.

        Retained like the display light: the first frame after the world image or the
        viewer changes renders it straight into the output; when a second frame needs the
        same, it is rendered once into a cache and every later frame copies the bytes
        (a plain blit). A live camera, whose image changes every frame, never pays for
        the cache. Straight into the output it skips the pixels that the display pass
        writes after it; the cache holds the whole frame, whatever the display shows.
        """
        if key == self._world_cache_key and self._world_cache_fbo is not None:
            self.ctx.disable_direct(GL_FRAMEBUFFER_SRGB)  # copy the encoded bytes as they are
            self.ctx.copy_framebuffer(self.out_fbo, self._world_cache_fbo)
            return
        if key == self._world_prev_key:
            if self._world_cache_fbo is None:
                tex = self.ctx.texture(self.size, 4, dtype="f1", internal_format=GL_SRGB8_ALPHA8)
                self._world_cache_fbo = self.ctx.framebuffer(color_attachments=[tex])
            self._world_cache_fbo.use()
            self._draw_world(variant, streaks, False)
            self.ctx.copy_framebuffer(self.out_fbo, self._world_cache_fbo)
            self._world_cache_key = key
            self.world_passes += 1
            return
        self._world_prev_key = key
        self.out_fbo.use()
        self._draw_world(variant, streaks, True)
        self.world_passes += 1

    def _streak_pass(self, world_shift: float) -> None:
        """The bright part of the world at reduced resolution, then the streaks it makes,
        only along the rows and as far as they reach (read back: a small texture).

        Light bright enough to streak (lamps, the sun, glints) is rare in a frame, and
        streaks elsewhere are exactly zero, so the streak pass and the world pass that adds
        them run over those rectangles only; the streak texture is cleared around them.
        """
        key = (self._world_generation, world_shift)
        if key == self._streak_key:
            return  # streaks depend only on the world image and the eye
        self._streak_key = key
        self.streak_passes += 1
        self.bright_fbo.use()
        self.world.use(location=0)
        bp = self.bright_prog
        set_uniform(bp, "u_world", 0)
        set_uniform(bp, "u_world_size", self.size)
        set_uniform(bp, "u_shift", round(world_shift))
        set_uniform(bp, "u_threshold", STREAK_THRESHOLD)
        self.bright_vao.render(moderngl.TRIANGLES, vertices=3)
        sw, sh = self.bright_tex.size
        bright = np.frombuffer(self.bright_fbo.read(components=1, dtype="f4"), np.float32)
        length = STREAK_LENGTH * sw
        small = streak_rects(bright.reshape(sh, sw) > 0.0, math.ceil(length) + 2)
        self._streak_small.set(small)
        out = small * STREAK_DOWNSCALE
        out[:, 2] = np.where(small[:, 2] >= sw, self.size[0], out[:, 2])
        out[:, 3] = np.where(small[:, 3] >= sh, self.size[1], out[:, 3])
        self._streak_out.set(out)
        self._streak_serial += 1
        self.streak_fbo.use()
        self.streak_fbo.clear(0.0, 0.0, 0.0, 0.0)
        self.bright_tex.use(location=0)
        sp = self.streak_prog
        set_uniform(sp, "u_bright", 0)
        set_uniform(sp, "u_dir", (1.0, 0.0))
        set_uniform(sp, "u_length", length)
        set_uniform(sp, "u_target_origin", (0.0, 0.0))
        set_uniform(sp, "u_target_size", (float(sw), float(sh)))
        self._streak_small.draw(sp)

    def _bake_display_light(
        self,
        display: moderngl.Texture,
        uniforms: dict[str, object],
        flags: int,
        rect: tuple[float, float, float, float],
        display_version: int | None,
    ) -> int:
        """Resample the display frame into this eye over its lit parts of ``rect``, with
        every display-side effect; returns how many lit rectangles there are."""
        # rect follows from the uniforms, which are numbers and tuples: hashable, exact.
        flags &= LIGHT_EFFECTS
        light_uniforms = tuple(
            item for item in uniforms.items() if item[0] not in _WORLD_ONLY_UNIFORMS
        )
        content = display.extra if isinstance(display.extra, DisplayContent) else None
        if content is not None:
            # Content, not texture: the two eyes' displays of a stereo pair share a bake.
            key: tuple[object, ...] = (content.key, display.size, flags, light_uniforms)
        else:
            key = (display_version, display.glo, flags, light_uniforms)
        if (content is not None or display_version is not None) and key == self._light_key:
            return self._lit.count
        self._light_key = key
        self.light_bakes += 1
        self._lit_serial += 1
        if not self._lit.set(lit_rects(content, display.size, uniforms, flags, rect)):
            return 0
        w, h = int(rect[2] - rect[0]), int(rect[3] - rect[1])
        if self._light_tex is None or self._light_tex.size != (w, h):
            if self._light_fbo is not None:
                self._light_fbo.release()
            if self._light_tex is not None:
                self._light_tex.release()
            # Half floats: 11 significant bits, far below what 8-bit output or the
            # measurements can tell apart, at half the memory traffic of f4.
            self._light_tex = self.ctx.texture((w, h), 4, dtype="f2")
            self._light_fbo = self.ctx.framebuffer(color_attachments=[self._light_tex])
        gain_tex = bool(flags & (EFFECT_BITS["eyebox"] | EFFECT_BITS["uniformity"]))
        if gain_tex:
            self._gain_pass(flags, light_uniforms, rect)
        prog = self._light_variant(flags)
        assert self._light_fbo is not None
        self._light_fbo.use()
        if gain_tex and self._gain_fbo is not None:
            self._gain_fbo.color_attachments[0].use(location=1)  # type: ignore[union-attr]
            set_uniform(prog, "u_gain_tex", 1)
            set_uniform(prog, "u_gain_origin", self._gain_origin)
            set_uniform(prog, "u_gain_extent", self._gain_extent)
        display.use(location=0)
        level0 = content is not None and content.mip_level == 0
        if level0:
            self._level0.use(location=0)
        set_uniform(prog, "u_display", 0)
        set_uniform(prog, "u_origin", (rect[0], rect[1]))
        set_uniform(prog, "u_target_origin", (rect[0], rect[1]))
        set_uniform(prog, "u_target_size", (float(w), float(h)))
        for name, value in light_uniforms:
            set_uniform(prog, name, value)
        self._lit.draw(prog)
        if level0:
            self._level0.clear(location=0)
        return self._lit.count

    def _gain_pass(
        self,
        flags: int,
        light_uniforms: tuple[tuple[str, object], ...],
        rect: tuple[float, float, float, float],
    ) -> None:
        """Efficiency, eyebox vignetting and gain over ``rect`` on a grid of
        :data:`GAIN_CELL` px (texel centres from ``rect``'s corner to past its far side, so
        every pixel of it is interpolated), rebuilt only when the viewer changes."""
        flags &= EFFECT_BITS["eyebox"] | EFFECT_BITS["uniformity"]
        key = (flags, light_uniforms, rect)
        if key == self._gain_key:
            return
        self._gain_key = key
        self.gain_passes += 1
        gw = math.ceil((rect[2] - rect[0]) / GAIN_CELL) + 1
        gh = math.ceil((rect[3] - rect[1]) / GAIN_CELL) + 1
        if self._gain_fbo is None or self._gain_fbo.size != (gw, gh):
            self._release_gain()
            tex = self.ctx.texture((gw, gh), 4, dtype="f4")
            tex.filter = (moderngl.LINEAR, moderngl.LINEAR)
            tex.repeat_x = tex.repeat_y = False
            self._gain_fbo = self.ctx.framebuffer(color_attachments=[tex])
        self._gain_origin = (rect[0] - GAIN_CELL / 2, rect[1] - GAIN_CELL / 2)
        self._gain_extent = (float(gw * GAIN_CELL), float(gh * GAIN_CELL))
        prog = self.programs.get(
            "fullscreen.vert", "display_gain.frag", {**_fx_defines(flags), "GAIN_CELL": GAIN_CELL}
        )
        self._gain_fbo.use()
        self.uniformity.use(location=1)
        set_uniform(prog, "u_uniformity", 1)
        set_uniform(prog, "u_gain_origin", self._gain_origin)
        for name, value in light_uniforms:
            set_uniform(prog, name, value)
        vao = self._gain_vaos.get(prog.glo)
        if vao is None:
            vao = self._gain_vaos[prog.glo] = self.ctx.vertex_array(prog, [])
        vao.render(moderngl.TRIANGLES, vertices=3)

    def _release_gain(self) -> None:
        if self._gain_fbo is not None:
            for tex in self._gain_fbo.color_attachments:
                tex.release()
            self._gain_fbo.release()
            self._gain_fbo = None

    def _light_variant(self, flags: int) -> moderngl.Program:
        gain_tex = bool(flags & (EFFECT_BITS["eyebox"] | EFFECT_BITS["uniformity"]))
        return self.programs.get(
            "rect.vert", "display_light.frag", {**_fx_defines(flags), "GAIN_TEX": int(gain_tex)}
        )

    def _variant(
        self, flags: int, linear: bool, world_tonemap: bool, shifted: bool, affine: bool
    ) -> _Variant:
        """The compose programs for one effect set (compiled on first use, then cached):
        the world over the whole frame or over rectangles, the world with streaks and the
        display pass."""
        key = (flags, linear, world_tonemap, shifted, affine)
        found = self._variants.get(key)
        if found is None:
            defines = {
                **_fx_defines(flags),
                "TONEMAP_KNEE": f"{TONEMAP_KNEE:.4f}",
                "OUTPUT_LINEAR": int(linear),
                "STREAK_DOWNSCALE": STREAK_DOWNSCALE,
                "WORLD_SHIFT": int(shifted),
                "WITH_DISPLAY": 0,
                "WORLD_CODES": 0,
                "WORLD_LUT": 0,
            }
            plain = {**defines, "FX_STREAKS": 0}
            if not world_tonemap:
                plain["FX_TONEMAP"] = 0
            if not linear:  # the shoulder, if any, is in the table
                plain.update(WORLD_CODES=1, WORLD_LUT=int(not affine), FX_TONEMAP=0)
            world = self.programs.get("fullscreen.vert", "compose.frag", plain)
            world_rects = self.programs.get("rect.vert", "compose.frag", plain)
            streak = self.programs.get("rect.vert", "compose.frag", defines)
            fov = self.programs.get("rect.vert", "compose.frag", {**defines, "WITH_DISPLAY": 1})
            # Texture units and the target never change: set once per variant.
            for prog in (world, world_rects, streak, fov):
                set_uniform(prog, "u_world", 0)
                set_uniform(prog, "u_world_size", self.size)
                set_uniform(prog, "u_display_light", 1)
                set_uniform(prog, "u_streaks", 2)
                set_uniform(prog, "u_code_lut", 3)
                set_uniform(prog, "u_target_origin", (0.0, 0.0))
                set_uniform(prog, "u_target_size", (float(self.size[0]), float(self.size[1])))
            found = _Variant(world, self.ctx.vertex_array(world, []), world_rects, streak, fov)
            self._variants[key] = found
        return found

    def _linear(self) -> moderngl.Framebuffer:
        if self._linear_fbo is None:
            tex = self.ctx.texture(self.size, 4, dtype="f4")
            self._linear_fbo = self.ctx.framebuffer(color_attachments=[tex])
        return self._linear_fbo

    def read_srgb(self) -> npt.NDArray[np.uint8]:
        raw = self.out_fbo.read(components=3, dtype="f1")
        return np.frombuffer(raw, dtype=np.uint8).reshape(self.size[1], self.size[0], 3).copy()

    def read_linear(self) -> npt.NDArray[np.float32]:
        raw = self._linear().read(components=3, dtype="f4")
        return np.frombuffer(raw, dtype=np.float32).reshape(self.size[1], self.size[0], 3).copy()

    def release(self) -> None:
        for variant in self._variants.values():
            variant.vao.release()
        for rects in (
            self._lit,
            self._streak_small,
            self._streak_out,
            self._world_rest,
            self._streak_rest,
        ):
            rects.release()
        for vao in self._gain_vaos.values():
            vao.release()
        self._release_gain()
        if self._light_fbo is not None and self._light_tex is not None:
            self._light_fbo.release()
            self._light_tex.release()
        for obj in (
            self.bright_vao,
            self.world,
            self._code_lut,
            self.out_fbo,
            self.out_tex,
            self.bright_fbo,
            self.bright_tex,
            self.streak_fbo,
            self.streak_tex,
            self.uniformity,
            self._level0,
        ):
            obj.release()
        for fbo in (self._linear_fbo, self._world_cache_fbo):
            if fbo is not None:  # a framebuffer's release leaves its textures alive
                for tex in fbo.color_attachments:
                    tex.release()
                fbo.release()


def world_code_light(T: float, shoulder: bool) -> npt.NDArray[np.float64]:
    """Where only the world's light arrives, the exact output for each world code, in
    code units (0..255, unrounded): ``encode(T·decode(c))``, through the highlight
    shoulder when it can act."""
    light = T * srgb_to_linear(np.arange(256) / 255.0)
    if shoulder:
        light = tonemap(light, TONEMAP_KNEE)
    out: npt.NDArray[np.float64] = linear_to_srgb(light) * 255.0
    return out


def world_code_table(T: float, shoulder: bool) -> npt.NDArray[np.uint8]:
    """WORLD_LUT's table: :func:`world_code_light` rounded to 8-bit codes."""
    return np.round(world_code_light(T, shoulder)).astype(np.uint8)


_AFFINE_CHECKED: dict[tuple[float, bool], bool] = {}


def world_codes_affine(T: float, shoulder: bool) -> bool:
    """Whether ``max(T·c, T^(1/2.4)·(c + 0.055) - 0.055)`` (what compose.frag computes
    without a table) rounds correctly for every code: to a code within half a step of
    :func:`world_code_light`, whichever way the GPU's float rounding takes a value that
    lies within 1e-3 of a rounding boundary. It does for some transmittances (orion's,
    rayban-display's); for the others the world pass reads the table."""
    key = (T, shoulder)
    found = _AFFINE_CHECKED.get(key)
    if found is None:
        c = np.arange(256, dtype=np.float32) / np.float32(255.0)
        t = np.float32(T)
        te = np.float32(T ** (1 / 2.4))
        v = np.maximum(t * c, te * (c + np.float32(0.055)) - np.float32(0.055)).astype(np.float64)
        v = np.clip(v, 0.0, 1.0) * 255.0
        exact = world_code_light(T, shoulder)
        found = not shoulder and all(
            bool(np.all(np.abs(np.floor(v + 0.5 + d) - exact) <= 0.5 + 1e-6)) for d in (-1e-3, 1e-3)
        )
        _AFFINE_CHECKED[key] = found
    return found


def _fx_defines(flags: int) -> dict[str, object]:
    return {f"FX_{name.upper()}": int(bool(flags & bit)) for name, bit in EFFECT_BITS.items()}
