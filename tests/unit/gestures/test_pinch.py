"""Pinch state machine: hysteresis, debounce, one start/end, tap, drag, cancel, time."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pytest

from gestures.errors import TimestampOrderError
from gestures.events import (
    AirTap,
    GestureEvent,
    PinchCancel,
    PinchDrag,
    PinchEnd,
    PinchHold,
    PinchStart,
)
from gestures.landmarks import HANDEDNESS, Handedness, HandLandmarks
from gestures.pinch import PinchOptions, PinchRecognizer, pinch_distance
from gestures.synthetic import pinch_points, synthetic_hand
from hud.errors import HudError

FRAME_MS = 33


def _hand(
    gap: float,
    centre: Sequence[float] = (0.5, 0.6),
    rotation: float = 0.0,
    side: Handedness = "Right",
) -> HandLandmarks:
    return synthetic_hand(pinch_points(gap), centre=centre, rotation_deg=rotation, handedness=side)


def _run(
    recognizer: PinchRecognizer, gaps: Iterable[float | None], start_ms: int = 0
) -> list[GestureEvent]:
    events: list[GestureEvent] = []
    for i, gap in enumerate(gaps):
        hand = None if gap is None else _hand(gap)
        events += recognizer.update(start_ms + i * FRAME_MS, hand)
    return events


def _kinds(events: Iterable[GestureEvent]) -> list[str]:
    return [type(e).__name__ for e in events if not isinstance(e, PinchHold)]


def test_pinch_distance_is_in_palm_sizes_whatever_the_hand_size_or_rotation() -> None:
    for rotation in (0.0, 75.0, 210.0):
        for side in HANDEDNESS:
            small = synthetic_hand(pinch_points(0.2), size=0.05, rotation_deg=rotation)
            large = synthetic_hand(pinch_points(0.2), size=0.4, rotation_deg=rotation)
            other = _hand(0.2, rotation=rotation, side=side)
            for hand in (small, large, other):
                assert pinch_distance(hand) == pytest.approx(0.2, abs=0.01)


def test_clean_pinch_gives_exactly_one_start_and_one_end() -> None:
    events = _run(PinchRecognizer(), [0.6] * 5 + [0.05] * 10 + [0.6] * 5)
    assert _kinds(events) == ["PinchStart", "PinchEnd"]
    assert any(isinstance(e, PinchHold) for e in events)


def test_no_chatter_when_the_distance_hovers_at_either_threshold() -> None:
    options = PinchOptions()
    rng = np.random.default_rng(7)
    enter, exit_ = options.enter_distance, options.exit_distance
    around_enter = [enter + 0.02 * (-1) ** i for i in range(30)]
    around_exit = [exit_ + 0.02 * (-1) ** i for i in range(30)]
    noisy_enter = list(enter + rng.normal(0.0, 0.02, 60))
    gaps = [0.6] * 5 + around_enter + [0.1] * 10 + around_exit + [0.6] * 5 + noisy_enter
    events = _run(PinchRecognizer(options), gaps)
    kinds = _kinds(events)
    assert kinds.count("PinchStart") == kinds.count("PinchEnd") + 1 == 2  # last one still held
    assert kinds[:2] == ["PinchStart", "PinchEnd"]
    starts = [e.timestamp_ms for e in events if isinstance(e, PinchStart)]
    assert starts[0] < 5 * FRAME_MS + 30 * FRAME_MS  # started while hovering at enter


def test_hovering_between_the_thresholds_never_starts_or_ends() -> None:
    recognizer = PinchRecognizer()
    assert _run(recognizer, [0.3, 0.35, 0.3, 0.38, 0.32] * 10) == []
    recognizer = PinchRecognizer()
    events = _run(recognizer, [0.1] * 5 + [0.3, 0.35, 0.3, 0.38, 0.32] * 10)
    assert _kinds(events) == ["PinchStart"]
    assert recognizer.is_pinched


def test_debounce_ignores_a_single_frame_touch() -> None:
    events = _run(PinchRecognizer(), [0.6, 0.6, 0.05, 0.6, 0.6, 0.6])
    assert events == []
    no_debounce = PinchRecognizer(PinchOptions(debounce_ms=0))
    assert _kinds(_run(no_debounce, [0.6, 0.6, 0.05, 0.6])) == ["PinchStart", "PinchEnd", "AirTap"]


def test_short_pinch_is_an_air_tap_and_a_long_one_is_not() -> None:
    short = _run(PinchRecognizer(), [0.6] * 3 + [0.05] * 5 + [0.6] * 3)
    assert _kinds(short) == ["PinchStart", "PinchEnd", "AirTap"]
    tap = next(e for e in short if isinstance(e, AirTap))
    assert 0 < tap.duration_ms <= PinchOptions().tap_max_ms
    long = _run(PinchRecognizer(), [0.6] * 3 + [0.05] * 30 + [0.6] * 3)
    assert _kinds(long) == ["PinchStart", "PinchEnd"]
    end = next(e for e in long if isinstance(e, PinchEnd))
    assert end.duration_ms == pytest.approx(30 * FRAME_MS, abs=FRAME_MS)


def test_pinch_drag_reports_its_displacement() -> None:
    recognizer = PinchRecognizer()
    events: list[GestureEvent] = []
    xs = [0.5] * 4 + list(np.linspace(0.5, 0.62, 10)) + [0.62] * 3
    for i, x in enumerate(xs):
        events += recognizer.update(i * FRAME_MS, _hand(0.05, centre=(x, 0.6)))
    for i in range(len(xs), len(xs) + 3):
        events += recognizer.update(i * FRAME_MS, _hand(0.6, centre=(0.62, 0.6)))
    drags = [e for e in events if isinstance(e, PinchDrag)]
    assert drags and drags[-1].dx == pytest.approx(0.12, abs=0.005)
    assert drags[-1].dy == pytest.approx(0.0, abs=1e-6)
    end = next(e for e in events if isinstance(e, PinchEnd))
    assert end.dragged and end.dx == pytest.approx(0.12, abs=0.005)
    assert not any(isinstance(e, AirTap) for e in events)  # a drag is never a tap


def test_hand_vanishing_mid_pinch_cancels_instead_of_sticking() -> None:
    recognizer = PinchRecognizer()
    events = _run(recognizer, [0.6] * 3 + [0.05] * 10 + [None] * 6)
    assert _kinds(events) == ["PinchStart", "PinchCancel"]
    cancel = next(e for e in events if isinstance(e, PinchCancel))
    assert cancel.reason == "hand lost"
    assert not recognizer.is_pinched
    later = _run(recognizer, [0.05] * 5 + [0.6] * 3, start_ms=40 * FRAME_MS)
    assert _kinds(later) == ["PinchStart", "PinchEnd", "AirTap"]


def test_a_hand_that_opens_then_leaves_ends_the_pinch_normally() -> None:
    events = _run(PinchRecognizer(), [0.05] * 5 + [0.6] + [None] * 5)
    assert _kinds(events) == ["PinchStart", "PinchEnd", "AirTap"]


def test_a_single_dropped_frame_does_not_cancel() -> None:
    events = _run(PinchRecognizer(), [0.05] * 5 + [None] + [0.05] * 5 + [0.6] * 3)
    assert _kinds(events) == ["PinchStart", "PinchEnd"]


def test_nan_landmarks_count_as_no_hand() -> None:
    recognizer = PinchRecognizer()
    events = _run(recognizer, [0.05] * 5)
    broken = pinch_points(0.05).copy()
    broken[4] = np.nan
    for i in range(6):
        events += recognizer.update((6 + i) * FRAME_MS, synthetic_hand(broken))
    assert _kinds(events) == ["PinchStart", "PinchCancel"]


def test_timestamps_going_backwards_raise_a_hud_error() -> None:
    recognizer = PinchRecognizer()
    recognizer.update(1000, _hand(0.6))
    recognizer.update(1000, _hand(0.6))  # a repeated frame is fine
    with pytest.raises(TimestampOrderError) as info:
        recognizer.update(990, _hand(0.6))
    assert isinstance(info.value, HudError)
    assert "990" in info.value.message and "1000" in info.value.message
    recognizer.reset()
    recognizer.update(0, _hand(0.6))  # a new stream after reset


def test_durations_come_from_timestamps_not_frame_counts() -> None:
    for frame_ms in (10, 50):
        recognizer = PinchRecognizer()
        events: list[GestureEvent] = []
        for i, gap in enumerate([0.05] * 9 + [0.6] * 6):
            events += recognizer.update(i * frame_ms, _hand(gap))
        end = next(e for e in events if isinstance(e, PinchEnd))
        assert end.duration_ms == 9 * frame_ms


def test_options_are_frozen_and_checked() -> None:
    with pytest.raises(ValueError):
        PinchOptions(enter_distance=0.5, exit_distance=0.4)
    with pytest.raises(AttributeError):
        PinchOptions().enter_distance = 0.1  # type: ignore[misc]
