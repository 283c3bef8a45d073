"""``hud show SCENE.json``: the desktop emulator window for a scene, or the same frames
written headless (``--headless --frames N --out DIR|FILE.mp4``).

A thin user of :mod:`hud.app.runners`: the scene viewer app (:class:`hud.app.app.SceneViewer`)
run by the window runner, or by the headless one.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hud.cli.common import add_profile_options, profile_for, registry_from_args, same_file
from hud.errors import HudError
from hud.io.images import check_output
from hud.optics import EFFECTS, parse_effects
from hud.scene import Scene, load_scene

if TYPE_CHECKING:  # the runners import OpenCV and moderngl: only when the command runs
    from hud.app.runners import RunOptions
    from hud.io.sources import FrameSource


def register(sub: Any) -> None:
    p = sub.add_parser(
        "show", help="show a scene through the glasses in a window (needs a display)"
    )
    p.add_argument("scene", help="scene file (JSON, version 1)")
    p.add_argument(
        "--profile", action="append", help="profile(s) to cycle with P (default: the scene's)"
    )
    p.add_argument("--effects", default="all", help=f"all, none or a list of: {','.join(EFFECTS)}")
    p.add_argument("--eye", choices=("left", "right"), default="right")
    p.add_argument("--max-frames", type=int, help="close after this many frames (tests, scripts)")
    p.add_argument("--screenshot", help="save the last frame shown to this PNG")
    live = p.add_mutually_exclusive_group()
    live.add_argument("--camera", metavar="N|DEVICE", help="live world from a camera")
    live.add_argument("--video", metavar="FILE", help="world from a video file")
    live.add_argument("--images", metavar="DIR|GLOB", help="world from an image sequence")
    live.add_argument("--session", metavar="FILE", help="world from a recorded session")
    p.add_argument(
        "--step-frames",
        action="store_true",
        help="one source frame per window frame (ignore timing)",
    )
    p.add_argument(
        "--keep-faces",
        action="store_true",
        help="do not blur faces in what is saved from a live world: only when everyone "
        "in view agreed",
    )
    p.add_argument("--headless", action="store_true", help="no window: write the frames")
    p.add_argument("--frames", type=int, metavar="N", help="with --headless: frames to write")
    p.add_argument("--out", metavar="DIR|FILE.mp4", help="with --headless: PNG folder or MP4")
    add_profile_options(p)
    p.set_defaults(func=run)


def _run_options(args: argparse.Namespace) -> RunOptions:
    """The run options, once the flags agree (before anything is opened)."""
    from hud.app.runners import RunOptions, check_frames_output

    if args.headless:
        for flag, value in (("--max-frames", args.max_frames), ("--screenshot", args.screenshot)):
            if value is not None:
                raise HudError(f"{flag} is for the window; with --headless use --frames and --out")
        if args.out is None:
            raise HudError("--headless needs --out DIR or --out FILE.mp4")
        if args.frames is not None and args.frames < 1:
            raise HudError("--frames must be at least 1")
        if args.frames is None and _no_source(args):
            raise HudError("--headless needs --frames N (or a frame source to run through)")
        check_frames_output(args.out)
        return RunOptions(
            headless=True, frames=args.frames, out=args.out, redact=not args.keep_faces
        )
    for flag, value in (("--frames", args.frames), ("--out", args.out)):
        if value is not None:
            raise HudError(f"{flag} needs --headless (the window takes --max-frames)")
    if args.screenshot is not None:
        check_output(args.screenshot, "--screenshot")  # not after the whole window session
    if args.max_frames is not None and args.max_frames < 1:
        raise HudError("--max-frames must be at least 1")
    return RunOptions(
        frames=args.max_frames,
        screenshot=args.screenshot,
        step_frames=args.step_frames,
        redact=not args.keep_faces,
    )


def _check_inputs(args: argparse.Namespace, scene: Scene, source: FrameSource | None) -> None:
    """The screenshot is none of the inputs (a frames output is new: it cannot be one)."""
    world = None if scene.world.image is None else scene.resolve(scene.world.image)
    files = [] if source is None else list(getattr(source, "files", ()))
    if args.screenshot is not None and world is not None and same_file(args.screenshot, world):
        raise HudError(f"--screenshot {args.screenshot} is the scene's world image")
    if args.screenshot is not None and any(same_file(args.screenshot, f) for f in files):
        raise HudError(f"--screenshot {args.screenshot} is one of the --images")


def run(args: argparse.Namespace) -> int:
    """Entry point of ``hud show``."""
    from hud.app import runners
    from hud.app.app import SceneViewer

    options = _run_options(args)
    scene = load_scene(args.scene)
    reg = registry_from_args(args)
    profiles = [profile_for(reg, n, scene) for n in args.profile or [None]]
    source = runners.open_world_source(args)
    try:
        _check_inputs(args, scene, source)
        app = SceneViewer(scene, profiles, parse_effects(args.effects), args.eye)
        count = runners.run(app, options, source)
    finally:
        if source is not None:
            source.close()
    if args.headless:
        print(f"wrote {count} frame(s) to {Path(args.out)}")
    else:
        print(f"shown {count} frame(s)")
    return 0


def _no_source(args: argparse.Namespace) -> bool:
    return all(getattr(args, k) is None for k in ("camera", "video", "images", "session"))
