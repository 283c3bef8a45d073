"""The app class: one HUD app, run unchanged in a window or headless.

Like moderngl-window's ``WindowConfig``: an app subclasses :class:`HudApp`, sets class
attributes (title, profiles, effects, trackers...) and implements
:meth:`HudApp.on_frame`, which gets an :class:`AppFrame` (the frame time, the camera
frame, what the trackers found, this frame's gesture events and the scheduler) and
returns the scene to show, or ``None`` to keep the last one. Gesture events also go to
``on_pinch_start(event)``-style methods through :attr:`HudApp.events`, a pyglet-style
:class:`gestures.events.EventDispatcher`; key and mouse input to ``on_key_press(key)``
and friends, which return True to consume it (the window's own keys then do nothing).

:class:`AppLoop` is one frame of an app, the same under both runners
(:mod:`hud.app.runners`): the app code sees the same inputs whether a window paces it
or a headless run steps it, so a headless run is a faithful test of the windowed app.
Nothing here reads a clock.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from gestures.events import EventDispatcher, GestureEvent
from gestures.recognizer import GestureRecognizerOptions
from gestures.tracker_input import wearer_hand_results
from hud.anchors import Eye, ViewGeometry
from hud.app.pipeline import (
    FrameInput,
    HudPipeline,
    HudPipelineOptions,
    MarkerOptions,
    Tracked,
    camera_world,
)
from hud.app.scheduler import FrameScheduler
from hud.app.tracking import TrackingThread
from hud.errors import HudError, OptionsError
from hud.io.sources import Frame
from hud.layout import DisplayList
from hud.layout.engine import scene_view
from hud.optics import parse_effects
from hud.profiles import DisplayProfile, get_profile
from hud.render.context import RenderContext
from hud.scene import Scene, World
from hud.trackers.faces import FaceLandmarkerOptions
from hud.trackers.hands import HandLandmarkerOptions
from hud.trackers.landmarker import RunningMode

#: How long the loop keeps drawing after the picture last changed (ms): cards ease to
#: their new places over a few frames (smoothing time constants of about 0.1 s).
SETTLE_MS = 600


@dataclass(frozen=True, eq=False)
class AppFrame:
    """What an app gets each frame."""

    #: Frames since the run started (0 first).
    index: int
    #: The frame's time: a source frame's own timestamp headless, the window's clock in a
    #: window. Never goes back.
    timestamp_ms: int
    #: The camera frame that arrived with this frame (RGB), or ``None``: no new one (a
    #: window repeats the last), or the world is the scene's own image.
    rgb: npt.NDArray[np.uint8] | None
    #: What the trackers found in the latest camera frame (its ``timestamp_ms`` says when).
    tracked: Tracked
    #: This frame's gesture events (already dispatched to the app's handlers).
    events: tuple[GestureEvent, ...]
    #: The app's timers, already advanced to ``timestamp_ms``.
    scheduler: FrameScheduler


class HudApp:
    """Base class of an app; override the class attributes and the handlers you need."""

    #: Window caption (the profile's name is added).
    title: str = "Waveglass"
    #: Display profiles (names or profiles); the window's P key cycles through them.
    profiles: Sequence[str | DisplayProfile] = ("rayban-display",)
    effects: str | frozenset[str] = "all"
    #: The eye shown (the window's L and R keys switch).
    eye: str = "right"
    #: Window size in pixels; ``None``: the world's (what the composite is drawn at).
    window_size: tuple[int, int] | None = None
    #: Frame rate of a headless run without a frame source, and of its video.
    fps: float = 30.0
    #: Trackers run on camera frames (``None``: off).
    hands: HandLandmarkerOptions | None = HandLandmarkerOptions(running_mode=RunningMode.VIDEO)
    faces: FaceLandmarkerOptions | None = None
    markers: MarkerOptions | None = None
    gesture_options: GestureRecognizerOptions = GestureRecognizerOptions()
    #: The app is capturing (a photo, a clip) or sending frames: the capture LED lights.
    #: An app can light it, never put it out: the runner lights it too while it saves.
    capturing: bool = False

    def __init__(self, scene: Scene | None = None) -> None:
        first = self.profiles[0] if self.profiles else "rayban-display"
        name = first.name if isinstance(first, DisplayProfile) else str(first)
        #: The scene shown; :meth:`on_frame` returning a scene replaces it.
        self.scene = scene or Scene(profile=name, world=World(image=None))
        self.scheduler = FrameScheduler()
        #: Gesture events are dispatched here; the app's own ``on_*`` methods are the
        #: bottom frame, so a modal part of the app can push handlers above them.
        self.events = EventDispatcher()
        self.events.push_handlers(self)
        self.exit_requested = False

    # ------------------------------------------------------------------ command line
    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """Add the app's own options to :func:`hud.app.runners.run_app`'s parser."""

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> HudApp:
        """The app for parsed arguments (its own options and the runner's)."""
        return cls()

    # ------------------------------------------------------------------ per frame
    def on_frame(self, frame: AppFrame) -> Scene | None:
        """The scene to show from this frame on, or ``None`` to keep the current one
        (nothing is redrawn, which is what keeps an idle window cheap)."""
        return None

    def on_display_list(self, display_list: DisplayList, view: ViewGeometry, eye: Eye) -> None:
        """Add the app's own items (lines, panels, text) to an eye's display list after
        the layout has placed the cards: a wayfinding path, a progress ring. ``view``
        maps the world's pixels to the display's. The pipeline draws the capture LED
        after this, so nothing added here can hide it."""

    def on_key_press(self, key: str) -> bool:
        """A key went down (pyglet's names: ``"SPACE"``, ``"P"``, ``"LEFT"``);
        True consumes it."""
        return False

    def on_key_release(self, key: str) -> bool:
        return False

    def on_mouse_motion(self, x: float, y: float) -> None:
        """The pointer moved; ``x``, ``y`` are world (composite) pixels, y down."""

    def on_mouse_press(self, x: float, y: float, button: str) -> bool:
        """A button (``"left"``, ``"middle"``, ``"right"``) went down; True consumes it."""
        return False

    def on_mouse_release(self, x: float, y: float, button: str) -> bool:
        return False

    def on_mouse_leave(self) -> None:
        """The pointer left the window."""

    def on_close(self) -> None:
        """The run ended (the window closed, or the last headless frame was written)."""

    # ------------------------------------------------------------------ helpers
    def exit(self) -> None:
        """Ask the runner to stop after this frame."""
        self.exit_requested = True

    def display_profiles(self) -> list[DisplayProfile]:
        """:attr:`profiles` as profiles (a profile file is relative to the scene)."""
        base = self.scene.base_dir
        return [
            p if isinstance(p, DisplayProfile) else get_profile(p, base_dir=base)
            for p in self.profiles
        ]


class SceneViewer(HudApp):
    """``hud show``'s app: one scene, still or over a live world, nothing tracked."""

    title = "Waveglass"
    hands = None

    def __init__(
        self,
        scene: Scene,
        profiles: Sequence[str | DisplayProfile],
        effects: str | frozenset[str] = "all",
        eye: str = "right",
    ) -> None:
        self.profiles = tuple(profiles)
        self.effects = effects
        self.eye = eye
        super().__init__(scene)


class WindowController(Protocol):
    """The earlier app interface of the window (an app that only adds input handling
    and scene updates): handlers return True when they used the event; mouse positions
    are world pixels, y down; ``update`` returns a new scene when the picture changes."""

    def key_press(self, key: str) -> bool: ...

    def key_release(self, key: str) -> bool: ...

    def mouse_move(self, x: float, y: float) -> None: ...

    def mouse_press(self, button: str = "left") -> bool: ...

    def mouse_release(self, button: str = "left") -> bool: ...

    def update(self, timestamp_ms: int) -> Scene | None: ...


class ControllerApp(SceneViewer):
    """A :class:`WindowController` run as an app (what :func:`hud.app.runners.show_scene` does with one)."""

    def __init__(
        self,
        controller: WindowController,
        scene: Scene,
        profiles: Sequence[str | DisplayProfile],
        effects: str | frozenset[str] = "all",
        eye: str = "right",
    ) -> None:
        self.controller = controller
        super().__init__(scene, profiles, effects, eye)

    def on_frame(self, frame: AppFrame) -> Scene | None:
        return self.controller.update(frame.timestamp_ms)

    def on_key_press(self, key: str) -> bool:
        return self.controller.key_press(key)

    def on_key_release(self, key: str) -> bool:
        return self.controller.key_release(key)

    def on_mouse_motion(self, x: float, y: float) -> None:
        self.controller.mouse_move(x, y)

    def on_mouse_press(self, x: float, y: float, button: str) -> bool:
        return button == "left" and self.controller.mouse_press(button)

    def on_mouse_release(self, x: float, y: float, button: str) -> bool:
        return button == "left" and self.controller.mouse_release(button)


# ---------------------------------------------------------------------------- the loop
class AppLoop:
    """One app's per-frame work, the same under both runners (:mod:`hud.app.runners`):
    track → recognise → dispatch → scheduler → :meth:`HudApp.on_frame` → anchor → layout
    → render, the composite on. The runners only pace it and show or write its frames.

    Two pipelines: ``tracking`` keeps the trackers, the recogniser and head motion for
    the whole run; ``display`` (layout, render, optics for one profile, eye and effects)
    is remade when the window switches one of those, so a held pinch survives a key.
    """

    def __init__(
        self,
        app: HudApp,
        live: bool,  # frames come from a source (else the world is the scene's own)
        context: RenderContext | None = None,
        backend: str | None = None,
        read_back: bool = True,
        threaded: bool = False,
        lockstep: bool = True,
        timer: Callable[[], float] | None = None,
    ) -> None:
        """``read_back=False``: the composite stays on the GPU (a window blits
        :meth:`texture`), and :attr:`composite` stays ``None``.

        ``threaded``: camera frames are tracked on a thread of their own
        (:class:`hud.app.tracking.TrackingThread`) so a slow tracker never holds the
        render loop back; ``lockstep`` then waits for each frame's result (every frame
        tracked, the same output every run), else the loop renders with the latest
        result and newer frames replace waiting ones. ``timer`` (seconds, such as
        ``time.perf_counter``) fills :attr:`timings_ms` per stage."""
        self.app = app
        self.live = live
        self.profiles = app.display_profiles()
        if not self.profiles:
            raise OptionsError("an app needs at least one display profile")
        self.profile_index = 0
        self.effects = parse_effects(app.effects)
        self.eye = Eye.parse(app.eye)
        #: The window's A key and arrows override the scene's ambient light and pupil.
        self.ambient_nits: float | None = None
        self.pupil_mm: tuple[float, float] | None = None
        #: The GL context renderers are made on (a window's); None: their own.
        self.context = context
        self._backend = backend
        self._read_back = read_back
        options = HudPipelineOptions(
            hands=app.hands,
            faces=app.faces,
            markers=app.markers,
            gestures=app.gesture_options,
            backend=backend,
        )
        self.tracking = HudPipeline(None, options)  # tracks and recognises only
        self._thread = TrackingThread(self.tracking, lockstep) if threaded else None
        self._timer = timer
        #: Milliseconds per stage of the last frame (only with a ``timer``).
        self.timings_ms: dict[str, float] = {}
        #: Frames are recorded or sent: the composite shows the capture LED.
        self.capture = False
        self._lit = False
        #: Applied to each new camera frame before it is composited (never before it is
        #: tracked): ``(rgb, timestamp_ms) -> rgb``, such as a face redactor's, so what
        #: is saved is redacted while the trackers still see the real frame.
        self.world_filter: Callable[[npt.NDArray[np.uint8], int], npt.NDArray[np.uint8]] | None
        self.world_filter = None
        self._filtered: tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8]] | None = None
        #: The last frame's anchored scene and display lists (traces and overlays).
        self.anchored: Scene | None = None
        self.layouts: dict[Eye, DisplayList] = {}
        self._display: HudPipeline | None = None
        self.camera: npt.NDArray[np.uint8] | None = None
        self.tracked = Tracked(0)
        self._t_ms = 0
        self._settle_until_ms = -1
        self.index = 0
        self.dirty = True
        self.composite: npt.NDArray[np.uint8] | None = None

    @property
    def profile(self) -> DisplayProfile:
        return self.profiles[self.profile_index]

    def world_size(self) -> tuple[int, int]:
        """The world's pixel grid: the camera frame's, or the scene's world."""
        if self.camera is not None:
            return (int(self.camera.shape[1]), int(self.camera.shape[0]))
        return self.tracking.world_size(self.app.scene)

    def step(self, timestamp_ms: int, camera: Frame | None = None) -> bool:
        """Run one frame (``camera``: a live frame that arrived with it); returns whether
        the picture changed, i.e. was rendered."""
        app = self.app
        events = self._track(int(timestamp_ms), camera)
        for event in events:
            app.events.dispatch(event)
        app.scheduler.tick(timestamp_ms)
        rgb = None if camera is None else camera.rgb
        frame = AppFrame(self.index, int(timestamp_ms), rgb, self.tracked, events, app.scheduler)
        self.index += 1
        scene = app.on_frame(frame)
        if scene is not None:
            app.scene = scene
            self.dirty = True
        lit = self.capture or bool(app.capturing)
        if lit != self._lit:  # the LED changed: draw it (or its absence) now
            self._lit, self.dirty = lit, True
        if self.dirty:
            # Cards ease toward their new places over a few frames: keep drawing a while.
            self._settle_until_ms = int(timestamp_ms) + SETTLE_MS
        elif int(timestamp_ms) > self._settle_until_ms:
            return False
        self._t_ms = int(timestamp_ms)
        self._render()
        self.dirty = False
        return True

    def _track(self, timestamp_ms: int, camera: Frame | None) -> tuple[GestureEvent, ...]:
        """Track a camera frame at its own time and recognise; with a live world and no
        new frame, nothing (the last result stands). Without one, every frame counts."""
        if self._thread is not None and (camera is not None or self.live):
            return self._track_beside(camera)
        if camera is None and self.live:
            return ()
        if camera is not None:
            self._take(camera)
            timestamp_ms = camera.timestamp_ms
        rgb = None if camera is None else camera.rgb
        self.tracked = self.tracking.track(FrameInput(timestamp_ms=timestamp_ms, rgb=rgb))
        return tuple(self.tracking.recognise(self.tracked))

    def _track_beside(self, camera: Frame | None) -> tuple[GestureEvent, ...]:
        """Hand a new camera frame to the tracking thread; take what it has finished
        (the latest result stands for the frame, the events of all of them count)."""
        assert self._thread is not None
        if camera is not None:
            self._take(camera)
            self._thread.submit(FrameInput(timestamp_ms=camera.timestamp_ms, rgb=camera.rgb))
        done = self._thread.collect()
        if done:
            self.tracked = done[-1].tracked
            self.dirty = True
        return tuple(e for d in done for e in d.events)

    @property
    def tracked_frames(self) -> int:
        """Camera frames tracked so far (on the tracking thread, when there is one)."""
        return 0 if self._thread is None else self._thread.tracked_count

    def view_geometry(self) -> ViewGeometry:
        """How the shown eye's display maps onto the world's pixels (for overlays)."""
        w, h = self.world_size()
        world = self.shown_scene().world
        return ViewGeometry.make(self.profile, w, h, world.fov_h_deg, str(self.eye), world.depth_m)

    @property
    def dropped_frames(self) -> int:
        """Camera frames the tracking thread never tracked (newer ones came first)."""
        return 0 if self._thread is None else self._thread.dropped

    def _take(self, camera: Frame) -> None:
        if self.camera is not None and camera.rgb.shape != self.camera.shape:
            w, h = camera.size
            raise HudError(
                f"a source frame changed size to {w}×{h}; "
                f"the first was {self.camera.shape[1]}×{self.camera.shape[0]}"
            )
        self.camera = camera.rgb
        self.dirty = True

    def shown_scene(self) -> Scene:
        """The app's scene as drawn: the live world's grid, the window's overrides."""
        scene = self.app.scene
        if self.camera is not None:
            scene = camera_world(scene, self.world_size())
        world = scene.world
        if self.ambient_nits is not None:
            world = replace(world, ambient_nits=self.ambient_nits)
        viewer = scene.viewer
        if self.pupil_mm is not None:
            viewer = replace(viewer, pupil_offset_mm=self.pupil_mm)
        return replace(scene, world=world, viewer=viewer)

    def _render(self) -> None:
        display = self.display_pipeline()
        times = self.timings_ms = {}
        start = self._lap(times, "", None)
        scene = self.tracking.anchor(self.shown_scene(), self.tracked)
        start = self._lap(times, "anchors", start)
        hands = wearer_hand_results(self.tracked.hands, self.tracking.recognizer.options.wearer)
        layouts = display.layout(scene, self._t_ms / 1000.0, hands=hands)
        if type(self.app).on_display_list is not HudApp.on_display_list:
            size, stereo = self.world_size(), len(layouts) == 2
            for eye, dl in layouts.items():
                view = scene_view(scene, self.profile, str(eye), size, stereo)
                self.app.on_display_list(dl, view, eye)
        start = self._lap(times, "layout", start)
        world = self._filtered_world()
        capture = self.capture or bool(self.app.capturing)
        rendered = display.render(scene, layouts, world, self._read_back, capture)
        self._lap(times, "render", start)
        self.composite = rendered.composite.get(self.eye)
        self.anchored, self.layouts = scene, layouts

    def _filtered_world(self) -> npt.NDArray[np.uint8] | None:
        """The camera frame as composited: through :attr:`world_filter`, once a frame."""
        camera, world_filter = self.camera, self.world_filter
        if camera is None or world_filter is None:
            return camera
        if self._filtered is None or self._filtered[0] is not camera:
            self._filtered = (camera, world_filter(camera, self._t_ms))
        return self._filtered[1]

    def _lap(self, times: dict[str, float], name: str, start: float | None) -> float | None:
        """With a timer: record the stage since ``start`` under ``name``; the time now."""
        if self._timer is None:
            return None
        now = self._timer()
        if start is not None:
            times[name] = (now - start) * 1000.0
        return now

    def display_pipeline(self) -> HudPipeline:
        if self._display is None:
            options = HudPipelineOptions(
                hands=None,
                composite=True,
                effects=self.effects,
                eyes=(self.eye,),
                backend=self._backend,
            )
            self._display = HudPipeline(self.profile, options, context=self.context)
        return self._display

    def texture(self) -> Any:
        """The composite texture last rendered (what a window blits)."""
        return self.display_pipeline().renderer(self.world_size()).compositor.out_tex

    def restage(self) -> None:
        """Make the display pipeline again (another profile, eye or effects)."""
        if self._display is not None:
            self._display.close()  # a window's context stays: the pipeline does not own it
            self._display = None
        self.dirty = True

    def close(self) -> None:
        """Release both pipelines; safe to call twice."""
        if self._thread is not None:
            self._thread.close()
        if self._display is not None:
            self._display.close()
            self._display = None
        self.tracking.close()

    def __enter__(self) -> AppLoop:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["AppFrame", "AppLoop", "ControllerApp", "HudApp", "SceneViewer", "WindowController"]
