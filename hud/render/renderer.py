"""Scene in, frames out: the whole per-frame pipeline behind one object.

``HudRenderer`` is what all three uses share: the CLI renders a scene file to PNG, a
firmware host loop calls :meth:`HudRenderer.render` every frame and takes the numpy
arrays, and the desktop emulator shows the same frame in a window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from hud.anchors import ViewGeometry
from hud.errors import HudError
from hud.layout import DisplayList, layout_scene
from hud.optics import auto_brightness, parse_effects, uniformity_map
from hud.profiles import DisplayProfile
from hud.render.compositor import Compositor
from hud.render.context import RenderContext, create_context
from hud.render.display import DisplayRenderer
from hud.render.programs import ProgramCache
from hud.render.uniforms import compose_uniforms
from hud.scene import Scene, world_pixels


@dataclass
class EyeFrame:
    """What one eye sees, and what its display emitted to make it."""

    eye: str
    #: Through-the-glasses view, H×W×3 uint8 sRGB (the world image's grid).
    composite: npt.NDArray[np.uint8]
    #: Display frame at the profile's resolution: pixel values (linear, 1 = white).
    display: npt.NDArray[np.float32]
    display_list: DisplayList
    brightness: float
    #: Linear light (world diffuse white = 1), when asked for.
    linear: npt.NDArray[np.float32] | None = None
    uniforms: dict[str, object] = field(default_factory=dict)


def eyes_for(profile: DisplayProfile, eye: str | None) -> list[str]:
    """Which eyes to render: ``None`` means the profile's display eye (right if both)."""
    if eye in (None, "default"):
        return [profile.eye if profile.eyes == 1 else "right"]
    if eye == "both":
        return ["left", "right"]
    if eye not in ("left", "right"):
        raise HudError(f"--eye must be left, right or both, got '{eye}'")
    return [eye]


class HudRenderer:
    """Owns a GL context and the GPU resources for one profile and output size."""

    def __init__(
        self,
        profile: DisplayProfile,
        size: tuple[int, int],
        context: RenderContext | None = None,
        backend: str | None = None,
    ) -> None:
        self.profile = profile
        self.size = size
        #: A context passed in belongs to the caller (several renderers may share it).
        self._owns_context = context is None
        self.context = context or create_context(backend, size=size)
        self.ctx = self.context.ctx
        with self.context.current():
            self.programs = ProgramCache(self.ctx)
            self.display = DisplayRenderer(self.ctx, self.programs, profile)
            self.compositor = Compositor(self.ctx, self.programs, size)
            self.compositor.set_uniformity(uniformity_map(profile))

    def has_display(self, eye: str) -> bool:
        return self.profile.eyes == 2 or self.profile.eye == eye

    def render_eye(
        self,
        scene: Scene,
        world_rgb: npt.NDArray[np.uint8] | None,
        eye: str,
        effects: frozenset[str],
        linear: bool = False,
        parallax: bool = False,
    ) -> EyeFrame:
        """Render one eye and read it back. ``world_rgb=None`` reuses the world image
        already uploaded.

        ``parallax`` renders this eye as one half of a stereo pair: the camera is taken to
        sit between the eyes (see :meth:`hud.anchors.ViewGeometry.make`).
        """
        with self.context.current():
            dl, brightness, uniforms = self.draw_eye(scene, world_rgb, eye, effects, parallax)
            composite = self.compositor.read_srgb()
            lin = None
            if linear:
                self.compositor.compose(
                    self.display.texture, uniforms, linear=True, display_version=self.display.draws
                )
                lin = self.compositor.read_linear()
            return EyeFrame(
                eye=eye,
                composite=composite,
                display=self.display.read(),
                display_list=dl,
                brightness=brightness,
                linear=lin,
                uniforms=uniforms,
            )

    def draw_eye(
        self,
        scene: Scene,
        world_rgb: npt.NDArray[np.uint8] | None,
        eye: str,
        effects: frozenset[str],
        parallax: bool = False,
        force_redraw: bool = False,
    ) -> tuple[DisplayList, float, dict[str, object]]:
        """The whole frame on the GPU, without reading anything back (the window and the
        benchmark stop here). Returns the display list, the brightness and the uniforms.

        ``force_redraw`` redraws the display even when its list is unchanged.
        """
        with self.context.current():
            if world_rgb is not None:
                self.compositor.set_world(world_rgb)
            view = ViewGeometry.make(
                self.profile,
                self.size[0],
                self.size[1],
                scene.world.fov_h_deg,
                eye,
                scene.world.depth_m,
                parallax=parallax,
            )
            brightness = (
                scene.display.brightness
                if scene.display.brightness is not None
                else auto_brightness(self.profile, scene.world.ambient_nits)
            )
            if self.has_display(eye):
                dl = layout_scene(
                    scene, self.profile, view, self.size, latency_on="latency" in effects
                )
            else:  # the other eye of a monocular device sees the world through a plain lens
                dl = DisplayList(self.profile.width_px, self.profile.height_px)
            # Display pixels per output pixel at the FOV centre (the display is minified
            # wherever its ppd exceeds the world image's pixels per degree).
            self.display.set_minification(self.profile.ppd / (view.focal_px * math.pi / 180.0))
            tex = self.display.render(dl, force=force_redraw)
            uniforms = compose_uniforms(
                self.profile,
                view,
                scene.world.ambient_nits,
                brightness,
                effects,
                scene.viewer.pupil_offset_mm,
            )
            self.compositor.compose(tex, uniforms, display_version=self.display.draws)
            return dl, brightness, uniforms

    def release(self) -> None:
        with self.context.current():
            self.display.release()
            self.compositor.release()
        if self._owns_context:
            self.context.release()


def render_scene(
    scene: Scene,
    profile: DisplayProfile,
    eye: str | None = None,
    effects: str | frozenset[str] | None = "all",
    linear: bool = False,
    backend: str | None = None,
) -> list[EyeFrame]:
    """One-shot convenience: render a scene for the given eye(s) and release the GPU."""
    fx = effects if isinstance(effects, frozenset) else parse_effects(effects)
    world = world_pixels(scene)
    h, w = world.shape[:2]
    renderer = HudRenderer(profile, (w, h), backend=backend)
    try:
        frames = []
        eyes = eyes_for(profile, eye)
        stereo = len(eyes) == 2  # a stereo pair: the camera sits between the eyes
        for i, e in enumerate(eyes):
            world_rgb = world if i == 0 else None
            frames.append(
                renderer.render_eye(scene, world_rgb, e, fx, linear=linear, parallax=stereo)
            )
        return frames
    finally:
        renderer.release()
