"""Settings of the network answer source, and the config file they may come from.

An OpenAI-compatible server (OpenAI, llama.cpp's server, Ollama, vLLM) is named by its
base URL and, optionally, a model; both come from :class:`OpenAIAnswerOptions`, a TOML
config file (:func:`load_openai_options`), or the client's usual environment variables
(``OPENAI_BASE_URL``, ``OPENAI_API_KEY``). A key is never read from a file that may end
up in a repository: the file names the environment variable that holds it::

    [openai]
    base_url = "http://127.0.0.1:8080/v1"   # llama.cpp's server
    model = "qwen2.5-vl-7b"                  # leave out: the first model the server lists
    api_key_env = "MY_SERVER_KEY"            # leave out for a local server
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from hud.errors import HudError, OptionsError, check_regular_file, quote

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

#: Largest config file read (bytes).
MAX_CONFIG_BYTES = 64 * 1024
#: The key a local server gets when none is set: the client refuses to run keyless, and
#: llama.cpp, Ollama and vLLM ignore the key unless they were started with one.
PLACEHOLDER_KEY = "no-key"
DEFAULT_BASE_URL = "https://api.openai.com/v1"
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
#: ``http(s)://[user[:password]@]host[:port][/path]``, the host a name or an IP literal.
_URL = re.compile(
    r"https?://(?:[^@/?#\s]*@)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~%-]+)(?::(\d{1,5}))?(?:[/?#]\S*)?"
)


class AnswerConfigError(HudError, ValueError):
    """A config file that cannot be read or holds a wrong setting."""


@dataclass(frozen=True)
class OpenAIAnswerOptions:
    """How to ask an OpenAI-compatible chat-completions server.

    ``base_url`` (``None``: ``OPENAI_BASE_URL``, else OpenAI's), ``api_key`` (never shown
    in a repr; ``None``: the variable ``api_key_env`` names, else ``OPENAI_API_KEY``,
    else a placeholder a local server ignores) and ``model`` (``None``: the first model
    the server lists, asked once per source). ``timeout_s`` bounds each wait on the
    server (connecting, the first byte, each next chunk): a silent server fails after it.
    ``max_retries``: how often a request that failed before any answer text (no
    connection, 408/429/5xx) is sent again. ``system_prompt`` replaces the built-in one
    (a glanceable answer of one or two sentences); the request's language is asked for
    either way. ``send_image``: attach the request's (redacted) crop, as a JPEG of at most
    ``image_max_side`` pixels on its long side.
    """

    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    api_key_env: str | None = None
    model: str | None = None
    timeout_s: float = 20.0
    max_retries: int = 1
    system_prompt: str | None = None
    max_tokens: int | None = 160
    temperature: float | None = None
    send_image: bool = True
    image_max_side: int = 512
    jpeg_quality: int = 80

    def __post_init__(self) -> None:
        if self.base_url is not None:
            check_base_url(self.base_url)
        if self.api_key is not None:
            check_key(self.api_key)
        if self.api_key_env is not None and not (
            isinstance(self.api_key_env, str) and _ENV_NAME.fullmatch(self.api_key_env)
        ):
            raise OptionsError("api_key_env must name an environment variable (letters, digits, _)")
        if self.model is not None and not _short_text(self.model, 200):
            raise OptionsError("model must be a name of 1 to 200 printable characters")
        _check_number("timeout_s", self.timeout_s, 0.0, 600.0, low_open=True)
        _check_int("max_retries", self.max_retries, 0, 10)
        if self.system_prompt is not None and not (
            isinstance(self.system_prompt, str) and 0 < len(self.system_prompt) <= 4000
        ):
            raise OptionsError("system_prompt must be text of 1 to 4000 characters")
        if self.max_tokens is not None:
            _check_int("max_tokens", self.max_tokens, 1, 32768)
        if self.temperature is not None:
            _check_number("temperature", self.temperature, 0.0, 2.0)
        if not isinstance(self.send_image, bool):
            raise OptionsError(f"send_image must be true or false, got {quote(self.send_image)}")
        _check_int("image_max_side", self.image_max_side, 64, 4096)
        _check_int("jpeg_quality", self.jpeg_quality, 30, 100)


def check_base_url(url: object) -> None:
    """An ``http(s)://host[:port]/path`` URL. Never echoed: it may hold a password."""
    match = None
    if isinstance(url, str) and len(url) <= 2000 and url.isprintable():
        match = _URL.fullmatch(url)
    if match is None or not (match.group(1) is None or 0 < int(match.group(1)) < 65536):
        raise OptionsError("base_url must be an http:// or https:// URL with a host")


