"""Reference renders compared per pixel; on failure see tests/_artifacts/ (pytest --update-golden)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from hud.profiles import get_profile
from hud.render.renderer import render_scene
from hud.scene import load_scene

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def small_desk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo scene on a 400×300 copy of its photo (tests render small)."""
    folder = tmp_path_factory.mktemp("desk")
    Image.open(ROOT / "demos" / "assets" / "desk.jpg").resize((400, 300), Image.LANCZOS).save(
        folder / "desk.png"
    )
    text = (
        (ROOT / "demos" / "assets" / "desk.json")
        .read_text(encoding="utf-8")
        .replace("desk.jpg", "desk.png")
    )
    (folder / "desk.json").write_text(text, encoding="utf-8")
    return folder / "desk.json"


@pytest.mark.parametrize(
    ("name", "profile", "ambient", "effects"),
    [
        ("desk-orion-indoor", "orion", 150.0, "all"),
        ("desk-rayban-sunlight", "rayban-display", 10000.0, "all"),
        ("desk-hololens2-noeffects", "hololens2", 300.0, "none"),
    ],
)
def test_golden_render(
    small_desk: Path, golden, name: str, profile: str, ambient: float, effects: str
) -> None:
    scene = load_scene(small_desk)
    scene = replace(scene, world=replace(scene.world, ambient_nits=ambient))
    (frame,) = render_scene(scene, get_profile(profile), effects=effects)
    assert frame.composite.shape == (300, 400, 3)
    golden.check(name, frame.composite)


def test_golden_check_catches_a_change(small_desk: Path, golden, tmp_path: Path) -> None:
    """The comparison itself must be able to fail: a shifted card is caught."""
    scene = load_scene(small_desk)
    (frame,) = render_scene(scene, get_profile("orion"), effects="all")
    moved = np.roll(frame.composite, 6, axis=1)
    if golden.update:
        pytest.skip("updating references")
    # Its failure images go to tmp_path, not beside real failures in tests/_artifacts.
    golden.artifacts = tmp_path
    with pytest.raises(pytest.fail.Exception):
        golden.check("desk-orion-indoor", moved)
    assert (tmp_path / "desk-orion-indoor-diff.png").exists()
