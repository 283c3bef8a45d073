"""Recording a session from a running app (the emulator's V key).

The same file ``hud record`` writes (:mod:`hud.io.session`), so ``hud replay`` and
``hud emulate --session`` read it: per camera frame, the wearer's hands, the markers, the
gesture events and the frame as a JPEG with bystanders' faces blurred first. Only the
wearer's hands are kept, as in ``hud record``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from gestures.events import GestureEvent
from gestures.tracker_input import wearer_hand_results
from hud.app.app import AppLoop
from hud.app.redaction import redact_frame
from hud.errors import HudError
from hud.io.records import FrameRecord, event_to_dict
from hud.io.session import SessionWriter
from hud.privacy import FaceRedactor

#: JPEG quality of recorded frames (what ``hud record`` uses by default).
JPEG_QUALITY = 90


class SessionRecording:
    """A session file being written from a loop's frames; :meth:`close` ends it.

    ``source`` says what the world is (the session header's), ``redactor`` blurs the
    frames (``None``: footage of people who agreed), ``events`` gives the gesture events
    of the frame being written.
    """

    def __init__(
        self,
        path: str | Path,
        source: str,
        fps: float | None,
        redactor: FaceRedactor | None,
        events: Callable[[], Sequence[GestureEvent]],
    ) -> None:
        self.path = Path(path)
        self.redactor = redactor
        self.events = events
        header: dict[str, Any] = {
            "source": source,
            "fps": fps,
            "video": True,
            "image_encoding": "jpeg",
            "hands": {"running_mode": "video"},
            "faces": False,
            "markers": {"dictionary": None, "marker_length_m": None},
            "intrinsics": None,
            "redacted": redactor is not None,
        }
        self.writer = SessionWriter(self.path, header)
        self._last_ms: int | None = None
        self.frames = 0

    def write(self, loop: AppLoop) -> None:
        """The loop's latest camera frame, once (a window repeats frames between them)."""
        tracked = loop.tracked
        if loop.camera is None or tracked.timestamp_ms == self._last_ms:
            return
        self._last_ms = tracked.timestamp_ms
        rgb = loop.camera
        if self.redactor is not None:
            rgb = redact_frame(self.redactor, loop, rgb)
        wearer = loop.tracking.recognizer.options.wearer
        record = FrameRecord(
            index=self.frames,
            timestamp_ms=tracked.timestamp_ms,
            hands=wearer_hand_results(tracked.hands, wearer),
            markers=tracked.markers,
            events=tuple(event_to_dict(e) for e in self.events()),
            image=_jpeg(rgb),
        )
        self.writer.write_frame(record)
        self.frames += 1

    def close(self) -> int:
        """End the file; the frames written."""
        self.writer.close()
        return self.frames


def _jpeg(rgb: np.ndarray) -> bytes:
    import cv2

    ok, data = cv2.imencode(".jpg", rgb[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise HudError("a frame could not be encoded as JPEG")
    return bytes(data)


__all__ = ["JPEG_QUALITY", "SessionRecording"]
