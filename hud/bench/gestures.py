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

    Landmarks already in normalised image coordinates ([0, 1]) are used as they are, so
    motion added to them survives. Anything else (kinivi rows are wrist-relative in
    [-1, 1]) is fitted into the middle of the image with *one* transform for the whole
    sequence, which keeps the motion between frames too. NaN frames stay NaN.
    """
    arrays = [np.array(points, dtype=np.float64) for points in hands]
    finite = [a[:, :2] for a in arrays if a.size and np.isfinite(a[:, :2]).all()]
    if finite:
        stacked = np.concatenate(finite)
        lo, hi = stacked.min(axis=0), stacked.max(axis=0)
        if lo.min() < 0.0 or hi.max() > 1.0:
            span = float(max(hi - lo)) or 1.0
            for a in arrays:
                a[:, :2] = 0.25 + 0.5 * (a[:, :2] - lo) / span
    return [
        HandFrame(
            timestamp_ms=round(index * 1000.0 / fps),
            hands=(HandLandmarks(points, handedness=handedness, aspect_ratio=aspect_ratio),),
        )
        for index, points in enumerate(arrays)
    ]
