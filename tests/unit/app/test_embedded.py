"""The embedded session and its input scripts: what ships loads, and a wrong script is one
clear line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from hud.answers import OfflineAnswerSource, load_knowledge
from hud.app.embedded import (
    EMBEDDED_DIR,
    SceneWorldSource,
    ScriptError,
    load_embedded,
    load_script,
    parse_script,
)


def test_the_embedded_session_loads_and_its_knowledge_answers_every_marker() -> None:
    session = load_embedded()
    assert session.duration_s == pytest.approx(12.0)
    entries = load_knowledge(session.knowledge)
    for marker in (23, 40, 62, 98, 124, 203):
        entry = entries[f"marker-{marker}"]
        assert entry.texts["en"] and entry.texts["ko"]
    looked = {a.look for a in session.script.actions if a.look}
    assert looked <= set(entries)  # the script only looks at things it can ask about
    assert OfflineAnswerSource(session.knowledge).entries


def test_the_world_source_moves_with_the_head_and_keeps_its_markers() -> None:
    import cv2

    session = load_embedded()
    source = SceneWorldSource(session.scene, fps=2)
    frames = list(source)
    assert len(frames) == 25  # 12 s at 2 fps, both ends
    assert [f.timestamp_ms for f in frames[:3]] == [0, 500, 1000]
    first, later = frames[0].rgb, frames[5].rgb
    assert first.shape == later.shape == (960, 1280, 3)
    assert not np.array_equal(first, later)  # the head has turned
    detector = cv2.aruco.ArucoDetector(cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_6X6_250))
    for frame in (first, later):
        _, ids, _ = detector.detectMarkers(cv2.cvtColor(frame.copy(), cv2.COLOR_RGB2GRAY))
        assert ids is not None and sorted(ids.ravel()) == [23, 40, 62, 98, 124, 203]
    moved = source.objects_at(2.5)
    still = source.objects_at(0.0)
    assert {o.id for o in moved} == {o.id for o in still} == {"parcel", "keys", "stone"}
    assert moved[0].box != still[0].box


def test_script_actions_come_due_once_each() -> None:
    script = load_script(EMBEDDED_DIR / "script.json")
    seen = []
    t = -1.0
    for i in range(0, 13 * 30):
        now = i / 30
        seen += script.due(t, now)
        t = now
    assert seen == list(script.actions)
    assert script.question["ko"]


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ([], "needs a list 'actions'"),
        ({"actions": [{"t_s": 1, "press": "Q"}]}, "unknown key"),
        ({"actions": [{"t_s": -1, "look": "keys"}]}, "t_s"),
        ({"actions": [{"t_s": True, "look": "keys"}]}, "t_s"),
        ({"actions": [{"t_s": 1, "look": "a", "press": "SPACE"}]}, "one of"),
        ({"actions": [{"t_s": 2, "away": True}, {"t_s": 1, "away": True}]}, "time order"),
        ({"actions": [], "question": {"en": ""}}, "question"),
        ({"actions": ["x"]}, "expected an object"),
    ],
)
def test_a_wrong_script_is_one_line(data: object, needle: str) -> None:
    with pytest.raises(ScriptError) as err:
        parse_script(data)
    assert needle in err.value.message and "\n" not in err.value.message


def test_a_script_file_that_is_not_json_says_so(tmp_path: Path) -> None:
    bad = tmp_path / "s.json"
    bad.write_bytes(b"\xff\xfe{")
    with pytest.raises(ScriptError, match="not a JSON input script"):
        load_script(bad)
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000)
    with pytest.raises(ScriptError):
        load_script(deep)
    with pytest.raises(ScriptError, match="not found"):
        load_script(tmp_path / "missing.json")
    ok = tmp_path / "ok.json"
    ok.write_text(json.dumps({"actions": [{"t_s": 0.5, "away": True}]}))
    assert load_script(ok).actions[0].look == ""
