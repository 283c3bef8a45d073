"""Thumb microgestures (tap, swipe forward/back on the side of the index) on synthetic hands."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from gestures.errors import TimestampOrderError
from gestures.events import GestureEvent, ThumbSwipe, ThumbTap
from gestures.landmarks import HANDEDNESS, Handedness
from gestures.microgestures import ThumbMicrogestureRecognizer, ThumbOptions, thumb_on_index
from gestures.synthetic import pinch_points, synthetic_hand, thumb_on_index_points

FRAME_MS = 33
AWAY = 0.45  # thumb offset from the index side when not touching (palm sizes)
TOUCH = 0.05


def _replay(
    steps: Sequence[tuple[float, float] | None],
    side: Handedness = "Right",
    rotation: float = 0.0,
    recognizer: ThumbMicrogestureRecognizer | None = None,
) -> list[GestureEvent]:
    """``steps``: (position along the index side, offset from it) per frame, or None."""
    recognizer = recognizer or ThumbMicrogestureRecognizer()
    events: list[GestureEvent] = []
    for i, step in enumerate(steps):
        hand = None
        if step is not None:
            points = thumb_on_index_points(*step)
            hand = synthetic_hand(points, rotation_deg=rotation, handedness=side)
        events += recognizer.update(i * FRAME_MS, hand)
    return events


def _slide(start: float, end: float, frames: int) -> list[tuple[float, float]]:
    return [(float(p), TOUCH) for p in np.linspace(start, end, frames)]


def test_contact_geometry_measures_distance_and_position() -> None:
    distance, position, tip = thumb_on_index(thumb_on_index_points(0.3, 0.1))
    assert distance == pytest.approx(0.1, abs=0.01)
    assert position == pytest.approx(0.3, abs=0.02)
    assert tip > ThumbOptions().pinch_exclusion


@pytest.mark.parametrize("side", HANDEDNESS)
@pytest.mark.parametrize("rotation", [0.0, 100.0, 250.0])
def test_a_short_touch_is_a_thumb_tap(side: Handedness, rotation: float) -> None:
    steps = [(0.3, AWAY)] * 3 + [(0.3, TOUCH)] * 5 + [(0.3, AWAY)] * 3
    events = _replay(steps, side=side, rotation=rotation)
    assert [type(e).__name__ for e in events] == ["ThumbTap"]
    tap = events[0]
    assert isinstance(tap, ThumbTap) and tap.handedness == side
    assert tap.duration_ms == 5 * FRAME_MS


def test_a_resting_thumb_is_not_a_tap() -> None:
    steps = [(0.3, AWAY)] * 3 + [(0.3, TOUCH)] * 30 + [(0.3, AWAY)] * 3
    assert _replay(steps) == []


@pytest.mark.parametrize("side", HANDEDNESS)
@pytest.mark.parametrize("rotation", [0.0, 130.0])
def test_thumb_swipes_forward_and_back_along_the_index(side: Handedness, rotation: float) -> None:
    away = [(0.1, AWAY)] * 3
    forward = _replay(away + _slide(0.1, 0.65, 8) + [(0.65, AWAY)] * 3, side, rotation)
    back = _replay([(0.65, AWAY)] * 3 + _slide(0.65, 0.1, 8) + [(0.1, AWAY)] * 3, side, rotation)
    for events, direction in ((forward, "forward"), (back, "back")):
        assert [type(e).__name__ for e in events] == ["ThumbSwipe"]  # and no tap after it
        swipe = events[0]
        assert isinstance(swipe, ThumbSwipe) and swipe.direction == direction
        assert swipe.distance >= ThumbOptions().swipe_distance


def test_hysteresis_keeps_one_contact_while_hovering() -> None:
    options = ThumbOptions()
    hover = [(0.3, options.contact_enter + 0.03 * (-1) ** i) for i in range(8)]
    events = _replay([(0.3, AWAY)] * 3 + hover + [(0.3, AWAY)] * 3)
    assert [type(e).__name__ for e in events] == ["ThumbTap"]


def test_a_pinch_is_not_a_microgesture() -> None:
    recognizer = ThumbMicrogestureRecognizer()
    events: list[GestureEvent] = []
    for i, gap in enumerate([0.6] * 3 + [0.02] * 4 + [0.6] * 3):
        events += recognizer.update(i * FRAME_MS, synthetic_hand(pinch_points(gap)))
    assert events == []


def test_losing_the_hand_mid_contact_drops_it_and_time_must_not_go_back() -> None:
    recognizer = ThumbMicrogestureRecognizer()
    steps: list[tuple[float, float] | None] = [(0.3, AWAY)] * 2 + [(0.3, TOUCH)] * 2
    steps += [None, (0.3, AWAY)]
    assert _replay(steps, recognizer=recognizer) == []
    with pytest.raises(TimestampOrderError):
        recognizer.update(0, None)
    broken = thumb_on_index_points(0.3, TOUCH).copy()
    broken[4] = np.nan
    recognizer.reset()
    assert recognizer.update(0, synthetic_hand(broken)) == []
