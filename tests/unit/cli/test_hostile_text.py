"""Untrusted text in errors: escaped, shortened, one line; files that are not the expected
kind are never echoed; a path typed on the command line is relative to where one is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import expect_error

from hud.cli.common import profile_for, resolve_profile
from hud.errors import HudError, quote
from hud.profiles import ProfileRegistry, load_profile_file
from hud.scene import SceneError, load_scene, parse_scene

#: Bytes that drive a terminal or forge a line: ESC (a colour), CR, newline, bidi override.
EVIL = "\x1b[31mred\x1b[0m\r\nhud: error: forged \u202egnp.exe\u2028"
SECRET = "sk-live-0123456789abcdefghijklmnopqrstuvwxyz"
PROFILE = {"width_px": 640, "height_px": 480, "peak_nits": 500, "transmittance": 0.8}


def _clean(text: str) -> None:
    """No control character, no bidi override, one line (so no forged second error)."""
    assert "\x1b" not in text and "\r" not in text and "\u202e" not in text
    assert "\u2028" not in text and "\n" not in text.strip()


@pytest.mark.parametrize(
    "value",
    [EVIL, "x" * 100_000, 10**5000, [[[[[]]]]], {"k": EVIL}, 1.5, None, b"\x1b"],
    ids=["evil", "long", "bigint", "nested", "dict", "float", "none", "bytes"],
)
def test_quote_is_short_printable_and_never_fails(value: object) -> None:
    text = quote(value)
    assert len(text) <= 40 and text.isprintable()
    _clean(text)


def test_quote_shows_a_short_value_as_repr() -> None:
    assert quote("orion") == "'orion'" and quote(3) == "3"
    assert quote("a\nb") == "'a\\nb'"


def _show(scene: Path, tmp_path: Path, *extra: str) -> list[str]:
    """``hud show --headless`` of a scene: it loads the scene and its profiles first."""
    return ["show", str(scene), *extra, "--headless", "--frames", "1", "--out", str(tmp_path / "o")]


def _write_scene(folder: Path, doc: dict) -> Path:
    path = folder / "scene.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _scene(**extra: object) -> dict:
    return {"version": 1, "profile": "orion", "world": {"color": [0.2, 0.2, 0.2]}, **extra}


@pytest.mark.parametrize(
    "doc",
    [
        _scene(objects=[{"id": EVIL, "box": [0, 0, 1, 1]}, {"id": EVIL, "box": [0, 0, 1, 1]}]),
        _scene(cards=[{"title": "t", "anchor": EVIL}]),
        _scene(cards=[{"title": "t", "state": EVIL}]),
        _scene(world={"fov_h_deg": EVIL}),
        _scene(world={"color": [EVIL, 0, 0]}),
        _scene(cards=[{"title": "t", EVIL: 1}]),
        {**_scene(), EVIL: 1},
        _scene(profile=EVIL + ".json"),
    ],
)
def test_scene_values_are_echoed_escaped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, doc: dict
) -> None:
    scene = _write_scene(tmp_path, doc)
    err = expect_error(capsys, _show(scene, tmp_path))
    _clean(err)
    assert "forged" not in err or "\\r\\n" in err or "\\x0d" in err


def test_a_long_scene_value_is_shortened(tmp_path: Path) -> None:
    doc = _scene(world={"fov_h_deg": "A" * 10_000})
    with pytest.raises(SceneError) as info:
        load_scene(_write_scene(tmp_path, doc))
    assert len(info.value.message) < 200 and "AAAA..." in info.value.message


def test_a_file_of_secrets_named_as_the_profile_is_not_echoed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "creds.json").write_text(
        json.dumps({"OPENAI_API_KEY": SECRET, "name": SECRET}), encoding="utf-8"
    )
    scene = _write_scene(tmp_path, _scene(profile="creds.json"))
    err = expect_error(capsys, _show(scene, tmp_path))
    assert "OPENAI" not in err and "sk-live" not in err
    assert "missing" in err


def test_a_file_of_secrets_given_as_the_scene_is_not_echoed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    secrets = tmp_path / "creds.json"
    secrets.write_text(json.dumps({"OPENAI_API_KEY": SECRET, "AWS": "x"}), encoding="utf-8")
    err = expect_error(capsys, ["render", str(secrets), "--out", str(tmp_path / "o.png")])
    assert "OPENAI" not in err and "sk-live" not in err and "AWS" not in err
    assert "not a scene" in err


def test_a_scene_typo_is_still_named() -> None:
    with pytest.raises(SceneError, match=r"\$\.wrold: unknown field"):
        parse_scene({**_scene(), "wrold": {}})


def test_a_profile_value_is_shortened_and_its_name_must_be_printable(tmp_path: Path) -> None:
    long = tmp_path / "long.json"
    long.write_text(json.dumps({**PROFILE, "name": "p", "eye": SECRET}), encoding="utf-8")
    with pytest.raises(HudError) as info:
        load_profile_file(long)
    assert SECRET not in info.value.message
    evil = tmp_path / "evil.json"
    evil.write_text(json.dumps({**PROFILE, "name": EVIL, "fov_diag_deg": 30}), encoding="utf-8")
    with pytest.raises(HudError, match="must be printable") as info:
        load_profile_file(evil)
    _clean(info.value.message)


def test_the_printed_error_is_one_escaped_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The last line of defence: a path with a newline and ESC in its name."""
    folder = tmp_path / "a\nhud: error: forged\x1b[2J"
    folder.mkdir()
    err = expect_error(capsys, ["render", str(folder / "s.json"), "--out", str(tmp_path / "o.png")])
    _clean(err)
    assert "\\x1b[2J" in err


