"""Re-running the gesture recognisers on a stored session (``hud replay --rerun/--verify``).

Recording and re-running both build the recognisers' input through :func:`hand_frame`,
so unchanged recognisers give bit-identical events; a difference means a recogniser
changed, which is what ``--verify`` is for.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from hud.session_records import FrameRecord, canonical_event, event_to_dict
from hud.trackers.results import FaceResult, HandResult

if TYPE_CHECKING:
    from gestures.landmarks import HandFrame, HandLandmarks
    from gestures.recognizer import GestureRecognizerOptions


# ------------------------------------------------------------------------ re-running


def hand_frame(timestamp_ms: int, hands: Sequence[HandResult]) -> HandFrame:
    """The recognisers' :class:`gestures.landmarks.HandFrame` for tracker results.

    Recording and re-running both go through here, so the recognisers see identical
    input either way; the aspect ratio comes from each hand's image size.
    """
    from gestures.landmarks import HandFrame

    converted = tuple(hand_landmarks(hand) for hand in hands)
    return HandFrame(timestamp_ms=int(timestamp_ms), hands=converted)


def hand_landmarks(hand: HandResult) -> HandLandmarks:
    """One tracker hand as the recognisers' :class:`gestures.landmarks.HandLandmarks`:
    normalised landmarks with depth, and the aspect ratio from the hand's image size."""
    from gestures.landmarks import HandLandmarks

    aspect = 1.0
    if hand.image_size is not None and hand.image_size[1] > 0:
        aspect = hand.image_size[0] / hand.image_size[1]
    return HandLandmarks(
        hand.landmarks,
        handedness=hand.handedness,
        world=hand.world_landmarks,
        score=float(hand.score),
        aspect_ratio=aspect,
    )


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


def face_gaze(face: FaceResult) -> dict[str, float] | None:
    """Gaze and head pose of one face for storage, or ``None`` if it cannot be estimated.

    Keys: ``yaw_deg``, ``pitch_deg`` (gaze), ``head_yaw_deg``, ``head_pitch_deg``,
    ``head_roll_deg`` (head x axis's angle in the image, clockwise positive as y points
    down), ``eye_yaw_deg``, ``eye_pitch_deg``; conventions of
    :mod:`hud.trackers.gaze_geometry`.
    """
    from hud.trackers.gaze_geometry import gaze_for_face

    try:
        gaze = gaze_for_face(face)
    except ValueError:  # no image size, or a degenerate face
        return None
    return {
        "yaw_deg": gaze.yaw_deg,
        "pitch_deg": gaze.pitch_deg,
        "head_yaw_deg": gaze.head_yaw_deg,
        "head_pitch_deg": gaze.head_pitch_deg,
        "head_roll_deg": gaze.head_roll_deg,
        "eye_yaw_deg": gaze.eye_yaw_deg,
        "eye_pitch_deg": gaze.eye_pitch_deg,
    }
