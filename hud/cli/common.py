"""Options shared by commands that render: profile lookup, effects, backend."""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path

from hud.errors import HudError
from hud.profiles import DisplayProfile, ProfileRegistry, get_profile
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
    return get_profile(name, base_dir=None if scene is None else scene.base_dir, registry=reg)


def check_marker_size(marker_size: float | None) -> None:
    """``--marker-size``, when given, must be a finite positive length (metres)."""
    if marker_size is not None and not (math.isfinite(marker_size) and marker_size > 0):
        raise HudError(f"--marker-size must be a positive length in metres, got {marker_size}")


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether two paths name one file: hard and symbolic links count.

    Uses :func:`os.path.samefile` when both exist, else compares the resolved paths.
    Commands use it to refuse an output that would overwrite one of their inputs.
    """
    try:
        return os.path.samefile(a, b)
    except OSError:
        return Path(a).resolve() == Path(b).resolve()
