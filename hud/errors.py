"""One error type for everything a user can get wrong.

The command line turns a :class:`HudError` into a one-line message and exit status 2,
so bad input never ends in a traceback. Library callers can catch it the same way.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class HudError(Exception):
    """A problem with the user's input or machine, with a message meant for them."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class GLUnavailableError(HudError):
    """No OpenGL 3.3 context could be created (missing drivers or libraries)."""


class OptionsError(HudError, ValueError):
    """An option given to a Waveglass class is out of range or of the wrong kind.

    Raised once, when the options object is made, so a bad setting never surfaces as a
    failure frames later. A :class:`ValueError` too, as Python code expects of bad values.
    """


#: How many characters of an untrusted value a message echoes at most.
QUOTE_LIMIT = 40


def quote(value: object, limit: int = QUOTE_LIMIT) -> str:
    """An untrusted value (from a scene, a profile, a calibration file) fit to echo.

    The value is shown as Python's ``repr`` would, so a string is quoted and every control
    character in it escaped (ESC, newline, CR, the bidi overrides U+202A-U+202E and
    U+2066-U+2069, line and paragraph separators): nothing echoed can move the cursor,
    colour the terminal or start a forged second line. At most ``limit`` characters are
    shown (longer ones end in ``...``), so a long value cannot flood the message and a
    secret is at most partly shown. Never fails: a value whose ``repr`` cannot be made
    (an integer of more digits than Python prints, a list nested too deeply) is named by
    its type.
    """
    limit = max(limit, 8)
    if isinstance(value, str) and len(value) > limit:
        value = value[: limit + 1]  # repr of a huge string is never built
    try:
        text = repr(value)
    except (ValueError, RecursionError):
        text = f"<{type(value).__name__}>"
    text = escape_controls(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def escape_controls(text: str) -> str:
    """``text`` with every non-printable character (control, format, separator) escaped
    as ``\\xNN``/``\\uNNNN``, so it is one line that cannot drive a terminal."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else _escape_char(ch) for ch in text)


def _escape_char(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def check_regular_file(path: str | Path, what: str) -> None:
    """Refuse to read a FIFO, a socket or a device as a file.

    Opening a FIFO blocks until something writes to it, so a scene or session path that
    names one would hang the command; a device may never end. A missing path or a
    folder is left for the caller, whose message says which. ``stat`` never blocks.
    """
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise HudError(f"{what} {path} is not a regular file (a pipe or a device?)")
