"""``hud lint`` as a user runs it: exit 0 when the cards are legible, 1 with findings (one
line each, or JSON), 2 with one error line for bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hud_process import run_hud as hud

ROOT = Path(__file__).resolve().parents[2]


def _write(folder: Path, cards: list[dict[str, Any]], name: str = "scene.json") -> Path:
    path = folder / name
    doc = {
        "version": 1,
        "profile": "orion",
        "world": {"color": [0.3, 0.3, 0.3], "ambient_nits": 250},
        "display": {"brightness": 1.0},
        "cards": cards,
    }
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_legible_scene_exits_0_with_no_findings(tmp_path: Path) -> None:
    r = hud("lint", str(_write(tmp_path, [{"id": "q1", "title": "머그컵"}])))
    assert r.returncode == 0, r.stderr
    assert r.stdout == "" and "no findings" in r.stderr


def test_findings_are_one_line_each_and_exit_1(tmp_path: Path) -> None:
    scene = _write(tmp_path, [{"id": "q1", "title": "my big blue coffee mug", "body": "세라믹."}])
    r = hud("lint", str(scene), "--profile", "orion", "--profile", "rayban-display")
    assert r.returncode == 1, r.stderr
    lines = r.stdout.splitlines()
    assert lines and all(line.startswith("card q1 on ") for line in lines)
    assert any(line.startswith("card q1 on rayban-display: title has 5 words") for line in lines)
    assert "card q1 on orion: title has 5 words; its chip shows 3 and cuts the rest" in lines


def test_json_lists_findings_profiles_and_cards(tmp_path: Path) -> None:
    scene = _write(
        tmp_path, [{"id": "a", "title": "Mug"}, {"id": "b", "title": "One two three four"}]
    )
    r = hud("lint", str(scene), "--json")
    assert r.returncode == 1, r.stderr
    doc = json.loads(r.stdout)
    assert doc["profiles"] == ["orion"] and doc["cards"] == 2
    (finding,) = doc["findings"]
    assert finding == {
        "card_id": "b",
        "profile": "orion",
        "kind": "title_words",
        "message": finding["message"],
        "value": 4.0,
        "limit": 3.0,
    }


def test_a_profile_file_is_accepted_like_a_name(tmp_path: Path) -> None:
    (tmp_path / "coarse.toml").write_text(
        'name = "coarse"\nwidth_px = 700\nheight_px = 500\nfov_h_deg = 50.0\n'
        "fov_v_deg = 36.0\npeak_nits = 1000.0\ntransmittance = 0.8\neyes = 1\n"
        'eye = "right"\n',
        encoding="utf-8",
    )
    scene = _write(tmp_path, [{"id": "q1", "title": "Mug"}])
    r = hud("lint", str(scene), "--profile", str(tmp_path / "coarse.toml"), "--json")
    assert r.returncode == 0, r.stderr + r.stdout
    assert json.loads(r.stdout) == {"findings": [], "profiles": ["coarse"], "cards": 1}


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("missing", "not found"),
        ("not-json", "not valid JSON"),
        ("bad-profile", "unknown profile"),
    ],
)
def test_bad_input_is_one_error_line_and_exit_2(tmp_path: Path, setup: str, expected: str) -> None:
    scene = _write(tmp_path, [{"id": "q1", "title": "Mug"}])
    args = [str(scene)]
    if setup == "missing":
        args = [str(tmp_path / "nope.json")]
    elif setup == "not-json":
        scene.write_text("{ not json", encoding="utf-8")
    else:
        args += ["--profile", "no-such-glasses"]
    r = hud("lint", *args)
    assert r.returncode == 2
    err = r.stderr.strip()
    assert err.startswith("hud: error: ") and "\n" not in err and expected in err, err
    assert "Traceback" not in r.stderr and r.stdout == ""


def test_the_demo_scenes_lint_on_their_own_profiles() -> None:
    for name in ("desk.json", "desk_tour.json"):
        r = hud("lint", str(ROOT / "demos" / "assets" / name), "--json")
        assert r.returncode == 0, r.stdout  # the demos are legible on their own glasses
        doc = json.loads(r.stdout)
        assert doc["profiles"] == ["orion"] and doc["cards"] >= 4 and doc["findings"] == []
