"""Whole-hand motion gestures from landmark streams: swipes and fingertip circles.

Both keep a short, time-limited history of one point per frame (the palm centre for a
swipe, the index fingertip for a circle) in image-height units, and measure it in palm
sizes so the same motion counts whether the hand is near the camera or far from it.
Time comes from frame timestamps only. A missing or NaN hand clears the history: a
gesture must be seen whole.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from gestures.clock import FrameClock
from gestures.errors import check_number
from gestures.events import Circle, GestureEvent, Swipe, SwipeDirection
from gestures.landmarks import (
    INDEX_TIP,
    HandLandmarks,
    palm_centre,
)
from gestures.tracks import path_length, turning_deg


@dataclass(frozen=True)
class SwipeOptions:
    """Thresholds of :class:`SwipeRecognizer` (distances in palm sizes, times in ms)."""

    #: The palm must travel this far...
    min_distance: float = 1.5
    #: ...within this long (which also sets the slowest swipe speed).
    max_duration_ms: int = 500
    #: Straight-line distance over path length: a swipe is not a wander.
    min_straightness: float = 0.8
    #: The main axis must dominate the other by this factor (else it is diagonal).
    axis_ratio: float = 2.0
    #: After a swipe, ignore motion this long (the hand coming back is not a swipe).
    cooldown_ms: int = 400

    def __post_init__(self) -> None:
        check_number("SwipeOptions.min_distance", self.min_distance, low=0, low_open=True)
        check_number("SwipeOptions.max_duration_ms", self.max_duration_ms, low=0, low_open=True)
        check_number("SwipeOptions.min_straightness", self.min_straightness, low=0, high=1)
        check_number("SwipeOptions.axis_ratio", self.axis_ratio, low=1)
        check_number("SwipeOptions.cooldown_ms", self.cooldown_ms, low=0)


@dataclass(frozen=True)
class CircleOptions:
    """Thresholds of :class:`CircleRecognizer` (lengths in palm sizes, times in ms)."""

    #: Total turning of the fingertip's direction needed, in full turns.
    min_turns: float = 0.85
    #: The fingertip path must be at least this long...
    min_path: float = 1.5
    #: ...and stay this far from its centroid on average: tracking jitter piles up path
    #: length and random turning while going nowhere.
    min_radius: float = 0.3
    #: Only this much recent history is considered.
    max_duration_ms: int = 2000
    #: Steps shorter than this fraction of the path are jitter (see ``turning_deg``).
    min_step_fraction: float = 0.02
    #: After a circle, ignore motion this long.
    cooldown_ms: int = 300

    def __post_init__(self) -> None:
        check_number("CircleOptions.min_turns", self.min_turns, low=0, low_open=True)
        check_number("CircleOptions.min_path", self.min_path, low=0, low_open=True)
        check_number("CircleOptions.min_radius", self.min_radius, low=0)
        check_number("CircleOptions.max_duration_ms", self.max_duration_ms, low=0, low_open=True)
        check_number(
            "CircleOptions.min_step_fraction", self.min_step_fraction, low=0, high=1, high_open=True
        )
        check_number("CircleOptions.cooldown_ms", self.cooldown_ms, low=0)


class _Track:
    """A time-limited history of (t, x, y, palm size) samples."""

    def __init__(self, max_duration_ms: int) -> None:
        self.max_duration_ms = max_duration_ms
        self.samples: deque[tuple[int, float, float, float]] = deque()

    def add(self, t: int, x: float, y: float, size: float) -> None:
        self.samples.append((t, x, y, size))
        while self.samples and t - self.samples[0][0] > self.max_duration_ms:
            self.samples.popleft()

    def array(self) -> np.ndarray:
        return np.array(self.samples, dtype=np.float64).reshape(-1, 4)

    def clear(self) -> None:
        self.samples.clear()


def _usable(hand: HandLandmarks | None) -> tuple[np.ndarray, float] | None:
    """Isotropic landmarks and palm size, or None for a missing or broken hand."""
    if hand is None or not hand.is_usable:
        return None
    return hand.xy, hand.size


class _TrackRecognizer:
    """Shared life cycle of the track-based recognisers: a clock that refuses time going
    backwards, a bounded track of one point per frame, and a cooldown after each event.

    Subclasses say which point to follow (:meth:`_point`), how many samples they need,
    and what to look for in the track (:meth:`_detect`).
    """

    min_samples = 3

    def __init__(self, max_duration_ms: int) -> None:
        self.clock = FrameClock()
        self._track = _Track(max_duration_ms)
        self._quiet_until = -1

    def reset(self) -> None:
        """Forget history, cooldown and the last timestamp."""
        self.clock.reset()
        self._track.clear()
        self._quiet_until = -1

    def update(self, timestamp_ms: int, hand: HandLandmarks | None) -> list[GestureEvent]:
        """Add this frame's point (None if the hand is unseen); return any completed event."""
        self.clock.advance(timestamp_ms)
        t = int(timestamp_ms)
        usable = _usable(hand)
        if usable is None or hand is None:
            self._track.clear()
            return []
        xy, size = usable
        if t < self._quiet_until:
            return []
        x, y = self._point(xy)
        self._track.add(t, x, y, size)
        samples = self._track.array()
        if len(samples) < self.min_samples:
            return []
        return self._detect(t, hand, samples)

    def _cooldown(self, t: int, cooldown_ms: int) -> None:
        self._track.clear()
        self._quiet_until = t + cooldown_ms

    def _point(self, xy: np.ndarray) -> tuple[float, float]:
        raise NotImplementedError

    def _detect(self, t: int, hand: HandLandmarks, samples: np.ndarray) -> list[GestureEvent]:
        raise NotImplementedError


