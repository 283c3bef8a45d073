"""The embedded default session of ``hud emulate``: a real desk, a scripted wearer.

With no camera and no arguments the emulator plays what ships in ``hud/app/embedded/``
(see its README): a real photo with printed ArUco markers, warped to what a moving head
would see (so the markers are found afresh by the real tracker every frame), a script of
where the wearer looks and what their hand does (fed to the input simulator, whose hand
landmarks go through the real gesture recognisers), and an offline knowledge file. So
``make demo`` shows the whole product working on any machine, with no network.

A script is untrusted input like any file: it is size-limited and checked, and every
failure is one :class:`ScriptError` line.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from hud.app.animate import warp_world
from hud.errors import HudError, check_regular_file, quote
from hud.io.sources import Frame, FrameSource
from hud.layout.timeline import SceneTimeline
from hud.scene import Scene, TrackedObject, load_scene, world_pixels

#: The folder of the embedded session (package data).
EMBEDDED_DIR = Path(__file__).resolve().parent / "embedded"
#: Largest script read (bytes).
MAX_SCRIPT_BYTES = 1024 * 1024
#: Keys a script may press: the simulator's pinch, swipes, thumb and pose keys.
SCRIPT_KEYS = frozenset({"SPACE", "LEFT", "RIGHT", "UP", "DOWN", "W", "S", "T", "H", *"1234567"})


class ScriptError(HudError, ValueError):
    """An input script that cannot be read or has a wrong action."""


@dataclass(frozen=True)
class ScriptAction:
    """One thing the scripted wearer does at ``t_s``: look at an object (``look``: its
    id; the gaze follows it), look away (``look=""``), or press/release a key."""

    t_s: float
    look: str | None = None
    press: str | None = None
    release: str | None = None


@dataclass(frozen=True)
class InputScript:
    """The scripted wearer: time-ordered actions and the question asked per language."""

    actions: tuple[ScriptAction, ...]
    question: dict[str, str]

    def due(self, after_s: float, until_s: float) -> list[ScriptAction]:
        """Actions with ``after_s < t_s <= until_s`` (a frame's share of the script)."""
        return [a for a in self.actions if after_s < a.t_s <= until_s]


def load_script(path: str | Path) -> InputScript:
    """Read and check a JSON input script (see ``hud/app/embedded/script.json``)."""
    p = Path(path)
    check_regular_file(p, "input script")
    try:
        if p.stat().st_size > MAX_SCRIPT_BYTES:
            raise ScriptError(f"{p}: larger than {MAX_SCRIPT_BYTES // 1024} KiB")
        data = json.loads(p.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise ScriptError(f"input script not found: {p}") from None
    except OSError as exc:
        raise ScriptError(f"cannot read input script {p}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ScriptError(f"{p}: not a JSON input script ({type(exc).__name__})") from None
    return parse_script(data, str(p))


def parse_script(data: Any, where: str = "script") -> InputScript:
    if not isinstance(data, dict) or not isinstance(data.get("actions"), list):
        raise ScriptError(f"{where}: needs a list 'actions'")
    actions = [_action(raw, f"{where}: actions[{i}]") for i, raw in enumerate(data["actions"])]
    for before, after in itertools.pairwise(actions):
        if after.t_s < before.t_s:
            raise ScriptError(f"{where}: actions must be in time order ({after.t_s:g} s)")
    question = data.get("question", {"en": "What is this?"})
    if not isinstance(question, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and 0 < len(v) <= 500 for k, v in question.items()
    ):
        raise ScriptError(f"{where}: 'question' must map languages to short texts")
    return InputScript(tuple(actions), dict(question))


def _action(raw: Any, where: str) -> ScriptAction:
    if not isinstance(raw, dict):
        raise ScriptError(f"{where}: expected an object")
    t = raw.get("t_s")
    if isinstance(t, bool) or not isinstance(t, (int, float)) or not (0 <= t < 1e6):
        raise ScriptError(f"{where}.t_s: expected seconds from 0")
    kinds = [k for k in ("look", "away", "press", "release") if k in raw]
    if len(kinds) != 1 or set(raw) - {"t_s", *kinds}:
        raise ScriptError(f"{where}: give one of look, away, press or release")
    kind = kinds[0]
    if kind == "away":
        return ScriptAction(float(t), look="")
    value = raw[kind]
    if not isinstance(value, str) or not value or len(value) > 64:
        raise ScriptError(f"{where}.{kind}: expected a name")
    if kind != "look" and value.upper() not in SCRIPT_KEYS:
        raise ScriptError(f"{where}.{kind}: unknown key {quote(value)}")
    if kind == "look":
        return ScriptAction(float(t), look=value)
    if kind == "press":
        return ScriptAction(float(t), press=value.upper())
    return ScriptAction(float(t), release=value.upper())


@dataclass(frozen=True)
class EmbeddedSession:
    """The world (a scene with a photo and a head path), the wearer's script and the
    offline knowledge of the embedded default."""

    scene: Scene
    script: InputScript
    knowledge: Path

    @property
    def duration_s(self) -> float:
        return self.scene.duration_s()


def load_embedded(folder: str | Path = EMBEDDED_DIR) -> EmbeddedSession:
    """The embedded session (or one laid out the same way in ``folder``)."""
    root = Path(folder)
    return EmbeddedSession(
        load_scene(root / "scene.json"),
        load_script(root / "script.json"),
        root / "knowledge.toml",
    )


class SceneWorldSource(FrameSource):
    """Camera frames of a scene's world photo as its head path moves: the photo warped to
    each frame's view, at ``fps`` for the scene's duration (or ``frames``)."""

    def __init__(self, scene: Scene, fps: float | None = None, frames: int | None = None):
        self.scene = scene
        self.fps: float = float(fps or scene.animation.fps)
        if not (math.isfinite(self.fps) and 0 < self.fps <= 240):
            raise HudError(f"frames per second must be 1 to 240, got {self.fps:g}")
        self.world = world_pixels(scene)
        self.timeline = SceneTimeline(scene, (int(self.world.shape[1]), int(self.world.shape[0])))
        duration = self.timeline.duration_s()
        self.frame_count = frames or max(1, int(math.floor(duration * self.fps + 1e-9)) + 1)
        self.description = f"embedded session ({Path(scene.base_dir).name})"

    def objects_at(self, t_s: float) -> tuple[TrackedObject, ...]:
        """The scene's own objects where the moved head sees them at ``t_s``."""
        return self.timeline.at(t_s).objects

    def frame_at(self, t_s: float) -> npt.NDArray[np.uint8]:
        return warp_world(self.world, self.timeline.at(t_s).homography)

    def __iter__(self) -> Iterator[Frame]:
        for i in range(self.frame_count):
            t_ms = round(i * 1000 / self.fps)
            yield Frame(i, t_ms, self.frame_at(t_ms / 1000.0))


__all__ = [
    "EMBEDDED_DIR",
    "EmbeddedSession",
    "InputScript",
    "SceneWorldSource",
    "ScriptAction",
    "ScriptError",
    "load_embedded",
    "load_script",
    "parse_script",
]
