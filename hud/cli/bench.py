"""``hud bench --json``: every speed figure, each measured beside its floor in one run.

Absolute milliseconds on a shared machine are noise; ratios measured in the same run are
not. Render figures come per profile (``orion`` and ``rayban-display`` by default) over a
floor of one full-screen texture copy (goals: ``compose_live_over_floor`` ≤ 3.0 at orion,
≤ 2.5 at rayban-display); the pipeline figures set ``HudSession.step`` against its stages
run alone (``pipeline_overhead`` ≤ 1.1); ``update_bytes_ratio`` is the share of a frame a
host sends when one line of text changes (≤ 0.1). This is a benchmark, never a test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
from typing import Any

from hud.bench.input import bench_input
from hud.errors import HudError

#: Frames per measurement at most: a few minutes of benchmark, not days.
MAX_FRAMES = 5000
#: Frames of a soak by default, and at most.
SOAK_FRAMES = 10_000
MAX_SOAK_FRAMES = 1_000_000


def register(sub: Any) -> None:
    p = sub.add_parser("bench", help="measure frame costs (JSON with --json)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--frames", type=int, default=90, help="timed frames per measurement (default 90)"
    )
    p.add_argument(
        "--profile",
        action="append",
        metavar="NAME",
        help="display profile, repeatable (default: orion and rayban-display)",
    )
    p.add_argument(
        "--backend", choices=("headless", "window"), help="GL backend (default headless)"
    )
    p.add_argument(
        "--skip-input", action="store_true", help="skip the hand-tracking/gesture figures"
    )
    p.add_argument("--skip-pipeline", action="store_true", help="skip the HudSession.step figures")
    p.add_argument(
        "--skip-cards", action="store_true", help="skip the answer-card and layout figures"
    )
    p.add_argument(
        "--skip-emulate", action="store_true", help="skip the emulator's frame rate and latency"
    )
    p.add_argument(
        "--soak",
        action="store_true",
        help=f"also run the emulator for {SOAK_FRAMES:,} frames: memory and GL objects",
    )
    p.add_argument(
        "--soak-frames",
        type=int,
        metavar="N",
        help=f"frames of the soak (default {SOAK_FRAMES:,}; implies --soak)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not 1 <= args.frames <= MAX_FRAMES:
        raise HudError(f"--frames must be 1 to {MAX_FRAMES:,}, got {args.frames}")
    soak_frames = args.soak_frames if args.soak_frames is not None else SOAK_FRAMES
    if not 2 <= soak_frames <= MAX_SOAK_FRAMES:
        raise HudError(f"--soak-frames must be 2 to {MAX_SOAK_FRAMES:,}, got {soak_frames}")
    profiles = tuple(dict.fromkeys(args.profile or ("orion", "rayban-display")))
    from hud.profiles import get_profile

    for name in profiles:
        get_profile(name)  # an unknown name fails before anything is measured
    result: dict[str, Any] = {
        "machine": {
            "platform": platform.platform(),
            "processor": platform.machine(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        }
    }
    from hud.bench.render import bench_render_profiles

    result["render"] = bench_render_profiles(profiles, args.frames, args.backend)
    if not args.skip_input:
        result["input"] = bench_input(args.frames)
        from hud.bench.wild import bench_input_wild

        result["input_wild"] = bench_input_wild()
    if not args.skip_pipeline:
        from hud.bench.pipeline import bench_pipeline, bench_update_bytes

        result["pipeline"] = bench_pipeline(profiles, args.frames)
        result["update_bytes"] = bench_update_bytes((*profiles, "even-g1"))
    if not args.skip_cards:
        from hud.bench.cards_gpu import bench_cards
        from hud.bench.layout import bench_layout

        result["cards"] = bench_cards(profiles, args.frames, args.backend)
        result["layout"] = bench_layout()
    if not args.skip_emulate:
        from hud.bench.emulate import bench_emulate

        result["emulate"] = bench_emulate(profiles, args.frames)
    if args.soak or args.soak_frames is not None:
        from hud.bench.emulate import bench_soak

        result["soak"] = bench_soak(soak_frames, profiles[0])
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        _print_flat(result)
    return 0


def _print_flat(result: dict[str, Any], prefix: str = "") -> None:
    """One ``key: value`` line per figure, nested keys joined with dots."""
    for key, value in result.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            _print_flat(value, name + ".")
        else:
            print(f"{name}: {value}")