def check_key(key: object) -> None:
    """A key that fits in an HTTP header. Never echoed, not even in part."""
    if not (isinstance(key, str) and 0 < len(key) <= 4096 and key.isascii()):
        raise OptionsError("the API key must be 1 to 4096 ASCII characters")
    if not key.isprintable() or " " in key:
        raise OptionsError("the API key must not hold spaces or control characters")


def resolve_endpoint(
    options: OpenAIAnswerOptions, environ: Mapping[str, str] | None = None
) -> tuple[str, str]:
    """The base URL and key to use: the options', else the environment's, else the
    defaults (OpenAI's URL; :data:`PLACEHOLDER_KEY`)."""
    env = os.environ if environ is None else environ
    base_url = options.base_url or env.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
    if options.base_url is None:
        try:
            check_base_url(base_url)
        except OptionsError:
            raise OptionsError("OPENAI_BASE_URL must be an http:// or https:// URL") from None
    key = options.api_key
    if key is None and options.api_key_env is not None:
        key = env.get(options.api_key_env)
        if not key:
            raise OptionsError(
                f"the environment variable {options.api_key_env} (api_key_env) is not set"
            )
        _check_env_key(key, options.api_key_env)
    if key is None and env.get("OPENAI_API_KEY"):
        key = env["OPENAI_API_KEY"]
        _check_env_key(key, "OPENAI_API_KEY")
    return base_url, key or PLACEHOLDER_KEY


def load_openai_options(path: str | Path) -> OpenAIAnswerOptions:
    """The ``[openai]`` table of a TOML config file as options (other tables are left
    for other readers). A key stored in the file is refused: name its variable with
    ``api_key_env``. Combine with other settings through :func:`dataclasses.replace`."""
    p = Path(path)
    check_regular_file(p, "config file")
    try:
        if p.stat().st_size > MAX_CONFIG_BYTES:
            raise AnswerConfigError(f"{p}: larger than {MAX_CONFIG_BYTES // 1024} KiB")
        data = tomllib.loads(p.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise AnswerConfigError(f"config file not found: {p}") from None
    except OSError as exc:
        raise AnswerConfigError(f"cannot read config file {p}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise AnswerConfigError(f"{p}: not UTF-8 text") from None
    except (ValueError, RecursionError) as exc:
        raise AnswerConfigError(f"{p}: not valid TOML ({type(exc).__name__})") from None
    table = data.get("openai")
    if not isinstance(table, dict):
        raise AnswerConfigError(f"{p}: needs a table [openai]")
    return _options_from(table, p)


def _options_from(table: dict[str, Any], p: Path) -> OpenAIAnswerOptions:
    if "api_key" in table:
        raise AnswerConfigError(
            f"{p}: a key does not belong in a file; put it in an environment variable "
            "and name that with api_key_env"
        )
    known = {f.name for f in fields(OpenAIAnswerOptions)} - {"api_key"}
    unknown = sorted(str(k) for k in table if k not in known)
    if unknown:
        raise AnswerConfigError(f"{p}: [openai] has no setting {quote(unknown[0])}")
    try:
        return OpenAIAnswerOptions(**table)
    except OptionsError as exc:
        raise AnswerConfigError(f"{p}: [openai] {exc.message}") from None


def _check_env_key(key: str, name: str) -> None:
    try:
        check_key(key)
    except OptionsError as exc:
        raise OptionsError(f"{name}: {exc.message}") from None


def _short_text(value: object, limit: int) -> bool:
    return isinstance(value, str) and 0 < len(value) <= limit and value.isprintable()


def _check_int(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise OptionsError(
            f"{name} must be a whole number from {low} to {high}, got {quote(value)}"
        )


def _check_number(
    name: str, value: object, low: float, high: float, *, low_open: bool = False
) -> None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if ok:
        v = float(value)  # type: ignore[arg-type]
        ok = math.isfinite(v) and (v > low if low_open else v >= low) and v <= high
    if not ok:
        lower = f"more than {low:g}" if low_open else f"from {low:g}"
        raise OptionsError(f"{name} must be a number {lower} to {high:g}, got {quote(value)}")