class SwipeRecognizer(_TrackRecognizer):
    """Left/right/up/down swipes of the whole hand, in image directions (y down).

    Left and right are as the image is given: in a mirrored selfie preview a user's
    swipe to their right shows as ``right``; in an unmirrored camera facing the user it
    shows as ``left``. Glasses cameras look outward and are not mirrored.
    """

    def __init__(self, options: SwipeOptions | None = None) -> None:
        self.options = options or SwipeOptions()
        super().__init__(self.options.max_duration_ms)

    def _point(self, xy: np.ndarray) -> tuple[float, float]:
        centre = palm_centre(xy)
        return float(centre[0]), float(centre[1])

    def _detect(self, t: int, hand: HandLandmarks, samples: np.ndarray) -> list[GestureEvent]:
        opts = self.options
        points = samples[:, 1:3]
        # Try every start in the window: the swipe may begin after a pause or a return.
        deltas = points[-1] - points
        chords = np.hypot(deltas[:, 0], deltas[:, 1])
        steps = np.hypot(*np.diff(points, axis=0).T)
        tails = np.concatenate([np.cumsum(steps[::-1])[::-1], [0.0]])
        major = np.maximum(np.abs(deltas[:, 0]), np.abs(deltas[:, 1]))
        minor = np.minimum(np.abs(deltas[:, 0]), np.abs(deltas[:, 1]))
        palm = float(samples[:, 3].sum()) / len(samples)
        ok = (chords / palm >= opts.min_distance) & (chords >= opts.min_straightness * tails)
        ok &= major >= opts.axis_ratio * minor
        if not ok.any():
            return []
        start = int(np.argmax(ok))  # the earliest start that qualifies
        delta = deltas[start]
        distance = float(chords[start]) / palm
        ax, ay = abs(float(delta[0])), abs(float(delta[1]))
        direction: SwipeDirection
        if ax > ay:
            direction = "right" if delta[0] > 0 else "left"
        else:
            direction = "down" if delta[1] > 0 else "up"
        duration = int(t - samples[start, 0])
        self._cooldown(t, opts.cooldown_ms)
        return [
            Swipe(
                timestamp_ms=t,
                handedness=hand.handedness,
                direction=direction,
                distance=distance,
                duration_ms=duration,
            )
        ]


class CircleRecognizer(_TrackRecognizer):
    """Clockwise / counter-clockwise circles drawn with the index fingertip.

    Direction is as seen in the image (y down), the convention documented in
    :mod:`gestures.tracks`.
    """

    min_samples = 4

    def __init__(self, options: CircleOptions | None = None) -> None:
        self.options = options or CircleOptions()
        super().__init__(self.options.max_duration_ms)

    def _point(self, xy: np.ndarray) -> tuple[float, float]:
        tip = xy[INDEX_TIP]
        return float(tip[0]), float(tip[1])

    def _detect(self, t: int, hand: HandLandmarks, samples: np.ndarray) -> list[GestureEvent]:
        opts = self.options
        points = samples[:, 1:3]
        palm = float(samples[:, 3].sum()) / len(samples)
        if path_length(points) / palm < opts.min_path:
            return []
        spread = points - points.sum(axis=0) / len(points)
        radius = float(np.hypot(spread[:, 0], spread[:, 1]).sum()) / len(points) / palm
        if radius < opts.min_radius:
            return []
        turn = turning_deg(points, opts.min_step_fraction)
        turns = abs(turn) / 360.0
        if turns < opts.min_turns:
            return []
        self._cooldown(t, opts.cooldown_ms)
        return [
            Circle(
                timestamp_ms=t,
                handedness=hand.handedness,
                direction="cw" if turn > 0 else "ccw",
                turns=turns,
                radius=radius,
            )
        ]
