"""``hud bench --json``: frame costs measured side by side in one run.

Absolute milliseconds on a shared machine are noise; ratios measured in the same run are
not. So each figure comes with a floor measured right beside it: ``compose_over_floor`` is
the full optics pipeline's frame time over the cheapest possible frame (one full-screen
texture copy at the same size). Goal: ≤ 2.5. This is a benchmark, never a test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
from pathlib import Path
from typing import Any

import numpy as np

from hud.errors import HudError


def register(sub: Any) -> None:
    p = sub.add_parser("bench", help="measure frame costs (JSON with --json)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--frames", type=int, default=90, help="timed frames per measurement (default 90)"
    )
    p.add_argument(
        "--profile", default="rayban-display", help="display profile (default rayban-display)"
    )
    p.add_argument(
        "--backend", choices=("headless", "window"), help="GL backend (default headless)"
    )
    p.add_argument(
        "--skip-input", action="store_true", help="skip the hand-tracking/gesture figures"
    )
    p.set_defaults(func=run)


BENCH_HAND = Path(__file__).resolve().parents[1] / "data" / "hand_640x480.jpg"


def bench_input(frames: int) -> dict[str, Any]:
    """Gesture recognisers vs. MediaPipe hand tracking, side by side in one run.

    ``hands_ms`` is MediaPipe hand tracking (model complexity 1, VIDEO mode) per 640×480
    frame with a hand in view (``hud/data/hand_640x480.jpg``); ``hands_nohand_ms`` the same
    on an empty frame (palm detector only). ``gesture_ms_per_hand`` is every recogniser
    together on those real landmarks replayed for 300 frames with hand motion added.
    """
    from hud.imageio import load_rgb
    from hud.trackers.mediapipe_adapter import (
        HandLandmarker,
        HandLandmarkerOptions,
        RunningMode,
        measure_hands_ms,
    )

    out: dict[str, Any] = {}
    hand_rgb = load_rgb(BENCH_HAND)
    n = max(5, frames // 2)
    out["hands_ms"] = round(float(measure_hands_ms(frames=n, image=hand_rgb)), 3)
    out["hands_nohand_ms"] = round(float(measure_hands_ms(frames=n)), 3)
    with HandLandmarker(HandLandmarkerOptions(running_mode=RunningMode.IMAGE)) as tracker:
        hands = tracker.detect(hand_rgb)
    if hands:
        from gestures.bench import measure_gesture_ms_per_hand, replay_frames

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


def run(args: argparse.Namespace) -> int:
    if args.frames < 1:
        raise HudError("--frames must be at least 1")
    result: dict[str, Any] = {
        "machine": {
            "platform": platform.platform(),
            "processor": platform.machine(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        }
    }
    from hud.render.benchmark import bench_render

    result.update(bench_render(args.profile, args.frames, args.backend))
    if not args.skip_input:
        result.update(bench_input(args.frames))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for k, v in result.items():
            print(f"{k:>22}: {v}")
    return 0
