"""Files made to break a parser: one line and status 2, never a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cli_helpers import expect_error

ROOT = Path(__file__).resolve().parents[3]
DESK = ROOT / "demos" / "assets" / "desk.jpg"
#: Marker poses from a calibration file (the file is added per case).
DETECT = ["detect", str(DESK), "--markers", "auto", "--marker-size", "0.05", "--calibration"]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    made = {
        "deep.json": "[" * 100_000 + "]" * 100_000,
        "bigint.json": '{"version": ' + "9" * 5000 + "}",
        "calibration-list.json": "[1, 2, 3]",
        "calibration-text.json": '{"camera_matrix": [[500,0,320],[0,500,240],[0,0,1]], '
        '"dist_coeffs": ["a", 1], "image_size": [640, 480]}',
        "calibration-inf.json": '{"camera_matrix": [[500,0,320],[0,500,240],[0,0,1]], '
        '"dist_coeffs": [1e999, 1], "image_size": [640, 480]}',
        "huge-field.csv": "0," + "1" * 200_000 + "\n",
    }
    out = {}
    for name, text in made.items():
        out[name] = tmp_path / name
        out[name].write_text(text, encoding="utf-8")
    out["latin1.toml"] = tmp_path / "latin1.toml"
    out["latin1.toml"].write_bytes(b'name = "caf\xe9"\n')
    return out


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["render", "{deep.json}", "--out", "{tmp}/o.png"], "nested too deeply"),
        (["render", "{bigint.json}", "--out", "{tmp}/o.png"], "not a usable JSON document"),
        (["profiles", "--profiles-file", "{deep.json}"], "nested too deeply"),
        (["profiles", "--profiles-file", "{bigint.json}"], "not a usable JSON document"),
        (["profiles", "--profiles-file", "{latin1.toml}"], "not UTF-8"),
        (["eval-poses", "{huge-field.csv}", "--format", "kinivi"], "not a CSV file of numbers"),
        ([*DETECT, "{calibration-list.json}"], "must be a JSON object"),
        ([*DETECT, "{calibration-text.json}"], "must be numbers"),
        ([*DETECT, "{calibration-inf.json}"], "must be finite"),
    ],
)
def test_a_malformed_file_is_one_line(
    capsys: pytest.CaptureFixture[str],
    files: dict[str, Path],
    tmp_path: Path,
    argv: list[str],
    says: str,
) -> None:
    names = {**{k: str(v) for k, v in files.items()}, "tmp": str(tmp_path)}
    resolved = [re.sub(r"\{([^}]+)\}", lambda m: names[m.group(1)], a) for a in argv]
    err = expect_error(capsys, resolved)
    assert says in err


def test_an_output_named_like_the_scene_file_never_replaces_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    scene = tmp_path / "s.png"  # a scene file with an odd name
    scene.write_text((ROOT / "demos" / "assets" / "desk.json").read_text(), encoding="utf-8")
    (tmp_path / "desk.jpg").write_bytes(DESK.read_bytes())
    before = scene.read_bytes()
    err = expect_error(capsys, ["render", str(scene), "--out", str(scene)])
    assert "is the scene file" in err
    err = expect_error(
        capsys,
        ["render", str(scene), "--out", str(tmp_path / "o.png"), "--display-out", str(scene)],
    )
    assert "is the scene file" in err
    assert scene.read_bytes() == before
