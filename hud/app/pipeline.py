"""The per-frame pipeline: trackers → gestures and anchors → layout → renderer → optics.

:class:`HudPipeline` owns one instance of each stage and runs them in the flow's order,
one method per stage, so a host can run all of them (:class:`hud.app.session.HudSession`
does) or only some: ``hud record`` tracks and recognises but never renders; a host that
tracks on its own chip skips :meth:`HudPipeline.track` and passes its landmarks in.

Everything is driven by the frame's timestamp: trackers run in MediaPipe's VIDEO mode with
it, recognisers measure time with it, head motion is differentiated over it. Nothing reads
a clock, so the same frames give the same events and the same pixels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

from gestures.events import GestureEvent
from gestures.recognizer import GestureRecognizer, GestureRecognizerOptions
from gestures.tracker_input import hand_frame
from hud.anchors import (
    Eye,
    HeadMotion,
    HeadPose,
    Pose,
    display_eyes,
    has_display,
    marker_objects,
    merge_objects,
)
from hud.app.overlays import draw_capture_led
from hud.errors import OptionsError
from hud.layout import CardLayout, CardLayoutOptions, DisplayList
from hud.layout.engine import scene_view
from hud.layout.placement import LayoutFrame
from hud.optics import ALL_EFFECTS, parse_effects
from hud.profiles import DisplayProfile
from hud.render.context import RenderContext
from hud.render.renderer import HudRenderer, scene_brightness
from hud.scene import Scene, world_pixels
from hud.trackers.faces import FaceLandmarker, FaceLandmarkerOptions
from hud.trackers.hands import HandLandmarker, HandLandmarkerOptions
from hud.trackers.landmarker import RunningMode
from hud.trackers.markers import CameraIntrinsics, camera_intrinsics, detect_markers
from hud.trackers.results import FaceResult, HandResult, MarkerResult


@dataclass(frozen=True)
class MarkerOptions:
    """Marker detection: a dictionary (``auto`` searches the common ones) and, for 6-DoF
    poses, the printed size and the camera model (a calibration file or a FOV)."""

    dictionary: str = "auto"
    marker_length_m: float | None = None
    camera_fov_h_deg: float | None = None
    calibration: str | Path | None = None

    def __post_init__(self) -> None:
        from hud.trackers.markers import resolve_dictionary

        resolve_dictionary(self.dictionary)  # an unknown name fails here, not at frame 1
        length = self.marker_length_m
        if length is not None and not (np.isfinite(length) and length > 0):
            raise OptionsError(f"marker_length_m must be a positive length, got {length}")
        if length is not None and self.camera_fov_h_deg is None and self.calibration is None:
            raise OptionsError("marker poses need camera_fov_h_deg or a calibration file")


def _video_hands() -> HandLandmarkerOptions:
    return HandLandmarkerOptions(running_mode=RunningMode.VIDEO)


@dataclass(frozen=True)
class HudPipelineOptions:
    """Which stages run and how. ``hands``/``faces``/``markers`` set to ``None`` turns that
    tracker off (a host may still pass its own results per frame)."""

    hands: HandLandmarkerOptions | None = field(default_factory=_video_hands)
    faces: FaceLandmarkerOptions | None = None
    markers: MarkerOptions | None = None
    gestures: GestureRecognizerOptions = field(default_factory=GestureRecognizerOptions)
    effects: frozenset[str] = ALL_EFFECTS
    #: Also render the through-the-glasses view (the emulator); a host feeding real
    #: glasses needs only the display frames.
    composite: bool = False
    #: The eyes to render; ``None``: every eye that has a display. Two eyes are a stereo
    #: pair (the camera between them); one eye takes the camera image as its own view.
    eyes: tuple[Eye, ...] | None = None
    backend: str | None = None
    #: How cards follow their anchors over time (smoothing, grace period, growth).
    cards: CardLayoutOptions = field(default_factory=CardLayoutOptions)

    def __post_init__(self) -> None:
        if self.eyes is not None:
            eyes = tuple(Eye.parse(e) for e in self.eyes)
            if not eyes or len(set(eyes)) != len(eyes):
                raise OptionsError(f"eyes must be one or both of left, right, got {self.eyes}")
            object.__setattr__(self, "eyes", eyes)
        for name, opts in (("hands", self.hands), ("faces", self.faces)):
            if opts is not None and opts.running_mode is not RunningMode.VIDEO:
                raise OptionsError(f"the pipeline runs {name} in VIDEO mode (frame timestamps)")
        object.__setattr__(self, "effects", parse_effects(self.effects))


@dataclass(frozen=True)
class FrameInput:
    """One frame for the pipeline. A tracker's field left ``None`` means "track it from
    ``rgb``" (when that tracker is on); a tuple, even empty, is the host's own result."""

    timestamp_ms: int
    rgb: npt.NDArray[np.uint8] | None = None
    hands: tuple[HandResult, ...] | None = None
    faces: tuple[FaceResult, ...] | None = None
    markers: tuple[MarkerResult, ...] | None = None
    head_pose: HeadPose | None = None


