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
