"""Settings of the network source: options refuse bad values when made, a config file
names the endpoint and the key's variable (never the key), and the environment fills in
what neither sets. No message ever shows a key."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from hud.answers import AnswerConfigError, OpenAIAnswerOptions, load_openai_options
from hud.answers.config import DEFAULT_BASE_URL, PLACEHOLDER_KEY, resolve_endpoint
from hud.errors import HudError, OptionsError

KEY = "sk-wg-CONFIG-0b7e4d2a9c"


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "waveglass.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_key_is_never_in_a_repr() -> None:
    options = OpenAIAnswerOptions(api_key=KEY, base_url="http://127.0.0.1:8080/v1")
    assert KEY not in repr(options) and "127.0.0.1:8080" in repr(options)


@pytest.mark.parametrize(
    "bad",
    [
        {"base_url": "ftp://example.com"},
        {"base_url": "http://"},
        {"base_url": "http://host:70000/v1"},
        {"base_url": "http://host/v1\n"},
        {"api_key": ""},
        {"api_key": KEY + "\n"},
        {"api_key": KEY + " x"},
        {"api_key": "ключ"},
        {"api_key_env": "1BAD"},
        {"model": ""},
        {"timeout_s": 0},
        {"timeout_s": float("inf")},
        {"max_retries": -1},
        {"max_retries": True},
        {"max_tokens": 0},
        {"temperature": 3.0},
        {"send_image": "yes"},
        {"image_max_side": 10},
        {"jpeg_quality": 101},
        {"system_prompt": ""},
    ],
)
def test_bad_options_are_refused_without_echoing_a_key_or_url(bad: dict[str, object]) -> None:
    with pytest.raises(OptionsError) as info:
        OpenAIAnswerOptions(**bad)  # type: ignore[arg-type]
    message = info.value.message
    assert KEY not in message and "\n" not in message and "--" not in message
    assert "host/v1" not in message and "example.com" not in message


def test_options_win_then_the_named_variable_then_the_clients_variables() -> None:
    env = {"OPENAI_BASE_URL": "http://env:1/v1", "OPENAI_API_KEY": "sk-env", "MINE": KEY}
    assert resolve_endpoint(OpenAIAnswerOptions(), {}) == (DEFAULT_BASE_URL, PLACEHOLDER_KEY)
    assert resolve_endpoint(OpenAIAnswerOptions(), env) == ("http://env:1/v1", "sk-env")
    assert resolve_endpoint(OpenAIAnswerOptions(api_key_env="MINE"), env)[1] == KEY
    options = OpenAIAnswerOptions(base_url="http://mine:2/v1", api_key="sk-own", api_key_env="MINE")
    assert resolve_endpoint(options, env) == ("http://mine:2/v1", "sk-own")


def test_bad_values_from_the_environment_are_one_line_and_hide_the_key() -> None:
    with pytest.raises(OptionsError, match="OPENAI_BASE_URL") as info:
        resolve_endpoint(OpenAIAnswerOptions(), {"OPENAI_BASE_URL": "nonsense"})
    assert "nonsense" not in info.value.message
    with pytest.raises(OptionsError, match="OPENAI_API_KEY") as info:
        resolve_endpoint(OpenAIAnswerOptions(), {"OPENAI_API_KEY": KEY + "\r\nX-Evil: 1"})
    assert KEY not in info.value.message
    with pytest.raises(OptionsError, match="MINE.*not set"):
        resolve_endpoint(OpenAIAnswerOptions(api_key_env="MINE"), {"OPENAI_API_KEY": "sk-env"})


def test_a_config_file_gives_options_to_combine_with_others(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        '[openai]\nbase_url = "http://127.0.0.1:11434/v1"\nmodel = "llava"\n'
        'api_key_env = "OLLAMA_KEY"\ntimeout_s = 5\nsend_image = false\n\n[other]\nx = 1\n',
    )
    options = load_openai_options(path)
    assert options == OpenAIAnswerOptions(
        base_url="http://127.0.0.1:11434/v1",
        model="llava",
        api_key_env="OLLAMA_KEY",
        timeout_s=5,
        send_image=False,
    )
    assert dataclasses.replace(options, model="other").model == "other"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f'[openai]\napi_key = "{KEY}"\n', "a key does not belong in a file"),
        ('[openai]\nmodle = "x"\n', "no setting 'modle'"),
        ("[openai]\ntimeout_s = -1\n", "[openai] timeout_s must be"),
        ('[openai]\nbase_url = "gopher://x"\n', "[openai] base_url must be"),
        ("[models]\nx = 1\n", "needs a table [openai]"),
        ("openai = [", "not valid TOML"),
    ],
)
def test_bad_config_files_are_one_line_errors(tmp_path: Path, text: str, expected: str) -> None:
    path = _file(tmp_path, text)
    with pytest.raises(AnswerConfigError) as info:
        load_openai_options(path)
    message = info.value.message
    assert expected in message and str(path) in message
    assert KEY not in message and "\n" not in message and isinstance(info.value, HudError)


def test_missing_and_non_utf8_config_files(tmp_path: Path) -> None:
    with pytest.raises(AnswerConfigError, match="not found"):
        load_openai_options(tmp_path / "none.toml")
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"\xff[openai]")
    with pytest.raises(AnswerConfigError, match="not UTF-8"):
        load_openai_options(bad)
