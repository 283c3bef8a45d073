"""``hud render SCENE.json --out OUT.png``: the through-the-glasses view of a scene."""

from __future__ import annotations

import argparse
import math
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hud.cli.common import add_profile_options, profile_for, registry_from_args, same_file
from hud.errors import HudError
from hud.io.images import check_output, save_pngs
from hud.optics import EFFECTS, parse_effects
from hud.profiles import DisplayProfile
from hud.scene import DisplaySettings, Scene, load_scene

if TYPE_CHECKING:  # the pipeline imports OpenCV and moderngl: only when a command runs
    from hud.anchors import Eye
    from hud.app.pipeline import Rendered


def register(sub: Any) -> None:
    p = sub.add_parser(
        "render",
        help="render a scene through a pair of glasses to PNG",
        description="Render what the wearer sees: the world through the lens plus the display's light.",
    )
    p.add_argument("scene", help="scene file (JSON, version 1 or 2)")
    p.add_argument(
        "--out",
        required=True,
        help="through-the-glasses PNG (world image's size); an .mp4 or a folder renders the "
        "scene over time (head motion, streaming answers)",
    )
    p.add_argument("--time", type=float, help="render a still at this time of the scene (s)")
    p.add_argument("--fps", type=float, help="frames per second over time (default: the scene's)")
    p.add_argument("--display-out", help="also write the raw display frame (display resolution)")
    p.add_argument(
        "--eye",
        choices=("left", "right", "both"),
        help="eye of a binocular profile "
        "(default: the display eye; 'both' writes a side-by-side pair)",
    )
    p.add_argument("--effects", default="all", help=f"all, none or a list of: {','.join(EFFECTS)}")
    p.add_argument("--profile", help="override the scene's profile (name or TOML/JSON file)")
    p.add_argument("--ambient", type=float, help="override world.ambient_nits")
    p.add_argument("--brightness", help="override display brightness: 0-1 or 'auto'")
    p.add_argument(
        "--backend", choices=("headless", "window"), help="GL backend (default headless)"
    )
    add_profile_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from hud.render.renderer import eyes_for

    if _is_animation(args.out):
        return _run_animation(args)
    out = check_output(args.out, "--out")
    if args.display_out:
        check_output(args.display_out, "--display-out")
        if same_file(out, args.display_out):
            raise HudError("--out and --display-out are the same file")
    for option, path in (("--out", args.out), ("--display-out", args.display_out)):
        if path and same_file(path, args.scene):
            raise HudError(f"{option} {path} is the scene file; give another file name")
    effects = parse_effects(args.effects)
    scene = _scene_at_time(load_scene(args.scene), args.time)
    if scene.world.image is not None:
        world = scene.resolve(scene.world.image)
        for option, path in (("--out", args.out), ("--display-out", args.display_out)):
            if path and same_file(path, world):
                raise HudError(
                    f"{option} {path} is the scene's world image; give another file name"
                )
    if args.ambient is not None:
        if not 0.01 <= args.ambient <= 1e6:
            raise HudError(f"--ambient must be between 0.01 and 1e6 nits, got {args.ambient}")
        scene = replace(scene, world=replace(scene.world, ambient_nits=args.ambient))
    if args.brightness is not None:
        scene = replace(scene, display=DisplaySettings(brightness=_brightness(args.brightness)))
    reg = registry_from_args(args)
    profile = profile_for(reg, args.profile, scene)
    eyes = eyes_for(profile, args.eye)
    rendered = _render(scene, profile, eyes, effects, args.backend)
    if profile.eyes == 1 and any(e != profile.eye for e in eyes):
        print(
            f"note: {profile.name} has a display in the {profile.eye} eye only; the {_other(profile.eye)} "
            "eye sees the world through a plain lens",
            file=sys.stderr,
        )
    outputs = [(out, np.concatenate([rendered.composite[e] for e in eyes], axis=1))]
    if args.display_out:
        outputs.append(
            (Path(args.display_out), np.concatenate([rendered.display[e] for e in eyes], axis=1))
        )
    written = [str(p) for p in save_pngs(outputs)]  # both or neither
    b = rendered.brightness
    print(
        f"{profile.name}: {', '.join(str(e) for e in eyes)} eye, ambient {scene.world.ambient_nits:g} nits, "
        f"display {b * profile.peak_nits:.0f} nits ({b:.0%} of peak) -> {', '.join(written)}"
    )
    return 0


