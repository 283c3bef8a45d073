"""ScriptedHand: a puppet hand whose frames look exactly like a tracker's."""

from __future__ import annotations

import numpy as np
import pytest

from gestures.errors import TimestampOrderError
from gestures.events import GestureEvent, PinchCancel, PinchEnd, PinchStart, PoseChanged
from gestures.landmarks import HANDEDNESS, WRIST, Handedness, HandFrame, HandLandmarks
from gestures.recognizer import GestureRecognizer
from gestures.synthetic import ScriptedHand

FRAME_MS = 33


def _run(hand: ScriptedHand, script: dict[int, str], frames: int) -> list[GestureEvent]:
    """Tick ``frames`` frames through the real recogniser, calling ``script[i]`` first."""
    recognizer = GestureRecognizer()
    events: list[GestureEvent] = []
    for i in range(frames):
        if i in script:
            getattr(hand, script[i])()
        events += recognizer.process(hand.tick(i * FRAME_MS))
    return events


@pytest.mark.parametrize("side", HANDEDNESS)
@pytest.mark.parametrize("rotation", [0.0, 35.0, -60.0])
def test_pinch_and_release_is_exactly_one_pinch(side: Handedness, rotation: float) -> None:
    hand = ScriptedHand(handedness=side, rotation_deg=rotation, aspect_ratio=16 / 9)
    events = _run(hand, {5: "pinch", 20: "release"}, 30)
    starts = [e for e in events if isinstance(e, PinchStart)]
    ends = [e for e in events if isinstance(e, PinchEnd)]
    assert len(starts) == 1 and len(ends) == 1
    assert starts[0].handedness == side and ends[0].handedness == side
    assert starts[0].timestamp_ms == 6 * FRAME_MS  # after the recogniser's debounce
    assert not ends[0].dragged
    poses = [e.pose for e in events if isinstance(e, PoseChanged)]
    assert poses == ["open_palm", "pinch", "open_palm"]


def test_frames_look_like_a_trackers() -> None:
    hand = ScriptedHand(handedness="Left", position=(0.4, 0.6), size=0.1, aspect_ratio=4 / 3)
    frame = hand.tick(0)
    assert isinstance(frame, HandFrame) and frame.timestamp_ms == 0
    (landmarks,) = frame.hands
    assert isinstance(landmarks, HandLandmarks)
    assert landmarks.handedness == "Left" and landmarks.aspect_ratio == pytest.approx(4 / 3)
    assert landmarks.points.shape == (21, 3) and landmarks.is_valid
    assert ((landmarks.points[:, :2] > 0) & (landmarks.points[:, :2] < 1)).all()
    assert landmarks.points[WRIST, :2].tolist() == pytest.approx([0.4, 0.6])
    assert landmarks.size == pytest.approx(0.1, rel=0.01)  # palm size in image heights
    assert frame.hand("Left") is landmarks and frame.hand("Right") is None


def test_move_to_glides_linearly_and_queues_moves() -> None:
    hand = ScriptedHand(position=(0.2, 0.5))
    hand.tick(0)
    hand.move_to(0.6, 0.5, 400)
    hand.move_to(0.6, 0.9, 200)
    assert hand.moving_until_ms == 600
    wrists = {}
    for t in (100, 200, 400, 500, 600, 700):
        (h,) = hand.tick(t).hands
        wrists[t] = h.points[WRIST, :2].tolist()
    assert wrists[100] == pytest.approx([0.3, 0.5])
    assert wrists[200] == pytest.approx([0.4, 0.5])
    assert wrists[400] == pytest.approx([0.6, 0.5])
    assert wrists[500] == pytest.approx([0.6, 0.7])
    assert wrists[600] == pytest.approx([0.6, 0.9]) and wrists[700] == wrists[600]
    hand.move_to(0.1, 0.1)  # no duration: a jump
    (h,) = hand.tick(701).hands
    assert h.points[WRIST, :2].tolist() == pytest.approx([0.1, 0.1])


def test_hide_show_and_poses() -> None:
    hand = ScriptedHand()
    events = _run(hand, {3: "hide", 6: "show"}, 9)
    assert [e.pose for e in events if isinstance(e, PoseChanged)] == [
        "open_palm",
        "none",
        "open_palm",
    ]
    hand = ScriptedHand()
    recognizer = GestureRecognizer()
    seen = []
    for i, pose in enumerate(["fist", "point", "victory", "thumbs_up", "thumbs_down", "open_palm"]):
        hand.set_pose(pose)
        changes = []  # each pose held six frames: poses change only once they hold
        for k in range(6):
            frame = hand.tick((6 * i + k) * FRAME_MS)
            changes += [e for e in recognizer.process(frame) if isinstance(e, PoseChanged)]
        seen.append(changes[-1].pose)
    assert seen == ["fist", "point", "victory", "thumbs_up", "thumbs_down", "open_palm"]
    with pytest.raises(ValueError, match="no synthetic pose"):
        hand.set_pose("wave")


def test_a_hand_lost_mid_pinch_cancels_it() -> None:
    events = _run(ScriptedHand(), {8: "pinch", 15: "hide"}, 25)  # pinch once settled
    assert [
        type(e).__name__
        for e in events
        if "Pinch" in type(e).__name__ and "Hold" not in type(e).__name__
    ] == [
        "PinchStart",
        "PinchCancel",
    ]
    (cancel,) = [e for e in events if isinstance(e, PinchCancel)]
    assert cancel.reason == "hand lost"


def test_noise_is_seeded_and_time_cannot_go_back() -> None:
    a = ScriptedHand(noise=0.003, seed=7).tick(0).hands[0].points
    b = ScriptedHand(noise=0.003, seed=7).tick(0).hands[0].points
    clean = ScriptedHand().tick(0).hands[0].points
    assert np.array_equal(a, b) and 0.001 < float(np.abs(a - clean).mean()) < 0.01
    hand = ScriptedHand()
    hand.tick(100)
    with pytest.raises(TimestampOrderError):
        hand.tick(99)
