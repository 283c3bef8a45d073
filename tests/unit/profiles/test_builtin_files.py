"""The built-in profiles are TOML files read by the user's loader; get_profile and sources."""

from __future__ import annotations

import ast
import json
import re
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from hud.cli import main
from hud.errors import HudError
from hud.profiles import (
    BUILTIN_PROFILES,
    SOURCES,
    ProfileRegistry,
    get_profile,
    list_profiles,
    load_profile_file,
)
from hud.profiles.loader import BUILTIN_DIR

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

ORDER = ["orion", "rayban-display", "hololens2", "magicleap2", "spectacles5"]
ORDER += ["xreal-one-pro", "even-g1"]
#: The maker's diagonal each file states (HoloLens 2 gives h × v instead).
DIAGONALS = {
    "orion": 70.0,
    "rayban-display": 20.0,
    "magicleap2": 70.0,
    "spectacles5": 46.0,
    "xreal-one-pro": 57.0,
    "even-g1": 20.0,
}

_USER = """\
name = "mine"
width_px = 640
height_px = 480
fov_diag_deg = 30
peak_nits = 1500
transmittance = 0.7
"""


def test_index_lists_every_builtin_file_once_in_order() -> None:
    index = tomllib.loads((BUILTIN_DIR / "index.toml").read_text(encoding="utf-8"))
    files = sorted(p.stem for p in BUILTIN_DIR.glob("*.toml") if p.name != "index.toml")
    assert index["order"] == ORDER
    assert sorted(index["order"]) == files
    assert list(BUILTIN_PROFILES) == ORDER
    assert [p.name for p in list_profiles()] == ORDER


@pytest.mark.parametrize("name", ORDER)
def test_each_builtin_file_loads_through_the_user_loader(name: str) -> None:
    path = BUILTIN_DIR / f"{name}.toml"
    (prof,) = load_profile_file(path)
    assert prof == BUILTIN_PROFILES[name] and prof.sources == SOURCES[name]
    assert get_profile(path) == prof == get_profile(name)
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    assert raw["sources"] and all(isinstance(s, str) and s for s in raw["sources"].values())
    assert set(raw["artefacts"]) == set(vars(prof.artefacts)), "artefacts written out in full"
    if name in DIAGONALS:  # the file states the maker's figure, not a derived split
        assert raw["fov_diag_deg"] == DIAGONALS[name] and "fov_h_deg" not in raw
        assert prof.fov_diag_deg == pytest.approx(DIAGONALS[name], abs=0.01)
    else:
        assert (raw["fov_h_deg"], raw["fov_v_deg"]) == (prof.fov_h_deg, prof.fov_v_deg)


def test_builtins_hold_their_published_figures() -> None:
    orion, rb = get_profile("orion"), get_profile("rayban-display")
    assert (orion.fov_h_deg, orion.fov_v_deg) == (58.512, 45.577)  # 70° diagonal at 4:3
    assert (orion.waveguide, orion.artefacts.rainbow_deg, orion.artefacts.ghost) == (
        "diffractive-sic",
        0.06,
        0.02,
    )
    assert rb.ppd == pytest.approx(42.2, abs=0.05) and rb.eye == "right"
    assert rb.center_offset_deg == (4.0, 4.0) and rb.artefacts.ghost_offset_deg == (0.0, 0.8)
    assert get_profile("xreal-one-pro").artefacts.swim_deg_per_mm == 0.05
    even = get_profile("even-g1")
    assert (even.colour, even.mono_rgb, even.center_offset_deg) == (
        "mono",
        (0.15, 1.0, 0.25),
        (0.0, -3.0),
    )
    assert get_profile("hololens2").sources["refresh_hz"].startswith("Microsoft MRTK docs")


