"""Frame time, taken only from frame timestamps.

Recognisers never read the wall clock: durations and speeds come from the timestamps
the camera (or a recording) attached to each frame, so replaying landmarks gives the
same events as the live run did, and tests can script time exactly.
"""

from __future__ import annotations

from gestures.errors import TimestampOrderError


class FrameClock:
    """Remembers the last frame time and refuses time running backwards.

    Equal timestamps are accepted (a duplicated frame); earlier ones raise
    :class:`~gestures.errors.TimestampOrderError`.
    """

    def __init__(self) -> None:
        self.last_ms: int | None = None

    def advance(self, timestamp_ms: int) -> int:
        """Record ``timestamp_ms``; return milliseconds since the previous frame (0 first)."""
        t = int(timestamp_ms)
        if self.last_ms is not None and t < self.last_ms:
            raise TimestampOrderError(self.last_ms, t)
        dt = 0 if self.last_ms is None else t - self.last_ms
        self.last_ms = t
        return dt

    def reset(self) -> None:
        """Forget the last time, e.g. when a new recording starts."""
        self.last_ms = None
