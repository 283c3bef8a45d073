"""FrameScheduler: timers in frame time, deterministic, never reading a clock."""

from __future__ import annotations

import pytest

from hud.app.scheduler import FrameScheduler, SchedulerError, blink_on, blink_phase
from hud.errors import HudError, OptionsError


def test_once_fires_at_the_first_tick_at_or_after_its_delay() -> None:
    s = FrameScheduler()
    calls: list[tuple[int, int]] = []
    s.tick(0)
    s.schedule_once(lambda t, elapsed: calls.append((t, elapsed)), 100)
    for t in (33, 66, 99, 132, 165):
        s.tick(t)
    assert calls == [(132, 132)]  # once, with the ms since it was scheduled


def test_scheduled_before_the_first_tick_counts_from_it() -> None:
    s = FrameScheduler()
    calls: list[int] = []
    s.schedule_once(lambda t, elapsed: calls.append(t), 50)
    s.tick(1000)  # a recording starting at 1 s
    s.tick(1040)
    s.tick(1050)
    assert calls == [1050]


def test_interval_keeps_its_phase_and_drops_missed_calls() -> None:
    s = FrameScheduler()
    calls: list[tuple[int, int]] = []
    s.tick(0)
    s.schedule_interval(lambda t, elapsed: calls.append((t, elapsed)), 100)
    for t in (50, 100, 150, 210, 520, 600, 700):
        s.tick(t)
    # A long frame (210 → 520) gives one call, not three; the cadence stays on 100s.
    assert calls == [(100, 100), (210, 110), (520, 310), (600, 80), (700, 100)]


def test_order_is_due_time_then_scheduling_order() -> None:
    s = FrameScheduler()
    order: list[str] = []
    s.tick(0)
    s.schedule_once(lambda t, e: order.append("late"), 30)
    s.schedule_once(lambda t, e: order.append("first"), 10)
    s.schedule_once(lambda t, e: order.append("second"), 10)
    assert s.tick(40) == 3
    assert order == ["first", "second", "late"]


def test_unschedule_and_arguments() -> None:
    s = FrameScheduler()
    seen: list[tuple[int, str]] = []

    def note(t: int, elapsed: int, what: str) -> None:
        seen.append((t, what))

    s.tick(0)
    s.schedule_interval(note, 10, "tick")
    s.schedule_once(note, 15, what="once")
    s.tick(10)
    assert s.is_scheduled(note)
    s.unschedule(note)  # every pending call of it
    s.tick(100)
    assert seen == [(10, "tick")] and not s.is_scheduled(note)


def test_a_callback_may_reschedule_and_unschedule_within_a_tick() -> None:
    s = FrameScheduler()
    calls: list[str] = []

    def dwell_done(t: int, e: int) -> None:
        calls.append(f"dwell@{t}")
        s.unschedule(timeout)  # a later callback of this tick no longer runs
        s.schedule_once(again, 0)  # runs at the next tick, not this one

    def timeout(t: int, e: int) -> None:
        calls.append("timeout")

    def again(t: int, e: int) -> None:
        calls.append(f"again@{t}")

    s.tick(0)
    s.schedule_once(dwell_done, 10)
    s.schedule_once(timeout, 20)
    s.tick(30)
    s.tick(30)  # a repeated frame time is fine
    assert calls == ["dwell@30", "again@30"]


def test_time_never_goes_back_and_bad_delays_are_refused() -> None:
    s = FrameScheduler()
    s.tick(100)
    with pytest.raises(SchedulerError, match="went back from 100 ms to 50 ms"):
        s.tick(50)
    assert issubclass(SchedulerError, HudError)
    for bad in (-1, float("nan"), float("inf")):
        with pytest.raises(OptionsError):
            s.schedule_once(print, bad)
    with pytest.raises(OptionsError):
        s.schedule_interval(print, 0)


def test_blink_phase_comes_from_the_timestamp_alone() -> None:
    assert [blink_on(t, 500) for t in (0, 249, 250, 499, 500, 760)] == [
        True,
        True,
        False,
        False,
        True,
        False,
    ]
    assert blink_on(100, 1000, duty=0.1, since_ms=50) and not blink_on(200, 1000, 0.1, 50)
    assert blink_phase(1250, 1000) == 0.25
    with pytest.raises(OptionsError):
        blink_on(0, 1000, duty=1.5)
