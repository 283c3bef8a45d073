"""The combined recogniser: per-hand pipelines, dispatch, and the benchmark hook."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gestures.errors import TimestampOrderError
from gestures.events import EventDispatcher, GestureEvent, PinchStart, PoseChanged, Swipe
from gestures.landmarks import HandFrame
from gestures.recognizer import GestureRecognizer, GestureRecognizerOptions
from gestures.synthetic import pinch_points, pose_points, synthetic_hand
from hud.bench.gestures import measure_gesture_ms_per_hand, replay_frames

FRAME_MS = 33


def _frame(i: int, right_gap: float | None, left_x: float = 0.3) -> HandFrame:
    hands = [synthetic_hand(pose_points("open_palm"), centre=(left_x, 0.7), handedness="Left")]
    if right_gap is not None:
        hands.append(synthetic_hand(pinch_points(right_gap), centre=(0.7, 0.7)))
    return HandFrame(timestamp_ms=i * FRAME_MS, hands=tuple(hands))


def test_each_hand_has_its_own_pipeline_and_events_are_dispatched() -> None:
    dispatcher = EventDispatcher()
    starts: list[PinchStart] = []
    dispatcher.push_handlers(on_pinch_start=starts.append)
    recognizer = GestureRecognizer(dispatcher=dispatcher)
    events: list[GestureEvent] = []
    for i, gap in enumerate([0.6] * 6 + [0.05] * 5):  # seen open first (intent gate)
        events += recognizer.process(_frame(i, gap))
    assert [e.handedness for e in starts] == ["Right"]
    poses = {(e.handedness, e.pose) for e in events if isinstance(e, PoseChanged)}
    assert ("Left", "open_palm") in poses and ("Right", "pinch") in poses
    assert recognizer.pose("Left") == "open_palm"


def test_a_pinch_drag_is_not_also_a_swipe() -> None:
    recognizer = GestureRecognizer()
    events: list[GestureEvent] = []
    xs = np.linspace(0.3, 0.8, 10)
    # The hand is seen open for 200 ms first: a hand that appears already pinched is
    # not pinching (the intent gate's ready pose).
    gaps = [0.6] * 6 + [0.05] * 3 + [0.05] * len(xs)
    for i, (x, gap) in enumerate(zip([0.3] * 9 + list(xs), gaps, strict=True)):
        hand = synthetic_hand(pinch_points(gap), centre=(x, 0.6), size=0.1)
        events += recognizer.process(HandFrame(timestamp_ms=i * FRAME_MS, hands=(hand,)))
    assert not any(isinstance(e, Swipe) for e in events)
    assert any(type(e).__name__ == "PinchDrag" for e in events)


def test_frames_out_of_order_raise_and_reset_recovers() -> None:
    recognizer = GestureRecognizer()
    recognizer.process(_frame(5, 0.6))
    with pytest.raises(TimestampOrderError):
        recognizer.process(_frame(4, 0.6))
    recognizer.reset()
    recognizer.process(_frame(0, 0.6))


def test_nan_hands_and_empty_frames_are_no_hand() -> None:
    recognizer = GestureRecognizer(GestureRecognizerOptions(swipe_enabled=False))
    broken = pose_points("fist").copy()
    broken[:, 0] = np.nan
    events = recognizer.process(HandFrame(0, (synthetic_hand(broken),)))
    events += recognizer.process(HandFrame(33))
    assert events == []
    assert recognizer.pose("Right") == "none"


def test_benchmark_hook_returns_ms_per_hand_without_asserting_speed(
    kinivi_hands: tuple[list[int], np.ndarray],
) -> None:
    _, hands = kinivi_hands
    frames = replay_frames(hands[:60])
    cost = measure_gesture_ms_per_hand(frames)
    assert math.isfinite(cost) and cost > 0.0
    assert measure_gesture_ms_per_hand([]) == 0.0
    assert [f.timestamp_ms for f in frames[:3]] == [0, 33, 67]


def test_replay_keeps_image_coordinates_and_motion(
    kinivi_hands: tuple[list[int], np.ndarray],
) -> None:
    base = synthetic_hand(pose_points("fist")).points[:, :2]
    shifted = base + np.array([0.1, 0.0])
    frames = replay_frames([base, shifted], fps=25.0, handedness="Left")
    assert np.allclose(frames[0].hands[0].points[:, :2], base)
    assert np.allclose(frames[1].hands[0].points[:, :2], shifted)
    assert [f.timestamp_ms for f in frames] == [0, 40]
    assert frames[0].hands[0].handedness == "Left"
    _, hands = kinivi_hands
    fitted = np.array([f.hands[0].points[:, :2] for f in replay_frames(hands[:20])])
    assert fitted.min() >= 0.25 - 1e-9 and fitted.max() <= 0.75 + 1e-9