def _render(
    scene: Scene,
    profile: DisplayProfile,
    eyes: list[Eye],
    effects: frozenset[str],
    backend: str | None,
) -> Rendered:
    """One frame of the per-frame pipeline with nothing tracked: layout, render, optics."""
    from hud.app.pipeline import HudPipeline, HudPipelineOptions

    options = HudPipelineOptions(
        hands=None, composite=True, effects=effects, eyes=tuple(eyes), backend=backend
    )
    with HudPipeline(profile, options) as pipeline:
        return pipeline.render(scene, pipeline.layout(scene))


def _is_animation(out: str) -> bool:
    """An .mp4, a folder or a name without a suffix: frames over time."""
    p = Path(out)
    if p.suffix.lower() in (".png", ".mp4"):
        return p.suffix.lower() == ".mp4"
    return p.is_dir() or out.endswith(("/", os.sep)) or not p.suffix


def _scene_at_time(scene: Scene, t: float | None) -> Scene:
    """The scene as it stands at ``t`` (a still of an animated scene); itself when None."""
    from hud.layout.timeline import SceneTimeline
    from hud.scene import world_pixels

    if t is None:
        if scene.version < 2:
            return scene
        t = 0.0
    if not (math.isfinite(t) and 0 <= t <= 1e5):
        raise HudError(f"--time must be a time in seconds from 0, got {t}")
    world = world_pixels(scene)
    timeline = SceneTimeline(scene, (world.shape[1], world.shape[0]))
    return timeline.shown(timeline.at(t))


def _run_animation(args: argparse.Namespace) -> int:
    """The scene over time, frame by frame, into an MP4 or a folder of PNGs."""
    from hud.app.animate import animate_scene
    from hud.io.video import check_frames_output, open_frame_writer
    from hud.render.renderer import eyes_for

    if args.display_out or args.time is not None:
        raise HudError("--display-out and --time render one still: give --out a .png")
    if same_file(args.out, args.scene):
        raise HudError(f"--out {args.out} is the scene file; give another name")
    check_frames_output(args.out)
    effects = parse_effects(args.effects)
    scene = load_scene(args.scene)
    reg = registry_from_args(args)
    profile = profile_for(reg, args.profile, scene)
    eyes = tuple(eyes_for(profile, args.eye))
    fps = args.fps if args.fps is not None else scene.animation.fps
    if not (math.isfinite(fps) and 0 < fps <= 240):
        raise HudError(f"--fps must be between 0 and 240, got {fps}")
    from tqdm import tqdm

    with open_frame_writer(args.out, fps) as writer:
        frames = animate_scene(
            scene, profile, eyes=eyes, effects=effects, fps=fps, backend=args.backend
        )
        with tqdm(desc="render", unit="frame", disable=None, leave=False) as bar:
            for frame in frames:
                writer.write(np.concatenate([frame.composite[e] for e in eyes], axis=1))
                bar.update(1)
        writer.complete = True
    print(f"{profile.name}: {writer.count} frames at {fps:g} fps -> {args.out}")
    return 0


def _brightness(text: str) -> float | None:
    if text.strip().lower() == "auto":
        return None
    try:
        v = float(text)
    except ValueError:
        raise HudError(f"--brightness must be a number in 0-1 or 'auto', got '{text}'") from None
    if not 0.0 <= v <= 1.0:
        raise HudError(f"--brightness must be in 0-1, got {v}")
    return v


def _other(eye: str) -> str:
    return "left" if eye == "right" else "right"
