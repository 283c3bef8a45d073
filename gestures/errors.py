"""Errors raised by the gesture recognisers.

They subclass :class:`hud.errors.HudError` so the command line reports them as one line
and library callers can catch every Waveglass error the same way. A bad option is not a
gesture error: every options class raises :class:`hud.errors.OptionsError` (a
:class:`~hud.errors.HudError` and a :class:`ValueError`) when it is made, through the
checks at the end of this module.
"""

from __future__ import annotations

import math
import numbers

from hud.errors import HudError, OptionsError


class GestureError(HudError):
    """Base class for problems with gesture input."""


class LandmarkError(GestureError):
    """Landmarks of the wrong shape or otherwise unusable."""


class TimestampOrderError(GestureError):
    """A frame arrived with a timestamp earlier than the previous one.

    Recognisers measure durations and speeds from frame timestamps; time running
    backwards would produce negative durations, so it is refused loudly instead. Call
    ``reset()`` on the recogniser when a new recording or camera session starts.
    """

    def __init__(self, previous_ms: int, current_ms: int) -> None:
        super().__init__(
            f"frame timestamps went backwards: {current_ms} ms after {previous_ms} ms "
            "(call reset() when a new stream starts)"
        )
        self.previous_ms = previous_ms
        self.current_ms = current_ms


def check_number(
    where: str,
    value: object,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    whole: bool = False,
) -> None:
    """Raise :class:`~hud.errors.OptionsError` unless ``value`` is a finite number in range.

    ``where`` names the option (``"PinchOptions.debounce_ms"``); ``low``/``high`` bound it,
    inclusive unless ``low_open``/``high_open``; ``whole`` asks for an integer. The options
    classes call it from ``__post_init__``, so a bad setting fails when it is made.
    """
    kind = "a whole number" if whole else "a number"
    wanted = numbers.Integral if whole else numbers.Real
    if isinstance(value, bool) or not isinstance(value, wanted):
        raise OptionsError(f"{where} must be {kind}, got {value!r}")
    number = float(value)
    ok = math.isfinite(number)
    if ok and low is not None:
        ok = number > low if low_open else number >= low
    if ok and high is not None:
        ok = number < high if high_open else number <= high
    if not ok:
        raise OptionsError(
            f"{where} must be {_bounds(low, high, low_open, high_open)}, got {value!r}"
        )


def _bounds(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    if low is not None and high is not None:
        return f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    if low is not None:
        if low == 0:
            return "positive" if low_open else "at least 0"
        return f"greater than {low:g}" if low_open else f"at least {low:g}"
    if high is not None:
        return f"less than {high:g}" if high_open else f"at most {high:g}"
    return "finite"


def check_choice(where: str, value: object, choices: tuple[object, ...]) -> None:
    """Raise :class:`~hud.errors.OptionsError` unless ``value`` is one of ``choices``."""
    if value not in choices:
        shown = ", ".join(repr(c) for c in choices)
        raise OptionsError(f"{where} must be one of {shown}, got {value!r}")


def check_type(where: str, value: object, kind: type) -> None:
    """Raise :class:`~hud.errors.OptionsError` unless ``value`` is a ``kind``."""
    if not isinstance(value, kind):
        raise OptionsError(f"{where} must be a {kind.__name__}, got {type(value).__name__}")
