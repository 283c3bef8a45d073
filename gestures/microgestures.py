"""Thumb microgestures on the side of the index finger, read from camera landmarks.

This is the vocabulary of Meta's EMG Neural Band (thumb tap on the side of the index
finger; thumb swipe forward and back along it), recognised from what a camera sees
instead of from muscle signals. The hand stays loosely curled and the thumb does the
work, so these gestures are small, quiet and work with the arm at rest.

Geometry: the *index side* is the polyline knuckle -> middle joint -> end joint
(landmarks 5, 6, 7), the part of the finger the thumb pad can reach. Contact is the
thumb tip's distance to that polyline in palm sizes, with hysteresis; its position
along it (0 at the knuckle, 1 at the end joint) tracks the slide. A thumb on the index
*tip* is a pinch, not a microgesture, and is excluded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gestures.clock import FrameClock
from gestures.errors import check_number
from gestures.events import GestureEvent, ThumbSwipe, ThumbTap
from gestures.landmarks import (
    INDEX_DIP,
    INDEX_MCP,
    INDEX_PIP,
    INDEX_TIP,
    THUMB_TIP,
    FloatArray,
    HandLandmarks,
    palm_size,
)
from gestures.pinch import PinchOptions
from hud.errors import OptionsError


@dataclass(frozen=True)
class ThumbOptions:
    """Thresholds of :class:`ThumbMicrogestureRecognizer` (palm sizes and ms)."""

    #: Thumb tip closer than this to the index side touches it...
    contact_enter: float = 0.2
    #: ...and leaves it only beyond this (hysteresis, as for the pinch).
    contact_exit: float = 0.3
    #: The thumb tip must be at least this far from the index tip (else it is a pinch):
    #: the pinch recogniser's enter distance.
    pinch_exclusion: float = PinchOptions.enter_distance
    #: A contact shorter than this, without a slide, is a tap.
    tap_max_ms: int = 400
    #: A slide of this fraction of the knuckle-to-end-joint length is a swipe.
    swipe_distance: float = 0.35

    def __post_init__(self) -> None:
        check_number("ThumbOptions.contact_enter", self.contact_enter, low=0, low_open=True)
        check_number("ThumbOptions.contact_exit", self.contact_exit)
        if not self.contact_enter < self.contact_exit:
            raise OptionsError(
                "ThumbOptions needs 0 < contact_enter < contact_exit, got "
                f"{self.contact_enter} and {self.contact_exit}"
            )
        check_number("ThumbOptions.pinch_exclusion", self.pinch_exclusion, low=0)
        check_number("ThumbOptions.tap_max_ms", self.tap_max_ms, low=0)
        check_number("ThumbOptions.swipe_distance", self.swipe_distance, low=0, low_open=True)


def thumb_on_index(xy: FloatArray, size: float | None = None) -> tuple[float, float, float]:
    """(distance, position, tip distance) of the thumb tip against the index side.

    ``distance`` and ``tip distance`` are in palm sizes; ``position`` is 0 at the index
    knuckle and 1 at its end joint (outside [0, 1] when the thumb is beyond either end).
    ``size`` is the palm size when the caller already knows it.
    """
    size = palm_size(xy) if size is None else size
    if not size > 1e-9:  # also catches NaN
        return float("nan"), float("nan"), float("nan")
    thumb = xy[THUMB_TIP]
    joints = xy[[INDEX_MCP, INDEX_PIP, INDEX_DIP]]
    seg = np.diff(joints, axis=0)
    lengths = np.hypot(seg[:, 0], seg[:, 1])
    total = float(lengths.sum())
    if total <= 1e-12:
        return float("nan"), float("nan"), float("nan")
    rel = thumb - joints[:-1]
    along = np.einsum("ij,ij->i", rel, seg) / np.maximum(lengths**2, 1e-24)
    clamped = np.clip(along, 0.0, 1.0)
    nearest = joints[:-1] + clamped[:, None] * seg
    dists = np.hypot(*(thumb - nearest).T)
    best = int(np.argmin(dists))
    # Position along the whole side: bones before the nearest one, plus the part of it.
    # Past the knuckle or the end joint the position runs outside [0, 1].
    part = float(clamped[best])
    if best == 0:
        part = min(float(along[0]), 1.0)
    if best == len(seg) - 1:
        part = max(float(along[best]), 0.0)
    position = (float(lengths[:best].sum()) + part * float(lengths[best])) / total
    tip = float(np.hypot(*(thumb - xy[INDEX_TIP]))) / size
    return float(dists[best]) / size, position, tip


class ThumbMicrogestureRecognizer:
    """Thumb tap and thumb swipe forward/back on the side of the index finger.

    ``forward`` is toward the fingertip, ``back`` toward the knuckle, whichever hand and
    however it is turned. One swipe at most per contact; a contact that slid is never
    also a tap.
    """

    def __init__(self, options: ThumbOptions | None = None) -> None:
        self.options = options or ThumbOptions()
        self.clock = FrameClock()
        self.reset()

    def reset(self) -> None:
        """Forget any contact and the last timestamp."""
        self.clock.reset()
        self.clear()

    def clear(self) -> None:
        """Forget any contact in progress (no events), keeping the clock."""
        self.in_contact = False
        self._contact_ms = 0
        self._start_position = 0.0
        self._swiped = False

    def update(self, timestamp_ms: int, hand: HandLandmarks | None) -> list[GestureEvent]:
        """Add this frame's hand (None if unseen); return taps and swipes it completes."""
        self.clock.advance(timestamp_ms)
        t = int(timestamp_ms)
        if hand is None or not hand.is_valid:
            self.clear()  # a contact we cannot see end is not a tap
            return []
        distance, position, tip = thumb_on_index(hand.xy, hand.size)
        if not np.isfinite(distance):
            self.clear()
            return []
        opts = self.options
        if tip < opts.pinch_exclusion:
            self.clear()  # thumb on the index tip: that is the pinch recogniser's
            return []
        if not self.in_contact:
            if distance < opts.contact_enter:
                self.in_contact, self._contact_ms = True, t
                self._start_position, self._swiped = position, False
            return []
        if distance > opts.contact_exit:
            duration = t - self._contact_ms
            tapped = not self._swiped and duration <= opts.tap_max_ms
            self.clear()
            if tapped:
                return [ThumbTap(timestamp_ms=t, handedness=hand.handedness, duration_ms=duration)]
            return []
        slide = position - self._start_position
        if not self._swiped and abs(slide) >= opts.swipe_distance:
            self._swiped = True
            return [
                ThumbSwipe(
                    timestamp_ms=t,
                    handedness=hand.handedness,
                    direction="forward" if slide > 0 else "back",
                    distance=abs(slide),
                )
            ]
        return []
