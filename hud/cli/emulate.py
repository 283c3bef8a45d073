"""``hud emulate``: the glasses on a desktop, in a window or headless.

With no world given it plays the embedded session (a real desk photo with markers and a
scripted wearer, answered offline), so it works on any machine with no network::

    hud emulate                                   # a window (needs a display)
    hud emulate --headless --frames 60 --out x.mp4 --trace x.jsonl
    hud emulate --camera 0 --answers openai       # a webcam, an OpenAI-compatible server
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from typing import Any

from hud.errors import HudError
from hud.optics import EFFECTS

_OVERLAYS = ("hands", "gaze", "fov", "anchors", "metrics", "timings")


def register(sub: Any) -> None:
    p = sub.add_parser(
        "emulate",
        help="the view through AI glasses: world, assistant, optics (window or headless)",
    )
    live = p.add_mutually_exclusive_group()
    live.add_argument("--camera", metavar="N|DEVICE", help="the world from a camera")
    live.add_argument("--video", metavar="FILE", help="the world from a video file")
    live.add_argument("--images", metavar="DIR|GLOB", help="the world from an image sequence")
    live.add_argument("--session", metavar="FILE", help="the world from a recorded session")
    p.add_argument(
        "--profile",
        action="append",
        help="glasses profile(s) to cycle with P (default: orion, rayban-display, ...)",
    )
    p.add_argument("--effects", default="all", help=f"all, none or a list of: {','.join(EFFECTS)}")
    p.add_argument("--eye", choices=("left", "right"), default="right")
    p.add_argument("--lang", choices=("en", "ko"), default="en", help="question and answers")
    p.add_argument(
        "--answers",
        choices=("offline", "openai"),
        default="offline",
        help="answer source: a knowledge file, or an OpenAI-compatible server "
        "(OPENAI_BASE_URL, OPENAI_API_KEY or --answer-config)",
    )
    p.add_argument(
        "--gaze",
        choices=("mouse", "camera"),
        default="mouse",
        help="gaze from the mouse, or from the wearer's eyes as a camera facing them sees them",
    )
    p.add_argument("--knowledge", metavar="FILE", help="offline answers (TOML or JSON)")
    p.add_argument("--answer-config", metavar="FILE", help="OpenAI-compatible source (TOML)")
    p.add_argument(
        "--overlay", action="append", choices=_OVERLAYS, default=[], help="debug overlay(s)"
    )
    p.add_argument("--fps", type=float, help="frame rate of the embedded session (default 30)")
    p.add_argument("--headless", action="store_true", help="no window: write the frames")
    p.add_argument("--frames", type=int, metavar="N", help="frames to run, then stop")
    p.add_argument("--out", metavar="DIR|FILE.mp4", help="headless: PNG folder or MP4")
    p.add_argument("--trace", metavar="FILE.jsonl", help="headless: one JSON line per frame")
    p.add_argument("--screenshot", metavar="PNG", help="window: save the last frame shown")
    p.add_argument(
        "--keep-faces",
        action="store_true",
        help="do not blur faces in what is saved or sent: only when everyone in view agreed",
    )
    p.set_defaults(func=run)


def _check(args: argparse.Namespace) -> None:
    """The flags agree (before anything is opened)."""
    if args.frames is not None and not 1 <= args.frames <= 1_000_000:
        raise HudError(f"--frames must be 1 to 1000000, got {args.frames}")
    if args.fps is not None and not (math.isfinite(args.fps) and 0 < args.fps <= 240):
        raise HudError(f"--fps must be between 0 and 240, got {args.fps}")
    if args.headless:
        if args.out is None:
            raise HudError("--headless needs --out DIR or --out FILE.mp4")
        if args.screenshot is not None:
            raise HudError("--screenshot is for the window; a headless run writes --out")
    else:
        for flag, value in (("--out", args.out), ("--trace", args.trace)):
            if value is not None:
                raise HudError(f"{flag} is for a headless run; add --headless")
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            raise HudError("no display to open a window on: add --headless --out x.mp4")


def run(args: argparse.Namespace) -> int:
    _check(args)
    from hud.app.emulate import DEFAULT_PROFILES, Emulator, EmulatorOptions
    from hud.app.runners import open_world_source
    from hud.io.video import check_frames_output
    from hud.optics import parse_effects

    if args.out is not None:
        check_frames_output(args.out)  # before the world or the trackers are opened
    options = EmulatorOptions(
        profiles=tuple(args.profile or DEFAULT_PROFILES),
        effects=parse_effects(args.effects),
        eye=args.eye,
        language=args.lang,
        answers=args.answers,
        knowledge=args.knowledge,
        answer_config=args.answer_config,
        overlays=frozenset(args.overlay),
        redact=not args.keep_faces,
        gaze=args.gaze,
    )
    world = open_world_source(args)
    try:
        with Emulator(options, world, args.fps) as emulator:
            if not args.headless:
                from hud.app.emulate_window import run_window

                shown = run_window(emulator, args.frames, args.screenshot)
                print(f"shown {shown} frame(s)")
                return 0
            report = _headless(emulator, args)
    except BaseException:
        if world is not None:
            world.close()
        raise
    print(
        f"wrote {report.frames} frame(s) to {args.out}: {report.asked} question(s) asked, "
        f"{report.tracked} camera frame(s) tracked, {report.dropped} dropped"
        + (f"; trace {args.trace}" if args.trace else "")
    )
    return 0


def _headless(emulator: Any, args: argparse.Namespace) -> Any:
    from tqdm import tqdm

    total = args.frames or getattr(emulator.world, "frame_count", None)
    with tqdm(
        desc="emulate", unit="frame", total=total, disable=None, leave=False, file=sys.stderr
    ) as bar:
        return emulator.run_headless(
            args.frames, args.out, args.trace, progress=lambda i, n: bar.update(1)
        )
