from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest

from hud.cli import main
from hud.errors import HudError
from hud.profiles import (
    BUILTIN_PROFILES,
    SOURCES,
    ProfileRegistry,
    fov_from_diagonal,
    load_profile_file,
)

REQUIRED = {
    "orion",
    "rayban-display",
    "hololens2",
    "magicleap2",
    "spectacles5",
    "xreal-one-pro",
    "even-g1",
}
KEYS = {
    "name",
    "fov_h_deg",
    "fov_v_deg",
    "fov_diag_deg",
    "width_px",
    "height_px",
    "ppd",
    "peak_nits",
    "eyes",
    "refresh_hz",
    "transmittance",
}


def test_required_profiles_exist_with_sources() -> None:
    assert set(BUILTIN_PROFILES) >= REQUIRED
    for name in REQUIRED:
        assert SOURCES[name], f"{name} cites no source"


def test_published_figures() -> None:
    p = BUILTIN_PROFILES
    assert p["orion"].eyes == 2 and p["orion"].fov_diag_deg == pytest.approx(70, abs=0.5)
    rb = p["rayban-display"]
    assert (rb.eyes, rb.eye, rb.width_px, rb.height_px, rb.peak_nits) == (
        1,
        "right",
        600,
        600,
        5000,
    )
    assert rb.fov_diag_deg == pytest.approx(20, abs=0.5)
    assert rb.ppd == pytest.approx(42, abs=1.0)
    assert (p["hololens2"].fov_h_deg, p["hololens2"].fov_v_deg) == (43, 29)
    ml = p["magicleap2"]
    assert (ml.width_px, ml.height_px) == (1440, 1760) and ml.fov_diag_deg == pytest.approx(
        70, abs=0.5
    )
    assert p["spectacles5"].fov_diag_deg == pytest.approx(46, abs=0.5)
    assert p["spectacles5"].ppd == pytest.approx(37, abs=1.0)
    assert p["xreal-one-pro"].fov_diag_deg == pytest.approx(57, abs=0.5)
    assert p["even-g1"].colour == "mono" and p["even-g1"].fov_diag_deg == pytest.approx(20, abs=1)


@pytest.mark.parametrize("name", sorted(BUILTIN_PROFILES))
def test_ppd_and_fov_are_consistent(name: str) -> None:
    p = BUILTIN_PROFILES[name]
    # ppd is the mean over the horizontal FOV; vertical density must agree for square pixels
    # within the tan-space distortion of a flat display (a few per cent at these FOVs).
    ppd_v = p.height_px / p.fov_v_deg
    assert ppd_v == pytest.approx(p.ppd, rel=0.12)
    assert 0 < p.transmittance <= 1 and p.eyes in (1, 2)


def test_fov_from_diagonal_roundtrip() -> None:
    h, v = fov_from_diagonal(70, 800, 600)
    th, tv = math.tan(math.radians(h / 2)), math.tan(math.radians(v / 2))
    assert th / tv == pytest.approx(800 / 600, rel=1e-3)
    assert math.degrees(2 * math.atan(math.hypot(th, tv))) == pytest.approx(70, abs=0.01)


def test_profiles_json_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profiles", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {d["name"] for d in data} >= REQUIRED
    for d in data:
        assert set(d) >= KEYS


def test_profiles_table_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profiles"]) == 0
    out = capsys.readouterr().out
    for name in REQUIRED:
        assert name in out


def test_user_profile_from_toml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "mine.toml"
    f.write_text(
        '[[profile]]\nname = "my-glasses"\nwidth_px = 640\nheight_px = 480\nfov_diag_deg = 30\n'
        'peak_nits = 1500\ntransmittance = 0.7\neyes = 1\neye = "left"\n[profile.artefacts]\nghost = 0.1\n'
    )
    (prof,) = load_profile_file(f)
    assert prof.name == "my-glasses" and prof.eye == "left" and prof.artefacts.ghost == 0.1
    assert prof.fov_diag_deg == pytest.approx(30, abs=0.01)
    assert main(["profiles", "--json", "--profiles-file", str(f)]) == 0
    names = [d["name"] for d in json.loads(capsys.readouterr().out)]
    assert "my-glasses" in names


def test_user_profile_from_json(tmp_path: Path) -> None:
    f = tmp_path / "p.json"
    f.write_text(
        json.dumps(
            {
                "name": "j",
                "width_px": 100,
                "height_px": 100,
                "fov_h_deg": 10,
                "fov_v_deg": 10,
                "peak_nits": 100,
                "transmittance": 0.5,
            }
        )
    )
    assert ProfileRegistry().add_file(f)[0].ppd == pytest.approx(10)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('name = "x"\n', "missing 'width_px'"),
        (
            'name = "x"\nwidth_px = 100\nheight_px = 100\npeak_nits = 1\ntransmittance = 2\nfov_diag_deg = 10\n',
            "'transmittance' must be",
        ),
        (
            'name = "x"\nwidth_px = 100\nheight_px = 100\npeak_nits = 1\ntransmittance = 0.5\n',
            "fov_diag_deg",
        ),
        ('name = "x"\nwidht_px = 1\n', "missing 'width_px'"),
        (
            'name = "x"\nwidth_px = 100\nheight_px = 100\npeak_nits = 1\ntransmittance = 0.5\n'
            "fov_diag_deg = 10\nwidht_px = 1\n",
            "unknown profile key 'widht_px'",
        ),
        ("this is not toml = = =\n", "not valid TOML"),
    ],
)
def test_bad_profile_files_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    f = tmp_path / "bad.toml"
    f.write_text(text)
    with pytest.raises(HudError, match=message):
        load_profile_file(f)


