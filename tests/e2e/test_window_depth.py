"""``hud show`` on an X screen of 16-bit colour says so instead of hanging."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from xdisplay import virtual_display


def test_a_16_bit_x_screen_is_one_line_not_a_hang(tmp_path: Path) -> None:
    scene = tmp_path / "s.json"
    scene.write_text(
        json.dumps({"version": 1, "profile": "orion", "world": {"width": 64, "height": 48}})
    )
    with virtual_display("640x480x16") as display:
        r = subprocess.run(
            [sys.executable, "-m", "hud", "show", str(scene), "--max-frames", "1"],
            capture_output=True,
            text=True,
            timeout=60,  # before the fix pyglet waited for ever for the window to map
            env={**os.environ, "DISPLAY": display},
        )
    assert r.returncode == 2
    assert r.stderr.startswith("hud: error: the X screen has 16-bit colour")
    assert r.stderr.count("\n") == 1
