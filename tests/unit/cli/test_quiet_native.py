"""Native libraries' log lines (FFmpeg, OpenCV, MediaPipe's absl/TFLite) never reach the
terminal: stderr holds the project's own lines only. Each test runs ``hud`` as a process,
because these libraries write straight to file descriptor 2."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
from hud_process import run_hud

ROOT = Path(__file__).resolve().parents[3]
HAND = ROOT / "tests" / "data" / "images" / "thumbs-up_960x640.jpg"
#: What the native libraries print: absl's prefix, its first-use banner, OpenCV's, FFmpeg's.
NATIVE = ("W0000", "I0000", "E0000", "WARNING: All log messages", "[ WARN:", "[ERROR:", "moov")


def _only_our_lines(stderr: str) -> None:
    for line in stderr.splitlines():
        assert line.startswith("hud: ") and not any(n in line for n in NATIVE), stderr


def test_a_truncated_mp4_gives_only_our_line(tmp_path: Path) -> None:
    video = tmp_path / "whole.mp4"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter.fourcc(*"mp4v"), 30, (160, 120))
    rng = np.random.default_rng(0)
    for _ in range(30):
        writer.write(rng.integers(0, 255, (120, 160, 3), dtype=np.uint8))
    writer.release()
    data = video.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) * 3 // 4])  # the moov atom is at the end: gone
    result = run_hud("record", "--video", str(cut), "--out", str(tmp_path / "s.wgs"), timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "cannot read video" in result.stderr
    _only_our_lines(result.stderr)
    assert not (tmp_path / "s.wgs").exists()


def test_tracking_hands_and_faces_prints_no_native_log_lines(tmp_path: Path) -> None:
    frames = tmp_path / "frames"
    frames.mkdir()
    for name in ("a.jpg", "b.jpg"):
        shutil.copy(HAND, frames / name)
    out = tmp_path / "s.wgs"
    result = run_hud("record", "--images", str(frames), "--face", "--out", str(out), timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr
    assert "recorded 2 frames" in result.stdout
    # A failure after the trackers started is our one line too.
    again = run_hud("record", "--images", str(frames), "--out", str(out), timeout=120)
    assert again.returncode == 2
    _only_our_lines(again.stderr)


def test_detecting_hands_faces_and_markers_prints_no_native_log_lines() -> None:
    result = run_hud("detect", str(HAND), "--json", timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr
