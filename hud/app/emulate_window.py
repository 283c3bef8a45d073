"""The emulator's window: the window runner with the emulator's keys, overlays and
recording.

It is :class:`hud.app.runners.WindowRunner` (pacing, the app's input first, P/A/E/L/R and
Esc) with the composite read back every frame, so the capture LED, the debug overlays
and the key help can be drawn over it before it is shown. The clock is the caller's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from hud.app.app import AppLoop
from hud.app.emulate import Emulator
from hud.app.overlays import OVERLAY_KEYS, OVERLAYS, draw_help
from hud.app.runners import RunOptions, WindowRunner
from hud.errors import HudError
from hud.io.images import save_png
from hud.render import window

#: The emulator's keys (besides the app's: space or the left button pinches, arrows
#: swipe, W/S/T thumb gestures, 1-7 hand poses, H hides the hand; the mouse is the gaze).
EMULATOR_KEYS = (
    ("P", "next glasses profile"),
    ("A", "ambient light: indoor, office, overcast, sunlight"),
    ("E", "optics effects on / off"),
    ("L / R", "left / right eye"),
    ("O", "overlays: all / none"),
    ("F1-F6", "overlay: hands, gaze, FOV, anchors, metrics, timings"),
    ("C", "save a screenshot (faces blurred)"),
    ("V", "start / stop recording a session (faces blurred)"),
    ("?", "these keys"),
    ("Esc", "quit"),
    ("space / mouse", "pinch / gaze"),
)


class EmulatorWindow(WindowRunner):
    """The emulator in a window; :meth:`run` returns the frames shown."""

    def __init__(
        self,
        emulator: Emulator,
        frames: int | None,
        screenshot: str | Path | None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(
            emulator.app,
            RunOptions(frames=frames, screenshot=screenshot, redact=False),  # redacts itself
            emulator.frames(),
            clock,
        )
        self.emulator = emulator
        self.show_help = False
        self.recording: Any = None  # a SessionRecording while V is on
        self.screenshots = 0
        self.recordings = 0
        self.message = ""

    def make_loop(self) -> AppLoop:
        lockstep = self.emulator.options.lockstep
        return AppLoop(
            self.app,
            live=True,
            read_back=True,
            threaded=True,
            lockstep=bool(lockstep),
            timer=self.clock,
        )

    def present(self, surface: window.WindowSurface, loop: AppLoop) -> None:
        capture = self.recording is not None or self.emulator.sending()
        if capture != loop.capture:
            loop.capture = capture
            loop.dirty = True  # the LED is drawn at the next render
        if loop.composite is None:
            surface.blit(loop.texture())
            return
        if self.recording is not None:
            self.recording.write(loop)
        image = self.emulator.finish(loop, saved=False)
        if self.show_help or self.message:
            image = draw_help(image, EMULATOR_KEYS if self.show_help else (), self.message)
        surface.blit_image(image)

    # -- keys ----------------------------------------------------------------------------
    def on_key_press(self, key: str) -> None:
        action = {
            "O": self.toggle_all_overlays,
            "C": self.screenshot,
            "V": self.toggle_recording,
            "SLASH": self.toggle_help,
            "QUESTION": self.toggle_help,
        }.get(key)
        if action is not None:
            action()
        elif key in OVERLAY_KEYS:
            self.emulator.overlays ^= {OVERLAY_KEYS[key]}
        else:
            super().on_key_press(key)

    def toggle_help(self) -> None:
        self.show_help = not self.show_help

    def toggle_all_overlays(self) -> None:
        shown = self.emulator.overlays
        self.emulator.overlays = set() if shown else set(OVERLAYS)

    def screenshot(self) -> None:
        """C: the view as shown, faces blurred, to ``emulator-N.png`` (never replaced)."""
        loop = self.loop
        if loop.composite is None:
            return
        image = self.emulator.finish(loop, saved=True)
        path = _free_name("emulator-{}.png", self.screenshots)
        self.screenshots += 1
        self.message = f"saved {save_png(path, image)}"

    def toggle_recording(self) -> None:
        """V: start or stop recording a session (camera frames, faces blurred)."""
        from hud.app.recording import SessionRecording

        if self.recording is None:
            path = _free_name("emulator-{}.wgsession", self.recordings)
            self.recordings += 1
            emulator = self.emulator
            try:
                self.recording = SessionRecording(
                    path,
                    f"hud emulate: {emulator.world.description}",
                    getattr(emulator.world, "fps", None),
                    emulator.redactor,
                    lambda: emulator.app.frame_events,
                )
            except HudError as exc:
                self.message = exc.message
                return
            self.message = f"recording {path}"
        else:
            frames = self.recording.close()
            self.message = f"recorded {frames} frames to {self.recording.path}"
            self.recording = None

    def save_screenshot(self, path: str | Path, image: npt.NDArray[np.uint8] | None) -> None:
        """The final ``--screenshot``: the composite, faces blurred, overlays as shown."""
        loop = self.loop
        if loop.composite is not None:
            image = self.emulator.finish(loop, saved=True)
        super().save_screenshot(path, image)

    def run(self) -> int:
        try:
            return super().run()
        finally:
            if self.recording is not None:
                self.recording.close()
                self.recording = None


def run_window(
    emulator: Emulator, frames: int | None = None, screenshot: str | Path | None = None
) -> int:
    """Show the emulator in a window until it is closed (or ``frames``); the frames
    shown. Keys: :data:`EMULATOR_KEYS` (``?`` shows them in the window)."""
    import time

    return EmulatorWindow(emulator, frames, screenshot, clock=time.perf_counter).run()


def _free_name(pattern: str, start: int) -> Path:
    """The first ``pattern.format(n)`` from ``start`` that does not exist yet."""
    n = start
    while Path(pattern.format(n)).exists():
        n += 1
    return Path(pattern.format(n))


__all__ = ["EMULATOR_KEYS", "EmulatorWindow", "run_window"]
