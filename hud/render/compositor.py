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
formula are checked on it).
"""

from __future__ import annotations

import math

import moderngl
import numpy as np
import numpy.typing as npt

from hud.errors import HudError
from hud.optics import STREAK_LENGTH, STREAK_THRESHOLD, TONEMAP_KNEE
from hud.render.display import DisplayContent
from hud.render.programs import (
    GL_FRAMEBUFFER_SRGB,
    GL_SRGB8,
    GL_SRGB8_ALPHA8,
    ProgramCache,
    set_uniform,
)
from hud.render.uniforms import EFFECT_BITS

STREAK_TAPS = 12
STREAK_DOWNSCALE = 4
#: The display light is drawn over lit rectangles snapped to cells of this many output px
#: (merged into runs, so a card costs a few quads).
LIT_CELL = 8
#: The effects each shader reads (as ``FX_*`` defines). Only these enter its variant and
#: cache keys, so toggling, say, ``tonemap`` neither recompiles nor rebakes the display
#: light, which it cannot change.
LIGHT_EFFECTS = sum(EFFECT_BITS[n] for n in ("fov", "eyebox", "uniformity", "rainbow", "ghost"))
COMPOSE_EFFECTS = EFFECT_BITS["streaks"] | EFFECT_BITS["tonemap"]
#: Uniforms only the world side reads: the display light does not depend on them (the
#: eyes of a stereo pair differ only in ``u_world_shift``, and share one bake).
_WORLD_ONLY_UNIFORMS = frozenset({"u_flags", "u_T", "u_world_shift", "u_streak_gain"})


class Compositor:
    """Composites at a fixed output size (the world image's size)."""

    def __init__(
        self, ctx: moderngl.Context, programs: ProgramCache, size: tuple[int, int]
    ) -> None:
        self.ctx = ctx
        self.size = size
        self.programs = programs
        self._variants: dict[
            tuple[int, bool, bool],
            tuple[moderngl.Program, moderngl.VertexArray, moderngl.Program, moderngl.VertexArray],
        ] = {}
        self.streak_prog = programs.get("fullscreen.vert", "streaks.frag", {"TAPS": STREAK_TAPS})
        self.streak_vao = ctx.vertex_array(self.streak_prog, [])
        # sRGB formats: the texture decodes on fetch and the framebuffer encodes on write, both
        # exactly (IEC 61966-2-1), so the shaders work in linear light at no cost.
        # Camera frames arrive as packed RGB: upload them as they are (no repacking).
        self.world = ctx.texture(size, 3, dtype="f1", alignment=1, internal_format=GL_SRGB8)
        self.world.filter = (moderngl.LINEAR, moderngl.LINEAR)
        self.world.repeat_x = self.world.repeat_y = False
        self.out_tex = ctx.texture(size, 4, dtype="f1", internal_format=GL_SRGB8_ALPHA8)
        self.out_fbo = ctx.framebuffer(color_attachments=[self.out_tex])
        self._linear_fbo: moderngl.Framebuffer | None = None
        small = (max(1, size[0] // STREAK_DOWNSCALE), max(1, size[1] // STREAK_DOWNSCALE))
        self.streak_tex = ctx.texture(small, 4, dtype="f2")
        self.streak_tex.filter = (moderngl.LINEAR, moderngl.LINEAR)
        self.streak_tex.repeat_x = self.streak_tex.repeat_y = False
        self.streak_fbo = ctx.framebuffer(color_attachments=[self.streak_tex])
        self.uniformity = ctx.texture((1, 1), 3, np.ones(3, dtype="f4").tobytes(), dtype="f4")
        self._world_generation = 0
        self._streak_key: tuple[int, float] | None = None
        self._light_key: object = None
        self._world_prev_key: object = None
        self._world_cache_key: object = None
        self._world_cache_fbo: moderngl.Framebuffer | None = None
        #: How many times the world's light was actually computed (not copied from the cache).
        self.world_passes = 0
        self._light_tex: moderngl.Texture | None = None
        self._light_fbo: moderngl.Framebuffer | None = None
        self._light_variants: dict[int, tuple[moderngl.Program, moderngl.VertexArray]] = {}
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
        self.world.write(np.ascontiguousarray(rgb))
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

    def compose(
        self,
        display: moderngl.Texture,
        uniforms: dict[str, object],
        linear: bool = False,
        display_version: int | None = None,
    ) -> moderngl.Framebuffer:
        """Run the optics; returns the framebuffer holding the result.

        ``display_version`` identifies the display frame's content (the display renderer's
        draw count); with it, the display light is rebaked only when the content or the
        viewer changes. Without it, it is rebaked every call.
        """
        # compose_uniforms already leaves out the effects this device lacks.
        flags = int(uniforms["u_flags"])  # type: ignore[call-overload]
        streaks = bool(flags & EFFECT_BITS["streaks"])
        if streaks:
            self._streak_pass(float(uniforms["u_world_shift"]))  # type: ignore[arg-type]
        rect = fov_rect_px(uniforms, self.size)
        if rect is not None:
            self._bake_display_light(display, uniforms, flags, rect, display_version)
        # Outside the FOV the light is T·world (+ streaks). Below the knee the shoulder is the
        # identity, so when that light cannot pass the knee the world pass skips it, exactly.
        world_tonemap = streaks or float(uniforms["u_T"]) > TONEMAP_KNEE  # type: ignore[arg-type]
        compose_flags = flags & COMPOSE_EFFECTS
        world_prog, world_vao, fov_prog, fov_vao = self._variant(
            compose_flags, linear, world_tonemap
        )
        fbo = self._linear() if linear else self.out_fbo
        self.world.use(location=0)
        self.streak_tex.use(location=2)
        for prog in (world_prog, fov_prog):
            set_uniform(prog, "u_world_shift", uniforms["u_world_shift"])
            set_uniform(prog, "u_T", uniforms["u_T"])
            set_uniform(prog, "u_streak_gain", uniforms["u_streak_gain"])
        world_key = (
            self._world_generation,
            compose_flags,
            uniforms["u_T"],
            uniforms["u_world_shift"],
            uniforms["u_streak_gain"],
        )
        if linear:
            fbo.use()
            world_vao.render(moderngl.TRIANGLES, vertices=3)
        else:
            self._world_light(world_key, world_vao)
            fbo.use()
            self.ctx.enable_direct(GL_FRAMEBUFFER_SRGB)
        if rect is not None and self._light_tex is not None:  # baked above
            self._light_tex.use(location=1)
            set_uniform(fov_prog, "u_origin", (rect[0], rect[1]))
            set_uniform(fov_prog, "u_rect", rect)
            fov_vao.render(moderngl.TRIANGLES, vertices=6)
        if not linear:
            self.ctx.disable_direct(GL_FRAMEBUFFER_SRGB)
        return fbo

    def _world_light(self, key: tuple[object, ...], world_vao: moderngl.VertexArray) -> None:
        """Fill the output with the world's light (T·world + streaks) outside the display.

        Retained like the display light: the first frame after the world image or the
        viewer changes renders it straight into the output; when a second frame needs the
        same, it is rendered once into a cache and every later frame copies the bytes
        (a plain blit). A live camera, whose image changes every frame, never pays for
        the cache; a still scene pays for its sRGB conversions once.
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
            self.ctx.enable_direct(GL_FRAMEBUFFER_SRGB)
            world_vao.render(moderngl.TRIANGLES, vertices=3)
            self.ctx.disable_direct(GL_FRAMEBUFFER_SRGB)
            self.ctx.copy_framebuffer(self.out_fbo, self._world_cache_fbo)
            self._world_cache_key = key
            self.world_passes += 1
            return
        self._world_prev_key = key
        self.out_fbo.use()
        self.ctx.enable_direct(GL_FRAMEBUFFER_SRGB)
        world_vao.render(moderngl.TRIANGLES, vertices=3)
        self.world_passes += 1

    def _streak_pass(self, world_shift: float) -> None:
        key = (self._world_generation, world_shift)
        if key == self._streak_key:
            return  # streaks depend only on the world image and the eye
        self._streak_key = key
        self.streak_passes += 1
        self.streak_fbo.use()
        self.world.use(location=0)
        sp = self.streak_prog
        set_uniform(sp, "u_world", 0)
        set_uniform(sp, "u_world_size", (float(self.size[0]), float(self.size[1])))
        set_uniform(sp, "u_out_size", (float(self.streak_tex.width), float(self.streak_tex.height)))
        set_uniform(sp, "u_world_shift", world_shift)
        set_uniform(sp, "u_dir", (1.0, 0.0))
        set_uniform(sp, "u_length", STREAK_LENGTH * self.size[0])
        set_uniform(sp, "u_threshold", STREAK_THRESHOLD)
        self.streak_vao.render(moderngl.TRIANGLES, vertices=3)

    def _bake_display_light(
        self,
        display: moderngl.Texture,
        uniforms: dict[str, object],
        flags: int,
        rect: tuple[float, float, float, float],
        display_version: int | None,
    ) -> None:
        """Resample the display frame into this eye over ``rect``, with every display-side effect."""
        # rect follows from the uniforms, which are numbers and tuples: hashable, exact.
        flags &= LIGHT_EFFECTS
        light_uniforms = tuple(
            item for item in uniforms.items() if item[0] not in _WORLD_ONLY_UNIFORMS
        )
        key = (display_version, display.glo, flags, light_uniforms)
        if display_version is not None and key == self._light_key:
            return
        self._light_key = key
        self.light_bakes += 1
        w, h = int(rect[2] - rect[0]), int(rect[3] - rect[1])
        if self._light_tex is None or self._light_tex.size != (w, h):
            if self._light_fbo is not None:
                self._light_fbo.release()
            if self._light_tex is not None:
                self._light_tex.release()
            self._light_tex = self.ctx.texture((w, h), 4, dtype="f4")
            self._light_fbo = self.ctx.framebuffer(color_attachments=[self._light_tex])
        prog, vao = self._light_variant(flags)
        assert self._light_fbo is not None
        self._light_fbo.use()
        display.use(location=0)
        self.uniformity.use(location=1)
        set_uniform(prog, "u_display", 0)
        set_uniform(prog, "u_uniformity", 1)
        set_uniform(prog, "u_origin", (rect[0], rect[1]))
        for name, value in light_uniforms:
            set_uniform(prog, name, value)
        vao.render(moderngl.TRIANGLES, vertices=3)

    def _light_variant(self, flags: int) -> tuple[moderngl.Program, moderngl.VertexArray]:
        found = self._light_variants.get(flags)
        if found is None:
            prog = self.programs.get("fullscreen.vert", "display_light.frag", _fx_defines(flags))
            found = (prog, self.ctx.vertex_array(prog, []))
            self._light_variants[flags] = found
        return found

    def _variant(
        self, flags: int, linear: bool, world_tonemap: bool
    ) -> tuple[moderngl.Program, moderngl.VertexArray, moderngl.Program, moderngl.VertexArray]:
        """The compose programs for one effect set (compiled on first use, then cached)."""
        key = (flags, linear, world_tonemap)
        found = self._variants.get(key)
        if found is None:
            defines = {
                **_fx_defines(flags),
                "TONEMAP_KNEE": f"{TONEMAP_KNEE:.4f}",
                "OUTPUT_LINEAR": int(linear),
                "STREAK_DOWNSCALE": STREAK_DOWNSCALE,
            }
            world_defines = dict(defines)
            if not world_tonemap:
                world_defines["FX_TONEMAP"] = 0
            world = self.programs.get(
                "fullscreen.vert", "compose.frag", {**world_defines, "WITH_DISPLAY": 0}
            )
            fov = self.programs.get("rect.vert", "compose.frag", {**defines, "WITH_DISPLAY": 1})
            # Texture units and the target size never change: set once per variant.
            for prog in (world, fov):
                set_uniform(prog, "u_world", 0)
                set_uniform(prog, "u_display_light", 1)
                set_uniform(prog, "u_streaks", 2)
            set_uniform(fov, "u_target_size", (float(self.size[0]), float(self.size[1])))
            found = (world, self.ctx.vertex_array(world, []), fov, self.ctx.vertex_array(fov, []))
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
            variant[1].release()
            variant[3].release()
        for _prog, vao in self._light_variants.values():
            vao.release()
        if self._light_fbo is not None and self._light_tex is not None:
            self._light_fbo.release()
            self._light_tex.release()
        for obj in (
            self.streak_vao,
            self.world,
            self.out_fbo,
            self.out_tex,
            self.streak_fbo,
            self.streak_tex,
            self.uniformity,
        ):
            obj.release()
        for fbo in (self._linear_fbo, self._world_cache_fbo):
            if fbo is not None:  # a framebuffer's release leaves its textures alive
                for tex in fbo.color_attachments:
                    tex.release()
                fbo.release()


def fov_rect_px(
    uniforms: dict[str, object], size: tuple[int, int]
) -> tuple[float, float, float, float] | None:
    """Pixel rectangle that can receive display light (FOV + swim, ghost and rainbow reach)."""
    cx, cy = _pair(uniforms["u_fov_center"])
    hx, hy = _pair(uniforms["u_fov_half"])
    sx, sy = _pair(uniforms["u_swim"])
    gx, gy = _pair(uniforms["u_ghost_offset"])
    f = float(uniforms["u_focal"])  # type: ignore[arg-type]
    edge = float(uniforms["u_edge"])  # type: ignore[arg-type]
    grow_x = hx * 0.02 + abs(sx) + abs(gx) * 2 * hx + edge + 2 / f
    grow_y = hy * 0.02 + abs(sy) + abs(gy) * 2 * hy + edge + 2 / f
    x0 = size[0] / 2 + (cx - hx - grow_x) * f
    x1 = size[0] / 2 + (cx + hx + grow_x) * f
    y0 = size[1] / 2 + (cy - hy - grow_y) * f
    y1 = size[1] / 2 + (cy + hy + grow_y) * f
    x0, x1 = max(0.0, math.floor(x0)), min(float(size[0]), math.ceil(x1))
    y0, y1 = max(0.0, math.floor(y0)), min(float(size[1]), math.ceil(y1))
    if x1 <= x0 or y1 <= y0:
        return None
    return (x0, y0, x1, y1)


def _fx_defines(flags: int) -> dict[str, object]:
    return {f"FX_{name.upper()}": int(bool(flags & bit)) for name, bit in EFFECT_BITS.items()}


def _pair(value: object) -> tuple[float, float]:
    seq: tuple[float, float] = value  # type: ignore[assignment]
    return float(seq[0]), float(seq[1])
