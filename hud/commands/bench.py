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
from typing import Any

from hud.errors import HudError


def register(sub: Any) -> None:
    p = sub.add_parser("bench", help="measure frame costs (JSON with --json)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--frames", type=int, default=40, help="timed frames per measurement (default 40)"
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


def bench_input(frames: int) -> dict[str, Any]:
    """Gesture recognisers vs. MediaPipe hand tracking, when those modules are present."""
    out: dict[str, Any] = {}
    try:
        from gestures.bench import measure_gesture_ms_per_hand

        out["gesture_ms_per_hand"] = round(float(measure_gesture_ms_per_hand()), 4)  # type: ignore[call-arg]
    except ImportError:
        pass
    except TypeError:
        pass
    try:
        from hud.trackers import mediapipe_adapter

        measure = getattr(mediapipe_adapter, "measure_hands_ms", None)
        if measure is not None:
            out["hands_ms"] = round(float(measure(frames=max(5, frames // 4))), 3)
    except ImportError:
        pass
    if "gesture_ms_per_hand" in out and "hands_ms" in out and out["hands_ms"]:
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
