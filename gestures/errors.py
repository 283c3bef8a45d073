"""Errors raised by the gesture recognisers.

They subclass :class:`hud.errors.HudError` so the command line reports them as one line
and library callers can catch every Waveglass error the same way.
"""

from __future__ import annotations

from hud.errors import HudError


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
