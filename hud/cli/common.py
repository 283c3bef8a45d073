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
    """A profile by name, or from a ``.toml``/``.json`` path.

    The path a scene names (``name`` is the scene's own ``profile``) is relative to the
    scene file's folder; any other path was typed by the user (``--profile FILE``) and is
    relative to the working directory, as every path on a command line is. A command that
    knows which it has calls :func:`profile_for` instead.
    """
    in_scene = scene is not None and name == scene.profile
    return profile_for(reg, None if in_scene else name, scene)


def profile_for(reg: ProfileRegistry, option: str | None, scene: Scene | None) -> DisplayProfile:
    """The profile a command uses: ``option`` (a ``--profile`` name or file, relative to
    the working directory) when given, else the scene's own (relative to its folder)."""
    if option is not None:
        return get_profile(option, registry=reg)
    if scene is None:
        raise HudError("no display profile given")
    return get_profile(scene.profile, base_dir=scene.base_dir, registry=reg)


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
