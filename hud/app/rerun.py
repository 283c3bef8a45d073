"""Re-running the gesture recognisers on a stored session (``hud replay --rerun/--verify``).

Recording and re-running both build the recognisers' input through :func:`hand_frame`,
so unchanged recognisers give bit-identical events; a difference means a recogniser
changed, which is what ``--verify`` is for.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from gestures.tracker_input import hand_frame
from hud.io.records import FrameRecord, canonical_event, event_to_dict

if TYPE_CHECKING:
    from gestures.recognizer import GestureRecognizerOptions


# ------------------------------------------------------------------------ re-running


class EventRerunner:
    """A fresh recogniser fed with stored frames, one at a time (replay streams)."""

    def __init__(self, options: GestureRecognizerOptions | None = None) -> None:
        from gestures.recognizer import GestureRecognizer

        self.recognizer = GestureRecognizer(options)

    def process(self, frame: FrameRecord) -> list[dict[str, Any]]:
        """The events the current recognisers give for this stored frame."""
        events = self.recognizer.process(hand_frame(frame.timestamp_ms, frame.hands))
        return [event_to_dict(e) for e in events]


def rerun_events(
    frames: Iterable[FrameRecord], options: GestureRecognizerOptions | None = None
) -> list[list[dict[str, Any]]]:
    """Events per frame from a fresh recogniser run on the stored landmarks."""
    rerunner = EventRerunner(options)
    return [rerunner.process(frame) for frame in frames]


def frame_mismatch(frame: FrameRecord, events: Sequence[dict[str, Any]]) -> str | None:
    """A line saying how ``frame``'s stored events differ from ``events``, or ``None``."""
    stored = [canonical_event(e) for e in frame.events]
    fresh = [canonical_event(e) for e in events]
    if stored == fresh:
        return None
    return (
        f"frame {frame.index} ({frame.timestamp_ms} ms): stored "
        f"[{', '.join(stored)}] but re-run gives [{', '.join(fresh)}]"
    )


def event_mismatches(
    frames: Sequence[FrameRecord], rerun: Sequence[Sequence[dict[str, Any]]]
) -> list[str]:
    """One line per frame whose stored events differ from ``rerun``'s (empty: all equal)."""
    lines = (frame_mismatch(frame, events) for frame, events in zip(frames, rerun))
    return [line for line in lines if line is not None]
