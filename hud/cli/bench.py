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

from hud.bench.input import bench_input
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
    from hud.bench.render import bench_render

    result.update(bench_render(args.profile, args.frames, args.backend))
    if not args.skip_input:
        result.update(bench_input(args.frames))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for k, v in result.items():
            print(f"{k:>22}: {v}")
    return 0
