"""``hud detect``: the JSON contract, the summary, and one-line errors for bad input.

Run in-process through :func:`hud.cli.main` (MediaPipe starts in well under a second), plus
one real subprocess to prove a bad path never prints a traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hud.cli import main

IMAGES = Path(__file__).resolve().parents[2] / "data" / "images"
THUMBS_UP = IMAGES / "thumbs-up_960x640.jpg"
FACE = IMAGES / "business-person.jpg"
ARUCO = IMAGES / "aruco_detection__singlemarkersoriginal.jpg"
PHOTO_IDS = [23, 40, 62, 98, 124, 203]
POSES = {"open_palm", "fist", "point", "pinch", "victory", "thumbs_up", "thumbs_down", "none"}


def detect_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main(["detect", *args, "--json"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1  # one JSON object on one line
    return json.loads(out)


def check_shape(result: dict) -> None:
    assert set(result) == {"hands", "faces", "markers"}
    for hand in result["hands"]:
        assert set(hand) == {"handedness", "score", "landmarks", "pose", "pose_score"}
        assert hand["handedness"] in ("Left", "Right")
        assert len(hand["landmarks"]) == 21 and all(len(p) == 3 for p in hand["landmarks"])
        assert hand["pose"] in POSES and 0.0 <= hand["pose_score"] <= 1.0
    for face in result["faces"]:
        assert set(face) == {"landmarks", "gaze"}
        assert len(face["landmarks"]) == 478 and all(len(p) == 3 for p in face["landmarks"])
        assert set(face["gaze"]) == {"yaw_deg", "pitch_deg"}
    for marker in result["markers"]:
        assert set(marker) == {"dictionary", "id", "corners"}
        assert len(marker["corners"]) == 4 and all(len(p) == 2 for p in marker["corners"])


def test_thumbs_up_json(capsys: pytest.CaptureFixture[str]) -> None:
    result = detect_json(capsys, str(THUMBS_UP))
    check_shape(result)
    assert len(result["hands"]) == 1
    hand = result["hands"][0]
    assert (hand["handedness"], hand["pose"]) == ("Right", "thumbs_up")
    assert all(-0.1 < v < 1.1 for p in hand["landmarks"] for v in p[:2])  # normalised
    assert result["faces"] == [] and result["markers"] == []


def test_face_json(capsys: pytest.CaptureFixture[str]) -> None:
    result = detect_json(capsys, str(FACE), "--markers", "none")
    check_shape(result)
    assert len(result["faces"]) == 1


@pytest.mark.parametrize("markers", ["auto", "DICT_6X6_250"])
def test_aruco_photo_json(capsys: pytest.CaptureFixture[str], markers: str) -> None:
    result = detect_json(capsys, str(ARUCO), "--markers", markers)
    check_shape(result)
    assert sorted(m["id"] for m in result["markers"]) == PHOTO_IDS
    assert {m["dictionary"] for m in result["markers"]} == {"DICT_6X6_250"}


def test_marker_pose_is_added_only_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    result = detect_json(capsys, str(ARUCO), "--marker-size", "0.05", "--hfov", "60")
    assert all(set(m) == {"dictionary", "id", "corners", "pose"} for m in result["markers"])
    poses = [m["pose"] for m in result["markers"] if m["pose"] is not None]
    assert poses, "no pose accepted"
    assert all(0.2 < p["tvec"][2] < 3.0 for p in poses)  # a desk photo: metres, in front


def test_summary_for_people(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["detect", str(ARUCO)]) == 0
    out = capsys.readouterr().out
    assert "markers: 6" in out and "DICT_6X6_250: 23, 40, 62, 98, 124, 203" in out
    assert not out.lstrip().startswith("{")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.png"], "image not found"),
        ([str(IMAGES / "README.md")], "cannot read image"),
        ([str(IMAGES)], "folder"),
        ([str(ARUCO), "--markers", "DICT_9X9_1"], "valid: auto, DICT_4X4_50"),
        ([str(ARUCO), "--marker-size", "0.05"], "--hfov"),
        ([str(ARUCO), "--marker-size", "-1", "--hfov", "60"], "positive"),
        ([str(ARUCO), "--hfov", "60"], "--marker-size"),
        ([str(ARUCO), "--max-hands", "0"], "at least 1"),
        ([str(ARUCO), "--hand-model", "nope.task"], "hand model not found"),
        (
            [str(ARUCO), "--marker-size", "0.05", "--calibration", "nope.json"],
            "calibration file not found",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["detect", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hud: error: ")
    assert message in lines[0]


def test_calibration_of_another_shape_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    calib = tmp_path / "wide.json"
    calib.write_text(
        json.dumps({"K": [[900, 0, 639.5], [0, 900, 359.5], [0, 0, 1]], "image_size": [1280, 720]})
    )
    assert main(["detect", str(ARUCO), "--marker-size", "0.05", "--calibration", str(calib)]) == 2
    assert "different shape" in capsys.readouterr().err


def test_missing_image_in_a_real_process_has_no_traceback(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "hud", "detect", str(tmp_path / "nothing.jpg"), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        f"hud: error: image not found: {tmp_path / 'nothing.jpg'}"
    ]
