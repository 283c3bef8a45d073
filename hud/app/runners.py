"""The two runners of a :class:`hud.app.app.HudApp`: a pyglet window, or headless.

Both drive one per-frame loop over :class:`hud.app.pipeline.HudPipeline` — track →
recognise → dispatch the events, tick the scheduler, ``app.on_frame`` → anchor → layout
→ render with the composite on — so an app runs the same code either way. Like
moderngl-window's ``run_window_config``, :func:`run_app` makes an app file a program::

    if __name__ == "__main__":
        raise SystemExit(run_app(MyApp))  # [--headless --frames N --out DIR|FILE.mp4]

The headless runner steps frames (a source frame's own timestamp, else ``i·1000/fps``)
and writes PNGs to a folder or one MP4. The window runner paces live frames by their
timestamps (or one per window frame), redraws only when the picture changed, and owns
the emulator's keys: P profile, A ambient light, E effects, L/R eye, arrows move the
pupil in the eyebox, Esc quits. This module and the benchmarks are the only library code
that reads a clock: the window's, for pacing.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from hud.anchors import Eye
from hud.app.app import AppLoop, ControllerApp, HudApp, SceneViewer, WindowController
from hud.app.redaction import redact_frame, world_filter
from hud.errors import HudError, OptionsError
from hud.io.images import check_output, save_png
from hud.io.sources import Frame, FrameSource, open_source
from hud.io.video import FRAME_NAME, check_frames_output, open_frame_writer
from hud.optics import EFFECTS
from hud.privacy import FaceRedactor
from hud.profiles import DisplayProfile
from hud.render import window
from hud.scene import Scene

#: The A key's ambient light levels (nits): indoor, office, overcast, sunlight.
AMBIENTS = (100.0, 500.0, 2000.0, 10000.0)
_ARROWS = {"LEFT": (-1.0, 0.0), "RIGHT": (1.0, 0.0), "UP": (0.0, -1.0), "DOWN": (0.0, 1.0)}


@dataclass(frozen=True)
class RunOptions:
    """How to run an app; validated when made (:class:`OptionsError`)."""

    headless: bool = False
    #: Headless: frames to write (``None``: the whole source). Window: close after this
    #: many (``None``: until closed).
    frames: int | None = None
    #: Headless: a folder for PNGs, or an ``.mp4`` file (never replaced).
    out: str | Path | None = None
    #: Window: save the last frame shown to this PNG.
    screenshot: str | Path | None = None
    #: Window: one source frame per window frame, ignoring their timestamps.
    step_frames: bool = False
    backend: str | None = None
    #: Blur bystanders' faces in what is saved from a live world (frames, screenshots).
    redact: bool = True

    def __post_init__(self) -> None:
        if self.frames is not None and (isinstance(self.frames, bool) or self.frames < 1):
            raise OptionsError(f"frames must be at least 1, got {self.frames}")
        if self.headless and self.out is None:
            raise OptionsError("a headless run needs an output: a folder or an .mp4 file")
        if self.headless and self.screenshot is not None:
            raise OptionsError("screenshot is for the window; a headless run writes to out")
        if not self.headless and self.out is not None:
            raise OptionsError("out is for a headless run; the window saves a screenshot")


# ---------------------------------------------------------------------------- window
class WindowRunner:
    """An app in the emulator's window; :meth:`run` returns the frames shown.

    ``clock`` returns seconds (default :func:`time.perf_counter`): the app's frame time
    is the milliseconds since the window opened, and live frames are shown once it
    reaches their timestamp (counted from the first frame's).
    """

    def __init__(
        self,
        app: HudApp,
        options: RunOptions | None = None,
        source: Iterable[Frame] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.app = app
        self.options = options or RunOptions()
        if self.options.headless:
            raise OptionsError("these run options are for the headless runner")
        self.clock = clock or time.perf_counter
        self._frames: Iterator[Frame] | None = None if source is None else iter(source)
        self._first: Frame | None = None
        self._pending: Frame | None = None
        self._loop: AppLoop | None = None
        self._surface: window.WindowSurface | None = None

    @property
    def loop(self) -> AppLoop:
        """The per-frame loop (while :meth:`run` runs)."""
        if self._loop is None:
            raise HudError("the window runner is not running")
        return self._loop

    @property
    def surface(self) -> window.WindowSurface:
        """The window (while :meth:`run` runs)."""
        if self._surface is None:
            raise HudError("the window is not open")
        return self._surface

    def run(self) -> int:
        if self.options.screenshot is not None:
            check_output(self.options.screenshot)  # not after the whole window session
        if self._frames is not None:
            self._first = next(self._frames, None)
            if self._first is None:
                raise HudError("the frame source gave no frames")
            self._pending = next(self._frames, None)
        app = self.app
        try:
            with self.make_loop() as loop:
                self._loop = loop
                if self._first is not None:
                    loop.camera = self._first.rgb  # the world until the next frame is due
                size = app.window_size or loop.world_size()
                with window.show(size, self._caption(loop.profile)) as surface:
                    self._surface = surface
                    loop.context = surface.context
                    surface.set_input(self)
                    try:
                        return self._frame_loop(surface, loop)
                    finally:
                        loop.close()  # the renderers go before the window's context
        finally:
            app.on_close()

    def make_loop(self) -> AppLoop:
        """The per-frame loop; the composite stays on the GPU (blitted as it is)."""
        return AppLoop(self.app, live=self._frames is not None, read_back=False)

    def present(self, surface: window.WindowSurface, loop: AppLoop) -> None:
        """Put this frame's picture on the back buffer."""
        surface.blit(loop.texture())

    def _caption(self, profile: DisplayProfile) -> str:
        return f"{self.app.title} — {profile.label}"

    def _frame_loop(self, surface: window.WindowSurface, loop: AppLoop) -> int:
        limit = self.options.frames
        start = self.clock()
        shown = 0
        last: npt.NDArray[np.uint8] | None = None
        while not surface.should_close and not self.app.exit_requested:
            surface.dispatch_events()
            now_ms = int(round((self.clock() - start) * 1000))
            changed = loop.step(now_ms, self._due(now_ms, shown))
            self.present(surface, loop)
            if limit is not None and shown + 1 >= limit:
                last = surface.read_screen()
            surface.flip()
            shown += 1
            if limit is not None and shown >= limit:
                break
            if limit is None and not changed:
                time.sleep(1 / 60)  # nothing changed: don't spin a core redrawing one frame
        if self.options.screenshot is not None:
            self.save_screenshot(self.options.screenshot, last)
        return shown

    def _due(self, now_ms: int, shown: int) -> Frame | None:
        """The next live frame if its time has come (always, stepping frames); the
        first frame opens the window and is the world until then."""
        first, pending = self._first, self._pending
        if first is None:
            return None
        if pending is not None and (
            self.options.step_frames or pending.timestamp_ms - first.timestamp_ms <= now_ms
        ):
            assert self._frames is not None
            self._pending = next(self._frames, None)
            return pending
        return first if shown == 0 else None

    def save_screenshot(self, path: str | Path, image: npt.NDArray[np.uint8] | None) -> None:
        """Save what the window shows (drawn again when no frame was read back), with
        bystanders' faces blurred when the world is live."""
        if image is None:
            self.present(self.surface, self.loop)
            image = self.surface.read_screen()
        if self.options.redact and self._frames is not None:
            with FaceRedactor() as redactor:
                image = redact_frame(redactor, self.loop, image)
        save_png(path, image)

    # -- input: the app first, then the emulator's own keys ---------------------------
    def on_key_press(self, key: str) -> None:
        if self.app.on_key_press(key):
            return
        action: Callable[[], None] | None = {
            "ESCAPE": self.quit,
            "P": self.next_profile,
            "A": self.next_ambient,
            "E": self.toggle_effects,
            "L": lambda: self.set_eye(Eye.LEFT),
            "R": lambda: self.set_eye(Eye.RIGHT),
        }.get(key)
        if action is not None:
            action()
        elif key in _ARROWS:
            self.move_pupil(*_ARROWS[key])

    def on_key_release(self, key: str) -> None:
        self.app.on_key_release(key)

    def on_mouse_motion(self, x: float, y: float) -> None:
        self.app.on_mouse_motion(x, y)

    def on_mouse_press(self, x: float, y: float, button: str) -> None:
        self.app.on_mouse_press(x, y, button)

    def on_mouse_release(self, x: float, y: float, button: str) -> None:
        self.app.on_mouse_release(x, y, button)

    def on_mouse_leave(self) -> None:
        self.app.on_mouse_leave()

    def quit(self) -> None:
        self.surface.request_close()

    def next_profile(self) -> None:
        """P: the next of the app's profiles (the live world stays as it is)."""
        loop = self.loop
        if len(loop.profiles) > 1:
            loop.profile_index = (loop.profile_index + 1) % len(loop.profiles)
            loop.restage()
            self.surface.set_title(self._caption(loop.profile))

    def next_ambient(self) -> None:
        """A: the next ambient level after the one nearest the current light."""
        loop = self.loop
        now = loop.shown_scene().world.ambient_nits
        i = min(range(len(AMBIENTS)), key=lambda k: abs(AMBIENTS[k] - now))
        loop.ambient_nits = AMBIENTS[(i + 1) % len(AMBIENTS)]
        loop.dirty = True

    def toggle_effects(self) -> None:
        """E: every effect, or none (to see what the optics add)."""
        loop = self.loop
        loop.effects = frozenset() if loop.effects else frozenset(EFFECTS)
        loop.restage()

    def set_eye(self, eye: Eye) -> None:
        loop = self.loop
        if eye != loop.eye:
            loop.eye = eye
            loop.restage()

    def move_pupil(self, dx_mm: float, dy_mm: float) -> None:
        """Arrows: move the pupil in the eyebox by 1 mm (watch the vignetting)."""
        loop = self.loop
        px, py = loop.shown_scene().viewer.pupil_offset_mm
        loop.pupil_mm = (px + dx_mm, py + dy_mm)
        loop.dirty = True


# ---------------------------------------------------------------------------- headless
class HeadlessRunner:
    """An app stepped frame by frame with no window; a context manager.

    :meth:`step` runs one frame and returns the composite (scripts and tests drive it
    with their own timestamps); :meth:`run` steps ``frames`` and writes them out.
    """

    def __init__(
        self,
        app: HudApp,
        source: Iterable[Frame] | None = None,
        backend: str | None = None,
        redact: bool = True,
    ) -> None:
        """``redact``: the frames of a live world are saved, so bystanders' faces are
        blurred in them (before the HUD is drawn over them; the trackers see the real
        frames)."""
        self.app = app
        self._frames = None if source is None else iter(source)
        self.loop = AppLoop(app, live=source is not None, backend=backend)
        self._redactor: FaceRedactor | None = None
        if redact and source is not None:
            self._redactor = FaceRedactor()
            self.loop.world_filter = world_filter(self._redactor, self.loop)
        self._closed = False

    def step(self, timestamp_ms: int | None = None) -> npt.NDArray[np.uint8] | None:
        """One frame at ``timestamp_ms`` (default: the source frame's, else
        ``index · 1000 / fps``); the composite, or ``None`` once the source has ended."""
        camera = None
        if self._frames is not None:
            camera = next(self._frames, None)
            if camera is None:
                return None
        if timestamp_ms is None:
            index = self.loop.index
            t = camera.timestamp_ms if camera is not None else round(index * 1000 / self.app.fps)
        else:
            t = int(timestamp_ms)
        self.loop.step(t, camera)
        return self.loop.composite

    def run(self, frames: int | None, out: str | Path, fps: float | None = None) -> int:
        """Step up to ``frames`` (``None``: the whole source) and write each; returns
        how many were written. The output is checked before the first frame."""
        if frames is None and self._frames is None:
            raise OptionsError("a headless run without a frame source needs a frame count")
        writer = open_frame_writer(out, fps or self.app.fps)
        written = 0
        with writer:
            while (frames is None or written < frames) and not self.app.exit_requested:
                image = self.step()
                if image is None:
                    break
                writer.write(image)
                written += 1
            writer.complete = written > 0
        if written == 0:
            raise HudError("the frame source gave no frames")
        return written

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.loop.close()
            if self._redactor is not None:
                self._redactor.close()
            self.app.on_close()

    def __enter__(self) -> HeadlessRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---------------------------------------------------------------------------- entries
def run_window(
    app: HudApp,
    options: RunOptions | None = None,
    source: Iterable[Frame] | None = None,
    clock: Callable[[], float] | None = None,
) -> int:
    """Show ``app`` in a window until it is closed (or ``options.frames``); returns the
    frames shown."""
    return WindowRunner(app, options, source, clock).run()


def run_headless(
    app: HudApp, options: RunOptions, source: FrameSource | Iterable[Frame] | None = None
) -> int:
    """Step ``app`` with no window and write its frames to ``options.out``; returns the
    frames written."""
    if not options.headless or options.out is None:
        raise OptionsError("these run options are for the window runner")
    fps = getattr(source, "fps", None) or app.fps
    with HeadlessRunner(app, source, options.backend, options.redact) as runner:
        return runner.run(options.frames, options.out, fps)


def run(app: HudApp, options: RunOptions, source: Iterable[Frame] | None = None) -> int:
    """Run ``app`` the way ``options`` say: headless or in a window."""
    if options.headless:
        return run_headless(app, options, source)
    return run_window(app, options, source)


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """The options every app has: how to run it and where its world comes from."""
    parser.add_argument("--headless", action="store_true", help="no window: write frames")
    parser.add_argument("--frames", type=int, metavar="N", help="frames to run (then stop)")
    parser.add_argument("--out", metavar="DIR|FILE.mp4", help="headless: where frames go")
    parser.add_argument("--screenshot", metavar="PNG", help="window: save the last frame")
    live = parser.add_mutually_exclusive_group()
    live.add_argument("--camera", metavar="N|DEVICE", help="live world from a camera")
    live.add_argument("--video", metavar="FILE", help="world from a video file")
    live.add_argument("--images", metavar="DIR|GLOB", help="world from an image sequence")
    live.add_argument("--session", metavar="FILE", help="world from a recorded session")
    parser.add_argument(
        "--step-frames", action="store_true", help="window: one source frame per window frame"
    )


def open_world_source(args: argparse.Namespace) -> FrameSource | None:
    """The frame source the parsed arguments name, or ``None`` for the scene's world."""
    names = ("camera", "video", "images", "session")
    if all(getattr(args, k, None) is None for k in names):
        return None
    return open_source(**{k: getattr(args, k) for k in names})


def run_app(
    app_cls: type[HudApp], argv: Sequence[str] | None = None, description: str | None = None
) -> int:
    """Parse ``argv`` (the app's own options too), run the app; the exit status.

    Errors are one line on stderr and status 2, as with ``hud``. ``description`` (for
    ``--help``) defaults to the first line of the app class's docstring.
    """
    first_line = (app_cls.__doc__ or "").strip().split("\n")[0]
    parser = argparse.ArgumentParser(description=description or first_line)
    add_run_arguments(parser)
    app_cls.add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        options = RunOptions(
            headless=args.headless,
            frames=args.frames,
            out=args.out,
            screenshot=args.screenshot,
            step_frames=args.step_frames,
        )
    except OptionsError as exc:
        parser.error(exc.message)
    try:
        if options.out is not None:
            check_frames_output(options.out)  # before the app or the source is opened
        app = app_cls.from_args(args)
        source = open_world_source(args)
        try:
            count = run(app, options, source)
        finally:
            if source is not None:
                source.close()
    except HudError as exc:
        print(f"{parser.prog}: error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    print(
        f"wrote {count} frame(s) to {options.out}"
        if options.headless
        else f"shown {count} frame(s)"
    )
    return 0


def show_scene(
    scene: Scene,
    profiles: Sequence[DisplayProfile],
    effects: frozenset[str],
    eye: str = "right",
    max_frames: int | None = None,
    screenshot: str | Path | None = None,
    controller: WindowController | None = None,
    clock: Callable[[], float] | None = None,
    world_frames: Iterable[tuple[int, npt.NDArray[np.uint8]]] | None = None,
    step_frames: bool = False,
) -> int:
    """Show a scene in the window through ``profiles[0]`` (P cycles); the frames shown.

    ``world_frames``, ``(timestamp_ms, rgb)`` pairs, make the world live; a
    ``controller`` (the earlier app interface) gets the input first and may replace the
    scene. New code subclasses :class:`HudApp` and calls :func:`run_window`.
    """
    app: HudApp = (
        SceneViewer(scene, profiles, effects, eye)
        if controller is None
        else ControllerApp(controller, scene, profiles, effects, eye)
    )
    source = None
    if world_frames is not None:
        source = (Frame(i, t, rgb) for i, (t, rgb) in enumerate(world_frames))
    options = RunOptions(frames=max_frames, screenshot=screenshot, step_frames=step_frames)
    return run_window(app, options, source, clock)


__all__ = [
    "AMBIENTS",
    "FRAME_NAME",
    "HeadlessRunner",
    "RunOptions",
    "WindowRunner",
    "add_run_arguments",
    "check_frames_output",
    "open_frame_writer",
    "open_world_source",
    "run",
    "run_app",
    "run_headless",
    "run_window",
    "show_scene",
]
