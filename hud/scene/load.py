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

from hud.errors import HudError, check_regular_file, escape_controls, quote
from hud.io.images import load_rgb
from hud.scene.model import (
    CARD_SOLVERS,
    CARD_STATES,
    SCENE_VERSIONS,
    Animation,
    Card,
    DisplaySettings,
    HeadKeyframe,
    HeadPath,
    ObjectPose,
    PosedObject,
    Scene,
    StreamChunk,
    Viewer,
    World,
)
from hud.trackers.results import TrackedObject


class SceneError(HudError):
    """A scene file is missing, not JSON, or has a field that is wrong."""


def _fail(path: str, message: str) -> SceneError:
    """The error for a bad field; control characters in it (from an id, an anchor, a key
    of the scene) are escaped, so it stays one line that cannot drive a terminal."""
    return SceneError(escape_controls(f"{path}: {message}"))


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
        raise _fail(path, f"expected a number, got {_kind(value)} {quote(value)}")
    if not lo <= value <= hi:
        raise _fail(path, f"must be between {lo:g} and {hi:g}, got {quote(value)}")
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
        raise _fail(path, f"expected a list of {n} numbers, got {_kind(value)} {quote(value)}")
    return tuple(_number(v, f"{path}[{i}]", lo, hi) for i, v in enumerate(value))


#: Fields a JSON document must have to be taken for a scene (see :func:`_check_keys`).
_SCENE_REQUIRED = ("profile", "world")


def _check_keys(data: Mapping[str, Any], path: str, allowed: set[str]) -> None:
    """Refuse a field not in ``allowed``, naming it quoted (:func:`quote`).

    A document that is not a scene at all (its top level lacks ``profile`` or ``world``)
    has its content never echoed: a file of secrets given as a scene is named as not a
    scene, not listed key by key.
    """
    unknown = [key for key in data if key not in allowed]
    if not unknown:
        return
    if path == "$":
        missing = [key for key in _SCENE_REQUIRED if key not in data]
        if missing:
            raise _fail(
                "$",
                f"not a scene: it has no {' or '.join(repr(k) for k in missing)} and "
                f"{len(unknown)} field(s) a scene does not have",
            )
    key = unknown[0]
    # A plain name reads as a JSON path step; anything else is quoted (and shortened).
    plain = isinstance(key, str) and key.isidentifier() and len(key) <= 40
    step = f".{key}" if plain else f"[{quote(key)}]"
    raise _fail(f"{path}{step}", f"unknown field (allowed: {', '.join(sorted(allowed))})")


def _inside_scene_folder(name: str, path: str, base_dir: str | Path) -> None:
    """A file a scene names must be in the scene's folder or below it.

    Scenes are shared: one from someone else must not make a command read (and echo in
    its errors) files elsewhere on the machine, such as ``/etc/...`` or ``../../.ssh``.
    Symbolic links are followed before the check.
    """
    base = Path(base_dir).resolve()
    target = (base / name).resolve()
    if Path(name).is_absolute() or not target.is_relative_to(base):
        raise _fail(
            path, f"{quote(name)} is outside the scene's folder; put the file beside the scene"
        )


def parse_scene(data: Any, base_dir: str | Path = ".") -> Scene:
    """Validate a decoded JSON scene (version 1 or 2) and return it as a :class:`Scene`."""
    root = _obj(data, "$")
    _check_keys(
        root,
        "$",
        {"version", "profile", "world", "objects", "cards", "viewer", "display", "description"}
        | {"head", "animation"},
    )
    version = root.get("version", 1)
    if isinstance(version, bool) or version not in SCENE_VERSIONS:
        raise _fail(
            "$.version",
            f"unsupported scene version {quote(version)} (this Waveglass reads 1 and 2)",
        )
    if version == 1:
        for key in ("head", "animation"):
            if key in root:
                raise _fail(f"$.{key}", 'needs "version": 2')
    if "profile" not in root:
        raise _fail("$.profile", 'missing (name a display profile, e.g. "rayban-display")')
    profile = _string(root["profile"], "$.profile")
    if profile.lower().endswith((".toml", ".json")):
        _inside_scene_folder(profile, "$.profile", base_dir)
    if "world" not in root:
        raise _fail("$.world", "missing")
    objects, posed = _parse_objects(root.get("objects", []), version)
    ids = {o.id for o in objects} | {o.id for o in posed}
    return Scene(
        profile=profile,
        world=_parse_world(root["world"], base_dir),
        objects=objects,
        cards=_parse_cards(root.get("cards", []), ids, version),
        viewer=_parse_viewer(root["viewer"]) if "viewer" in root else Viewer(),
        display=_parse_display(root["display"]) if "display" in root else DisplaySettings(),
        posed=posed,
        head=_parse_head(root["head"], base_dir) if "head" in root else None,
        animation=_parse_animation(root["animation"]) if "animation" in root else Animation(),
        base_dir=str(base_dir),
        version=int(version),
    )


