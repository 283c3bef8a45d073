"""``hud emulate``'s window under Xvfb: the embedded session in a real window, its keys
(help, overlays, profile, screenshot, recording) and what they save."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from xdisplay import virtual_display

pytestmark = pytest.mark.e2e

_RUN = """
import json, sys
import pyglet
from hud.app.emulate import Emulator, EmulatorOptions
from hud.app.emulate_window import EmulatorWindow

PRESSES = {3: "SLASH", 5: "F3", 8: "C", 10: "V", 22: "V", 24: "P", 26: "SLASH"}

class Scripted(EmulatorWindow):
    def present(self, surface, loop):
        key = PRESSES.get(loop.index)
        if key is not None and key not in self.done:
            self.done.add(key + str(loop.index))
            window = next(iter(pyglet.app.windows))
            window.dispatch_event("on_key_press", getattr(pyglet.window.key, key), 0)
        super().present(surface, loop)

with Emulator(EmulatorOptions(profiles=("orion", "rayban-display"))) as emulator:
    runner = Scripted(emulator, 30, "final.png")
    runner.done = set()
    shown = runner.run()
    print(json.dumps({
        "shown": shown, "profile": runner.loop.profile.name,
        "overlays": sorted(emulator.overlays), "help": runner.show_help,
        "message": runner.message, "log": emulator.app.log,
    }))
"""


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    with virtual_display("1600x1200x24") as d:  # the embedded world is 1280×960
        yield d


def test_the_emulator_window_runs_its_keys_and_saves_faces_blurred(
    tmp_path: Path, display: str
) -> None:
    r = subprocess.run(
        [sys.executable, "-c", _RUN],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "DISPLAY": display},
        timeout=300,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    state = json.loads(r.stdout.splitlines()[-1])
    assert state["shown"] == 30
    assert state["profile"] == "rayban-display"  # P at frame 24
    assert state["overlays"] == ["fov"] and state["help"] is False
    assert state["message"].startswith("recorded ")
    shot = np.asarray(Image.open(tmp_path / "emulator-0.png"))
    assert shot.shape == (960, 1280, 3)
    final = np.asarray(Image.open(tmp_path / "final.png"))
    assert final.shape == (960, 1280, 3) and final.std() > 10
    from hud.io.session import SessionReader

    with SessionReader(tmp_path / "emulator-0.wgsession") as reader:
        frames = reader.read_all()
    assert 5 <= len(frames) <= 13  # V at frames 10 and 22: one camera frame each
    assert all(f.decode_image().shape == (960, 1280, 3) for f in frames)
    times = [f.timestamp_ms for f in frames]
    assert times == sorted(set(times))
