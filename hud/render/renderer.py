"""Display lists in, frames out: the GPU side of the per-frame flow behind one object.

``HudRenderer`` draws what layout produced into each eye's microdisplay framebuffer (the
light the display emits) and, when asked, runs the optics over the world image to show
what the wearer sees through the lens. The pipeline (:mod:`hud.app.pipeline`) runs layout
and hands it display lists; :meth:`HudRenderer.render_eye` is the one-call convenience
that lays a scene out itself (the ``hud render`` command, tests and scripts).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from hud.anchors.view import Eye, ViewGeometry, has_display
from hud.errors import HudError
from hud.layout import DisplayList, layout_eye
from hud.layout.engine import scene_view
from hud.optics import ALL_EFFECTS, auto_brightness, parse_effects, uniformity_map
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

    eye: Eye
    #: Through-the-glasses view, H×W×3 uint8 sRGB (the world image's grid).
    composite: npt.NDArray[np.uint8]
    #: Display frame at the profile's resolution: pixel values (linear, 1 = white).
    display: npt.NDArray[np.float32]
    display_list: DisplayList
    brightness: float
    #: Linear light (world diffuse white = 1), when asked for.
    linear: npt.NDArray[np.float32] | None = None
    uniforms: dict[str, object] = field(default_factory=dict)


def eyes_for(profile: DisplayProfile, eye: str | Eye | None) -> list[Eye]:
    """Which eyes to render: ``None`` means the profile's display eye (right if both)."""
    if eye in (None, "default"):
        return [Eye.parse(profile.eye) if profile.eyes == 1 else Eye.RIGHT]
    if eye == "both":
        return [Eye.LEFT, Eye.RIGHT]
    return [Eye.parse(eye)]


def scene_brightness(scene: Scene, profile: DisplayProfile) -> float:
    """The display's brightness (fraction of peak): the scene's, or automatic."""
    if scene.display.brightness is not None:
        return scene.display.brightness
    return auto_brightness(profile, scene.world.ambient_nits)


