"""Reading a scene: a JSON document validated into :class:`hud.scene.Scene`, and its world image.

:func:`parse_scene` validates a JSON document and reports the JSON path of the first bad
field (``$.cards[0].anchor``), because a user editing a scene by hand needs to know where.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from hud.errors import HudError, check_regular_file
from hud.io.images import load_rgb
from hud.scene.model import CARD_STATES, SCENE_VERSION, Card, DisplaySettings, Scene, Viewer, World
from hud.trackers.results import TrackedObject


class SceneError(HudError):
    """A scene file is missing, not JSON, or has a field that is wrong."""


def _fail(path: str, message: str) -> SceneError:
    return SceneError(f"{path}: {message}")


def _obj(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(path, f"expected an object, got {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)


def _number(value: Any, path: str, lo: float = -math.inf, hi: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _fail(path, f"expected a number, got {_kind(value)} {value!r}")
    if not lo <= value <= hi:
        raise _fail(path, f"must be between {lo:g} and {hi:g}, got {value!r}")
    return float(value)


def _string(value: Any, path: str, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise _fail(path, f"expected a string, got {_kind(value)}")
    if not allow_empty and not value.strip():
        raise _fail(path, "must not be empty")
    return value


def _vector(
    value: Any, path: str, n: int, lo: float = -math.inf, hi: float = math.inf
) -> tuple[float, ...]:
    if not isinstance(value, list) or len(value) != n:
        raise _fail(path, f"expected a list of {n} numbers, got {_kind(value)} {value!r}")
    return tuple(_number(v, f"{path}[{i}]", lo, hi) for i, v in enumerate(value))


def _check_keys(data: Mapping[str, Any], path: str, allowed: set[str]) -> None:
    for key in data:
        if key not in allowed:
            raise _fail(f"{path}.{key}", f"unknown field (allowed: {', '.join(sorted(allowed))})")


def _inside_scene_folder(name: str, path: str, base_dir: str | Path) -> None:
    """A file a scene names must be in the scene's folder or below it.

    Scenes are shared: one from someone else must not make a command read (and echo in
    its errors) files elsewhere on the machine, such as ``/etc/...`` or ``../../.ssh``.
    Symbolic links are followed before the check.
    """
    base = Path(base_dir).resolve()
    target = (base / name).resolve()
    if Path(name).is_absolute() or not target.is_relative_to(base):
        raise _fail(path, f"'{name}' is outside the scene's folder; put the file beside the scene")


def parse_scene(data: Any, base_dir: str | Path = ".") -> Scene:
    """Validate a decoded JSON scene (version 1) and return it as a :class:`Scene`."""
    root = _obj(data, "$")
    _check_keys(
        root,
        "$",
        {"version", "profile", "world", "objects", "cards", "viewer", "display", "description"},
    )
    version = root.get("version", SCENE_VERSION)
    if version != SCENE_VERSION:
        raise _fail("$.version", f"unsupported scene version {version!r} (this Waveglass reads 1)")
    if "profile" not in root:
        raise _fail("$.profile", 'missing (name a display profile, e.g. "rayban-display")')
    profile = _string(root["profile"], "$.profile")
    if profile.lower().endswith((".toml", ".json")):
        _inside_scene_folder(profile, "$.profile", base_dir)

    if "world" not in root:
        raise _fail("$.world", "missing")
    w = _obj(root["world"], "$.world")
    _check_keys(
        w, "$.world", {"image", "fov_h_deg", "ambient_nits", "depth_m", "color", "width", "height"}
    )
    image = _string(w["image"], "$.world.image") if "image" in w else None
    if image is not None:
        _inside_scene_folder(image, "$.world.image", base_dir)
    world = World(
        image=image,
        fov_h_deg=_number(w.get("fov_h_deg", 70.0), "$.world.fov_h_deg", 1.0, 170.0),
        ambient_nits=_number(w.get("ambient_nits", 250.0), "$.world.ambient_nits", 0.01, 1e6),
        depth_m=_number(w.get("depth_m", 3.0), "$.world.depth_m", 0.1, 1e4),
        color=_vector(w["color"], "$.world.color", 3, 0.0, 1.0)
        if "color" in w
        else (0.5, 0.5, 0.5),  # type: ignore[arg-type]
        width=int(_number(w.get("width", 1280), "$.world.width", 8, 8192)),
        height=int(_number(w.get("height", 720), "$.world.height", 8, 8192)),
    )

    objects: list[TrackedObject] = []
    raw_objects = root.get("objects", [])
    if not isinstance(raw_objects, list):
        raise _fail("$.objects", f"expected a list, got {_kind(raw_objects)}")
    for i, item in enumerate(raw_objects):
        p = f"$.objects[{i}]"
        o = _obj(item, p)
        _check_keys(o, p, {"id", "label", "box", "depth_m"})
        if "id" not in o:
            raise _fail(f"{p}.id", "missing")
        oid = _string(o["id"], f"{p}.id")
        if any(prev.id == oid for prev in objects):
            raise _fail(f"{p}.id", f"duplicate object id '{oid}'")
        if "box" not in o:
            raise _fail(f"{p}.box", "missing ([x0, y0, x1, y1] in 0-1 image coordinates)")
        box = _vector(o["box"], f"{p}.box", 4, 0.0, 1.0)
        if box[2] <= box[0] or box[3] <= box[1]:
            raise _fail(f"{p}.box", f"needs x0 < x1 and y0 < y1, got {list(box)}")
        objects.append(
            TrackedObject(
                id=oid,
                label=_string(o.get("label", oid), f"{p}.label"),
                box=box,  # type: ignore[arg-type]
                depth_m=_number(o["depth_m"], f"{p}.depth_m", 0.1, 1e4) if "depth_m" in o else None,
            )
        )

    cards: list[Card] = []
    raw_cards = root.get("cards", [])
    if not isinstance(raw_cards, list):
        raise _fail("$.cards", f"expected a list, got {_kind(raw_cards)}")
    ids = {o.id for o in objects}
    for i, item in enumerate(raw_cards):
        p = f"$.cards[{i}]"
        c = _obj(item, p)
        _check_keys(c, p, {"id", "anchor", "title", "body", "state"})
        if "title" not in c:
            raise _fail(f"{p}.title", "missing")
        anchor = c.get("anchor")
        if anchor is not None:
            anchor = _string(anchor, f"{p}.anchor")
            if anchor not in ids:
                known = ", ".join(sorted(ids)) or "none"
                raise _fail(f"{p}.anchor", f"no object with id '{anchor}' (objects: {known})")
        state = _string(c.get("state", "done"), f"{p}.state")
        if state not in CARD_STATES:
            raise _fail(f"{p}.state", f"unknown state '{state}' (one of {', '.join(CARD_STATES)})")
        cards.append(
            Card(
                id=_string(c.get("id", f"card{i}"), f"{p}.id"),
                title=_string(c["title"], f"{p}.title"),
                body=_string(c.get("body", ""), f"{p}.body", allow_empty=True),
                anchor=anchor,
                state=state,
            )
        )

    viewer = Viewer()
    if "viewer" in root:
        v = _obj(root["viewer"], "$.viewer")
        _check_keys(v, "$.viewer", {"pupil_offset_mm", "head_rate_dps"})
        viewer = Viewer(
            pupil_offset_mm=_vector(
                v.get("pupil_offset_mm", [0, 0]), "$.viewer.pupil_offset_mm", 2, -30, 30
            ),  # type: ignore[arg-type]
            head_rate_dps=_vector(
                v.get("head_rate_dps", [0, 0]), "$.viewer.head_rate_dps", 2, -2000, 2000
            ),  # type: ignore[arg-type]
        )
    display = DisplaySettings()
    if "display" in root:
        d = _obj(root["display"], "$.display")
        _check_keys(d, "$.display", {"brightness"})
        b = d.get("brightness", "auto")
        display = DisplaySettings(
            brightness=None if b == "auto" else _number(b, "$.display.brightness", 0.0, 1.0)
        )
    return Scene(
        profile=profile,
        world=world,
        objects=tuple(objects),
        cards=tuple(cards),
        viewer=viewer,
        display=display,
        base_dir=str(base_dir),
        version=SCENE_VERSION,
    )


def load_scene(path: str | Path) -> Scene:
    """Read and validate a scene file; every failure is a one-line :class:`SceneError`."""
    p = Path(path)
    check_regular_file(p, "scene")
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SceneError(f"scene file not found: {p}") from None
    except IsADirectoryError:
        raise SceneError(f"scene path is a folder, not a file: {p}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SceneError(f"cannot read scene file {p}: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SceneError(
            f"{p}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except RecursionError:
        raise SceneError(f"{p}: JSON nested too deeply to be a scene") from None
    except ValueError as exc:  # an integer of more digits than Python converts
        raise SceneError(f"{p}: not a usable JSON document ({exc})") from None
    try:
        return parse_scene(data, base_dir=p.parent)
    except SceneError as exc:
        raise SceneError(f"{p}: {exc.message}") from None


def world_pixels(scene: Scene) -> npt.NDArray[np.uint8]:
    """The scene's world as pixels: its image, or a solid colour of the given size."""
    if scene.world.image is not None:
        return load_rgb(scene.resolve(scene.world.image))
    c = np.round(np.asarray(scene.world.color) * 255).astype(np.uint8)
    return np.broadcast_to(c, (scene.world.height, scene.world.width, 3)).copy()
