"""Timers for apps, driven by frame timestamps: dwell, timeouts and blinking indicators.

Like pyglet's ``Clock(time_function=...)`` with the time function replaced by the frame
loop: :class:`FrameScheduler` never reads a clock, time moves only when a runner calls
:meth:`FrameScheduler.tick` with the frame's timestamp. So a run from a recording, a
headless run and a test all fire the same callbacks at the same frames, and a paused
source pauses every timer with it.

Callbacks are called as ``callback(timestamp_ms, elapsed_ms, *args, **kwargs)``: the
frame's time, and the milliseconds since the callback was scheduled (or last called,
for an interval). Within one tick they run in the order they fell due, ties in the
order they were scheduled; a callback scheduled from inside a callback runs at a later
tick at the earliest, so a tick always ends.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hud.errors import HudError, OptionsError

Callback = Callable[..., Any]


class SchedulerError(HudError):
    """A frame time earlier than the previous one (the scheduler's time never goes back)."""


@dataclass
class _Item:
    callback: Callback
    due_ms: int | None  # None: scheduled before the first tick, due counts from it
    delay_ms: int
    interval: bool
    since_ms: int | None
    seq: int
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


def _milliseconds(name: str, value: float, minimum: int) -> int:
    if isinstance(value, bool) or not math.isfinite(value) or value < minimum:
        raise OptionsError(f"{name} must be at least {minimum} ms, got {value}")
    return int(round(value))


class FrameScheduler:
    """Call functions once after a delay, or every interval, in frame time."""

    def __init__(self) -> None:
        self._now: int | None = None
        self._items: list[_Item] = []
        self._seq = 0

    @property
    def now_ms(self) -> int | None:
        """The latest frame time (``None`` before the first tick)."""
        return self._now

    def _add(self, callback: Callback, delay: int, interval: bool, args: Any, kw: Any) -> None:
        self._seq += 1
        due = None if self._now is None else self._now + delay
        self._items.append(_Item(callback, due, delay, interval, self._now, self._seq, args, kw))

    def schedule_once(self, callback: Callback, delay_ms: float, *args: Any, **kwargs: Any) -> None:
        """Call ``callback`` at the first tick ``delay_ms`` or more after now."""
        self._add(callback, _milliseconds("delay_ms", delay_ms, 0), False, args, kwargs)

    def schedule_interval(
        self, callback: Callback, interval_ms: float, *args: Any, **kwargs: Any
    ) -> None:
        """Call ``callback`` every ``interval_ms``: at most once per tick, keeping the
        phase (after a long frame the missed calls are dropped, not bunched)."""
        self._add(callback, _milliseconds("interval_ms", interval_ms, 1), True, args, kwargs)

    def unschedule(self, callback: Callback) -> None:
        """Forget every pending call of ``callback`` (nothing happens if there is none)."""
        self._items = [i for i in self._items if i.callback != callback]

    def is_scheduled(self, callback: Callback) -> bool:
        """Whether ``callback`` has a pending call (a dwell timer still running, say)."""
        return any(i.callback == callback for i in self._items)

    def tick(self, timestamp_ms: int) -> int:
        """Advance to ``timestamp_ms`` and run what fell due; returns how many ran.

        Equal timestamps are fine (a repeated frame); an earlier one raises
        :class:`SchedulerError`.
        """
        t = int(timestamp_ms)
        if self._now is not None and t < self._now:
            raise SchedulerError(f"frame time went back from {self._now} ms to {t} ms")
        self._now = t
        for item in self._items:  # scheduled before the first tick: time starts now
            if item.due_ms is None:
                item.due_ms, item.since_ms = t + item.delay_ms, t
        due = sorted(
            (i for i in self._items if i.due_ms is not None and i.due_ms <= t),
            key=lambda i: (i.due_ms, i.seq),
        )
        ran = 0
        for item in due:
            if not any(i is item for i in self._items):  # unscheduled by an earlier callback
                continue
            since = t if item.since_ms is None else item.since_ms
            self._advance(item, t)
            item.since_ms = t
            item.callback(t, t - since, *item.args, **item.kwargs)
            ran += 1
        return ran

    def _advance(self, item: _Item, t: int) -> None:
        """Drop a one-shot item; move an interval to its next due time after ``t``."""
        if not item.interval:
            self._items = [i for i in self._items if i is not item]
            return
        assert item.due_ms is not None
        missed = (t - item.due_ms) // item.delay_ms + 1
        item.due_ms += missed * item.delay_ms


def blink_phase(timestamp_ms: int, period_ms: float, since_ms: int = 0) -> float:
    """Where in its cycle a periodic indicator is at ``timestamp_ms``: 0 to 1."""
    period = _milliseconds("period_ms", period_ms, 1)
    return ((int(timestamp_ms) - int(since_ms)) % period) / period


def blink_on(
    timestamp_ms: int, period_ms: float = 1000, duty: float = 0.5, since_ms: int = 0
) -> bool:
    """Whether a blinking indicator is lit: on for the first ``duty`` of each period.

    The phase comes from the frame time alone, so every runner (and a replay) shows the
    indicator lit on the same frames; no timer state to keep.
    """
    if not 0.0 <= duty <= 1.0:
        raise OptionsError(f"duty must be between 0 and 1, got {duty}")
    return blink_phase(timestamp_ms, period_ms, since_ms) < duty


__all__ = ["FrameScheduler", "SchedulerError", "blink_on", "blink_phase"]