class HudRenderer:
    """Owns a GL context and the GPU resources for one profile and output size.

    ``size`` is the composite's size (the world image's); ``None`` makes a display-only
    renderer, for hosts that send display frames to real glasses and need no
    through-the-glasses view. Use it as a context manager, or call :meth:`release`.
    """

    def __init__(
        self,
        profile: DisplayProfile,
        size: tuple[int, int] | None,
        context: RenderContext | None = None,
        backend: str | None = None,
    ) -> None:
        self.profile = profile
        self.size = size
        #: A context passed in belongs to the caller (several renderers may share it).
        self._owns_context = context is None
        self.context = context or create_context(backend, size=size or (64, 64))
        self.ctx = self.context.ctx
        self._compositor: Compositor | None = None
        with self.context.current():
            self.programs = ProgramCache(self.ctx)
            # One display framebuffer for both eyes: a stereo pair with equal content is
            # drawn and baked once (the eyes' lists are equal unless anchors have depth).
            self._display = DisplayRenderer(self.ctx, self.programs, profile)
            if size is not None:
                self._compositor = Compositor(self.ctx, self.programs, size)
                self._compositor.set_uniformity(uniformity_map(profile))
            else:  # nothing samples the display minified: no mipmap chain to build
                self._display.set_minification(1.0)

    @property
    def primary_eye(self) -> Eye:
        return eyes_for(self.profile, None)[0]

    @property
    def display(self) -> DisplayRenderer:
        """The display framebuffer (both eyes of a binocular profile are drawn in turn)."""
        return self._display

    @property
    def compositor(self) -> Compositor:
        if self._compositor is None:
            raise HudError("this renderer was made without an output size: it draws displays only")
        return self._compositor

    def has_display(self, eye: str | Eye) -> bool:
        return has_display(self.profile, eye)

    def view(self, scene: Scene, eye: str | Eye, parallax: bool = False) -> ViewGeometry:
        """The eye's view of the scene's world (the composite's grid when there is one)."""
        size = self.size if self.size is not None else (scene.world.width, scene.world.height)
        return scene_view(scene, self.profile, str(eye), size, parallax)

    def layout(
        self,
        scene: Scene,
        eye: str | Eye,
        effects: frozenset[str] = ALL_EFFECTS,
        parallax: bool = False,
    ) -> DisplayList:
        """The scene laid out on one eye's display (an empty list for an eye without one)."""
        view = self.view(scene, eye, parallax)
        latency = "latency" in effects
        return layout_eye(
            scene, self.profile, str(eye), (view.width, view.height), parallax, latency
        )

    def draw_display(
        self, display_list: DisplayList, eye: str | Eye, force: bool = False
    ) -> DisplayRenderer:
        """Draw one eye's display list (nothing is redrawn when it is unchanged)."""
        with self.context.current():
            self._display.render(display_list, force=force)
        return self._display

    def read_display_codes(self, eye: str | Eye) -> npt.NDArray[np.uint8]:
        """The display frame last drawn (for ``eye``) as the 8-bit sRGB codes a panel
        takes, H×W×3. Draw each eye and read it before drawing the next."""
        with self.context.current():
            return self._display.read_codes()

    def read_composite(self) -> npt.NDArray[np.uint8]:
        """The composite last drawn, H×W×3 uint8 sRGB (what the wearer sees)."""
        with self.context.current():
            return self.compositor.read_srgb()

    def draw_eye(
        self,
        scene: Scene,
        world_rgb: npt.NDArray[np.uint8] | None,
        eye: str | Eye,
        effects: frozenset[str] = ALL_EFFECTS,
        parallax: bool = False,
        force_redraw: bool = False,
        display_list: DisplayList | None = None,
    ) -> tuple[DisplayList, float, dict[str, object]]:
        """The whole frame on the GPU, without reading anything back (the window and the
        benchmark stop here). Returns the display list, the brightness and the uniforms.

        ``display_list`` is the eye's layout when the caller ran it already (the
        pipeline does); else the scene is laid out here. ``force_redraw`` redraws the
        display even when its list is unchanged.
        """
        compositor = self.compositor
        with self.context.current():
            if world_rgb is not None:
                compositor.set_world(world_rgb)
            view = self.view(scene, eye, parallax)
            brightness = scene_brightness(scene, self.profile)
            dl = (
                display_list
                if display_list is not None
                else self.layout(scene, eye, effects, parallax)
            )
            # Display pixels per output pixel at the FOV centre (the display is minified
            # wherever its ppd exceeds the world image's pixels per degree).
            target = self._display
            target.set_minification(self.profile.ppd / (view.focal_px * math.pi / 180.0))
            target = self.draw_display(dl, eye, force=force_redraw)
            uniforms = compose_uniforms(
                self.profile,
                view,
                scene.world.ambient_nits,
                brightness,
                effects,
                scene.viewer.pupil_offset_mm,
            )
            compositor.compose(target.texture, uniforms, display_version=target.draws)
            return dl, brightness, uniforms

    def render_eye(
        self,
        scene: Scene,
        world_rgb: npt.NDArray[np.uint8] | None = None,
        eye: str | Eye = Eye.RIGHT,
        effects: frozenset[str] = ALL_EFFECTS,
        linear: bool = False,
        parallax: bool = False,
        display_list: DisplayList | None = None,
    ) -> EyeFrame:
        """Render one eye and read it back. ``world_rgb=None`` reuses the world image
        already uploaded.

        ``parallax`` renders this eye as one half of a stereo pair: the camera is taken to
        sit between the eyes (see :meth:`hud.anchors.ViewGeometry.make`).
        """
        eye = Eye.parse(eye)
        with self.context.current():
            dl, brightness, uniforms = self.draw_eye(
                scene, world_rgb, eye, effects, parallax, display_list=display_list
            )
            composite = self.compositor.read_srgb()
            lin = None
            target = self._display
            if linear:
                self.compositor.compose(
                    target.texture, uniforms, linear=True, display_version=target.draws
                )
                lin = self.compositor.read_linear()
            return EyeFrame(
                eye=eye,
                composite=composite,
                display=target.read(),
                display_list=dl,
                brightness=brightness,
                linear=lin,
                uniforms=uniforms,
            )

    def live_objects(self) -> int:
        """GL objects of this renderer's context still alive: unreleased moderngl objects
        plus any dropped without release (counted once the context collects garbage).

        For leak tests: a steady frame loop must keep this flat. Walks the Python heap,
        so call it every few hundred frames, not every frame.
        """
        import gc

        import moderngl

        kinds = (
            moderngl.Buffer,
            moderngl.Texture,
            moderngl.Framebuffer,
            moderngl.VertexArray,
            moderngl.Program,
            moderngl.Renderbuffer,
        )
        alive = 0
        for obj in gc.get_objects():
            if isinstance(obj, kinds) and getattr(obj, "ctx", None) is self.ctx:
                alive += type(obj.mglo).__name__ != "InvalidObject"
        return alive + len(getattr(self.ctx, "objects", ()) or ())

    def finish(self) -> None:
        """Wait for the GPU to finish queued work (benchmarks time whole frames)."""
        with self.context.current():
            self.ctx.finish()

    def release(self) -> None:
        with self.context.current():
            self._display.release()
            if self._compositor is not None:
                self._compositor.release()
                self._compositor = None
        if self._owns_context:
            self.context.release()

    def __enter__(self) -> HudRenderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def render_scene(
    scene: Scene,
    profile: DisplayProfile,
    eye: str | Eye | None = None,
    effects: str | frozenset[str] | None = "all",
    linear: bool = False,
    backend: str | None = None,
) -> list[EyeFrame]:
    """One-shot convenience: render a scene for the given eye(s) and release the GPU."""
    fx = effects if isinstance(effects, frozenset) else parse_effects(effects)
    world = world_pixels(scene)
    h, w = world.shape[:2]
    with HudRenderer(profile, (w, h), backend=backend) as renderer:
        frames = []
        eyes = eyes_for(profile, eye)
        stereo = len(eyes) == 2  # a stereo pair: the camera sits between the eyes
        for i, e in enumerate(eyes):
            world_rgb = world if i == 0 else None
            frames.append(
                renderer.render_eye(scene, world_rgb, e, fx, linear=linear, parallax=stereo)
            )
        return frames
