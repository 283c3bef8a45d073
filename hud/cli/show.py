"""``hud show SCENE.json``: the desktop emulator window for a scene."""

from __future__ import annotations

import argparse
from typing import Any

from hud.cli.common import add_profile_options, registry_from_args, resolve_profile, same_file
from hud.errors import HudError
from hud.io.images import check_output
from hud.optics import EFFECTS, parse_effects
from hud.scene import load_scene


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
    add_profile_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.screenshot is not None:
        check_output(args.screenshot, "--screenshot")  # not after the whole window session
    scene = load_scene(args.scene)
    world = None if scene.world.image is None else scene.resolve(scene.world.image)
    if args.screenshot is not None and world is not None and same_file(args.screenshot, world):
        raise HudError(f"--screenshot {args.screenshot} is the scene's world image")
    reg = registry_from_args(args)
    names = args.profile or [scene.profile]
    profiles = [resolve_profile(reg, n, scene) for n in names]
    if args.max_frames is not None and args.max_frames < 1:
        raise HudError("--max-frames must be at least 1")
    from hud.render.window import show

    source = None
    if any(getattr(args, k) is not None for k in ("camera", "video", "images", "session")):
        from hud.io.sources import open_source

        source = open_source(
            camera=args.camera, video=args.video, images=args.images, session=args.session
        )
        files = getattr(source, "files", ())  # an image sequence's images
        if args.screenshot is not None and any(same_file(args.screenshot, f) for f in files):
            source.close()
            raise HudError(f"--screenshot {args.screenshot} is one of the --images")
    try:
        frames = None if source is None else ((f.timestamp_ms, f.rgb) for f in source)
        shown = show(
            scene,
            profiles,
            parse_effects(args.effects),
            eye=args.eye,
            max_frames=args.max_frames,
            screenshot=args.screenshot,
            world_frames=frames,
            step_frames=args.step_frames,
        )
    finally:
        if source is not None:
            source.close()
    print(f"shown {shown} frame(s)")
    return 0
