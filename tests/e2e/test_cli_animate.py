"""A scene over time from the command line: ``hud render`` to an MP4 or a PNG folder, and
``hud layout-metrics`` over a scene, a head trace and a recorded session."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from hud_process import run_hud as hud

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
TRACE = ROOT / "tests" / "data" / "head_traces" / "head_motion_20s.tum.txt"


def _scene(folder: Path, **extra: Any) -> Path:
    shutil.copy(TRACE, folder / "head.tum")
    doc = {
        "version": 2,
        "profile": "rayban-display",
        "world": {"color": [0.3, 0.3, 0.35], "width": 320, "height": 240, "fov_h_deg": 60},
        "head": {"trace": "head.tum", "start_s": 2.0},
        "animation": {"duration_s": 0.5, "fps": 10},
        "objects": [{"id": "cup", "pose": {"position_m": [0.0, 0.0, 1.5], "size_m": [0.1, 0.1]}}],
        "cards": [
            {
                "id": "a",
                "anchor": "cup",
                "title": "Cup",
                "stream": [{"t_s": 0.1, "text": "A blue "}, {"t_s": 0.3, "text": "ceramic cup."}],
            }
        ],
        **extra,
    }
    path = folder / "anim.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_render_over_time_writes_every_frame_to_a_folder(tmp_path: Path) -> None:
    out = tmp_path / "frames"
    r = hud("render", str(_scene(tmp_path)), "--out", str(out) + "/")
    assert r.returncode == 0, r.stderr
    frames = sorted(out.glob("frame-*.png"))
    assert len(frames) == 6  # 0.5 s at 10 fps, both ends
    first, last = (cv2.imread(str(f)) for f in (frames[0], frames[-1]))
    assert first.shape == (240, 320, 3) and not np.array_equal(first, last)
    assert "Traceback" not in r.stderr


def test_render_over_time_to_mp4_and_refuses_to_replace_a_file(tmp_path: Path) -> None:
    scene = _scene(tmp_path)
    out = tmp_path / "anim.mp4"
    r = hud("render", str(scene), "--out", str(out))
    assert r.returncode == 0, r.stderr
    cap = cv2.VideoCapture(str(out))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 6
    cap.release()
    before = out.read_bytes()
    again = hud("render", str(scene), "--out", str(out))
    assert again.returncode == 2 and out.read_bytes() == before
    assert again.stderr.startswith("hud: error: ") and again.stderr.count("\n") == 1


def test_a_still_of_an_animated_scene_at_a_time(tmp_path: Path) -> None:
    scene = _scene(tmp_path)
    r = hud("render", str(scene), "--out", str(tmp_path / "t.png"), "--time", "0.4")
    assert r.returncode == 0, r.stderr
    bad = hud("render", str(scene), "--out", str(tmp_path / "u.png"), "--time", "nan")
    assert bad.returncode == 2 and "--time" in bad.stderr


def test_layout_metrics_of_a_scene_as_json(tmp_path: Path) -> None:
    r = hud("layout-metrics", str(_scene(tmp_path)), "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    run = doc["run"]
    for key in (
        "overlap_area_deg2",
        "leader_crossings",
        "mean_anchor_distance_deg",
        "card_motion_dps",
        "relayouts_per_min",
    ):
        assert isinstance(run[key], (int, float)), key
    assert len(doc["frames"]) == 6 and doc["frames"][0]["cards"] == 1


def test_layout_metrics_replays_a_head_trace_given_on_the_command_line(tmp_path: Path) -> None:
    still = {
        "version": 1,
        "profile": "orion",
        "world": {"color": [0.3, 0.3, 0.3], "width": 640, "height": 360},
        "objects": [{"id": "o", "box": [0.45, 0.45, 0.55, 0.55]}],
        "cards": [{"anchor": "o", "title": "Thing"}],
    }
    path = tmp_path / "still.json"
    path.write_text(json.dumps(still))
    one = json.loads(hud("layout-metrics", str(path), "--json").stdout)
    assert len(one["frames"]) == 1
    r = hud(
        "layout-metrics",
        str(path),
        "--head",
        str(TRACE),
        "--duration",
        "1",
        "--fps",
        "10",
        "--json",
    )
    assert r.returncode == 0, r.stderr
    moving = json.loads(r.stdout)
    assert len(moving["frames"]) == 11 and moving["run"]["card_motion_dps"] > 0
    missing = hud("layout-metrics", str(path), "--head", str(tmp_path / "nope.tum"))
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1


def test_layout_metrics_over_a_recorded_session(tmp_path: Path) -> None:
    from hud.io.records import FrameRecord
    from hud.io.session import SessionWriter
    from hud.trackers.results import MarkerResult

    image = cv2.imencode(".jpg", np.zeros((240, 320, 3), np.uint8))[1].tobytes()
    path = tmp_path / "s.wgs"
    with SessionWriter(path, {"source": "test", "fps": 10}) as writer:
        for i in range(5):
            x = 100.0 + 4 * i
            corners = np.array([[x, 80], [x + 30, 80], [x + 30, 110], [x, 110]], float)
            marker = MarkerResult(dictionary="DICT_4X4_50", id=3, corners=corners)
            writer.write_frame(
                FrameRecord(index=i, timestamp_ms=100 * i, markers=(marker,), image=image)
            )
    r = hud("layout-metrics", str(path), "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["source"] == "session" and len(doc["frames"]) == 5
    assert all(f["cards"] == 1 for f in doc["frames"])
