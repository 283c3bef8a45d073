"""The gaze + pinch demo in a real window under Xvfb, driven by a real X pointer and keyboard.

xdotool moves the pointer (the simulated gaze) onto a card, holds space (the simulated
pinch) and presses Escape; the demo prints what the app received.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from xdisplay import need, virtual_display

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "demos"))


@pytest.fixture
def display() -> Iterator[str]:
    need("xdotool")
    with virtual_display("1600x1200x24") as d:  # the demo window is 1280×960
        yield d


def _xdotool(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        ["xdotool", *args], env=env, capture_output=True, text=True, timeout=20
    ).stdout.strip()


def test_pointer_gaze_and_space_pinch_pick_a_card(display: str) -> None:
    from gaze_pinch_menu import MenuApp, base_scene

    from hud.profiles import get_profile
    from hud.scene import world_pixels

    base = base_scene("orion")
    h, w = world_pixels(base).shape[:2]
    app = MenuApp(base, get_profile("orion"), (w, h))
    x, y = app.window_point("save")

    env = {**os.environ, "DISPLAY": display}
    demo = subprocess.Popen(
        [sys.executable, str(ROOT / "demos" / "gaze_pinch_menu.py")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wid = ""
        for _ in range(200):
            wid = _xdotool(env, "search", "--name", "Waveglass")
            if wid:
                break
            time.sleep(0.1)
        assert wid, "the demo window did not open"
        wid = wid.splitlines()[0]
        time.sleep(0.5)
        _xdotool(env, "mousemove", "--window", wid, str(int(x)), str(int(y)))
        _xdotool(env, "windowfocus", wid)
        time.sleep(0.2)  # well under the 0.8 s dwell: the pinch must be what commits
        _xdotool(env, "keydown", "--window", wid, "space")
        time.sleep(0.25)
        _xdotool(env, "keyup", "--window", wid, "space")
        time.sleep(0.4)
        _xdotool(env, "key", "--window", wid, "Escape")
        out, err = demo.communicate(timeout=30)
    finally:
        if demo.poll() is None:
            demo.kill()
    assert demo.returncode == 0, err
    lines = [line.split() for line in out.splitlines() if " ms " in line]
    assert ["hover", "save"] in [line[2:4] for line in lines]
    assert ["commit", "save", "(by", "pinch)"] in [line[2:6] for line in lines], out
