"""Recording a session from a running app (the emulator's V key).

The same file ``hud record`` writes (:mod:`hud.io.session`), so ``hud replay`` and
``hud emulate --session`` read it: per camera frame, the wearer's hands, the markers, the
gesture events and the frame as a JPEG with bystanders' faces blurred first. Only the
wearer's hands are kept, as in ``hud record``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gestures.tracker_input import wearer_hand_results
from hud.app.app import AppLoop
from hud.errors import HudError
from hud.io.records import FrameRecord, event_to_dict
from hud.io.session import SessionWriter
from hud.privacy import hand_boxes as privacy_hand_boxes
from hud.trackers.results import MarkerResult

if TYPE_CHECKING:
    from hud.app.emulate import Emulator

#: JPEG quality of recorded frames (what ``hud record`` uses by default).
JPEG_QUALITY = 90


class SessionRecording:
    """A session file being written from a loop's frames; :meth:`close` ends it."""

    def __init__(self, path: str | Path, emulator: Emulator) -> None:
        self.emulator = emulator
        self.path = Path(path)
        world = emulator.world
        header: dict[str, Any] = {
            "source": f"hud emulate: {world.description}",
            "fps": getattr(world, "fps", None),
            "video": True,
            "image_encoding": "jpeg",
            "hands": {"running_mode": "video"},
            "faces": False,
            "markers": {"dictionary": None, "marker_length_m": None},
            "intrinsics": None,
            "redacted": emulator.redactor is not None,
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
        redactor = self.emulator.redactor
        if redactor is not None:
            rgb = redactor.redact(rgb, hand_boxes(loop), marker_boxes(tracked.markers)).image
        wearer = loop.tracking.recognizer.options.wearer
        record = FrameRecord(
            index=self.frames,
            timestamp_ms=tracked.timestamp_ms,
            hands=wearer_hand_results(tracked.hands, wearer),
            markers=tracked.markers,
            events=tuple(event_to_dict(e) for e in self.emulator.app.frame_events),
            image=_jpeg(rgb),
        )
        self.writer.write_frame(record)
        self.frames += 1

    def close(self) -> int:
        """End the file; the frames written."""
        self.writer.close()
        return self.frames


def hand_boxes(
    loop: AppLoop, size: tuple[int, int] | None = None
) -> tuple[tuple[float, float, float, float], ...]:
    """The wearer's last tracked hands as pixel boxes of the world (or of ``size``):
    what face redaction keeps sharp."""
    wearer = wearer_hand_results(loop.tracked.hands, loop.tracking.recognizer.options.wearer)
    return privacy_hand_boxes(wearer, size or loop.world_size())


def marker_boxes(markers: Sequence[MarkerResult]) -> list[tuple[float, float, float, float]]:
    """Tracked markers as pixel boxes (redaction does not take a sheet of them for a face)."""
    out = []
    for m in markers:
        (x0, y0), (x1, y1) = m.corners.min(axis=0), m.corners.max(axis=0)
        out.append((float(x0), float(y0), float(x1), float(y1)))
    return out


def _jpeg(rgb: np.ndarray) -> bytes:
    import cv2

    ok, data = cv2.imencode(".jpg", rgb[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise HudError("a frame could not be encoded as JPEG")
    return bytes(data)


__all__ = ["JPEG_QUALITY", "SessionRecording", "hand_boxes", "marker_boxes"]
