"""Version 2 scenes: posed objects, head motion, timed answer streams, animation."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from hud.scene import SceneError, card_at, cards_at, parse_scene

V2: dict[str, Any] = {
    "version": 2,
    "profile": "orion",
    "world": {"image": "desk.jpg", "fov_h_deg": 62, "depth_m": 1.5},
    "head": {"trace": "head.tum", "start_s": 12.0},
    "animation": {"duration_s": 4.0, "fps": 24},
    "objects": [
        {"id": "mug", "box": [0.4, 0.5, 0.5, 0.7]},
        {"id": "lamp", "pose": {"position_m": [0.3, -0.2, 2.0], "size_m": [0.3, 0.5]}},
    ],
    "cards": [
        {
            "id": "a",
            "anchor": "lamp",
            "title": "Desk lamp",
            "stream": [{"t_s": 0.5, "text": "An LED "}, {"t_s": 1.0, "text": "desk lamp."}],
        },
        {"id": "b", "title": "Battery 80%", "solver": "head", "appear_s": 1, "dismiss_s": 3},
    ],
}


def _doc(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(V2)
    doc.update(changes)
    return doc


def test_v2_parses_everything() -> None:
    s = parse_scene(V2, base_dir="/x")
    assert s.version == 2
    assert s.posed[0].id == "lamp" and s.posed[0].pose.position_m == (0.3, -0.2, 2.0)
    assert s.posed[0].pose.rotation_xyzw == (0.0, 0.0, 0.0, 1.0)
    assert s.head is not None and s.head.trace == "head.tum" and s.head.start_s == 12.0
    assert s.animation.fps == 24 and s.duration_s() == 4.0
    a, b = s.cards
    assert a.anchor == "lamp" and a.solver_name == "object" and len(a.stream) == 2
    assert b.solver_name == "head" and b.appear_s == 1 and b.dismiss_s == 3


def test_stream_shows_what_has_arrived() -> None:
    card = parse_scene(V2, base_dir="/x").cards[0]
    before = card_at(card, 0.2)
    assert before is not None and before.state == "thinking" and before.body == ""
    mid = card_at(card, 0.7)
    assert mid is not None and mid.state == "streaming" and mid.body == "An LED "
    end = card_at(card, 1.5)
    assert end is not None and end.state == "done" and end.body == "An LED desk lamp."


def test_cards_appear_and_are_dismissed() -> None:
    s = parse_scene(V2, base_dir="/x")
    assert [c.id for c in cards_at(s, 0.0)] == ["a"]
    assert [c.id for c in cards_at(s, 2.0)] == ["a", "b"]
    assert [c.id for c in cards_at(s, 3.0)] == ["a"]


def test_duration_without_animation_is_the_last_event() -> None:
    doc = _doc()
    del doc["animation"]
    assert parse_scene(doc, base_dir="/x").duration_s() == 3.0


@pytest.mark.parametrize(
    ("doc", "where"),
    [
        ({**V2, "version": 1}, "$.head"),
        (_doc(head={"trace": "/etc/passwd"}), "$.head.trace"),
        (_doc(head={}), "$.head"),
        (_doc(head={"keyframes": [{"t_s": 1}, {"t_s": 1}]}), "$.head.keyframes[1].t_s"),
        (_doc(head={"keyframes": [{"t_s": 0, "yaw_deg": 400}]}), "$.head.keyframes[0].yaw_deg"),
        (_doc(animation={"fps": 0}), "$.animation.fps"),
        (
            _doc(objects=[{"id": "o", "pose": {"position_m": [0, 0, float("nan")]}}], cards=[]),
            "$.objects[0].pose.position_m[2]",
        ),
        (
            _doc(
                objects=[
                    {"id": "o", "pose": {"position_m": [0, 0, 1], "rotation_xyzw": [0, 0, 0, 0]}}
                ],
                cards=[],
            ),
            "$.objects[0].pose.rotation_xyzw",
        ),
        (
            _doc(
                objects=[{"id": "o", "box": [0, 0, 1, 1], "pose": {"position_m": [0, 0, 1]}}],
                cards=[],
            ),
            "$.objects[0].box",
        ),
        (
            _doc(
                cards=[{"title": "t", "stream": [{"t_s": 2, "text": "a"}, {"t_s": 1, "text": "b"}]}]
            ),
            "$.cards[0].stream[1].t_s",
        ),
        (_doc(cards=[{"title": "t", "solver": "orbit"}]), "$.cards[0].solver"),
        (_doc(cards=[{"title": "t", "solver": "object"}]), "$.cards[0].solver"),
        (_doc(cards=[{"title": "t", "appear_s": 2, "dismiss_s": 1}]), "$.cards[0].dismiss_s"),
        (_doc(cards=[{"title": "t", "state": "streamed"}]), "$.cards[0].state"),
    ],
)
def test_bad_v2_fields_name_their_path(doc: dict[str, Any], where: str) -> None:
    with pytest.raises(SceneError) as err:
        parse_scene(doc, base_dir=Path("/x"))
    assert str(err.value).startswith(where + ":"), str(err.value)
    assert "\n" not in str(err.value)


def test_v1_cards_may_not_use_v2_fields() -> None:
    doc = {
        "version": 1,
        "profile": "orion",
        "world": {"color": [0, 0, 0]},
        "cards": [{"title": "t", "stream": []}],
    }
    with pytest.raises(SceneError, match=r"\$\.cards\[0\]\.stream: needs \"version\": 2"):
        parse_scene(doc)
