"""``hud layout-metrics SCENE_OR_SESSION``: how stable and clear the card layout is over a run.

Runs the layout stage frame after frame (a scene on its own clock, a recorded session on
its frames' timestamps) and prints, per frame and over the run, the overlap area between
cards (deg²), leader lines crossing, the mean distance from card to object (degrees),
how fast cards move (degrees per second) and relayouts per minute.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

from hud.cli.common import add_profile_options, profile_for, registry_from_args
from hud.errors import HudError
from hud.scene import HeadPath, Scene, load_scene, parse_scene

SESSION_SUFFIXES = (".wgs",)


def register(sub: Any) -> None:
    p = sub.add_parser(
        "layout-metrics",
        help="measure the card layout over a scene or a recorded session",
        description="Lay the cards out frame after frame and report overlap, leader "
        "crossings, card-to-object distance, card motion and relayouts.",
    )
    p.add_argument("source", help="scene file (JSON) or recorded session (.wgs)")
    p.add_argument(
        "--head", metavar="TUM", help="replay this head trajectory (TUM format) over the scene"
    )
    p.add_argument("--scene", help="with a session: the scene whose cards to lay out")
    p.add_argument("--profile", help="override the profile (name or TOML/JSON file)")
    p.add_argument(
        "--fps", type=float, help="frames per second over a scene (default: the scene's)"
    )
    p.add_argument("--duration", type=float, help="seconds of the scene to run")
    p.add_argument("--json", action="store_true", help="print one JSON object (run and frames)")
    add_profile_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from hud.app.layout_run import scene_layout_metrics, session_layout_metrics

    if args.fps is not None and not (math.isfinite(args.fps) and 0 < args.fps <= 240):
        raise HudError(f"--fps must be between 0 and 240, got {args.fps}")
    if args.duration is not None and not (
        math.isfinite(args.duration) and 0 < args.duration <= 3600
    ):
        raise HudError(f"--duration must be between 0 and 3600 s, got {args.duration}")
    is_session = Path(args.source).suffix.lower() in SESSION_SUFFIXES
    if is_session:
        if args.head:
            raise HudError("--head replays over a scene; a session has its own motion")
        scene = load_scene(args.scene) if args.scene else _empty_scene()
        profile = profile_for(registry_from_args(args), args.profile, scene)
        report = session_layout_metrics(args.source, scene, profile)
    else:
        if args.scene:
            raise HudError("--scene goes with a session; the source is already a scene")
        scene = _with_head(load_scene(args.source), args.head, args.duration)
        profile = profile_for(registry_from_args(args), args.profile, scene)
        report = scene_layout_metrics(scene, profile, args.fps)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        run_figures = report["run"]
        print(f"{profile.name}: {len(report['frames'])} frames")
        for key, value in run_figures.items():
            print(f"  {key}: {value}")
    return 0


def _empty_scene() -> Scene:
    return parse_scene({"version": 2, "profile": "orion", "world": {"color": [0, 0, 0]}})


def _with_head(scene: Scene, head: str | None, duration: float | None) -> Scene:
    """The scene with a head trajectory given on the command line (relative to where the
    user is, not to the scene) and a run length."""
    if head is not None:
        path = Path(head).resolve()
        if not path.is_file():
            raise HudError(f"--head {head}: no such file")
        scene = replace(scene, head=HeadPath(trace=str(path)))
        if duration is None and scene.duration_s() <= 0:
            duration = 10.0
    if duration is not None:
        scene = replace(scene, animation=replace(scene.animation, duration_s=duration))
    return scene
