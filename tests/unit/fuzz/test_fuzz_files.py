"""Fuzz the file readers whole: any bytes as a scene or a profile file are one
:class:`HudError` (or a scene, a profile), and any untrusted text echoed in a message is
short and printable."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hud.cli import error_line
from hud.errors import HudError, quote
from hud.profiles import load_profile_file
from hud.scene import Scene, load_scene

#: Text a hostile file would use: control characters, bidi overrides, separators.
HOSTILE = st.text(
    st.characters(codec="utf-8")
    | st.sampled_from(["\x1b", "\n", "\r", "\u202e", "\u2066", "\u2028", "\x00", "\x9b"]),
    max_size=80,
)
SCENE_START = b'{"version": 1, "profile": "orion", "world": {"color": [0.1, 0.2, 0.3]}, '


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


@given(st.binary(max_size=400))
def test_any_bytes_are_a_scene_or_one_hud_error(folder: Path, data: bytes) -> None:
    for body in (data, SCENE_START + data):
        path = folder / "scene.json"
        path.write_bytes(body)
        try:
            assert isinstance(load_scene(path), Scene)
        except HudError as exc:
            assert "\n" not in exc.message and exc.message.isprintable(), exc.message


@given(st.dictionaries(HOSTILE, HOSTILE | st.lists(HOSTILE, max_size=3), max_size=4))
def test_hostile_scene_text_is_echoed_printable(folder: Path, extra: dict[str, object]) -> None:
    doc = {"version": 1, "profile": "orion", "world": {}, **extra}
    doc["cards"] = [{"title": "t", "anchor": k} for k in extra][:2]
    doc["objects"] = [{"id": v, "box": [0, 0, 1, 1]} for v in extra.values()][:2]
    path = folder / "scene.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    try:
        load_scene(path)
    except HudError as exc:
        assert "\n" not in exc.message and exc.message.isprintable(), exc.message


@given(st.binary(max_size=400), st.sampled_from(["p.json", "p.toml"]))
def test_any_bytes_are_a_profile_file_or_one_hud_error(
    folder: Path, data: bytes, name: str
) -> None:
    path = folder / name
    path.write_bytes(data)
    try:
        load_profile_file(path)
    except HudError as exc:
        assert "\n" not in error_line(exc.message)


@given(HOSTILE | st.integers() | st.floats() | st.lists(HOSTILE), st.integers(0, 80))
def test_quote_is_always_short_and_printable(value: object, limit: int) -> None:
    text = quote(value, limit)
    assert text.isprintable() and len(text) <= max(limit, 8)


@given(HOSTILE)
def test_the_printed_error_is_always_one_printable_line(message: str) -> None:
    line = error_line(message)
    assert line.isprintable() and "\n" not in line
