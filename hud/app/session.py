"""The embedding API: a host loop feeds frames and gets display frames back, no window.

For glasses firmware and any host that owns its loop and its clock::

    import hud
    with hud.HudSession(hud.HudSessionOptions(profile="rayban-display", scene="desk.json")) as session:
        for frame in camera:
            out = session.step(frame.rgb, timestamp_ms=frame.t)
            send_to_display(out.display["right"])
            for event in out.events: ...

:meth:`HudSession.step` runs the whole flow (trackers → gestures → anchors → layout →
render → optics) and returns a :class:`StepResult`: each display eye's frame in the
profile's pixel format, the rectangles that changed since the previous step (a host on a
slow link sends only those), the events, the cards as laid out, the brightness and, with
``stage_timer`` given, per-stage timings. A host that tracks on its own chip passes
``hands=``/``markers=``/``head_pose=`` instead of (or beside) a camera frame.

Same inputs, same outputs, bit for bit: nothing here reads a clock (timings come from the
timer the host passes), and no state is shared between sessions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from gestures.events import GestureEvent
from gestures.recognizer import GestureRecognizerOptions
from gestures.tracker_input import wearer_hand_results
from hud.anchors import Eye, HeadPose, pose_from_angles
from hud.app.pipeline import (
    FrameInput,
    HudPipeline,
    HudPipelineOptions,
    MarkerOptions,
    Tracked,
    camera_world,
)
from hud.errors import OptionsError
from hud.layout import DisplayList
from hud.optics import parse_effects
from hud.profiles import DisplayProfile, get_profile
from hud.render.frames import DisplayLink, PixelFormat, Rect, default_pixel_format
from hud.scene import CARD_STATES, Card, Scene, World, load_scene
from hud.trackers.faces import FaceLandmarkerOptions
from hud.trackers.hands import HandLandmarkerOptions
from hud.trackers.landmarker import BaseOptions, RunningMode
from hud.trackers.results import FaceResult, HandResult, MarkerResult

T = TypeVar("T")

#: Profile of a session given neither a profile nor a scene.
DEFAULT_PROFILE = "rayban-display"


def _unit(name: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise OptionsError(f"{name} must be between 0 and 1, got {value}")


@dataclass(frozen=True)
class HudSessionOptions:
    """Everything a session needs, validated once when made (:class:`OptionsError`).

    ``profile`` is a built-in name, a profile file or a :class:`DisplayProfile`; ``None``
    takes the scene's, else ``rayban-display``. ``scene`` is a scene file or a
    :class:`Scene`; ``None`` starts with an empty HUD (add cards with
    :meth:`HudSession.set_cards`). Tracker options keep MediaPipe's names.
    """

    profile: str | Path | DisplayProfile | None = None
    scene: str | Path | Scene | None = None
    base_options: BaseOptions = field(default_factory=BaseOptions)
    track_hands: bool = True
    num_hands: int = 2
    min_hand_detection_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    #: Frames are mirror images (a selfie camera): fixes the handedness labels.
    mirrored: bool = False
    track_faces: bool = False
    #: Marker dictionary (``"auto"`` or a name such as ``"DICT_6X6_250"``); None: off.
    markers: str | None = None
    marker_length_m: float | None = None
    #: The camera's horizontal field of view: maps camera pixels to visual angles.
    camera_fov_h_deg: float = 70.0
    effects: str | frozenset[str] = "all"
    #: Also render the through-the-glasses view (``StepResult.composite``).
    composite: bool = False
    #: The eyes to render; ``None``: every eye that has a display (both make a stereo pair).
    eyes: tuple[str, ...] | None = None
    #: ``None``: the profile's (RGB for colour panels, 1-bit grey for monochrome ones).
    pixel_format: str | PixelFormat | None = None
    #: Surroundings' diffuse white (nits); ``None``: the scene's.
    ambient_nits: float | None = None
    gestures: GestureRecognizerOptions = field(default_factory=GestureRecognizerOptions)
    #: A clock in seconds (``time.perf_counter``) for per-stage timings; ``None``: none.
    stage_timer: Callable[[], float] | None = None
    backend: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.num_hands, bool) or not 1 <= int(self.num_hands) <= 8:
            raise OptionsError(f"num_hands must be 1 to 8, got {self.num_hands}")
        _unit("min_hand_detection_confidence", self.min_hand_detection_confidence)
        _unit("min_tracking_confidence", self.min_tracking_confidence)
        if not (np.isfinite(self.camera_fov_h_deg) and 1.0 <= self.camera_fov_h_deg <= 170.0):
            raise OptionsError(f"camera_fov_h_deg must be 1 to 170, got {self.camera_fov_h_deg}")
        if self.ambient_nits is not None and not 0.01 <= self.ambient_nits <= 1e6:
            raise OptionsError(f"ambient_nits must be 0.01 to 1e6, got {self.ambient_nits}")
        object.__setattr__(self, "effects", parse_effects(self.effects))
        if self.pixel_format is not None:
            object.__setattr__(self, "pixel_format", PixelFormat.parse(self.pixel_format))
        self.pipeline_options(Path("."))  # the trackers' own checks, now

    def pipeline_options(self, base_dir: Path) -> HudPipelineOptions:
        """The pipeline's options for these session options."""
        hands = None
        if self.track_hands:
            model = self.base_options.model_asset_path
            hands = HandLandmarkerOptions(
                running_mode=RunningMode.VIDEO,
                base_options=BaseOptions(None if model is None else base_dir / model),
                num_hands=int(self.num_hands),
                min_hand_detection_confidence=self.min_hand_detection_confidence,
                min_tracking_confidence=self.min_tracking_confidence,
                mirrored=self.mirrored,
            )
        faces = FaceLandmarkerOptions(running_mode=RunningMode.VIDEO) if self.track_faces else None
        markers = None
        if self.markers is not None:
            markers = MarkerOptions(
                dictionary=self.markers,
                marker_length_m=self.marker_length_m,
                camera_fov_h_deg=self.camera_fov_h_deg if self.marker_length_m else None,
            )
        return HudPipelineOptions(
            hands=hands,
            faces=faces,
            markers=markers,
            gestures=self.gestures,
            effects=self.effects,  # type: ignore[arg-type]
            composite=self.composite,
            eyes=None if self.eyes is None else tuple(Eye.parse(e) for e in self.eyes),
            backend=self.backend,
        )


