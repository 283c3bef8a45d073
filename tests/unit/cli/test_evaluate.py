"""``hud eval-poses`` and ``hud eval-tracks`` through ``hud.cli.main``: output and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import expect_error

from hud.cli import main

DATA = Path(__file__).resolve().parents[2] / "data" / "landmarks"
KEYPOINTS = DATA / "kinivi_keypoint_sample.csv"
HISTORY = DATA / "kinivi_point_history_sample.csv"
POSE_LABELS = "0=open_palm,1=fist,2=point,3=pinch"
TRACK_LABELS = "0=none,1=circle_cw,2=circle_ccw,3=move"


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_eval_poses_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["eval-poses", str(KEYPOINTS), "--format", "kinivi", "--labels", POSE_LABELS, "--json"]
    result = _json(capsys, argv)
    assert set(result) == {"n", "accuracy", "per_class", "confusion"}
    assert result["n"] == 1196
    assert 0.91 <= result["accuracy"] <= 1.0
    assert list(result["per_class"]) == ["open_palm", "fist", "point", "pinch"]
    for row in result["per_class"].values():
        assert set(row) == {"n", "recall", "precision"}
        assert 0.0 <= row["recall"] <= 1.0 and 0.0 <= row["precision"] <= 1.0
    assert sum(row["n"] for row in result["per_class"].values()) == 1196
    confusion = result["confusion"]
    assert sum(sum(row.values()) for row in confusion.values()) == 1196
    correct = sum(confusion[label].get(label, 0) for label in confusion)
    assert correct / 1196 == pytest.approx(result["accuracy"])


def test_eval_poses_prints_a_table_without_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval-poses", str(KEYPOINTS), "--labels", POSE_LABELS]) == 0
    out = capsys.readouterr().out
    assert "accuracy" in out and "recall" in out and "confusion" in out


def test_eval_tracks_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["eval-tracks", str(HISTORY), "--format", "kinivi-history", "--labels", TRACK_LABELS]
    result = _json(capsys, [*argv, "--json"])
    assert result["n"] == 1322
    assert result["accuracy"] >= 0.95
    assert set(result["per_class"]) == {"none", "circle_cw", "circle_ccw", "move"}


def test_unknown_class_id_names_the_row(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rows = KEYPOINTS.read_text().splitlines()[:3]
    rows.append("7" + rows[0][1:])
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(rows) + "\n")
    err = expect_error(capsys, ["eval-poses", str(bad), "--labels", POSE_LABELS, "--json"])
    assert "row 4" in err and "7" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("1,2,3\n", "columns"),
        ("x" + ",0.1" * 42 + "\n", "not numeric"),
        ("", "no rows"),
    ],
)
def test_malformed_csv_is_one_line_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, message: str
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(content)
    assert message in expect_error(capsys, ["eval-poses", str(bad)])
    assert message in expect_error(capsys, ["eval-tracks", str(bad)]) or message == "not numeric"


def test_missing_file_and_bad_options(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert "no such file" in expect_error(capsys, ["eval-poses", str(tmp_path / "nope.csv")])
    assert "no such file" in expect_error(capsys, ["eval-tracks", str(tmp_path / "nope.csv")])
    for labels in ("0:open_palm", "0=banana", "0=fist,0=point", "a=fist", ""):
        assert "--labels" in expect_error(
            capsys, ["eval-poses", str(KEYPOINTS), "--labels", labels]
        )
    assert "circle" in expect_error(capsys, ["eval-tracks", str(HISTORY), "--labels", "0=fist"])
    assert "--image-size" in expect_error(
        capsys, ["eval-tracks", str(HISTORY), "--image-size", "960by540"]
    )
