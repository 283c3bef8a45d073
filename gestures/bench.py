"""Per-frame cost of the gesture recognisers, for ``hud bench`` (not a timed test).

Timing belongs in a benchmark the lead can run on the target machine, not in a unit
test that fails on a busy CI runner. The budget is 0.2 ms per hand per frame for all
recognisers together, on replayed landmarks.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import ArrayLike

from gestures.landmarks import Handedness, HandFrame, HandLandmarks
from gestures.recognizer import GestureRecognizer, GestureRecognizerOptions


def measure_gesture_ms_per_hand(
    frames: Iterable[HandFrame], options: GestureRecognizerOptions | None = None
) -> float:
    """Milliseconds of recogniser time per valid hand per frame over ``frames``.

    Runs a fresh :class:`GestureRecognizer` (every recogniser enabled by default) over
    the frames once and divides the total time by the number of valid hands seen.
    Returns 0.0 when the frames hold no valid hand. Timestamps must not go backwards.
    """
    recognizer = GestureRecognizer(options)
    frame_list = list(frames)
    hands = sum(1 for frame in frame_list for hand in frame.hands if hand.is_valid)
    start = time.perf_counter()
    for frame in frame_list:
        recognizer.process(frame)
    elapsed = time.perf_counter() - start
    return 0.0 if hands == 0 else elapsed * 1000.0 / hands


def replay_frames(
    hands: Sequence[ArrayLike] | np.ndarray,
    fps: float = 30.0,
    handedness: Handedness = "Right",
    aspect_ratio: float = 1.0,
) -> list[HandFrame]:
    """One-hand frames from a sequence of (21, 2|3) landmark arrays, ``fps`` apart.

    Arrays in any units are fitted into the unit square first (the recognisers only use
    relative geometry), so kinivi rows, which are wrist-relative in [-1, 1], replay too.
    """
    frames = []
    for index, points in enumerate(hands):
        pts = np.asarray(points, dtype=np.float64)
        if np.isfinite(pts).all():
            lo, hi = pts[:, :2].min(axis=0), pts[:, :2].max(axis=0)
            span = float(max(hi - lo)) or 1.0
            pts = pts.copy()
            pts[:, :2] = 0.25 + 0.5 * (pts[:, :2] - lo) / span
        hand = HandLandmarks(pts, handedness=handedness, aspect_ratio=aspect_ratio)
        frames.append(HandFrame(timestamp_ms=round(index * 1000.0 / fps), hands=(hand,)))
    return frames
