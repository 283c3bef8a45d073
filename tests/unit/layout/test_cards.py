from __future__ import annotations

from typing import Any

import pytest

from hud.anchors import ViewGeometry
from hud.layout import DisplayList, layout_scene
from hud.profiles import BUILTIN_PROFILES, DisplayProfile
from hud.scene import parse_scene

W, H = 1280, 720


def _layout(
    profile: DisplayProfile,
    objects: list[dict[str, Any]],
    cards: list[dict[str, Any]],
    viewer: dict[str, Any] | None = None,
    latency: bool = True,
) -> DisplayList:
    data: dict[str, Any] = {
        "version": 1,
        "profile": profile.name,
        "world": {"width": W, "height": H, "fov_h_deg": 70},
        "objects": objects,
        "cards": cards,
    }
    if viewer:
        data["viewer"] = viewer
    scene = parse_scene(data)
    view = ViewGeometry.make(profile, W, H, 70, "right", 3.0)
    return layout_scene(scene, profile, view, (W, H), latency_on=latency)


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def test_cards_never_overlap_and_stay_inside_the_display() -> None:
    orion = BUILTIN_PROFILES["orion"]
    objects = [
        {"id": f"o{i}", "label": "x", "box": [0.42 + 0.02 * i, 0.45, 0.45 + 0.02 * i, 0.52]}
        for i in range(5)
    ]
    cards = [
        {"id": f"c{i}", "anchor": f"o{i}", "title": f"답변 {i}", "body": "짧은 설명 text"}
        for i in range(5)
    ]
    dl = _layout(orion, objects, cards)
    rects = list(dl.card_rects.values())
    assert len(rects) == 5
    for i, a in enumerate(rects):
        assert a[0] >= 0 and a[1] >= 0 and a[2] <= orion.width_px and a[3] <= orion.height_px
        for b in rects[i + 1 :]:
            assert _overlap(a, b) == 0


def test_card_does_not_cover_its_object_and_has_brackets() -> None:
    orion = BUILTIN_PROFILES["orion"]
    dl = _layout(
        orion,
        [{"id": "mug", "label": "mug", "box": [0.45, 0.45, 0.55, 0.6]}],
        [{"id": "q", "anchor": "mug", "title": "머그컵", "body": "세라믹 머그, 350 ml."}],
    )
    view = ViewGeometry.make(orion, W, H, 70, "right", 3.0)
    u0, v0 = view.eye_tan_to_display_uv(*view.image_to_eye_tan(0.45 * W, 0.45 * H))
    u1, v1 = view.eye_tan_to_display_uv(*view.image_to_eye_tan(0.55 * W, 0.6 * H))
    box = (u0 * orion.width_px, v0 * orion.height_px, u1 * orion.width_px, v1 * orion.height_px)
    assert _overlap(dl.card_rects["q"], box) == 0
    assert len(dl.lines) >= 8  # four corner brackets
    assert [t.text for t in dl.texts][:2] == ["머그컵", "세라믹 머그, 350 ml."]


def test_off_display_anchor_pins_card_to_nearest_edge() -> None:
    rb = BUILTIN_PROFILES["rayban-display"]
    dl = _layout(
        rb,
        [{"id": "door", "label": "door", "box": [0.0, 0.4, 0.05, 0.6]}],
        [{"id": "q", "anchor": "door", "title": "출구", "state": "info"}],
    )
    x0, _y0, _x1, _y1 = dl.card_rects["q"]
    assert x0 <= rb.width_px * 0.08  # object is far left: card hugs the left edge
    assert dl.lines, "an arrow points towards the object"


def test_long_text_wraps_within_the_card() -> None:
    rb = BUILTIN_PROFILES["rayban-display"]
    body = "이 문장은 카드 폭보다 훨씬 길어서 여러 줄로 나뉘어야 합니다. " * 3
    dl = _layout(rb, [], [{"id": "q", "title": "요약", "body": body}])
    _x0, _, x1, _ = dl.card_rects["q"]
    assert len(dl.texts) >= 3
    from hud.text import text_width

    for t in dl.texts:
        assert t.x + text_width(t.text, t.size_px, t.bold) <= x1 + 1
    assert dl.texts[-1].text.endswith("…")


def test_head_motion_makes_anchored_content_lag() -> None:
    orion = BUILTIN_PROFILES["orion"]
    objs = [{"id": "a", "label": "a", "box": [0.45, 0.45, 0.5, 0.5]}]
    cards = [{"id": "q", "anchor": "a", "title": "A"}]
    still = _layout(orion, objs, cards)
    moving = _layout(orion, objs, cards, viewer={"head_rate_dps": [100, 0]})
    off = _layout(orion, objs, cards, viewer={"head_rate_dps": [100, 0]}, latency=False)
    shift = moving.card_rects["q"][0] - still.card_rects["q"][0]
    assert shift == pytest.approx(100 * orion.latency_ms / 1000 * orion.ppd, rel=0.01)
    assert off.card_rects["q"] == still.card_rects["q"]


@pytest.mark.parametrize("name", sorted(BUILTIN_PROFILES))
def test_random_scenes_never_overlap_on_any_profile(name: str) -> None:
    """Crowded, random scenes: cards that fit never overlap; the rest are counted, not drawn."""
    import numpy as np

    profile = BUILTIN_PROFILES[name]
    rng = np.random.default_rng(7)
    for _trial in range(6):
        n = int(rng.integers(1, 9))
        objects, cards = [], []
        for i in range(n):
            x0, y0 = rng.uniform(0.2, 0.7, size=2)
            w, h = rng.uniform(0.03, 0.2, size=2)
            objects.append(
                {"id": f"o{i}", "label": "x", "box": [x0, y0, min(x0 + w, 1.0), min(y0 + h, 1.0)]}
            )
            anchor = {"anchor": f"o{i}"} if rng.random() < 0.8 else {}
            cards.append(
                {
                    "id": f"c{i}",
                    "title": "답변 " * int(rng.integers(1, 4)),
                    "body": "설명 text " * int(rng.integers(0, 6)),
                    **anchor,
                }
            )
        dl = _layout(profile, objects, cards)
        rects = list(dl.card_rects.values())
        assert len(rects) + len(dl.overflow) == n
        for i, a in enumerate(rects):
            assert (
                a[0] >= 0
                and a[1] >= 0
                and a[2] <= profile.width_px + 1e-6
                and a[3] <= profile.height_px + 1e-6
            )
            for b in rects[i + 1 :]:
                assert _overlap(a, b) == 0, (name, a, b)


def test_tiny_display_overflows_with_a_badge() -> None:
    even = BUILTIN_PROFILES["even-g1"]
    cards = [{"id": f"c{i}", "title": f"알림 {i}", "body": "메시지 본문"} for i in range(5)]
    dl = _layout(even, [], cards)
    assert dl.overflow, "a 640×200 display cannot hold five cards"
    assert any(t.text == f"+{len(dl.overflow)}" for t in dl.texts)
    assert len(dl.card_rects) + len(dl.overflow) == 5