@dataclass(frozen=True)
class CardPlacement:
    """Where a card ended up on one eye's display."""

    id: str
    eye: Eye
    #: Display pixels, ``(x0, y0, x1, y1)``, origin top-left.
    rect_px: tuple[float, float, float, float]
    #: The card's centre in degrees from the display's centre (x right, y down).
    center_deg: tuple[float, float]


@dataclass(frozen=True, eq=False)
class StepResult:
    """What one :meth:`HudSession.step` produced."""

    timestamp_ms: int
    #: Each eye that has a display (``"left"``, ``"right"``) → its frame in
    #: :attr:`pixel_format`: H×W×3 for RGB, H×row_bytes for packed grey. Read-only
    #: (shared with the session's record of what the glasses show): copy to draw on it.
    display: Mapping[Eye, npt.NDArray[np.uint8]]
    pixel_format: PixelFormat
    #: Per eye, the rectangles (display pixels) that differ from the previous step.
    dirty: Mapping[Eye, tuple[Rect, ...]]
    events: tuple[GestureEvent, ...]
    cards: tuple[CardPlacement, ...]
    #: Cards that did not fit (shown as a "+N" badge).
    overflow: tuple[str, ...]
    #: Display brightness, fraction of the profile's peak (what a host sets the panel to).
    brightness: float
    tracked: Tracked
    #: Through-the-glasses view per display eye (only with ``composite=True``).
    composite: Mapping[Eye, npt.NDArray[np.uint8]] = field(default_factory=dict)
    #: Milliseconds per stage (only with a ``stage_timer``).
    timings_ms: Mapping[str, float] = field(default_factory=dict)

    def update_bytes(self, eye: str | Eye) -> int:
        """Bytes of the changed rectangles of one eye (what a slow link must carry)."""
        from hud.render.frames import rect_bytes

        return sum(rect_bytes(r, self.pixel_format) for r in self.dirty[Eye.parse(eye)])