def test_a_profile_file_on_the_command_line_is_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "scenes").mkdir()
    (tmp_path / "mine.json").write_text(
        json.dumps({**PROFILE, "name": "typed", "fov_diag_deg": 30}), encoding="utf-8"
    )
    (tmp_path / "scenes" / "mine.json").write_text(
        json.dumps({**PROFILE, "name": "beside-scene", "fov_diag_deg": 30}), encoding="utf-8"
    )
    scene = load_scene(_write_scene(tmp_path / "scenes", _scene(profile="mine.json")))
    monkeypatch.chdir(tmp_path)
    reg = ProfileRegistry()
    # A --profile a user typed: from the working directory.
    assert resolve_profile(reg, str(Path("mine.json")), None).name == "typed"
    assert profile_for(reg, "mine.json", scene).name == "typed"
    # The scene's own profile: from the scene's folder.
    assert resolve_profile(reg, scene.profile, scene).name == "beside-scene"
    assert profile_for(reg, None, scene).name == "beside-scene"
    (tmp_path / "other.json").write_text(
        json.dumps({**PROFILE, "name": "other", "fov_diag_deg": 30}), encoding="utf-8"
    )
    assert resolve_profile(reg, "other.json", scene).name == "other"


def test_a_missing_profile_file_on_the_command_line_names_the_typed_path(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "scenes").mkdir()
    scene = _write_scene(tmp_path / "scenes", _scene())
    monkeypatch.chdir(tmp_path)
    err = expect_error(capsys, _show(scene, tmp_path, "--profile", "nope.json"))
    assert "nope.json" in err and "scenes/nope.json" not in err


def test_replay_prints_a_sessions_strings_escaped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A session from someone else: its event strings never reach the terminal raw."""
    from hud.cli import main
    from hud.io.records import FrameRecord
    from hud.io.session import SessionWriter

    path = tmp_path / "evil.wgs"
    header = {"source": EVIL, "fps": 25.0, "width": 4, "height": 4, "video": False}
    event = {"event": EVIL, "type": EVIL, "timestamp_ms": 0, "handedness": EVIL, "x": EVIL}
    with SessionWriter(path, header) as writer:
        writer.write_frame(FrameRecord(index=0, timestamp_ms=0, events=(event,)))
    capsys.readouterr()
    assert main(["replay", str(path)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\r" not in out and "\u202e" not in out
    assert "\\x1b[31m" in out
