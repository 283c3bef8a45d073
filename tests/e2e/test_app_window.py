"""One HudApp in the window runner under Xvfb: the emulator's keys, the app's own keys
first, and the same picture the headless runner writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

_APP = """
import json, sys
import pyglet
from hud.app.app import HudApp
from hud.app.runners import RunOptions, WindowRunner, run_headless
from hud.scene import Card, Scene, World

class Keys(HudApp):
    profiles = ("orion", "rayban-display")
    hands = None
    effects = "none"

    def __init__(self, presses):
        world = World(image=None, width=160, height=120, color=(0.2, 0.25, 0.3))
        super().__init__(Scene(profile="orion", world=world, cards=(Card(id="c", title="keys"),)))
        self.presses = presses
        self.got = []

    def on_key_press(self, key):
        self.got.append(key)
        return key == "E"  # the app takes E: the effects toggle never sees it

    def on_frame(self, frame):
        if frame.index < len(self.presses) and self.presses[frame.index]:
            window = next(iter(pyglet.app.windows))
            symbol = getattr(pyglet.window.key, self.presses[frame.index])
            window.dispatch_event("on_key_press", symbol, 0)
        return None

presses = sys.argv[3].split(",") if sys.argv[3] else []
app = Keys(presses)
runner = WindowRunner(app, RunOptions(frames=len(presses) + 2, screenshot=sys.argv[1]))
shown = runner.run()
loop = runner.loop
print(json.dumps({
    "shown": shown, "got": app.got, "profile": loop.profile.name, "eye": str(loop.eye),
    "effects": sorted(loop.effects), "ambient": loop.ambient_nits, "pupil": loop.pupil_mm,
}))
if not presses:
    run_headless(Keys([]), RunOptions(headless=True, frames=1, out=sys.argv[2]))
"""


def _run(tmp_path: Path, xvfb: str, presses: str) -> dict:
    r = subprocess.run(
        [sys.executable, "-c", _APP, str(tmp_path / "w.png"), str(tmp_path / "h"), presses],
        capture_output=True,
        text=True,
        env={**os.environ, "DISPLAY": xvfb},
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    return dict(json.loads(r.stdout.splitlines()[-1]))


def test_window_keys_are_small_methods_after_the_apps_own(tmp_path: Path, xvfb: str) -> None:
    state = _run(tmp_path, xvfb, "P,A,A,E,L,LEFT,UP,UP")
    assert state["shown"] == 10
    assert state["got"] == ["P", "A", "A", "E", "L", "LEFT", "UP", "UP"]
    assert state["profile"] == "rayban-display" and state["eye"] == "left"
    assert state["effects"] == []  # E went to the app
    assert state["ambient"] == 2000.0  # 250 (the scene's) → 500 → 2000
    assert state["pupil"] == [-1.0, -2.0]


def test_the_window_shows_what_the_headless_runner_writes(tmp_path: Path, xvfb: str) -> None:
    state = _run(tmp_path, xvfb, "")
    assert state["shown"] == 2
    window = np.asarray(Image.open(tmp_path / "w.png")).astype(int)
    headless = np.asarray(Image.open(tmp_path / "h" / "frame-00000.png")).astype(int)
    assert window.shape == headless.shape == (120, 160, 3)
    assert np.abs(window - headless).max() <= 2 and headless.std() > 1
