"""The optics pass: world image + display frame -> the light that reaches one eye.

Per frame at most: world-side streaks at quarter resolution (only when the ``streaks``
effect is on and the profile has any), a full-frame pass with the world's light, and a pass
that adds the display (``shaders/compose.frag`` compiled both ways). Only what changed is
redrawn: while the world and the viewer stay, the 8-bit output keeps the world's light and
only the display's old and new rectangles are drawn again (a frame with nothing new draws
nothing). The display's light is baked beforehand, only when the display or the viewer
changes; content that changes every frame is not baked but computed in the display pass
itself (one pass instead of two, the same bytes as the bake gives). An additive display emits
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

    world_rects: moderngl.Program  # codes to codes (8-bit) or T·world (linear), over rectangles
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
        #: What the 8-bit output holds from the last frame (see :meth:`_restore`): the world
        #: pass's key, the rectangles the display pass drew over it, and the whole frame's key.
        self._out_world: object = None
        self._out_lit = np.zeros((0, 4), dtype="f4")
        self._out_key: object = None
        #: The world's light put back where last frame's display was and this one's is not.
        self._restore_plain = Rects(ctx)
        self._restore_streak = Rects(ctx)
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
        #: How many times the world's light was computed over the whole frame (not kept from
        #: the last frame, see :meth:`_restore`).
        self.world_passes = 0
        self._light_tex: moderngl.Texture | None = None
        self._gain_fbo: moderngl.Framebuffer | None = None
        self._gain_key: object = None
        self._gain_vaos: dict[int, moderngl.VertexArray] = {}
        self._gain_origin = (0.0, 0.0)
        self._gain_extent = (1.0, 1.0)
        self.gain_passes = 0
        self._light_fbo: moderngl.Framebuffer | None = None
        #: How many times the display light was computed for new content or a new viewer,
        #: baked or in the display pass (for tests and the benchmark).
        self.light_bakes = 0
        #: Display light computed in the display pass itself (WITH_DISPLAY 2), not baked:
        #: new content whose predecessor was drawn only once (see :meth:`_bake_display_light`).
        self._light_inline = False
        self._light_uses = 2  # the first content is baked, as content that stays would be
        self._light_uniforms: tuple[tuple[str, object], ...] = ()
        self._light_origin = (0.0, 0.0)
        self._light_serial = 0
        self._inline_progs: dict[tuple[object, ...], moderngl.Program] = {}
        #: How many of those computed it in the display pass, not baked.
        self.light_inline = 0
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
        variant_key = (compose_flags, linear, world_tonemap, shifted, affine)
        variant = self._variant(*variant_key)
        fov_prog = variant.fov
        if lit and self._light_inline:
            fov_prog = self._inline_variant(variant_key, flags & LIGHT_EFFECTS)
        fbo = self._linear() if linear else self.out_fbo
        self.world.use(location=0)
        self.streak_tex.use(location=2)
        if not linear and not affine and self._code_lut_key != (T, shoulder):
            self._code_lut.write(world_code_table(T, shoulder).tobytes())
            self._code_lut_key = (T, shoulder)
        self._code_lut.use(location=3)
        for prog in (variant.world_rects, variant.streak, fov_prog):
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
        lit_drawn = bool(lit and rect is not None)
        if not linear:
            frame_key = (world_key, variant_key, lit_drawn and self._light_serial)
            if frame_key == self._out_key:
                return fbo  # the output holds this very frame already
        if linear:
            self._disjoint(streaks, lit_drawn)
            fbo.use()
            self._draw_world(variant, streaks)
        elif world_key == self._out_world:
            self._restore(variant, streaks, lit_drawn)
        else:
            self._disjoint(streaks, lit_drawn)
            self.out_fbo.use()
            self._draw_world(variant, streaks)
            self.world_passes += 1
        self.ctx.enable_direct(GL_FRAMEBUFFER_SRGB)  # no-op for the float target
        if lit_drawn and rect is not None:
            if self._light_inline:  # computed here (see _bake_display_light)
                display.use(location=4)
                level0 = isinstance(display.extra, DisplayContent) and display.extra.mip_level == 0
                if level0:
                    self._level0.use(location=4)
                if self._gain_fbo is not None:
                    self._gain_fbo.color_attachments[0].use(location=5)  # type: ignore[union-attr]
                self._lit.draw(fov_prog)
                if level0:
                    self._level0.clear(location=4)
            elif self._light_tex is not None:  # baked above
                self._light_tex.use(location=1)
                set_uniform(fov_prog, "u_origin", self._light_origin)
                self._lit.draw(fov_prog)
        self.ctx.disable_direct(GL_FRAMEBUFFER_SRGB)
        if not linear:
            self._out_world = world_key
            self._out_lit = self._lit.rects if lit_drawn else np.zeros((0, 4), dtype="f4")
            self._out_key = frame_key
        return fbo

    def _restore(self, variant: _Variant, streaks: bool, lit: bool) -> None:
        """Redraw only what changed: the output already holds this world's light (the
        last frame's world pass had the same key) everywhere but under the rectangles the
        last display pass drew, so the world goes back where those are and this frame's
        are not (with the streaks where they reach), and the display pass draws the rest.
        The same programs as the world pass write the same values there."""
        now = self._lit.rects if lit else np.zeros((0, 4), dtype="f4")
        gone = rect_difference(self._out_lit, now)
        plain = rect_difference(gone, self._streak_out.rects) if streaks else gone
        self._restore_plain.set(plain)
        self.out_fbo.use()
        self.ctx.disable_direct(GL_FRAMEBUFFER_SRGB)
        self._restore_plain.draw(variant.world_rects)
        if streaks and len(gone):
            self._restore_streak.set(rect_difference(gone, plain))
            self.ctx.enable_direct(GL_FRAMEBUFFER_SRGB)
            self._restore_streak.draw(variant.streak)
            self.ctx.disable_direct(GL_FRAMEBUFFER_SRGB)

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

    def _draw_world(self, variant: _Variant, streaks: bool) -> None:
        """T·world (codes to codes into an 8-bit target: no encode), then in linear light
        with the streaks where they reach (encoded), only where no later pass of this
        frame writes (:meth:`_disjoint`)."""
        self.ctx.disable_direct(GL_FRAMEBUFFER_SRGB)
        self._world_rest.draw(variant.world_rects)
        if streaks:
            self.ctx.enable_direct(GL_FRAMEBUFFER_SRGB)
            self._streak_rest.draw(variant.streak)
            self.ctx.disable_direct(GL_FRAMEBUFFER_SRGB)

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
        every display-side effect; returns how many lit rectangles there are.

        Content that changes every frame is drawn once: when the content before it was
        drawn only once too, new content is not baked but computed in the display pass
        itself (``_light_inline``, one pass over the lit rectangles instead of two), and
        baked only if a second frame shows it (a still HUD, the other eye of a pair)."""
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
        keyed = content is not None or display_version is not None
        if keyed and key == self._light_key:
            self._light_uses += 1
            if not self._light_inline or not self._lit.count:
                return self._lit.count
            self._light_inline = False  # shown again: bake it (the same values, see as_half)
        else:
            self._light_key = key
            self._light_uniforms = light_uniforms
            self._light_inline = keyed and self._light_uses < 2
            self._light_uses = 1
            rects = lit_rects(content, display.size, uniforms, flags, rect)
            if not np.array_equal(rects, self._lit.rects):
                self._lit.set(rects)
                self._lit_serial += 1
        self._light_serial += 1
        if not self._lit.count:
            return 0
        gain_tex = bool(flags & (EFFECT_BITS["eyebox"] | EFFECT_BITS["uniformity"]))
        if gain_tex:
            self._gain_pass(flags, light_uniforms, rect)
        if self._light_uses == 1:  # new content or viewer
            self.light_bakes += 1
            self.light_inline += self._light_inline
        if self._light_inline:
            return self._lit.count
        # The texture's corner on even output px: its 2×2 fragment quads are the display
        # pass's, so the level of detail (from neighbours' differences) is the same as
        # computing the light in that pass (WITH_DISPLAY 2), to the last bit.
        ox, oy = rect[0] - rect[0] % 2, rect[1] - rect[1] % 2
        self._light_origin = (ox, oy)
        w, h = int(rect[2] - ox), int(rect[3] - oy)
        if self._light_tex is None or self._light_tex.size != (w, h):
            if self._light_fbo is not None:
                self._light_fbo.release()
            if self._light_tex is not None:
                self._light_tex.release()
            # Half floats: 11 significant bits, far below what 8-bit output or the
            # measurements can tell apart, at half the memory traffic of f4.
            self._light_tex = self.ctx.texture((w, h), 4, dtype="f2")
            self._light_fbo = self.ctx.framebuffer(color_attachments=[self._light_tex])
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
        set_uniform(prog, "u_origin", (ox, oy))
        set_uniform(prog, "u_target_origin", (ox, oy))
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

    def _inline_variant(
        self, variant_key: tuple[int, bool, bool, bool, bool], flags: int
    ) -> moderngl.Program:
        """The display pass computing the display light in place (WITH_DISPLAY 2) for the
        light effects ``flags``, with this frame's light uniforms set."""
        gain_tex = bool(flags & (EFFECT_BITS["eyebox"] | EFFECT_BITS["uniformity"]))
        key = (variant_key, flags)
        prog = self._inline_progs.get(key)
        if prog is None:
            compose_flags, linear, _, shifted, _ = variant_key
            prog = self.programs.get(
                "rect.vert",
                "compose.frag",
                {
                    **_fx_defines(compose_flags | flags),
                    "TONEMAP_KNEE": f"{TONEMAP_KNEE:.4f}",
                    "OUTPUT_LINEAR": int(linear),
                    "STREAK_DOWNSCALE": STREAK_DOWNSCALE,
                    "WORLD_SHIFT": int(shifted),
                    "WITH_DISPLAY": 2,
                    "WORLD_CODES": 0,
                    "WORLD_LUT": 0,
                    "GAIN_TEX": int(gain_tex),
                },
            )
            set_uniform(prog, "u_world", 0)
            set_uniform(prog, "u_world_size", self.size)
            set_uniform(prog, "u_streaks", 2)
            set_uniform(prog, "u_display", 4)
            set_uniform(prog, "u_gain_tex", 5)
            set_uniform(prog, "u_target_origin", (0.0, 0.0))
            set_uniform(prog, "u_target_size", (float(self.size[0]), float(self.size[1])))
            self._inline_progs[key] = prog
        if gain_tex:
            set_uniform(prog, "u_gain_origin", self._gain_origin)
            set_uniform(prog, "u_gain_extent", self._gain_extent)
        for name, value in self._light_uniforms:
            set_uniform(prog, name, value)
        return prog

    def _light_variant(self, flags: int) -> moderngl.Program:
        gain_tex = bool(flags & (EFFECT_BITS["eyebox"] | EFFECT_BITS["uniformity"]))
        return self.programs.get(
            "rect.vert", "display_light.frag", {**_fx_defines(flags), "GAIN_TEX": int(gain_tex)}
        )

    def _variant(
        self, flags: int, linear: bool, world_tonemap: bool, shifted: bool, affine: bool
    ) -> _Variant:
        """The compose programs for one effect set (compiled on first use, then cached):
        the world over rectangles, the world with streaks and the display pass."""
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
            world_rects = self.programs.get("rect.vert", "compose.frag", plain)
            streak = self.programs.get("rect.vert", "compose.frag", defines)
            fov = self.programs.get("rect.vert", "compose.frag", {**defines, "WITH_DISPLAY": 1})
            # Texture units and the target never change: set once per variant.
            for prog in (world_rects, streak, fov):
                set_uniform(prog, "u_world", 0)
                set_uniform(prog, "u_world_size", self.size)
                set_uniform(prog, "u_display_light", 1)
                set_uniform(prog, "u_streaks", 2)
                set_uniform(prog, "u_code_lut", 3)
                set_uniform(prog, "u_target_origin", (0.0, 0.0))
                set_uniform(prog, "u_target_size", (float(self.size[0]), float(self.size[1])))
            found = _Variant(world_rects, streak, fov)
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
        for rects in (
            self._lit,
            self._streak_small,
            self._streak_out,
            self._world_rest,
            self._streak_rest,
            self._restore_plain,
            self._restore_streak,
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
        for fbo in (self._linear_fbo,):
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
