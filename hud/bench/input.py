"""Input costs for ``hud bench``: MediaPipe hand tracking and the gesture recognisers.

Timing belongs in a benchmark, never in a test that fails on a busy CI runner.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hud.errors import HudError
from hud.trackers.hands import HandLandmarker, HandLandmarkerOptions
from hud.trackers.landmarker import RunningMode, as_rgb, quiet_native_logs


@dataclass(frozen=True)
class HandsBenchmark:
    """Per-frame wall time of hand tracking (ms) and how many hands it found per frame."""

    median_ms: float
    p90_ms: float
    frames: int
    mean_hands: float
    width: int
    height: int
    running_mode: RunningMode
    model_complexity: int


def benchmark_hands(
    image: np.ndarray | None = None,
    *,
    frames: int = 30,
    warmup: int = 3,
    model_complexity: int = 1,
    running_mode: RunningMode = RunningMode.VIDEO,
    size: tuple[int, int] = (640, 480),
) -> HandsBenchmark:
    """Time hand tracking on one RGB frame fed repeatedly (for ``hud bench``'s hands_ms).

    ``image`` is resized to ``size`` (width, height) when it differs. The cost depends on
    what is in the frame and on the mode: in VIDEO mode with a hand present MediaPipe
    tracks it and runs only the landmark model (the live-camera case); in IMAGE mode, or
    with no hand (``image=None`` gives a plain gray frame), the palm detector runs on
    every frame. ``mean_hands`` shows which case was measured.
    """
    if frames < 1 or warmup < 0:
        raise HudError("frames must be at least 1 and warmup at least 0")
    width, height = size
    if image is None:
        frame = np.full((height, width, 3), 128, dtype=np.uint8)
    else:
        frame = as_rgb(image)
        if frame.shape[:2] != (height, width):
            import cv2

            frame = np.ascontiguousarray(
                cv2.resize(frame, (width, height), interpolation=cv2.INTER_AREA)
            )
    options = HandLandmarkerOptions(running_mode=running_mode, model_complexity=model_complexity)
    times: list[float] = []
    found = 0
    with HandLandmarker(options) as landmarker:
        for i in range(warmup + frames):
            start = time.perf_counter()
            if running_mode is RunningMode.IMAGE:
                hands = landmarker.detect(frame)
            elif running_mode is RunningMode.VIDEO:
                hands = landmarker.detect_for_video(frame, i * 33 + 1)
            else:
                raise HudError("benchmark_hands times IMAGE or VIDEO mode")
            elapsed = (time.perf_counter() - start) * 1000.0
            if i >= warmup:
                times.append(elapsed)
                found += len(hands)
    ordered = sorted(times)
    p90 = ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
    return HandsBenchmark(
        median_ms=statistics.median(times),
        p90_ms=p90,
        frames=frames,
        mean_hands=found / frames,
        width=width,
        height=height,
        running_mode=running_mode,
        model_complexity=model_complexity,
    )


def measure_hands_ms(
    frames: int = 30,
    *,
    image: np.ndarray | None = None,
    model_complexity: int = 1,
    running_mode: RunningMode = RunningMode.VIDEO,
) -> float:
    """Median milliseconds per 640×480 frame of hand tracking (``hud bench``'s hands_ms).

    Without ``image`` the frame is plain gray, so this measures the no-hand cost (palm
    detector only); pass an RGB frame showing a hand for the cost while a hand is
    tracked. See :func:`benchmark_hands` for the full breakdown.
    """
    with quiet_native_logs():
        result = benchmark_hands(
            image,
            frames=frames,
            model_complexity=model_complexity,
            running_mode=running_mode,
        )
    return result.median_ms


BENCH_HAND = Path(__file__).resolve().parent / "data" / "hand_640x480.jpg"


def bench_input(frames: int) -> dict[str, Any]:
    """Gesture recognisers vs. MediaPipe hand tracking, side by side in one run.

    ``hands_ms`` is MediaPipe hand tracking (model complexity 1, VIDEO mode) per 640×480
    frame with a hand in view (``hud/data/hand_640x480.jpg``); ``hands_nohand_ms`` the same
    on an empty frame (palm detector only). ``gesture_ms_per_hand`` is every recogniser
    together on those real landmarks replayed for 300 frames with hand motion added.
    """
    from hud.bench.input import measure_hands_ms
    from hud.io.images import load_rgb
    from hud.trackers.hands import HandLandmarker, HandLandmarkerOptions
    from hud.trackers.landmarker import RunningMode

    out: dict[str, Any] = {}
    hand_rgb = load_rgb(BENCH_HAND)
    n = max(5, frames // 2)
    out["hands_ms"] = round(float(measure_hands_ms(frames=n, image=hand_rgb)), 3)
    out["hands_nohand_ms"] = round(float(measure_hands_ms(frames=n)), 3)
    with HandLandmarker(HandLandmarkerOptions(running_mode=RunningMode.IMAGE)) as tracker:
        hands = tracker.detect(hand_rgb)
    if hands:
        from hud.bench.gestures import measure_gesture_ms_per_hand, replay_frames

        base = np.asarray(hands[0].landmarks, dtype=np.float64)
        seq = []
        for i in range(300):
            moved = base.copy()
            moved[:, 0] += 0.05 * np.sin(i / 15.0)
            moved[:, 1] += 0.03 * np.cos(i / 11.0)
            moved[4, :2] += (base[8, :2] - base[4, :2]) * (
                0.5 + 0.5 * np.sin(i / 9.0)
            )  # thumb to index
            seq.append(moved)
        replay = replay_frames(seq, fps=30.0, handedness=hands[0].handedness)
        measure_gesture_ms_per_hand(replay)  # warm-up
        runs = [measure_gesture_ms_per_hand(replay) for _ in range(3)]
        out["gesture_ms_per_hand"] = round(float(np.median(runs)), 4)
        out["gesture_share_of_input"] = round(
            out["gesture_ms_per_hand"] / (out["hands_ms"] + out["gesture_ms_per_hand"]), 4
        )
    return out
