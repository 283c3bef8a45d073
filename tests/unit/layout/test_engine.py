"""CardLayout: cards over time — anchored by solvers, placed by the temporal layout."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from hud.anchors import ViewGeometry, pose_from_angles
from hud.errors import HudError
from hud.layout import CardLayout, CardLayoutOptions
from hud.layout.geometry import overlap_area
from hud.profiles import get_profile
from hud.scene import Card, Scene, TrackedObject, parse_scene

W, H = 1280, 720
PROFILE = get_profile("orion")


def _scene(objects: list[dict[str, Any]], cards: list[dict[str, Any]]) -> Scene:
    return parse_scene(
        {
            "version": 2,
            "profile": "orion",
            "world": {"fov_h_deg": 70, "width": W, "height": H, "color": [0.3, 0.3, 0.3]},
            "objects": objects,
            "cards": cards,
        }
    )


def _view() -> ViewGeometry:
    return ViewGeometry.make(PROFILE, W, H, 70.0, "right", 3.0)


MUG = {"id": "mug", "box": [0.45, 0.45, 0.52, 0.58]}
LAMP = {"id": "lamp", "box": [0.3, 0.3, 0.36, 0.4]}


def test_a_still_scene_keeps_every_card_where_it_is() -> None:
    scene = _scene(
        [MUG, LAMP], [{"anchor": "mug", "title": "Mug"}, {"anchor": "lamp", "title": "Lamp"}]
    )
    layout = CardLayout(PROFILE)
    first = layout.update(scene, _view(), 0.0).card_rects
    for i in range(1, 60):
        rects = layout.update(scene, _view(), i / 30).card_rects
        assert rects.keys() == first.keys()
        for k, r in rects.items():
            assert r == pytest.approx(first[k], abs=1e-6)
        assert layout.last_frame is not None and not layout.last_frame.relayouts
    a, b = first.values()
    assert overlap_area(a, b) == 0


def test_a_streaming_card_grows_downward_without_jumping() -> None:
    text = "The quick brown fox jumps over the lazy dog near the riverbank at dawn, twice."
    layout = CardLayout(PROFILE)
    view = _view()
    tops, heights = [], []
    for i in range(1, len(text) + 1, 3):
        scene = _scene([MUG], [{"id": "a", "anchor": "mug", "title": "Fox", "body": text[:i]}])
        rect = layout.update(scene, view, i / 30).card_rects["a"]
        tops.append(rect[1])
        heights.append(rect[3] - rect[1])
    assert max(tops) - min(tops) < 0.5  # the top edge stays put
    assert all(b >= a - 1e-6 for a, b in itertools.pairwise(heights))  # grows, never shrinks
    assert heights[-1] > heights[0]


def test_a_lost_track_holds_then_fades_then_goes() -> None:
    opts = CardLayoutOptions()
    grace, fade = opts.anchoring.lost_grace_s, opts.anchoring.fade_s
    with_mug = _scene([MUG], [{"id": "a", "anchor": "mug", "title": "Mug"}])
    layout = CardLayout(PROFILE, opts)
    layout.update(with_mug, _view(), 0.0)
    gone = replace(with_mug, objects=())
    held = layout.update(gone, _view(), grace * 0.5)
    assert "a" in held.card_rects
    fading = layout.update(gone, _view(), grace + fade * 0.5)
    assert "a" in fading.card_rects
    title = next(t for t in fading.texts if t.text == "Mug")
    assert max(title.rgb) < 0.9  # dimmed while fading
    assert "a" not in layout.update(gone, _view(), grace + fade + 0.1).card_rects


def test_non_finite_boxes_skip_the_object_for_that_frame() -> None:
    scene = _scene([MUG], [{"id": "a", "anchor": "mug", "title": "Mug"}])
    layout = CardLayout(PROFILE)
    layout.update(scene, _view(), 0.0)
    bad = replace(scene, objects=(TrackedObject("mug", "mug", (math.nan, 0.4, math.inf, 0.5)),))
    dl = layout.update(bad, _view(), 0.05)  # held from the last good frame, no crash
    assert all(math.isfinite(v) for r in dl.card_rects.values() for v in r)


def test_an_object_off_the_display_gets_an_arrow_and_its_card_stays_inside() -> None:
    far_left = {"id": "door", "box": [0.0, 0.4, 0.02, 0.5]}
    scene = _scene([far_left], [{"id": "a", "anchor": "door", "title": "Exit"}])
    scene = replace(scene, world=replace(scene.world, fov_h_deg=150))
    view = ViewGeometry.make(PROFILE, W, H, 150.0, "right", 3.0)
    dl = CardLayout(PROFILE).update(scene, view, None)
    x0, y0, x1, y1 = dl.card_rects["a"]
    assert 0 <= x0 < x1 <= PROFILE.width_px and 0 <= y0 < y1 <= PROFILE.height_px
    assert x0 < PROFILE.width_px / 3  # at the edge nearest the object
    assert len(dl.lines) >= 2  # the chevron's two strokes


def test_time_going_backwards_is_a_clear_error() -> None:
    scene = _scene([MUG], [{"anchor": "mug", "title": "Mug"}])
    layout = CardLayout(PROFILE)
    layout.update(scene, _view(), 1.0)
    with pytest.raises(HudError) as err:
        layout.update(scene, _view(), 0.5)
    assert "\n" not in str(err.value)


def test_a_head_locked_card_stays_put_while_the_head_turns() -> None:
    scene = _scene([], [{"id": "s", "title": "Listening", "solver": "head", "state": "listening"}])
    layout = CardLayout(PROFILE)
    rects = [
        layout.update(scene, _view(), i / 30, pose_from_angles(i * 0.5, 0.0, 0.0)).card_rects["s"]
        for i in range(30)
    ]
    assert all(r == pytest.approx(rects[0]) for r in rects)
    assert rects[0][1] < PROFILE.height_px / 3  # near the top, the centre stays free


def test_untrusted_text_is_neutralised_before_layout() -> None:
    evil = "Pay\u202eNOW\u200b\x1b[31m\x00 ok"
    scene = _scene([MUG], [{"id": "a", "anchor": "mug", "title": "Bank", "body": evil}])
    dl = CardLayout(PROFILE).update(scene, _view(), None)
    shown = "".join(t.text for t in dl.texts)
    for ch in "\u202e\u200b\x1b\x00":
        assert ch not in shown


def test_a_ten_thousand_character_answer_is_cut_to_the_budget() -> None:
    scene = _scene([MUG], [{"id": "a", "anchor": "mug", "title": "Long", "body": "word " * 2000}])
    dl = CardLayout(PROFILE).update(scene, _view(), None)
    body = [t for t in dl.texts if t.text != "Long"]
    assert len(body) == CardLayoutOptions().body_lines
    assert body[-1].text.endswith("…")


@pytest.mark.parametrize("title", ["", "   "])
def test_empty_text_does_not_break_a_card(title: str) -> None:
    card = Card(id="a", title=title or "x", body=title, anchor="mug")
    scene = replace(_scene([MUG], []), cards=(card,))
    dl = CardLayout(PROFILE).update(scene, _view(), None)
    assert "a" in dl.card_rects


def test_a_hand_card_follows_the_wearers_hand_and_goes_when_it_goes() -> None:
    from hud.trackers.results import HandResult

    def hand_at(x: float, y: float) -> HandResult:
        pts = np.zeros((21, 3))
        pts[:, 0], pts[:, 1] = x, y
        return HandResult(handedness="Right", score=0.99, landmarks=pts, image_size=(W, H))

    scene = _scene([], [{"id": "m", "title": "Menu", "solver": "hand"}])
    layout = CardLayout(PROFILE)
    assert "m" not in layout.update(scene, _view(), 0.0, hands=()).card_rects  # no hand yet
    a = layout.update(scene, _view(), 0.1, hands=[hand_at(0.4, 0.5)]).card_rects["m"]
    b = a
    for i in range(2, 30):  # the hand moves right and down; the card follows
        b = layout.update(scene, _view(), i / 10, hands=[hand_at(0.45, 0.55)]).card_rects["m"]
    assert b[0] > a[0] and b[1] > a[1]
    grace = CardLayoutOptions().anchoring.lost_grace_s + CardLayoutOptions().anchoring.fade_s
    assert "m" not in layout.update(scene, _view(), 3.0 + grace + 0.1, hands=()).card_rects


@pytest.mark.parametrize("name", ["rayban-display", "orion", "even-g1", "hololens2"])
def test_a_head_locked_item_sits_on_the_display_wherever_the_display_is(name: str) -> None:
    """Ray-Ban Display's display is 4° right and down of straight ahead: a head-locked
    status item goes near the top of *the display*, not of the view (it was above the
    display, an off-display chevron pointing at it)."""
    from hud.layout.engine import layout_eye
    from hud.profiles import get_profile
    from hud.scene import Card, Scene, World

    p = get_profile(name)
    card = Card(id="s", title="Listening", state="listening", solver="head")
    dl = layout_eye(
        Scene(profile=name, world=World(image=None), cards=(card,)), p, "right", (1280, 720)
    )
    x0, y0, x1, y1 = dl.card_rects["s"]
    assert 0 <= x0 < x1 <= p.width_px and 0 <= y0 < y1 <= p.height_px / 2
    assert not dl.lines and not dl.overflow  # no edge chevron: it is on the display
