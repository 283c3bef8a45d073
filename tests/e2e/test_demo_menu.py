"""The gesture-driven demo: gaze picks a card, a pinch or a dwell commits it."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]


def test_scripted_gaze_pinch_and_dwell(tmp_path: Path) -> None:
    r = subprocess.run(
        [
            sys.executable,
            str(ROOT / "demos" / "gaze_pinch_menu.py"),
            "--script",
            "--out-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    commits = [line.split()[3:] for line in r.stdout.splitlines() if " commit " in line]
    assert commits == [["call", "(by", "pinch)"], ["save", "(by", "dwell)"]]
    frames = [
        np.asarray(Image.open(tmp_path / f"{n}.png")).astype(int)
        for n in ("0-menu", "1-looking-at-call", "2-pinched-call", "3-dwelled-on-save")
    ]
    for a, b in itertools.pairwise(frames):
        assert np.abs(a - b).max() > 30  # every step changes what the wearer sees
