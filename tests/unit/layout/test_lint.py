"""The legibility lint: each kind of finding from a scene made to show it, none from a
scene made to pass, and the contrast model held to the optics'."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace
from typing import Any

import pytest

from hud.errors import OptionsError
from hud.layout.lint import (
    KINDS,
    Finding,
    LintOptions,
    auto_brightness,
    cap_height_em,
    emitted_luminance,
    lint_scene,
    text_contrast,
)
from hud.optics import auto_brightness as optics_auto_brightness
from hud.optics import contrast_ratio
from hud.profiles import BUILTIN_PROFILES, get_profile
from hud.scene import Scene, parse_scene

ORION = get_profile("orion")  # 13.7 px/°: its titles are big enough, its bodies are not


def _scene(cards: list[dict[str, Any]], brightness: Any = 1.0, **world: Any) -> Scene:
    return parse_scene(
        {
            "version": 2 if any("stream" in c for c in cards) else 1,
            "profile": "orion",
            "world": {"color": [0.3, 0.3, 0.3], "ambient_nits": 250, **world},
            "display": {"brightness": brightness},
            "cards": cards,
        }
    )


def _kinds(findings: list[Finding], card_id: str = "a") -> list[str]:
    return [f.kind for f in findings if f.card_id == card_id]


def test_a_short_bright_title_on_a_coarse_display_is_clean() -> None:
    assert lint_scene(_scene([{"id": "a", "title": "Coffee mug"}]), ORION) == []


def test_the_font_cap_height_is_read_from_its_outline() -> None:
    assert 0.68 < cap_height_em() < 0.76  # NanumSquareRound's H: 719 units of 1,000


def test_small_text_fails_cap_height_for_title_and_body_apart() -> None:
    scene = _scene([{"id": "a", "title": "Mug", "body": "Ceramic."}])
    rayban = get_profile("rayban-display")  # 42 px/°: 0.72° titles, 0.63° bodies
    assert [f for f in lint_scene(scene, rayban) if f.kind == "cap_height"] == []
    strict = LintOptions(min_cap_deg=0.8)
    found = [f for f in lint_scene(scene, rayban, strict) if f.kind == "cap_height"]
    assert [f.message.split()[0] for f in found] == ["title", "body"]
    assert all(f.value < f.limit == pytest.approx(0.8) for f in found)
    # On Orion (13.7 px/°) the pixel floor decides: 13 px body text has a 9.3 px cap.
    assert [f for f in lint_scene(scene, ORION) if f.kind == "cap_height"] == []
    orion = [
        f for f in lint_scene(scene, ORION, LintOptions(min_cap_px=10)) if f.kind == "cap_height"
    ]
    assert [f.message.split()[0] for f in orion] == ["body"]
    assert orion[0].limit == pytest.approx(10 / ORION.ppd)


def test_dim_text_in_bright_surroundings_fails_contrast() -> None:
    scene = _scene([{"id": "a", "title": "Mug"}], brightness=0.1, ambient_nits=2000)
    (finding,) = lint_scene(scene, ORION)
    assert finding.kind == "contrast" and finding.limit == 3.0
    expected = contrast_ratio(0.1 * ORION.peak_nits, ORION.transmittance, 2000)
    assert finding.value == pytest.approx(expected)  # white title: the optics' own formula
    assert "2000 nits ambient" in finding.message


def test_the_contrast_model_is_the_optics_model() -> None:
    for profile in BUILTIN_PROFILES.values():
        for ambient in (10.0, 150.0, 250.0, 3000.0, 1e5):
            assert auto_brightness(profile, ambient) == pytest.approx(
                optics_auto_brightness(profile, ambient)
            )
            b = optics_auto_brightness(profile, ambient)
            display = b * profile.peak_nits * emitted_luminance(profile, (1.0, 1.0, 1.0))
            assert text_contrast(profile, (1.0, 1.0, 1.0), b, ambient) == pytest.approx(
                contrast_ratio(display, profile.transmittance, ambient)
            )


def test_a_monochrome_display_emits_only_its_primary() -> None:
    g1 = get_profile("even-g1")
    assert emitted_luminance(g1, (1.0, 1.0, 1.0)) < 0.8  # green-ish primary, not white
    assert emitted_luminance(ORION, (1.0, 1.0, 1.0)) == pytest.approx(1.0)


def test_automatic_brightness_is_used_when_the_scene_sets_none() -> None:
    scene = _scene([{"id": "a", "title": "Mug", "body": "Ceramic."}], brightness="auto")
    # Automatic brightness puts white at 4:1, so the body text (88 % of white) clears 3:1.
    assert [f for f in lint_scene(scene, ORION) if f.kind == "contrast"] == []
    dim = lint_scene(scene, ORION, brightness=0.01)
    assert [f.message.split()[0] for f in dim if f.kind == "contrast"] == ["title", "body"]


def test_a_long_body_is_over_the_glance_budget() -> None:
    body = "The bus leaves from stop B every twelve minutes. " * 4
    scene = _scene([{"id": "a", "title": "Bus", "body": body}])
    found = [f for f in lint_scene(scene, ORION) if f.kind == "glance_budget"]
    assert len(found) == 1 and found[0].value > found[0].limit == 3
    # A body of few characters that still wraps past the budget's lines.
    two_lines = "Ceramic, 350 ml, dishwasher safe, from the kitchen shelf."
    scene = _scene([{"id": "a", "title": "Mug", "body": two_lines}])
    assert "glance_budget" not in _kinds(lint_scene(scene, ORION))
    strict = LintOptions(max_lines=1, max_line_chars=1000)
    assert "glance_budget" in _kinds(lint_scene(scene, ORION, strict))


def test_a_streamed_answer_is_checked_whole() -> None:
    chunks = [
        {"t_s": 0.5 * i, "text": "More of the answer arrives, word by word. "} for i in range(6)
    ]
    scene = _scene([{"id": "a", "title": "Bus", "stream": chunks}])
    assert "glance_budget" in _kinds(lint_scene(scene, ORION))


def test_cards_that_do_not_fit_are_outside_the_fov_once_each() -> None:
    cards = [{"id": f"c{i}", "title": "Mug", "body": "Ceramic."} for i in range(150)]
    found = [f for f in lint_scene(_scene(cards), ORION) if f.kind == "outside_fov"]
    assert found, "150 head-locked cards cannot all fit on Orion's display"
    assert len({f.card_id for f in found}) == len(found)  # both eyes, reported once
    assert all(f.value == 1.0 and "does not fit" in f.message for f in found)
    assert "c0" not in {f.card_id for f in found}  # the first cards were placed


def test_a_card_taller_than_the_display_does_not_fit() -> None:
    short = replace(ORION, name="letterbox", height_px=40)
    scene = _scene([{"id": "a", "title": "Mug", "body": "Ceramic, 350 ml, from the shelf."}])
    (finding,) = [f for f in lint_scene(scene, short) if f.kind == "outside_fov"]
    assert finding.value == 1.0 and "does not fit" in finding.message


def test_a_title_of_more_than_three_words_is_cut_by_its_chip() -> None:
    scene = _scene(
        [{"id": "a", "title": "My blue coffee mug"}, {"id": "b", "title": "My coffee mug"}]
    )
    findings = lint_scene(scene, ORION)
    assert _kinds(findings, "a") == ["title_words"] and _kinds(findings, "b") == []
    assert findings[0].value == 4 and findings[0].limit == 3


def test_findings_are_frozen_and_of_known_kinds() -> None:
    scene = _scene([{"id": "a", "title": "My blue coffee mug", "body": "x " * 200}], 0.01)
    findings = lint_scene(scene, get_profile("rayban-display"))
    assert {f.kind for f in findings} <= set(KINDS) and len({f.kind for f in findings}) >= 3
    assert all(f.profile == "rayban-display" for f in findings)
    with pytest.raises(FrozenInstanceError):
        findings[0].value = 0.0  # type: ignore[misc]


@pytest.mark.parametrize(
    "kwargs", [{"max_lines": 0}, {"max_line_chars": 2.5}, {"min_contrast": float("nan")}]
)
def test_options_out_of_range_are_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(OptionsError):
        LintOptions(**kwargs)