def test_unknown_profile_lists_known() -> None:
    with pytest.raises(HudError, match="known profiles: orion, rayban-display"):
        ProfileRegistry().get("google-glass")


def test_docs_table_matches_the_profiles() -> None:
    """docs/profiles.md must not drift from the data it documents."""
    doc = (Path(__file__).resolve().parents[3] / "docs" / "profiles.md").read_text(encoding="utf-8")
    rows = {}
    for line in doc.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 11 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = cells
    assert set(rows) == set(BUILTIN_PROFILES)
    for name, cells in rows.items():
        p = BUILTIN_PROFILES[name]
        h, v = (float(x) for x in cells[2].split("×"))
        assert (h, v) == pytest.approx((p.fov_h_deg, p.fov_v_deg), abs=0.051), name
        assert float(cells[3]) == pytest.approx(p.fov_diag_deg, abs=0.051), name
        assert cells[4] == f"{p.width_px}×{p.height_px}", name
        assert float(cells[5]) == pytest.approx(p.ppd, abs=0.051), name
        assert float(cells[6].replace(",", "")) == p.peak_nits, name
        assert float(cells[8]) == pytest.approx(p.transmittance), name


_VALID_LINES = {
    "name": 'name = "t"',
    "width_px": "width_px = 640",
    "height_px": "height_px = 480",
    "fov_diag_deg": "fov_diag_deg = 30",
    "peak_nits": "peak_nits = 1500",
    "transmittance": "transmittance = 0.7",
}


def _profile_toml(extra: str) -> str:
    """A valid one-profile TOML file with ``extra`` appended (replacing a key it repeats)."""
    key = extra.split("=")[0].strip()
    lines = [line for k, line in _VALID_LINES.items() if k != key]
    return "\n".join(["[[profile]]", *lines, extra, ""])


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        # a wrong type for a float field
        ('corner_radius_deg = "big"', "'corner_radius_deg' must be a finite number, got 'big'"),
        ("ipd_mm = nan", "'ipd_mm' must be a finite number, got nan"),
        ("latency_ms = true", "'latency_ms' must be a number in [0.0, 1000.0], got True"),
        # a string in a tuple, a scalar for a tuple, a wrong tuple length
        ('center_offset_deg = ["a", 1]', "'center_offset_deg' must be a list of 2 numbers"),
        ("center_offset_deg = 5", "'center_offset_deg' must be a list of 2 numbers, got 5"),
        ("mono_rgb = [1, 1]", "'mono_rgb' must be a list of 3 numbers, got [1, 1]"),
        ("eyebox_mm = [10, [8]]", "'eyebox_mm' must be a list of 2 numbers"),
        # a non-integer for an int field
        ("eyes = 1.5", "'eyes' must be an integer in [1, 2], got 1.5"),
        ("eyes = true", "'eyes' must be an integer in [1, 2], got True"),
        ("width_px = 640.5", "'width_px' must be an integer in [16, 16384], got 640.5"),
        # a non-string for a string field
        ("label = 5", "'label' must be a string, got 5"),
        ("waveguide = [1]", "'waveguide' must be a string, got [1]"),
        # bad artefacts values
        ('[profile.artefacts]\nfalloff = "abc"', "'artefacts.falloff' must be a finite number"),
        ("[profile.artefacts]\nghost = inf", "'artefacts.ghost' must be a finite number, got inf"),
        (
            "[profile.artefacts]\nghost_offset_deg = [1, 2, 3]",
            "'artefacts.ghost_offset_deg' must be a list of 2 numbers",
        ),
        ("artefacts = 3", "'artefacts' must be a table, got 3"),
    ],
)
def test_bad_profile_values_name_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: str, message: str
) -> None:
    f = tmp_path / "bad.toml"
    f.write_text(_profile_toml(extra))
    with pytest.raises(HudError) as info:
        load_profile_file(f)
    assert f"{f} (profile #0): {message}" in str(info.value)
    assert main(["profiles", "--profiles-file", str(f)]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and captured.err.startswith("hud: error: ")
    assert message in captured.err and "Traceback" not in captured.err


def test_whole_floats_are_accepted_for_int_fields(tmp_path: Path) -> None:
    f = tmp_path / "ok.toml"
    f.write_text(_profile_toml("width_px = 640.0") + "eyes = 1.0\n")
    (prof,) = load_profile_file(f)
    assert (prof.width_px, prof.eyes, prof.eye) == (640, 1, "right")
    assert isinstance(prof.width_px, int) and isinstance(prof.eyes, int)


def test_profiles_json_output_loads_back_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["profiles", "--json"]) == 0
    f = tmp_path / "all.json"
    f.write_text(capsys.readouterr().out)
    loaded = {p.name: p for p in load_profile_file(f)}
    assert set(loaded) == set(BUILTIN_PROFILES)
    for name, p in loaded.items():
        want = BUILTIN_PROFILES[name]
        # the command rounds the field of view to 0.01°; everything else comes back exactly
        assert (p.fov_h_deg, p.fov_v_deg) == pytest.approx(
            (want.fov_h_deg, want.fov_v_deg), abs=0.005
        )
        assert replace(p, fov_h_deg=want.fov_h_deg, fov_v_deg=want.fov_v_deg) == want
