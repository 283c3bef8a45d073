"""Keyboard/mouse simulation: the same events the recognisers give on equivalent hands."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pytest

from gestures.events import (
    EVENT_CLASSES,
    EventDispatcher,
    GestureEvent,
    PinchStart,
    PoseChanged,
    Swipe,
    ThumbSwipe,
    ThumbTap,
)
from gestures.landmarks import HandFrame, HandLandmarks
from gestures.recognizer import GestureRecognizer
from gestures.selection import Commit, GazeRouter, SelectionOptions, Target
from gestures.simulate import InputSimulator, SimulatedFrame, SimulatorOptions, key_name
from gestures.synthetic import (
    MICRO_AWAY,
    MICRO_TOUCH,
    RELAX_MS,
    pinch_points,
    pose_points,
    synthetic_hand,
    thumb_on_index_points,
)

FRAME_MS = 33
OPTIONS = SimulatorOptions()
HOME = OPTIONS.home


def _simulate(
    script: dict[int, Callable[[InputSimulator], object]],
    frames: int,
    sim: InputSimulator | None = None,
) -> list[SimulatedFrame]:
    sim = sim or InputSimulator()
    out = []
    for i in range(frames):
        if i in script:
            script[i](sim)
        out.append(sim.tick(i * FRAME_MS))
    return out


def _events(frames: Sequence[SimulatedFrame]) -> list[GestureEvent]:
    return [e for f in frames for e in f.events]


def _recognise(hands: Sequence[HandLandmarks | None]) -> list[GestureEvent]:
    """The real recogniser on hand-built synthetic landmarks, one per frame."""
    recognizer = GestureRecognizer()
    events: list[GestureEvent] = []
    for i, hand in enumerate(hands):
        events += recognizer.process(HandFrame(i * FRAME_MS, () if hand is None else (hand,)))
    return events


def _hand(points: np.ndarray, centre: Sequence[float] = HOME) -> HandLandmarks:
    return synthetic_hand(points, centre=centre, size=OPTIONS.hand_size)


def _signature(events: Sequence[GestureEvent]) -> list[tuple[str, int, str]]:
    """Type, time and direction/pose of each event (hold events left out)."""
    return [
        (type(e).__name__, e.timestamp_ms, str(getattr(e, "direction", getattr(e, "pose", ""))))
        for e in events
        if type(e).__name__ != "PinchHold"
    ]


def test_space_is_a_pinch_identical_to_the_recogniser_on_a_pinching_hand() -> None:
    frames = _simulate({5: lambda s: s.key_press("space"), 9: lambda s: s.key_release("space")}, 15)
    open_palm, pinch = pose_points("open_palm"), pinch_points(0.0)
    expected = _recognise([_hand(open_palm)] * 5 + [_hand(pinch)] * 4 + [_hand(open_palm)] * 6)
    assert _events(frames) == expected  # equal events, field for field
    assert [type(e).__name__ for e in expected if not isinstance(e, PoseChanged)] == [
        "PinchStart",
        "PinchHold",
        "PinchHold",
        "PinchEnd",
        "AirTap",
    ]


@pytest.mark.parametrize(
    ("key", "direction", "delta"),
    [
        ("right", "right", (1, 0)),
        ("left", "left", (-1, 0)),
        ("up", "up", (0, -1)),
        ("down", "down", (0, 1)),
    ],
)
def test_arrow_keys_are_swipes_like_a_fast_hand_movement(
    key: str, direction: str, delta: tuple[int, int]
) -> None:
    frames = _simulate({5: lambda s: s.key_press(key), 6: lambda s: s.key_release(key)}, 60)
    reach = OPTIONS.swipe_palms * OPTIONS.hand_size
    far = (HOME[0] + delta[0] * reach, HOME[1] + delta[1] * reach)
    start = 4 * FRAME_MS  # the press takes effect from the last tick
    times = [start, start + OPTIONS.swipe_ms, start + OPTIONS.swipe_ms + OPTIONS.return_ms]
    hands = []
    for i in range(60):
        t = i * FRAME_MS
        wrist = (
            np.interp(t, times, [HOME[0], far[0], HOME[0]]),
            np.interp(t, times, [HOME[1], far[1], HOME[1]]),
        )
        hands.append(_hand(pose_points("open_palm"), wrist))
    expected = _recognise(hands)
    assert _signature(_events(frames)) == _signature(expected)
    swipes = [e for e in _events(frames) if isinstance(e, Swipe)]
    assert [s.direction for s in swipes] == [direction]  # one swipe; the return is not one


@pytest.mark.parametrize(
    ("key", "keyframes", "kind"),
    [
        (
            "t",
            [(0.3, MICRO_AWAY), (0.3, MICRO_TOUCH), (0.3, MICRO_TOUCH), (0.3, MICRO_AWAY)],
            "ThumbTap",
        ),
        (
            "w",
            [(0.1, MICRO_AWAY), (0.1, MICRO_TOUCH), (0.65, MICRO_TOUCH), (0.65, MICRO_AWAY)],
            "ThumbSwipe",
        ),
        (
            "s",
            [(0.65, MICRO_AWAY), (0.65, MICRO_TOUCH), (0.1, MICRO_TOUCH), (0.1, MICRO_AWAY)],
            "ThumbSwipe",
        ),
    ],
)
def test_microgesture_keys_match_a_thumb_on_the_index(
    key: str, keyframes: list[tuple[float, float]], kind: str
) -> None:
    frames = _simulate({5: lambda s: s.key_press(key)}, 40)
    start = 4 * FRAME_MS + RELAX_MS  # the open hand relaxes first, then the thumb moves
    hold = 150 if key == "t" else 250
    times = [start, start + 40, start + 40 + hold, start + 80 + hold]
    hands = [_hand(pose_points("open_palm"))] * 5
    for i in range(5, 40):
        t = i * FRAME_MS
        position = float(np.interp(t, times, [k[0] for k in keyframes]))
        offset = float(np.interp(t, times, [k[1] for k in keyframes]))
        if t > times[-1]:
            position, offset = 0.3, MICRO_AWAY  # the relaxed hand at rest
        hands.append(_hand(thumb_on_index_points(position, offset)))
    expected = _recognise(hands)
    got = _events(frames)
    assert _signature(got) == _signature(expected)
    micro = [e for e in got if isinstance(e, ThumbTap | ThumbSwipe)]
    assert [type(e).__name__ for e in micro] == [kind]
    if key != "t":
        assert isinstance(micro[0], ThumbSwipe)
        assert micro[0].direction == ("forward" if key == "w" else "back")


def test_digit_keys_change_pose_and_h_hides_the_hand() -> None:
    script: dict[int, Callable[[InputSimulator], object]] = {
        # Six frames apart: a pose must hold a few frames to change (pose_smoothing).
        6: lambda s: s.key_press("2"),
        12: lambda s: s.key_press("_3"),  # pyglet's symbol name for the 3 key
        18: lambda s: s.key_press("NUM_4"),
        24: lambda s: s.key_press("H"),
        30: lambda s: s.key_press("h"),
    }
    poses = [e.pose for e in _events(_simulate(script, 36)) if isinstance(e, PoseChanged)]
    assert poses == ["open_palm", "fist", "point", "victory", "none", "victory"]


def test_every_simulated_event_is_a_real_event_and_replays_identically() -> None:
    """Nothing is faked: the frames alone, through a fresh recogniser, give the events."""
    script: dict[int, Callable[[InputSimulator], object]] = {
        # Spaced as a person would: the first pinch once the hand has settled, the
        # mouse pinch once the fingers have stopped opening (the intent gate).
        6: lambda s: s.key_press("space"),
        11: lambda s: s.key_release("space"),
        20: lambda s: s.key_press("right"),
        50: lambda s: s.key_press("t"),
        75: lambda s: s.key_press("1"),
        90: lambda s: s.mouse_press(),
        98: lambda s: s.mouse_release(),
    }
    frames = _simulate(script, 105)
    events = _events(frames)
    assert events and all(type(e) in EVENT_CLASSES for e in events)
    replayed = GestureRecognizer()
    again = [e for f in frames for e in replayed.process(f.hands)]
    assert again == events
    assert {type(e).__name__ for e in events} >= {"PinchStart", "PinchEnd", "Swipe", "ThumbTap"}
    dispatched: list[GestureEvent] = []
    dispatcher = EventDispatcher()
    dispatcher.push_handlers(on_pinch_start=dispatched.append, on_swipe=dispatched.append)
    _simulate(script, 105, InputSimulator(dispatcher=dispatcher))
    assert dispatched == [e for e in events if type(e).__name__ in ("PinchStart", "Swipe")]


def test_mouse_is_gaze_and_gaze_plus_space_selects_through_the_router() -> None:
    sim = InputSimulator(SimulatorOptions(window_size=(1000, 500), fov_deg=(40.0, 20.0)))
    sim.mouse_move(500, 250)
    assert sim.gaze_angles() == (0.0, 0.0)
    sim.mouse_move(1000, 0)
    assert sim.gaze_angles() == (20.0, 10.0)  # right and up
    sim.mouse_move(1001, 0)
    assert sim.gaze_angles() is None and not sim.tick(0).gaze.valid
    flipped = InputSimulator(SimulatorOptions(mouse_y_up=True))
    flipped.mouse_move(0, 0)
    assert flipped.gaze_angles() == (-15.0, -8.5)  # pyglet's origin is bottom left

    router = GazeRouter(SelectionOptions(dwell_ms=60_000))
    app = router.connect("app")
    app.add_target(Target("play", yaw_deg=5.0, pitch_deg=0.0, width_deg=4.0, height_deg=4.0))
    commits: list[Commit] = []
    app.push_handlers(on_commit=commits.append)
    sim = InputSimulator(router=router)
    script: dict[int, Callable[[InputSimulator], object]] = {
        0: lambda s: s.mouse_move(1280 / 2, 360),  # centre: not on the target
        # The first pinch waits for the hand to settle (the intent gate's settle_ms).
        7: lambda s: s.key_press("space"),
        11: lambda s: s.key_release("space"),
        15: lambda s: s.mouse_move(1280 / 2 + 5 / 30 * 1280, 360),  # 5° right: on it
        17: lambda s: s.key_press("space"),
        21: lambda s: s.key_release("space"),
    }
    frames = _simulate(script, 25, sim)
    assert sum(isinstance(e, PinchStart) for e in _events(frames)) == 2
    assert [(c.target_id, c.method) for c in commits] == [("play", "pinch")]


def test_space_and_mouse_button_together_are_one_pinch_and_unknown_keys_are_ignored() -> None:
    script: dict[int, Callable[[InputSimulator], object]] = {
        # After the hand has settled (the intent gate's settle_ms).
        7: lambda s: s.key_press("space"),
        9: lambda s: s.mouse_press("left"),
        11: lambda s: s.key_release("space"),  # the button still holds the pinch
        15: lambda s: s.mouse_release("left"),
    }
    events = _events(_simulate(script, 20))
    kinds = [type(e).__name__ for e in events]
    assert kinds.count("PinchStart") == 1 and kinds.count("PinchEnd") == 1
    (end,) = [e for e in events if type(e).__name__ == "PinchEnd"]
    assert end.timestamp_ms > 15 * FRAME_MS  # held until the mouse button let go
    sim = InputSimulator()
    assert not sim.key_press("f12") and not sim.mouse_press("right")
    assert key_name(" SPACE ") == "space" and key_name("_1") == "1" and key_name("NUM_7") == "7"