def test_get_profile_resolves_a_relative_path_against_base_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "mine.toml").write_text(_USER)
    monkeypatch.chdir(tmp_path / "profiles")  # the working directory must not matter
    prof = get_profile("profiles/mine.toml", base_dir=tmp_path)
    assert prof.name == "mine" and prof.fov_diag_deg == pytest.approx(30, abs=0.01)
    assert get_profile(str(tmp_path / "profiles" / "mine.toml"), base_dir="/nowhere") == prof
    assert get_profile("mine.toml") == prof  # no base_dir: the working directory
    with pytest.raises(HudError, match="cannot read profile file"):
        get_profile("mine.toml", base_dir=tmp_path)


def test_get_profile_takes_the_first_profile_of_a_file(tmp_path: Path) -> None:
    f = tmp_path / "two.toml"
    f.write_text("[[profile]]\n" + _USER + "[[profile]]\n" + _USER.replace('"mine"', '"b"'))
    assert get_profile(f).name == "mine"
    empty = tmp_path / "none.json"
    empty.write_text("[]")
    with pytest.raises(HudError, match="holds no profile"):
        get_profile(empty)


def test_get_profile_names_come_from_the_registry() -> None:
    with pytest.raises(HudError) as info:
        get_profile("google-glass")
    assert "known profiles: " + ", ".join(ORDER) in str(info.value)
    mine = replace(BUILTIN_PROFILES["orion"], name="mine")
    assert get_profile("mine", registry=ProfileRegistry([mine])) == mine
    with pytest.raises(HudError, match="known profiles: orion"):
        get_profile("mine")


def test_user_sources_are_loaded_checked_and_summarised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "mine.toml"
    f.write_text(_USER + '[sources]\nfov = "my datasheet, p. 3"\n')
    (prof,) = load_profile_file(f)
    assert prof.sources == {"fov": "my datasheet, p. 3"}
    assert prof.summary()["sources"] == {"fov": "my datasheet, p. 3"}
    # citations are not optics: they take no part in == or hash
    assert replace(prof, sources={}) == prof and hash(prof) == hash(replace(prof, sources={}))
    assert main(["profiles", "--json", "--profiles-file", str(f)]) == 0
    rows = {d["name"]: d for d in json.loads(capsys.readouterr().out)}
    assert rows["mine"]["sources"] == {"fov": "my datasheet, p. 3"}
    assert rows["orion"]["sources"] == SOURCES["orion"]
    plain = tmp_path / "plain.toml"
    plain.write_text(_USER)
    assert get_profile(plain).summary()["sources"] == {}


@pytest.mark.parametrize(
    ("sources", "message"),
    [
        ("sources = 3", "'sources' must be a table, got 3"),
        ("[sources]\nfov = 5", "'sources.fov' must be a string, got 5"),
        ('[sources]\nfov = ["a"]', "'sources.fov' must be a string, got ['a']"),
    ],
)
def test_bad_sources_name_the_key(tmp_path: Path, sources: str, message: str) -> None:
    f = tmp_path / "bad.toml"
    f.write_text(_USER + sources + "\n")
    with pytest.raises(HudError) as info:
        load_profile_file(f)
    assert f"{f} (profile #0): {message}" in str(info.value)


def test_library_messages_name_no_command_line_flag() -> None:
    """The library is called from code too: its error texts name no option of the CLI."""
    raised = 0
    for path in BUILTIN_DIR.parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and node.exc is not None:
                raised += 1
                texts = [
                    n.value
                    for n in ast.walk(node.exc)
                    if isinstance(n, ast.Constant) and isinstance(n.value, str)
                ]
                flags = [t for t in texts if re.search(r"--[a-z]", t)]
                assert not flags, f"{path.name}:{node.lineno} names a flag: {flags}"
    assert raised > 10, "the scan found no raise: it would pass vacuously"


def test_the_docs_toml_examples_load(tmp_path: Path) -> None:
    doc = (Path(__file__).resolve().parents[3] / "docs" / "profiles.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", doc, flags=re.S)
    assert len(blocks) >= 2
    for i, block in enumerate(blocks):
        f = tmp_path / f"example{i}.toml"
        f.write_text(block, encoding="utf-8")
        assert load_profile_file(f), f"docs example #{i} holds no profile"
    assert get_profile(tmp_path / "example0.toml").sources["fov"] == "datasheet rev. B, p. 3"
