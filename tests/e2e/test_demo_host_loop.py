"""``demos/host_loop.py``: a firmware host loop over the fixture hand video, no window."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, str(ROOT / "demos" / "host_loop.py"), "--out-dir", str(tmp_path)]
    return subprocess.run([*argv, *args], capture_output=True, text=True, timeout=300)


def test_the_host_loop_writes_display_frames_and_sends_only_changes(tmp_path: Path) -> None:
    r = _run(tmp_path, "--max-frames", "24", "--every", "10")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""  # nothing from MediaPipe on the host's terminal
    frames = sorted(tmp_path.glob("display-*-right.png"))
    assert [f.name for f in frames] == [f"display-{i:04d}-right.png" for i in (0, 10, 20)]
    last = np.asarray(Image.open(frames[-1]))
    assert last.shape == (600, 600, 3) and last.any()  # rayban-display, cards lit
    sent, full = (int(n.replace(",", "")) for n in re.findall(r"([\d,]+) of ([\d,]+)", r.stdout)[0])
    assert 0 < sent < 0.2 * full  # the status card's text changes; the rest is not resent


def test_the_host_loop_feeds_one_bit_glasses(tmp_path: Path) -> None:
    r = _run(tmp_path, "--max-frames", "3", "--every", "2", "--profile", "even-g1")
    assert r.returncode == 0, r.stderr
    # The host sets its cards after each step: the first frame is the empty HUD.
    assert not np.asarray(Image.open(tmp_path / "display-0000-left.png")).any()
    left = np.asarray(Image.open(tmp_path / "display-0002-left.png"))
    assert left.shape == (200, 640, 3)
    assert set(np.unique(left)) <= {0, 255} and left.any()
