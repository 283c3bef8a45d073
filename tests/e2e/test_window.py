"""A real window under Xvfb: the pyglet backend shows the same frame the headless one renders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from hud_process import run_hud
from PIL import Image


def test_window_backend_matches_headless(tmp_path: Path, xvfb: str) -> None:
    Image.fromarray(
        np.tile(np.linspace(20, 200, 240, dtype=np.uint8)[None, :, None], (160, 1, 3))
    ).save(tmp_path / "w.png")
    (tmp_path / "s.json").write_text(
        json.dumps(
            {
                "version": 1,
                "profile": "orion",
                "world": {"image": "w.png", "ambient_nits": 200},
                "objects": [{"id": "a", "label": "a", "box": [0.4, 0.4, 0.6, 0.6]}],
                "cards": [{"id": "c", "anchor": "a", "title": "창 테스트", "body": "window test"}],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    env = {"DISPLAY": xvfb}
    shown = run_hud(
        "show",
        str(tmp_path / "s.json"),
        "--max-frames",
        "3",
        "--screenshot",
        str(tmp_path / "win.png"),
        env=env,
    )
    assert shown.returncode == 0, shown.stderr
    headless = run_hud("render", str(tmp_path / "s.json"), "--out", str(tmp_path / "head.png"))
    assert headless.returncode == 0, headless.stderr
    win = np.asarray(Image.open(tmp_path / "win.png")).astype(int)
    head = np.asarray(Image.open(tmp_path / "head.png")).astype(int)
    assert win.shape == head.shape == (160, 240, 3)
    assert np.abs(win - head).max() <= 2
    assert win.std() > 10  # a real picture, not a blank window


def test_window_without_display_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text(json.dumps({"version": 1, "profile": "orion", "world": {}}))
    r = run_hud(
        "show",
        str(tmp_path / "s.json"),
        "--max-frames",
        "1",
        without=("DISPLAY", "WAYLAND_DISPLAY"),
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr and "DISPLAY" in r.stderr


def test_live_world_from_a_video(tmp_path: Path, xvfb: str) -> None:
    """`hud show --video`: the world is the footage, frame by frame, under the same HUD."""
    import cv2

    root = Path(__file__).resolve().parents[2]
    video = root / "tests" / "data" / "video" / "hand_landmarker__test_video.mp4"
    (tmp_path / "s.json").write_text(
        json.dumps(
            {
                "version": 1,
                "profile": "orion",
                "world": {"ambient_nits": 200},
                "cards": [{"id": "c", "title": "실시간 live"}],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    env = {"DISPLAY": xvfb}
    shown = run_hud(
        "show",
        str(tmp_path / "s.json"),
        "--video",
        str(video),
        "--step-frames",
        "--max-frames",
        "5",
        "--screenshot",
        str(tmp_path / "win.png"),
        "--keep-faces",  # the palm of this video is taken for a face now and then
        env=env,
    )
    assert shown.returncode == 0, shown.stderr
    capture = cv2.VideoCapture(str(video))
    for _ in range(6):
        ok, bgr = capture.read()
        assert ok
    capture.release()
    cv2.imwrite(str(tmp_path / "frame5.png"), bgr)  # the 6th frame: the 5th step after the first
    (tmp_path / "h.json").write_text(
        json.dumps(
            {
                "version": 1,
                "profile": "orion",
                "world": {"image": "frame5.png", "ambient_nits": 200},
                "cards": [{"id": "c", "title": "실시간 live"}],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    head = run_hud("render", str(tmp_path / "h.json"), "--out", str(tmp_path / "head.png"))
    assert head.returncode == 0, head.stderr
    win = np.asarray(Image.open(tmp_path / "win.png")).astype(int)
    ref = np.asarray(Image.open(tmp_path / "head.png")).astype(int)
    assert win.shape == ref.shape == (360, 640, 3)
    assert np.abs(win - ref).max() <= 2


def test_show_with_a_missing_video_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text(json.dumps({"version": 1, "profile": "orion", "world": {}}))
    r = run_hud("show", str(tmp_path / "s.json"), "--video", str(tmp_path / "no.mp4"))
    assert r.returncode == 2 and "Traceback" not in r.stderr and "no.mp4" in r.stderr


_SWITCH_SCRIPT = """
import sys
import numpy as np
import pyglet
from hud.profiles import get_profile
from hud.app.runners import show_scene as show
from hud.scene import load_scene

dark = np.full((240, 320, 3), 40, np.uint8)
bright = np.full((240, 320, 3), 200, np.uint8)


class PressP:
    # Presses P once the second (bright) live frame is on screen.
    def __init__(self):
        self.frames = 0

    def key_press(self, key):
        return False

    def key_release(self, key):
        return False

    def mouse_move(self, x, y):
        pass

    def mouse_press(self, button="left"):
        return False

    def mouse_release(self, button="left"):
        return False

    def update(self, timestamp_ms):
        self.frames += 1
        if self.frames == 4:
            window = next(iter(pyglet.app.windows))
            window.dispatch_event("on_key_press", pyglet.window.key.P, 0)
        return None


show(
    load_scene(sys.argv[1]),
    [get_profile("orion"), get_profile("rayban-display")],
    frozenset(),
    max_frames=6,
    screenshot=sys.argv[2],
    controller=PressP(),
    world_frames=iter([(0, dark), (0, bright)]),
    step_frames=True,
)
"""


def test_next_profile_keeps_the_live_world(tmp_path: Path, xvfb: str) -> None:
    """``P`` on a live source: the new profile's renderer shows the latest frame, not
    the first one the window opened with."""
    from hud.profiles import get_profile
    from hud.render.renderer import render_scene
    from hud.scene import load_scene

    Image.fromarray(np.full((240, 320, 3), 200, np.uint8)).save(tmp_path / "bright.png")
    (tmp_path / "s.json").write_text(
        json.dumps({"version": 1, "profile": "orion", "world": {"image": "bright.png"}}),
        encoding="utf-8",
    )
    shown = subprocess.run(
        [sys.executable, "-c", _SWITCH_SCRIPT, str(tmp_path / "s.json"), str(tmp_path / "w.png")],
        capture_output=True,
        text=True,
        env={**os.environ, "DISPLAY": xvfb},
        timeout=120,
    )
    assert shown.returncode == 0, shown.stderr
    (expected,) = render_scene(
        load_scene(tmp_path / "s.json"), get_profile("rayban-display"), effects=frozenset()
    )
    window = np.asarray(Image.open(tmp_path / "w.png")).astype(int)
    assert np.abs(window - expected.composite.astype(int)).max() <= 2