class HudSession:
    """One pair of glasses driven by a host loop. A context manager: it owns trackers and
    GPU resources, released on exit (or :meth:`close`)."""

    def __init__(self, options: HudSessionOptions | None = None) -> None:
        self.options = options = options or HudSessionOptions()
        scene, base_dir = _initial_scene(options)
        self.profile = _resolve_profile(options, scene, base_dir)
        if options.ambient_nits is not None:
            scene = replace(scene, world=replace(scene.world, ambient_nits=options.ambient_nits))
        self._scene = scene
        self.pixel_format: PixelFormat = options.pixel_format or default_pixel_format(self.profile)  # type: ignore[assignment]
        self.pipeline = HudPipeline(self.profile, options.pipeline_options(base_dir))
        #: Packs display frames and finds what changed since each eye's last frame.
        self.link = DisplayLink(self.pixel_format, self.profile.mono_rgb)
        self._world_size: tuple[int, int] | None = None

    # ------------------------------------------------------------------ the scene
    @property
    def scene(self) -> Scene:
        """The scene the next step shows (objects and cards as the app last set them)."""
        return self._scene

    @scene.setter
    def scene(self, scene: Scene) -> None:
        self._scene = scene

    def set_cards(self, cards: Sequence[Card]) -> None:
        """Replace the cards shown from the next step on."""
        self._scene = replace(self._scene, cards=tuple(cards))

    def stream_text(self, card_id: str, chunk: str, *, done: bool = False) -> None:
        """Append a chunk of a streaming answer to a card (it shows as ``streaming``, and
        ``done`` once the answer is complete). The card grows downward as text arrives;
        text past the glance budget is cut with an ellipsis. Untrusted text is sanitised
        at layout."""
        self._update_card(card_id, lambda c: replace(
            c, body=c.body + chunk, state="done" if done else "streaming"
        ))  # fmt: skip

    def set_card_state(self, card_id: str, state: str) -> None:
        """Set a card's state (``listening``, ``thinking``, ``error``, ``dismissed``, ...)."""
        if state not in CARD_STATES:
            raise OptionsError(f"unknown card state {state!r} (one of {', '.join(CARD_STATES)})")
        self._update_card(card_id, lambda c: replace(c, state=state))

    def _update_card(self, card_id: str, change: Callable[[Card], Card]) -> None:
        cards = list(self._scene.cards)
        for i, card in enumerate(cards):
            if card.id == card_id:
                cards[i] = change(card)
                self._scene = replace(self._scene, cards=tuple(cards))
                return
        known = ", ".join(c.id for c in cards) or "none"
        raise OptionsError(f"no card with id {card_id!r} (cards: {known})")

    @property
    def eyes(self) -> tuple[Eye, ...]:
        return self.pipeline.eyes

    # ------------------------------------------------------------------ one frame
    def step(
        self,
        frame: npt.NDArray[np.uint8] | None = None,
        *,
        timestamp_ms: int,
        hands: Sequence[HandResult] | None = None,
        faces: Sequence[FaceResult] | None = None,
        markers: Sequence[MarkerResult] | None = None,
        head_pose: HeadPose | None = None,
    ) -> StepResult:
        """Run one frame through the whole flow; ``timestamp_ms`` must increase."""
        rgb = None if frame is None else self._check_frame(frame)
        timer = self.options.stage_timer
        times: dict[str, float] = {}
        clock = _StageClock(timer, times)
        p = self.pipeline
        given = FrameInput(
            timestamp_ms=int(timestamp_ms),
            rgb=rgb,
            hands=None if hands is None else tuple(hands),
            faces=None if faces is None else tuple(faces),
            markers=None if markers is None else tuple(markers),
            head_pose=head_pose,
        )
        tracked = clock.run("track", lambda: p.track(given))
        events = clock.run("gestures", lambda: p.recognise(tracked))
        shown = self._scene
        if rgb is not None:  # the camera is the world, whatever scene the app set
            size = (int(rgb.shape[1]), int(rgb.shape[0]))
            shown = camera_world(shown, size, self.options.camera_fov_h_deg)
        scene = clock.run("anchors", lambda: p.anchor(shown, tracked, head_pose))
        t_s = int(timestamp_ms) / 1000.0
        head = (
            None
            if head_pose is None
            else pose_from_angles(head_pose.yaw_deg, head_pose.pitch_deg, head_pose.roll_deg)
        )
        hands = wearer_hand_results(tracked.hands, p.recognizer.options.wearer)
        layouts = clock.run("layout", lambda: p.layout(scene, t_s, head, hands))
        rendered = clock.run("render", lambda: p.render(scene, layouts, rgb))
        display, dirty = clock.run("output", lambda: self.link.send(rendered.display))
        if timer is not None:
            times["total"] = sum(times.values())
        return StepResult(
            timestamp_ms=int(timestamp_ms),
            display=display,
            pixel_format=self.pixel_format,
            dirty=dirty,
            events=tuple(events),
            cards=card_placements(layouts, self.profile),
            overflow=tuple(dict.fromkeys(o for dl in layouts.values() for o in dl.overflow)),
            brightness=rendered.brightness,
            tracked=tracked,
            composite=rendered.composite,
            timings_ms=times,
        )

    def _check_frame(self, frame: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
        rgb = np.asarray(frame)
        if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
            raise OptionsError(f"a frame must be H×W×3 uint8 RGB, got {rgb.shape} {rgb.dtype}")
        size = (int(rgb.shape[1]), int(rgb.shape[0]))
        if self._world_size is None:
            self._world_size = size
        elif size != self._world_size:
            raise OptionsError(
                f"frame size changed from {self._world_size[0]}×{self._world_size[1]} "
                f"to {size[0]}×{size[1]}; start a new session for a new camera mode"
            )
        return np.ascontiguousarray(rgb)

    # ------------------------------------------------------------------ lifetime
    def close(self) -> None:
        self.pipeline.close()

    def __enter__(self) -> HudSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _StageClock:
    """Runs a stage and, with a timer, adds its milliseconds under its name."""

    def __init__(self, timer: Callable[[], float] | None, times: dict[str, float]) -> None:
        self.timer = timer
        self.times = times

    def run(self, name: str, stage: Callable[[], T]) -> T:
        if self.timer is None:
            return stage()
        start = self.timer()
        out = stage()
        self.times[name] = (self.timer() - start) * 1000.0
        return out


def card_placements(
    layouts: Mapping[Eye, DisplayList], profile: DisplayProfile
) -> tuple[CardPlacement, ...]:
    """Where each eye's display list put its cards, in display pixels and degrees."""
    out = []
    for eye, dl in layouts.items():
        for card_id, (x0, y0, x1, y1) in dl.card_rects.items():
            cx = ((x0 + x1) / 2 - dl.width / 2) / profile.ppd
            cy = ((y0 + y1) / 2 - dl.height / 2) / profile.ppd
            out.append(CardPlacement(card_id, eye, (x0, y0, x1, y1), (cx, cy)))
    return tuple(out)


def _initial_scene(options: HudSessionOptions) -> tuple[Scene, Path]:
    scene = options.scene
    if isinstance(scene, Scene):
        return scene, Path(scene.base_dir)
    if scene is not None:
        loaded = load_scene(scene)
        return loaded, Path(loaded.base_dir)
    profile = options.profile
    name = profile.name if isinstance(profile, DisplayProfile) else str(profile or DEFAULT_PROFILE)
    return Scene(profile=name, world=World(image=None, fov_h_deg=options.camera_fov_h_deg)), Path(
        "."
    )


def _resolve_profile(options: HudSessionOptions, scene: Scene, base_dir: Path) -> DisplayProfile:
    """The options' profile (a name, a file or a profile), else the scene's; a scene's
    profile file is relative to the scene, an option's to the working directory."""
    chosen = options.profile
    if isinstance(chosen, DisplayProfile):
        return chosen
    if chosen is not None:
        return get_profile(chosen)
    return get_profile(scene.profile, base_dir=base_dir)
