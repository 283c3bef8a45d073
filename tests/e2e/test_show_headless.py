"""``hud show --headless``: the window's frames written as PNGs or an MP4, no display."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
from hud_process import run_hud
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
VIDEO = ROOT / "tests" / "data" / "video" / "hand_landmarker__test_video.mp4"
NO_DISPLAY = ("DISPLAY", "WAYLAND_DISPLAY")


def _scene(tmp_path: Path) -> Path:
    Image.fromarray(
        np.tile(np.linspace(20, 200, 240, dtype=np.uint8)[None, :, None], (160, 1, 3))
    ).save(tmp_path / "w.png")
    scene = tmp_path / "s.json"
    scene.write_text(
        json.dumps(
            {
                "version": 1,
                "profile": "orion",
                "world": {"image": "w.png", "ambient_nits": 200},
                "cards": [{"id": "c", "title": "헤드리스 headless"}],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    return scene


def test_headless_pngs_are_what_hud_render_draws(tmp_path: Path) -> None:
    scene = _scene(tmp_path)
    out = tmp_path / "frames"
    r = run_hud(
        "show", str(scene), "--headless", "--frames", "3", "--out", str(out), without=NO_DISPLAY
    )
    assert r.returncode == 0, r.stderr
    assert "wrote 3 frame(s)" in r.stdout
    names = sorted(p.name for p in out.iterdir())
    assert names == ["frame-00000.png", "frame-00001.png", "frame-00002.png"]
    head = run_hud("render", str(scene), "--out", str(tmp_path / "head.png"))
    assert head.returncode == 0, head.stderr
    ref = np.asarray(Image.open(tmp_path / "head.png")).astype(int)
    for name in names:
        frame = np.asarray(Image.open(out / name)).astype(int)
        assert frame.shape == ref.shape == (160, 240, 3)
        assert np.abs(frame - ref).max() <= 2


def test_headless_mp4_decodes_to_three_frames(tmp_path: Path) -> None:
    scene = _scene(tmp_path)
    video = tmp_path / "x.mp4"
    r = run_hud(
        "show", str(scene), "--headless", "--frames", "3", "--out", str(video), without=NO_DISPLAY
    )
    assert r.returncode == 0, r.stderr
    capture = cv2.VideoCapture(str(video))
    frames = []
    while True:
        ok, bgr = capture.read()
        if not ok:
            break
        frames.append(bgr)
    capture.release()
    assert len(frames) == 3 and frames[0].shape == (160, 240, 3)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file
    again = run_hud("show", str(scene), "--headless", "--frames", "3", "--out", str(video))
    assert again.returncode == 2 and "exists" in again.stderr and "Traceback" not in again.stderr


def test_headless_over_a_video_and_flag_errors(tmp_path: Path) -> None:
    scene = _scene(tmp_path)
    out = tmp_path / "live"
    args = ("show", str(scene), "--video", str(VIDEO), "--headless", "--frames", "2")
    r = run_hud(*args, "--out", str(out), without=NO_DISPLAY)
    assert r.returncode == 0, r.stderr
    frames = [np.asarray(Image.open(p)) for p in sorted(out.iterdir())]
    assert len(frames) == 2 and frames[0].shape == (360, 640, 3)
    assert np.abs(frames[0].astype(int) - frames[1].astype(int)).max() > 0  # the footage moves
    for bad, message in (
        (["--headless", "--out", str(tmp_path / "o")], "--headless needs --frames"),
        (["--headless", "--frames", "1"], "--headless needs --out"),
        (["--frames", "1", "--out", str(tmp_path / "o")], "--frames needs --headless"),
        (
            ["--headless", "--frames", "1", "--out", str(tmp_path / "no" / "x.mp4")],
            "does not exist",
        ),
    ):
        r = run_hud("show", str(scene), *bad, without=NO_DISPLAY)
        assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "o").exists()
