from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hud.scene import SceneError, load_scene, parse_scene

EXAMPLE: dict[str, Any] = {
    "version": 1,
    "profile": "rayban-display",
    "world": {"image": "street.jpg", "fov_h_deg": 70, "ambient_nits": 250},
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
}


def test_issue_example_parses() -> None:
    s = parse_scene(EXAMPLE, base_dir="/x")
    assert s.profile == "rayban-display"
    assert s.world.ambient_nits == 250 and s.world.fov_h_deg == 70
    assert s.objects[0].box == (0.40, 0.55, 0.52, 0.75)
    assert s.cards[0].title == "머그컵" and s.cards[0].anchor == "mug"
    assert s.resolve("street.jpg") == Path("/x/street.jpg")


def _with(path: list[Any], value: Any) -> dict[str, Any]:
    data = json.loads(json.dumps(EXAMPLE))
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        (["version"], 3, "$.version"),
        (["profile"], _DELETE, "$.profile"),
        (["profile"], 7, "$.profile"),
        (["world"], _DELETE, "$.world"),
        (["world", "fov_h_deg"], "wide", "$.world.fov_h_deg"),
        (["world", "ambient_nits"], -3, "$.world.ambient_nits"),
        (["objects", 0, "box"], [0.4, 0.5], "$.objects[0].box"),
        (["objects", 0, "box"], [0.5, 0.5, 0.4, 0.6], "$.objects[0].box"),
        (["objects", 0, "box"], [0.1, 0.2, 1.3, 0.5], "$.objects[0].box[2]"),
        (["cards", 0, "anchor"], "cup", "$.cards[0].anchor"),
        (["cards", 0, "state"], "sleeping", "$.cards[0].state"),
        (["cards", 0, "title"], _DELETE, "$.cards[0].title"),
        (["cards", 0, "colour"], "red", "$.cards[0].colour"),
        (["cards"], {"a": 1}, "$.cards"),
    ],
)
def test_errors_name_the_json_path(path: list[Any], value: Any, where: str) -> None:
    with pytest.raises(SceneError) as info:
        parse_scene(_with(path, value))
    assert info.value.message.startswith(where + ":"), info.value.message


def test_load_scene_errors(tmp_path: Path) -> None:
    with pytest.raises(SceneError, match="not found"):
        load_scene(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": 1,,}')
    with pytest.raises(SceneError, match=r"not valid JSON \(line 1"):
        load_scene(bad)
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps(_with(["cards", 0, "anchor"], "cup")))
    with pytest.raises(SceneError, match=r"wrong.json: \$.cards\[0\].anchor"):
        load_scene(wrong)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("image", "/etc/hostname"),
        ("image", "../../etc/passwd.png"),
        ("image", "sub/../../outside.png"),
        ("profile", "/etc/glasses.json"),
        ("profile", "../other/glasses.toml"),
    ],
)
def test_a_scene_names_no_file_outside_its_folder(tmp_path: Path, field: str, value: str) -> None:
    """A scene from someone else must not make a command read files elsewhere."""
    from hud.scene import SceneError, parse_scene

    doc = {"version": 1, "profile": "orion", "world": {"image": "w.png"}}
    if field == "image":
        doc["world"] = {"image": value}
    else:
        doc["profile"] = value
    with pytest.raises(SceneError, match="outside the scene's folder"):
        parse_scene(doc, base_dir=tmp_path)


def test_files_beside_or_below_the_scene_are_fine(tmp_path: Path) -> None:
    from hud.scene import parse_scene

    doc = {"version": 1, "profile": "glasses/mine.toml", "world": {"image": "img/./w.png"}}
    scene = parse_scene(doc, base_dir=tmp_path)
    assert scene.resolve(scene.world.image or "") == tmp_path / "img" / "./w.png"
