"""Options shared by commands that render: profile lookup, effects, backend."""

from __future__ import annotations

import argparse
from pathlib import Path

from hud.profiles import DisplayProfile, ProfileRegistry
from hud.scene import Scene


def add_profile_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--profiles-file",
        action="append",
        default=[],
        metavar="FILE",
        help="load extra display profiles from a TOML or JSON file (repeatable)",
    )


def registry_from_args(args: argparse.Namespace) -> ProfileRegistry:
    reg = ProfileRegistry()
    for path in getattr(args, "profiles_file", []) or []:
        reg.add_file(path)
    return reg


def resolve_profile(reg: ProfileRegistry, name: str, scene: Scene | None = None) -> DisplayProfile:
    """A profile by name, or from a ``.toml``/``.json`` path (relative to the scene file)."""
    if name.lower().endswith((".toml", ".json")):
        path = scene.resolve(name) if scene is not None else Path(name)
        loaded = reg.add_file(path)
        return loaded[0]
    return reg.get(name)
