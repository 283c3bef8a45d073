"""Swipes, circles and fingertip-track classification on synthetic and recorded tracks."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from gestures.evaluate import read_kinivi_history
from gestures.events import Circle, GestureEvent, Swipe
from gestures.landmarks import HANDEDNESS, Handedness
from gestures.motion import CircleRecognizer, SwipeRecognizer
from gestures.synthetic import pose_points, synthetic_hand
from gestures.tracks import classify_track, path_length, turning_deg

DATA = Path(__file__).resolve().parents[2] / "data" / "landmarks"
FRAME_MS = 33
PALM = 0.1  # palm size of the synthetic hands, in image heights


def _replay(
    recognizer: SwipeRecognizer | CircleRecognizer,
    wrists: Sequence[Sequence[float] | None],
    pose: str = "open_palm",
    side: Handedness = "Right",
    rotation: float = 0.0,
) -> list[GestureEvent]:
    events: list[GestureEvent] = []
    points = pose_points(pose)
    for i, wrist in enumerate(wrists):
        hand = None
        if wrist is not None:
            hand = synthetic_hand(
                points, centre=wrist, size=PALM, rotation_deg=rotation, handedness=side
            )
        events += recognizer.update(i * FRAME_MS, hand)
    return events


def _line(start: Sequence[float], end: Sequence[float], frames: int) -> list[list[float]]:
    return [list(p) for p in np.linspace(start, end, frames)]


def _circle(clockwise: bool, frames: int = 40, turns: float = 1.1) -> list[list[float]]:
    angles = np.linspace(0.0, 2 * np.pi * turns, frames) * (1 if clockwise else -1)
    return [[0.5 + 0.08 * np.cos(a), 0.6 + 0.08 * np.sin(a)] for a in angles]


@pytest.mark.parametrize(
    ("end", "direction"),
    [((0.8, 0.6), "right"), ((0.2, 0.6), "left"), ((0.5, 0.3), "up"), ((0.5, 0.9), "down")],
)
@pytest.mark.parametrize("side", HANDEDNESS)
def test_fast_straight_moves_are_swipes_in_image_directions(
    end: tuple[float, float], direction: str, side: Handedness
) -> None:
    still = [[0.5, 0.6]] * 5
    events = _replay(
        SwipeRecognizer(), still + _line((0.5, 0.6), end, 10) + [list(end)] * 5, side=side
    )
    swipes = [e for e in events if isinstance(e, Swipe)]
    assert [s.direction for s in swipes] == [direction]
    assert swipes[0].distance >= 1.5 and swipes[0].duration_ms <= 500


def test_slow_diagonal_or_jittery_motion_is_not_a_swipe() -> None:
    slow = _line((0.3, 0.6), (0.7, 0.6), 60)  # 2 s for the same distance
    diagonal = _line((0.3, 0.3), (0.6, 0.6), 10)
    rng = np.random.default_rng(3)
    jitter = [[0.5 + dx, 0.6 + dy] for dx, dy in rng.normal(0, 0.003, (60, 2))]
    for track in (slow, diagonal, jitter):
        assert _replay(SwipeRecognizer(), track) == []


def test_a_swipe_fires_once_and_a_lost_hand_breaks_it() -> None:
    there_and_back = _line((0.3, 0.6), (0.7, 0.6), 10) + _line((0.7, 0.6), (0.3, 0.6), 10)
    events = _replay(SwipeRecognizer(), there_and_back)
    assert [e.direction for e in events if isinstance(e, Swipe)] == ["right"]  # return: cooldown
    broken: list[Sequence[float] | None] = list(_line((0.3, 0.6), (0.7, 0.6), 16))
    for i in range(3, 16, 4):
        broken[i] = None  # each piece alone is too short to be a swipe
    assert _replay(SwipeRecognizer(), broken) == []


@pytest.mark.parametrize("clockwise", [True, False])
@pytest.mark.parametrize("side", HANDEDNESS)
def test_circles_with_the_fingertip_report_their_direction(
    clockwise: bool, side: Handedness
) -> None:
    events = _replay(CircleRecognizer(), _circle(clockwise), pose="point", side=side, rotation=30)
    circles = [e for e in events if isinstance(e, Circle)]
    assert len(circles) == 1
    assert circles[0].direction == ("cw" if clockwise else "ccw")
    assert circles[0].turns >= 0.85


def test_lines_wobbles_and_a_still_finger_are_not_circles() -> None:
    line = _line((0.3, 0.6), (0.7, 0.5), 40)
    wobble = [[0.3 + 0.01 * i, 0.6 + 0.02 * np.sin(i / 2)] for i in range(40)]
    rng = np.random.default_rng(5)
    still = [[0.5 + dx, 0.6 + dy] for dx, dy in rng.normal(0, 0.002, (60, 2))]
    for track in (line, wobble, still):
        assert _replay(CircleRecognizer(), track, pose="point") == []


def test_track_geometry_basics() -> None:
    square_cw = np.array([[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]], dtype=float)  # y down
    assert path_length(square_cw) == pytest.approx(4.0)
    assert turning_deg(square_cw) == pytest.approx(270.0)
    assert turning_deg(square_cw[::-1]) == pytest.approx(-270.0)
    with_nan = np.vstack([square_cw[:2], [np.nan, np.nan], square_cw[2:]])
    assert path_length(with_nan) == pytest.approx(4.0)  # a lost frame is skipped


def test_classify_synthetic_tracks() -> None:
    angles = np.linspace(0, 1.5 * np.pi, 16)
    cw = np.c_[0.1 * np.cos(angles), 0.1 * np.sin(angles)]
    assert classify_track(cw).label == "circle_cw"
    assert classify_track(cw * [-1, 1]).label == "circle_ccw"  # mirrored image
    assert classify_track(np.linspace([0, 0], [0.3, 0.1], 16)).label == "move"
    still = np.random.default_rng(1).normal(0, 0.002, (16, 2))
    assert classify_track(still).label == "none"
    for label in ("none", "move", "circle_cw"):
        result = classify_track({"none": still, "move": cw[:3], "circle_cw": cw}[label])
        assert 0.0 <= result.score <= 1.0


def test_kinivi_point_history_accuracy_and_sign_convention() -> None:
    ids, tracks = read_kinivi_history(DATA / "kinivi_point_history_sample.csv")
    names = {0: "none", 1: "circle_cw", 2: "circle_ccw", 3: "move"}
    truth = np.array([names[i] for i in ids])
    predicted = np.array([classify_track(track).label for track in tracks])
    assert (truth == predicted).mean() >= 0.95
    for label in names.values():
        assert (predicted[truth == label] == label).mean() >= 0.88, label
    # The recorder's "Clockwise" turns positive in image coordinates (y down).
    turns = np.array([turning_deg(track) for track in tracks])
    assert np.median(turns[truth == "circle_cw"]) > 180
    assert np.median(turns[truth == "circle_ccw"]) < -180
