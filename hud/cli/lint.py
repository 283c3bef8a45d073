"""``hud lint SCENE.json``: will the scene's answer cards be legible on the glasses?

Checks every card on each profile asked for (the scene's own by default) with
:func:`hud.layout.lint.lint_scene` and prints one line per finding, or JSON. Exit status
1 when anything is found and 0 when nothing is, so a script or CI job can gate on it; bad
input is one error line and exit status 2, as in every command.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import Any

from hud.cli.common import add_profile_options, profile_for, registry_from_args
from hud.errors import escape_controls
from hud.layout.lint import Finding, lint_scene
from hud.optics import auto_brightness
from hud.profiles import DisplayProfile
from hud.scene import Scene, load_scene


def register(sub: Any) -> None:
    p = sub.add_parser(
        "lint",
        help="check that a scene's cards are legible on a pair of glasses",
        description="Check each answer card for legibility: text size in degrees, contrast "
        "over the world, the glance budget, cards off the display and long titles. Exit "
        "status 1 when anything is found.",
    )
    p.add_argument("scene", help="scene file (JSON, version 1 or 2)")
    p.add_argument(
        "--profile",
        action="append",
        default=[],
        metavar="PROFILE",
        help="check on this profile, a name or a TOML/JSON file (repeatable; default: the "
        "scene's own)",
    )
    p.add_argument("--json", action="store_true", help="print the findings as one JSON object")
    add_profile_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    scene = load_scene(args.scene)
    profiles = _profiles(args, scene)
    findings: list[Finding] = []
    for profile in profiles:
        findings += _lint(scene, profile)
    names = [p.name for p in profiles]
    if args.json:
        doc = {
            "findings": [asdict(f) for f in findings],
            "profiles": names,
            "cards": len(scene.cards),
        }
        print(json.dumps(doc, indent=2))
    else:
        for f in findings:
            print(escape_controls(f"card {f.card_id} on {f.profile}: {f.message}"))
        verdict = f"{len(findings)} finding(s)" if findings else "no findings"
        print(
            escape_controls(f"{len(scene.cards)} card(s) on {', '.join(names)}: {verdict}"),
            file=sys.stderr,
        )
    return 1 if findings else 0


def _profiles(args: argparse.Namespace, scene: Scene) -> list[DisplayProfile]:
    """The profiles asked for, each once, in the order given (the scene's own if none)."""
    reg = registry_from_args(args)
    options = args.profile or [None]
    profiles: dict[str, DisplayProfile] = {}
    for option in options:
        profile = profile_for(reg, option, scene)
        profiles.setdefault(profile.name, profile)
    return list(profiles.values())


def _lint(scene: Scene, profile: DisplayProfile) -> list[Finding]:
    """The scene's findings on one profile, at the brightness the renderer would use."""
    brightness = scene.display.brightness
    if brightness is None:
        brightness = auto_brightness(profile, scene.world.ambient_nits)
    return lint_scene(scene, profile, brightness=brightness)
