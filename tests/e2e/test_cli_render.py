"""The command line as a user runs it: outputs, sizes and one-line errors with exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hud_process import run_hud as hud
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def scene_dir(tmp_path: Path) -> Path:
    Image.fromarray(np.full((120, 200, 3), 90, np.uint8)).save(tmp_path / "street.png")
    (tmp_path / "scene.json").write_text(
        json.dumps(
            {
                "version": 1,
                "profile": "rayban-display",
                "world": {"image": "street.png", "fov_h_deg": 70, "ambient_nits": 250},
                "objects": [{"id": "mug", "label": "mug", "box": [0.40, 0.55, 0.52, 0.75]}],
                "cards": [
                    {
                        "id": "q1",
                        "anchor": "mug",
                        "title": "머그컵",
                        "body": "세라믹 머그, 350 ml.",
                        "state": "done",
                    }
                ],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    return tmp_path


def test_render_writes_composite_and_display_frames(scene_dir: Path) -> None:
    r = hud(
        "render",
        str(scene_dir / "scene.json"),
        "--out",
        str(scene_dir / "o.png"),
        "--display-out",
        str(scene_dir / "d.png"),
    )
    assert r.returncode == 0, r.stderr
    assert Image.open(scene_dir / "o.png").size == (200, 120)
    assert Image.open(scene_dir / "d.png").size == (600, 600)
    assert (
        np.asarray(Image.open(scene_dir / "d.png")).max() > 200
    )  # the card is in the display frame


def test_binocular_both_eyes_side_by_side(scene_dir: Path) -> None:
    r = hud(
        "render",
        str(scene_dir / "scene.json"),
        "--profile",
        "orion",
        "--eye",
        "both",
        "--out",
        str(scene_dir / "both.png"),
    )
    assert r.returncode == 0, r.stderr
    img = np.asarray(Image.open(scene_dir / "both.png")).astype(int)
    assert img.shape == (120, 400, 3)
    assert np.abs(img[:, :200] - img[:, 200:]).max() > 20  # the eyes differ (disparity)


def test_effects_none_on_empty_scene_is_transmitted_world(tmp_path: Path) -> None:
    Image.fromarray(np.full((40, 60, 3), 200, np.uint8)).save(tmp_path / "w.png")
    (tmp_path / "s.json").write_text(
        json.dumps({"version": 1, "profile": "orion", "world": {"image": "w.png"}})
    )
    r = hud(
        "render", str(tmp_path / "s.json"), "--effects", "none", "--out", str(tmp_path / "o.png")
    )
    assert r.returncode == 0, r.stderr
    got = np.asarray(Image.open(tmp_path / "o.png")).astype(float)
    lin = ((200 / 255 + 0.055) / 1.055) ** 2.4 * 0.80
    expected = (1.055 * lin ** (1 / 2.4) - 0.055) * 255
    assert np.abs(got - expected).max() <= 1.0


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        (None, ["render", "missing.json", "--out", "o.png"], "scene file not found"),
        ("{not json", ["render", "s.json", "--out", "o.png"], "not valid JSON"),
        (
            '{"version": 1, "profile": "orion", "world": {"fov_h_deg": "wide"}}',
            ["render", "s.json", "--out", "o.png"],
            "$.world.fov_h_deg",
        ),
        (
            '{"version": 1, "profile": "google-glass", "world": {}}',
            ["render", "s.json", "--out", "o.png"],
            "known profiles: orion, rayban-display",
        ),
        (
            '{"version": 1, "profile": "orion", "world": {"image": "nope.jpg"}}',
            ["render", "s.json", "--out", "o.png"],
            "image not found",
        ),
        (
            '{"version": 1, "profile": "orion", "world": {"image": "bad.png"}}',
            ["render", "s.json", "--out", "o.png"],
            "cannot read image",
        ),
        (
            '{"version": 1, "profile": "orion", "world": {}}',
            ["render", "s.json", "--out", "o.png", "--effects", "bloom"],
            "unknown effect",
        ),
        (
            '{"version": 1, "profile": "orion", "world": {}}',
            ["render", "s.json", "--out", "nodir/o.png"],
            "output folder does not exist",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, setup: str | None, args: list[str], message: str
) -> None:
    if setup is not None:
        (tmp_path / "s.json").write_text(setup)
    (tmp_path / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n this is not an image")
    r = hud(*args, cwd=tmp_path)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], r.stderr


def test_no_opengl_says_what_to_install(scene_dir: Path) -> None:
    r = hud(
        "render",
        str(scene_dir / "scene.json"),
        "--out",
        str(scene_dir / "o.png"),
        env={"WAVEGLASS_LIBEGL": "/nonexistent/libEGL.so.1"},
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "no OpenGL 3.3 context" in r.stderr and "libegl1" in r.stderr
    assert not (scene_dir / "o.png").exists()


def test_existing_output_survives_a_failed_render(scene_dir: Path) -> None:
    keep = scene_dir / "o.png"
    keep.write_bytes(b"user's file")
    r = hud(
        "render",
        str(scene_dir / "scene.json"),
        "--out",
        str(keep),
        env={"WAVEGLASS_LIBEGL": "/nonexistent"},
    )
    assert r.returncode == 2 and keep.read_bytes() == b"user's file"


def test_bench_json_has_the_figures() -> None:
    r = hud("bench", "--json", "--frames", "6", "--skip-input")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    for profile in ("orion", "rayban-display"):
        render = data["render"][profile]
        for key in ("compose_ms", "floor_ms", "compose_live_over_floor", "gl_renderer"):
            assert key in render
        assert render["compose_ms"] > 0 and render["floor_ms"] > 0
        assert "llvmpipe" in render["gl_renderer"] or render["gl_renderer"]
        pipeline = data["pipeline"][profile]
        assert pipeline["pipeline_ms"] > 0 and pipeline["pipeline_overhead"] > 0
        assert set(pipeline["stages_alone_ms"]) >= {"track", "layout", "render"}
    assert data["update_bytes"]["even-g1"]["pixel_format"] == "gray1"
    assert 0 < data["update_bytes"]["rayban-display"]["update_bytes_ratio"] < 1


def test_demo_writes_the_pngs_it_names(tmp_path: Path) -> None:
    r = subprocess.run(
        [
            sys.executable,
            str(ROOT / "demos" / "glasses_tour.py"),
            "--out-dir",
            str(tmp_path),
            "--no-window",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    for name in (
        "orion-indoor",
        "orion-sunlight",
        "rayban-display-indoor",
        "rayban-display-sunlight",
    ):
        assert f"{name}.png" in r.stdout and (tmp_path / f"{name}.png").exists()
    indoor = np.asarray(Image.open(tmp_path / "orion-indoor.png")).astype(float)
    sun = np.asarray(Image.open(tmp_path / "orion-sunlight.png")).astype(float)
    assert indoor.shape == sun.shape
    assert np.abs(indoor - sun).mean() > 1.0  # the cards wash out in sunlight


def test_scene_can_name_a_profile_file(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text(
        'name = "my-glasses"\nwidth_px = 320\nheight_px = 240\nfov_diag_deg = 30\n'
        'peak_nits = 800\ntransmittance = 0.6\neyes = 1\neye = "left"\n'
    )
    Image.fromarray(np.full((60, 80, 3), 120, np.uint8)).save(tmp_path / "w.png")
    (tmp_path / "s.json").write_text(
        json.dumps(
            {
                "version": 1,
                "profile": "mine.toml",
                "world": {"image": "w.png"},
                "cards": [{"id": "c", "title": "hello"}],
            }
        )
    )
    r = hud(
        "render",
        str(tmp_path / "s.json"),
        "--out",
        str(tmp_path / "o.png"),
        "--display-out",
        str(tmp_path / "d.png"),
    )
    assert r.returncode == 0, r.stderr
    assert "my-glasses: left eye" in r.stdout
    assert Image.open(tmp_path / "d.png").size == (320, 240)
    bad = hud(
        "render",
        str(tmp_path / "s.json"),
        "--profile",
        "nope.toml",
        "--out",
        str(tmp_path / "o.png"),
    )
    assert (
        bad.returncode == 2
        and "cannot read profile file" in bad.stderr
        and "Traceback" not in bad.stderr
    )


@pytest.mark.parametrize("profile", ["orion", "rayban-display", "hololens2"])
def test_empty_scene_on_a_real_photo_is_exactly_transmitted_world(
    tmp_path: Path, profile: str
) -> None:
    """Pixel for pixel, on a detailed photo, for binocular and monocular profiles alike."""
    photo = np.asarray(Image.open(ROOT / "demos" / "assets" / "desk.jpg").convert("RGB"))[::4, ::4]
    Image.fromarray(photo).save(tmp_path / "w.png")
    (tmp_path / "s.json").write_text(
        json.dumps({"version": 1, "profile": profile, "world": {"image": "w.png"}})
    )
    r = hud(
        "render", str(tmp_path / "s.json"), "--effects", "none", "--out", str(tmp_path / "o.png")
    )
    assert r.returncode == 0, r.stderr
    from hud.optics import linear_to_srgb, srgb_to_linear
    from hud.profiles import get_profile

    t = get_profile(profile).transmittance
    expected = np.round(linear_to_srgb(t * srgb_to_linear(photo / 255.0)) * 255)
    got = np.asarray(Image.open(tmp_path / "o.png")).astype(float)
    assert np.abs(got - expected).max() <= 1.0
