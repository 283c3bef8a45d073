"""One error type for everything a user can get wrong.

The command line turns a :class:`HudError` into a one-line message and exit status 2,
so bad input never ends in a traceback. Library callers can catch it the same way.
"""

from __future__ import annotations


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
