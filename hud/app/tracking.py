"""Tracking beside the render loop: camera frames are tracked on a thread of their own.

MediaPipe's hand landmarker costs about 11 ms a 640×480 frame on two cores; run inline it
would cap the window's frame rate at whatever the trackers manage. :class:`TrackingThread`
takes the newest camera frame (a frame still waiting when a newer one comes is dropped
and counted: tracking stale frames only adds latency), tracks and recognises it on its
own thread, and hands finished results back to the loop, which renders every frame with
the latest.

``lockstep=True`` waits for each frame's result instead: the same thread and code, but a
headless run then tracks every frame and gives the same output every time, which is what
tests and recorded MP4s need. Nothing here reads a clock.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from gestures.events import GestureEvent
from hud.app.pipeline import FrameInput, HudPipeline, Tracked
from hud.errors import HudError


@dataclass(frozen=True, eq=False)
class TrackedFrame:
    """One tracked camera frame and the gesture events its hands gave."""

    tracked: Tracked
    events: tuple[GestureEvent, ...]


class TrackingThread:
    """Runs ``pipeline.track`` and ``pipeline.recognise`` on a daemon thread.

    The pipeline's trackers and recogniser are used from this thread only; the caller
    keeps using the pipeline's other stages (anchors, head motion) on its own.
    """

    def __init__(self, pipeline: HudPipeline, lockstep: bool = False) -> None:
        self.pipeline = pipeline
        self.lockstep = lockstep
        #: Camera frames replaced by a newer one before they were tracked.
        self.dropped = 0
        #: Camera frames tracked.
        self.tracked_count = 0
        self._cond = threading.Condition()
        self._pending: FrameInput | None = None
        self._done: list[TrackedFrame] = []
        self._busy = False
        self._error: BaseException | None = None
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="hud-tracking", daemon=True)
        self._thread.start()

    def submit(self, frame: FrameInput) -> None:
        """Track ``frame`` next (a frame still waiting is dropped); in lockstep, return
        once it is tracked."""
        with self._cond:
            self._raise_error()
            if self._pending is not None:
                self.dropped += 1
            self._pending = frame
            self._cond.notify_all()
            if self.lockstep:
                while (self._pending is not None or self._busy) and self._error is None:
                    self._cond.wait()
                self._raise_error()

    def collect(self) -> list[TrackedFrame]:
        """Frames tracked since the last call, oldest first (never blocks)."""
        with self._cond:
            self._raise_error()
            done, self._done = self._done, []
            return done

    def idle(self) -> bool:
        with self._cond:
            return self._pending is None and not self._busy

    def _raise_error(self) -> None:
        if self._error is not None:
            error = self._error
            if isinstance(error, HudError):
                raise error
            raise HudError(f"tracking failed: {type(error).__name__}: {error}")

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._pending is None and not self._stop:
                    self._cond.wait()
                if self._stop:
                    return
                frame, self._pending = self._pending, None
                self._busy = True
            try:
                assert frame is not None
                tracked = self.pipeline.track(frame)
                events = tuple(self.pipeline.recognise(tracked))
            except BaseException as exc:  # shown on the loop's thread, not lost here
                with self._cond:
                    self._error = exc
                    self._busy = False
                    self._cond.notify_all()
                return
            with self._cond:
                self._done.append(TrackedFrame(tracked, events))
                self.tracked_count += 1
                self._busy = False
                self._cond.notify_all()

    def close(self) -> None:
        """Stop the thread (after the frame it is tracking); safe to call twice."""
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join()

    def __enter__(self) -> TrackingThread:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["TrackedFrame", "TrackingThread"]