def _parse_world(value: Any, base_dir: str | Path) -> World:
    w = _obj(value, "$.world")
    _check_keys(
        w, "$.world", {"image", "fov_h_deg", "ambient_nits", "depth_m", "color", "width", "height"}
    )
    image = _string(w["image"], "$.world.image") if "image" in w else None
    if image is not None:
        _inside_scene_folder(image, "$.world.image", base_dir)
    return World(
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


def _parse_objects(
    raw: Any, version: int
) -> tuple[tuple[TrackedObject, ...], tuple[PosedObject, ...]]:
    """Objects with a box in the world image, and (version 2) objects with a 6-DoF pose."""
    if not isinstance(raw, list):
        raise _fail("$.objects", f"expected a list, got {_kind(raw)}")
    objects: list[TrackedObject] = []
    posed: list[PosedObject] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        p = f"$.objects[{i}]"
        o = _obj(item, p)
        _check_keys(o, p, {"id", "label", "box", "depth_m", "pose"})
        if "id" not in o:
            raise _fail(f"{p}.id", "missing")
        oid = _string(o["id"], f"{p}.id")
        if oid in seen:
            raise _fail(f"{p}.id", f"duplicate object id {quote(oid)}")
        seen.add(oid)
        label = _string(o.get("label", oid), f"{p}.label")
        if "pose" in o:
            if version < 2:
                raise _fail(f"{p}.pose", 'needs "version": 2')
            if "box" in o:
                raise _fail(f"{p}.box", "give a box or a pose, not both")
            posed.append(PosedObject(oid, label, _parse_pose(o["pose"], f"{p}.pose")))
            continue
        if "box" not in o:
            raise _fail(f"{p}.box", "missing ([x0, y0, x1, y1] in 0-1 image coordinates)")
        box = _vector(o["box"], f"{p}.box", 4, 0.0, 1.0)
        if box[2] <= box[0] or box[3] <= box[1]:
            raise _fail(f"{p}.box", f"needs x0 < x1 and y0 < y1, got {list(box)}")
        depth = _number(o["depth_m"], f"{p}.depth_m", 0.1, 1e4) if "depth_m" in o else None
        objects.append(TrackedObject(oid, label, box, depth))  # type: ignore[arg-type]
    return tuple(objects), tuple(posed)


def _parse_pose(value: Any, path: str) -> ObjectPose:
    d = _obj(value, path)
    _check_keys(d, path, {"position_m", "rotation_xyzw", "size_m"})
    if "position_m" not in d:
        raise _fail(f"{path}.position_m", "missing ([x, y, z] metres: right, down, forward)")
    pos = _vector(d["position_m"], f"{path}.position_m", 3, -1e4, 1e4)
    rot = _vector(d.get("rotation_xyzw", [0, 0, 0, 1]), f"{path}.rotation_xyzw", 4, -1e3, 1e3)
    norm = math.sqrt(sum(c * c for c in rot))
    if norm < 1e-6:
        raise _fail(f"{path}.rotation_xyzw", "must not be the zero quaternion")
    size = _vector(d.get("size_m", [0.2, 0.2]), f"{path}.size_m", 2, 1e-3, 1e3)
    return ObjectPose(
        pos,  # type: ignore[arg-type]
        tuple(c / norm for c in rot),  # type: ignore[arg-type]
        size,  # type: ignore[arg-type]
    )


_CARD_KEYS_V1 = {"id", "anchor", "title", "body", "state"}
_CARD_KEYS_V2 = _CARD_KEYS_V1 | {"stream", "solver", "icon", "appear_s", "dismiss_s"}


def _parse_cards(raw: Any, ids: set[str], version: int) -> tuple[Card, ...]:
    if not isinstance(raw, list):
        raise _fail("$.cards", f"expected a list, got {_kind(raw)}")
    cards: list[Card] = []
    for i, item in enumerate(raw):
        p = f"$.cards[{i}]"
        c = _obj(item, p)
        if version < 2:
            for key in c:
                if key in _CARD_KEYS_V2 - _CARD_KEYS_V1:
                    raise _fail(f"{p}.{key}", 'needs "version": 2')
        _check_keys(c, p, _CARD_KEYS_V2)
        if "title" not in c:
            raise _fail(f"{p}.title", "missing")
        anchor = c.get("anchor")
        if anchor is not None:
            anchor = _string(anchor, f"{p}.anchor")
            if anchor not in ids:
                known = ", ".join(sorted(ids)) or "none"
                raise _fail(
                    f"{p}.anchor",
                    f"no object with id {quote(anchor)} (objects: {quote(known, 80)})",
                )
        state = _choice(c.get("state", "done"), f"{p}.state", CARD_STATES, "state")
        solver = _choice(
            c.get("solver", "object" if anchor else "tag-along"),
            f"{p}.solver",
            CARD_SOLVERS,
            "solver",
        )
        if solver == "object" and anchor is None:
            raise _fail(f"{p}.solver", "an object-locked card needs an anchor")
        appear = _number(c.get("appear_s", 0.0), f"{p}.appear_s", 0.0, 1e5)
        dismiss = (
            _number(c["dismiss_s"], f"{p}.dismiss_s", appear, 1e5)
            if c.get("dismiss_s") is not None
            else None
        )
        cards.append(
            Card(
                id=_string(c.get("id", f"card{i}"), f"{p}.id"),
                title=_string(c["title"], f"{p}.title"),
                body=_string(c.get("body", ""), f"{p}.body", allow_empty=True),
                anchor=anchor,
                state=state,
                stream=_parse_stream(c.get("stream", []), f"{p}.stream"),
                solver=solver if "solver" in c else "",
                icon=_string(c.get("icon", ""), f"{p}.icon", allow_empty=True)[:2],
                appear_s=appear,
                dismiss_s=dismiss,
            )
        )
    return tuple(cards)


def _choice(value: Any, path: str, allowed: tuple[str, ...], what: str) -> str:
    text = _string(value, path)
    if text not in allowed:
        raise _fail(path, f"unknown {what} {quote(text)} (one of {', '.join(allowed)})")
    return text


def _parse_stream(raw: Any, path: str) -> tuple[StreamChunk, ...]:
    """Timed chunks of an answer: ``[{"t_s": 0.4, "text": "The "}, ...]`` in time order."""
    if not isinstance(raw, list):
        raise _fail(path, f"expected a list, got {_kind(raw)}")
    chunks: list[StreamChunk] = []
    for i, item in enumerate(raw):
        p = f"{path}[{i}]"
        d = _obj(item, p)
        _check_keys(d, p, {"t_s", "text"})
        t = _number(d.get("t_s"), f"{p}.t_s", 0.0, 1e5)
        if chunks and t < chunks[-1].t_s:
            raise _fail(
                f"{p}.t_s", f"chunks must be in time order ({t:g} s after {chunks[-1].t_s:g} s)"
            )
        chunks.append(StreamChunk(t, _string(d.get("text"), f"{p}.text", allow_empty=True)))
    return tuple(chunks)


def _parse_head(value: Any, base_dir: str | Path) -> HeadPath:
    d = _obj(value, "$.head")
    _check_keys(d, "$.head", {"trace", "start_s", "keyframes"})
    trace = _string(d["trace"], "$.head.trace") if "trace" in d else None
    if trace is not None:
        _inside_scene_folder(trace, "$.head.trace", base_dir)
    raw = d.get("keyframes", [])
    if not isinstance(raw, list):
        raise _fail("$.head.keyframes", f"expected a list, got {_kind(raw)}")
    if trace is not None and raw:
        raise _fail("$.head.keyframes", "give a trace or keyframes, not both")
    keys: list[HeadKeyframe] = []
    for i, item in enumerate(raw):
        p = f"$.head.keyframes[{i}]"
        k = _obj(item, p)
        _check_keys(k, p, {"t_s", "yaw_deg", "pitch_deg", "roll_deg"})
        t = _number(k.get("t_s"), f"{p}.t_s", 0.0, 1e5)
        if keys and t <= keys[-1].t_s:
            raise _fail(
                f"{p}.t_s", f"keyframes must be in time order ({t:g} s after {keys[-1].t_s:g} s)"
            )
        angles = [
            _number(k.get(a, 0.0), f"{p}.{a}", -180.0, 180.0)
            for a in ("yaw_deg", "pitch_deg", "roll_deg")
        ]
        keys.append(HeadKeyframe(t, *angles))
    if trace is None and not keys:
        raise _fail("$.head", "needs a trace (a TUM file) or keyframes")
    return HeadPath(trace, _number(d.get("start_s", 0.0), "$.head.start_s", 0.0, 1e6), tuple(keys))


def _parse_animation(value: Any) -> Animation:
    d = _obj(value, "$.animation")
    _check_keys(d, "$.animation", {"duration_s", "fps"})
    return Animation(
        duration_s=_number(d.get("duration_s", 0.0), "$.animation.duration_s", 0.0, 3600.0),
        fps=_number(d.get("fps", 30.0), "$.animation.fps", 1.0, 240.0),
    )


def _parse_viewer(value: Any) -> Viewer:
    v = _obj(value, "$.viewer")
    _check_keys(v, "$.viewer", {"pupil_offset_mm", "head_rate_dps"})
    return Viewer(
        pupil_offset_mm=_vector(
            v.get("pupil_offset_mm", [0, 0]), "$.viewer.pupil_offset_mm", 2, -30, 30
        ),  # type: ignore[arg-type]
        head_rate_dps=_vector(
            v.get("head_rate_dps", [0, 0]), "$.viewer.head_rate_dps", 2, -2000, 2000
        ),  # type: ignore[arg-type]
    )


def _parse_display(value: Any) -> DisplaySettings:
    d = _obj(value, "$.display")
    _check_keys(d, "$.display", {"brightness"})
    b = d.get("brightness", "auto")
    return DisplaySettings(
        brightness=None if b == "auto" else _number(b, "$.display.brightness", 0.0, 1.0)
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