@dataclass(frozen=True, eq=False)
class Tracked:
    """What the trackers found in one frame."""

    timestamp_ms: int
    hands: tuple[HandResult, ...] = ()
    faces: tuple[FaceResult, ...] = ()
    markers: tuple[MarkerResult, ...] = ()
    #: The camera frame's (width, height), when there was one.
    image_size: tuple[int, int] | None = None


@dataclass(frozen=True, eq=False)
class Rendered:
    """One frame's output: each display eye's frame (8-bit sRGB codes) and, with the
    composite on, what each of those eyes sees through the lens."""

    display: Mapping[Eye, npt.NDArray[np.uint8]]
    composite: Mapping[Eye, npt.NDArray[np.uint8]]
    brightness: float


def camera_world(scene: Scene, size: tuple[int, int], fov_h_deg: float | None = None) -> Scene:
    """The scene seen through a camera: its frames are the world, so their size (and the
    camera's field of view, when given) map object boxes to visual angles."""
    world = replace(scene.world, image=None, width=int(size[0]), height=int(size[1]))
    if fov_h_deg is not None:
        world = replace(world, fov_h_deg=fov_h_deg)
    return replace(scene, world=world)


class HudPipeline:
    """One instance of each stage for one display profile; call the stages in order."""

    def __init__(
        self,
        profile: DisplayProfile | None,
        options: HudPipelineOptions | None = None,
        context: RenderContext | None = None,
    ) -> None:
        """``profile=None`` makes a pipeline that tracks and recognises only (recording):
        its layout and render stages refuse to run."""
        self._profile = profile
        self.options = options or HudPipelineOptions()
        self.eyes: tuple[Eye, ...] = ()
        if profile is not None:
            self.eyes = self.options.eyes or display_eyes(profile)
        self.recognizer = GestureRecognizer(self.options.gestures)
        self._hands: HandLandmarker | None = None
        self._faces: FaceLandmarker | None = None
        self._intrinsics: dict[tuple[int, int], CameraIntrinsics | None] = {}
        self._head = HeadMotion()
        self._card_layouts: dict[Eye, CardLayout] = {}
        self._renderer: HudRenderer | None = None
        #: A GL context to render on (a window's); it stays the caller's. None: a new one.
        self._context = context
        self._world_image: tuple[str | None, npt.NDArray[np.uint8]] | None = None
        #: The world image last uploaded (the compositor keeps it between frames).
        self._uploaded: npt.NDArray[np.uint8] | None = None
        self._closed = False

    @property
    def profile(self) -> DisplayProfile:
        if self._profile is None:
            raise OptionsError("this pipeline was made without a display profile: it tracks only")
        return self._profile

    # ------------------------------------------------------------------ trackers
    def track(self, frame: FrameInput) -> Tracked:
        """Run the trackers that are on and whose result the host did not give."""
        rgb, t = frame.rgb, int(frame.timestamp_ms)
        opts = self.options
        hands: tuple[HandResult, ...] = frame.hands or ()
        if frame.hands is None and rgb is not None and opts.hands is not None:
            hands = tuple(self._hand_tracker().detect_for_video(rgb, t))
        faces: tuple[FaceResult, ...] = frame.faces or ()
        if frame.faces is None and rgb is not None and opts.faces is not None:
            faces = tuple(self._face_tracker().detect_for_video(rgb, t))
        markers: tuple[MarkerResult, ...] = frame.markers or ()
        if frame.markers is None and rgb is not None and opts.markers is not None:
            markers = tuple(self._detect_markers(rgb))
        size = None if rgb is None else (int(rgb.shape[1]), int(rgb.shape[0]))
        return Tracked(t, hands, faces, markers, size)

    def _hand_tracker(self) -> HandLandmarker:
        if self._hands is None:
            assert self.options.hands is not None
            self._hands = HandLandmarker(self.options.hands)
        return self._hands

    def _face_tracker(self) -> FaceLandmarker:
        if self._faces is None:
            assert self.options.faces is not None
            self._faces = FaceLandmarker(self.options.faces)
        return self._faces

    def camera_model(self, size: tuple[int, int]) -> CameraIntrinsics | None:
        """The camera intrinsics for frames of ``size`` (for marker poses), if any."""
        if size not in self._intrinsics:
            m = self.options.markers
            self._intrinsics[size] = (
                None
                if m is None
                else camera_intrinsics(
                    size[0], size[1], calibration=m.calibration, hfov_deg=m.camera_fov_h_deg
                )
            )
        return self._intrinsics[size]

    def _detect_markers(self, rgb: npt.NDArray[np.uint8]) -> list[MarkerResult]:
        import cv2

        m = self.options.markers
        assert m is not None
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        length = m.marker_length_m
        intrinsics = self.camera_model((rgb.shape[1], rgb.shape[0])) if length else None
        return detect_markers(gray, m.dictionary, marker_length_m=length, intrinsics=intrinsics)

    # ------------------------------------------------------------------ gestures
    def recognise(self, tracked: Tracked) -> list[GestureEvent]:
        """The gesture events of this frame (dispatched too, if the recogniser has a
        dispatcher)."""
        return self.recognizer.process(hand_frame(tracked.timestamp_ms, tracked.hands))

    # ------------------------------------------------------------------ anchors
    def anchor(self, scene: Scene, tracked: Tracked, head_pose: HeadPose | None = None) -> Scene:
        """The scene with this frame's tracked objects and head motion applied."""
        if tracked.markers and tracked.image_size is not None:
            found = marker_objects(tracked.markers, tracked.image_size)
            scene = replace(scene, objects=merge_objects(scene.objects, found))
        rate = self._head.update(tracked.timestamp_ms, head_pose)
        if rate is not None:
            scene = replace(scene, viewer=replace(scene.viewer, head_rate_dps=rate))
        return scene

    # ------------------------------------------------------------------ layout
    def layout(
        self,
        scene: Scene,
        t_s: float | None = None,
        head: Pose | None = None,
        hands: Sequence[HandResult] = (),
    ) -> dict[Eye, DisplayList]:
        """Each eye's display list (an empty one for an eye without a display).

        With ``t_s`` (seconds, the frame's time) the layout carries over from frame to
        frame: cards follow their objects smoothly, hold and fade when a track is lost,
        keep their places. Without it, one frame from scratch (a still).
        """
        size = self.world_size(scene)
        stereo = len(self.eyes) == 2
        latency = "latency" in self.options.effects
        out: dict[Eye, DisplayList] = {}
        for eye in self.eyes:
            if not has_display(self.profile, eye):
                out[eye] = DisplayList(self.profile.width_px, self.profile.height_px)
                continue
            cards = self._card_layouts.get(eye)
            if cards is None:
                cards = self._card_layouts[eye] = CardLayout(self.profile, self.options.cards)
            view = scene_view(scene, self.profile, str(eye), size, stereo)
            out[eye] = cards.update(scene, view, t_s, head, latency, hands)  # None: from scratch
        return out

    def layout_frame(self, eye: Eye) -> LayoutFrame | None:
        """The last frame's placement on ``eye`` (what the layout metrics measure), or
        ``None`` before a timed layout."""
        cards = self._card_layouts.get(eye)
        return None if cards is None else cards.last_frame

    def world_size(self, scene: Scene) -> tuple[int, int]:
        """The world's pixel grid: the photo's size for an image world, else the scene's."""
        if scene.world.image is None:
            return (scene.world.width, scene.world.height)
        image = self._scene_world(scene)
        return (int(image.shape[1]), int(image.shape[0]))

    def _scene_world(self, scene: Scene) -> npt.NDArray[np.uint8]:
        """A scene's own world image, read once per file."""
        key = str(scene.resolve(scene.world.image)) if scene.world.image else None
        if self._world_image is None or self._world_image[0] != key:
            self._world_image = (key, world_pixels(scene))
        return self._world_image[1]

    # ------------------------------------------------------------------ render + optics
    def render(
        self,
        scene: Scene,
        layouts: Mapping[Eye, DisplayList],
        world_rgb: npt.NDArray[np.uint8] | None = None,
        read: bool = True,
        capture: bool = False,
    ) -> Rendered:
        """Draw each eye's display list and read the display frames back; with the
        composite on, run the optics over ``world_rgb`` (the scene's own world if None).

        ``capture``: frames are being recorded or sent off the machine, so the composite
        shows the lit capture LED, drawn here after the app's scene so no app can hide it.

        ``read=False`` leaves everything on the GPU (a window blits the composite texture
        itself): the result's mappings are then empty.
        """
        brightness = scene_brightness(scene, self.profile)
        display: dict[Eye, npt.NDArray[np.uint8]] = {}
        composite: dict[Eye, npt.NDArray[np.uint8]] = {}
        if not self.options.composite:
            renderer = self.renderer(None)
            for eye in self.eyes:
                renderer.draw_display(layouts[eye], eye)
                if read:
                    display[eye] = renderer.read_display_codes(eye)
            return Rendered(display, composite, brightness)
        upload: npt.NDArray[np.uint8] | None = world_rgb  # a camera frame: always new
        if world_rgb is None:
            world_rgb = self._scene_world(scene)
            # The scene's own world is uploaded once; the compositor keeps it.
            upload = None if world_rgb is self._uploaded else world_rgb
        renderer = self.renderer((int(world_rgb.shape[1]), int(world_rgb.shape[0])))
        stereo = len(self.eyes) == 2
        effects = self.options.effects
        for i, eye in enumerate(self.eyes):
            first = upload if i == 0 else None
            renderer.draw_eye(scene, first, eye, effects, stereo, display_list=layouts[eye])
            if read:
                view = renderer.read_composite()
                composite[eye] = draw_capture_led(view) if capture else view
                display[eye] = renderer.read_display_codes(eye)
        self._uploaded = world_rgb
        return Rendered(display, composite, brightness)

    def renderer(self, size: tuple[int, int] | None) -> HudRenderer:
        """The renderer, made on first use (the composite's size is the world's)."""
        if self._closed:
            raise OptionsError("this pipeline is closed")
        if self._renderer is None:
            self._renderer = HudRenderer(
                self.profile, size, context=self._context, backend=self.options.backend
            )
        elif self._renderer.size != size:
            have = self._renderer.size
            raise OptionsError(f"the world changed size from {have} to {size} mid-run")
        return self._renderer

    def gl_objects(self) -> int:
        """Live GL objects of the renderer (0 before it exists): memory tests watch it."""
        if self._renderer is None:
            return 0
        return int(self._renderer.live_objects())

    # ------------------------------------------------------------------ lifetime
    def close(self) -> None:
        """Release trackers and GPU resources; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        for tracker in (self._hands, self._faces):
            if tracker is not None:
                tracker.close()
        if self._renderer is not None:
            self._renderer.release()
            self._renderer = None

    def __enter__(self) -> HudPipeline:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
