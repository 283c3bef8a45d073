"""Input only when the wearer means it: the intent gate, the wearer's hands, held poses."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from gestures.events import GestureEvent, PinchStart, PoseChanged
from gestures.intent import (
    COMMAND_EVENTS,
    IntentOptions,
    WearerOptions,
    select_wearer_hands,
)
from gestures.landmarks import HandFrame
from gestures.pose_filter import PoseFilter, PoseSmoothingOptions
from gestures.recognizer import GestureRecognizer, GestureRecognizerOptions
from gestures.synthetic import ScriptedHand, pose_points, synthetic_hand
from hud.bench.wild import RECORDING, load_recording, merged, reach_frames
from hud.errors import OptionsError

FRAME_MS = 33
FACING = GestureRecognizerOptions(wearer=WearerOptions(view="facing"))
EGOCENTRIC = GestureRecognizerOptions(wearer=WearerOptions(view="egocentric"))


def _run(frames: list[HandFrame], options: GestureRecognizerOptions) -> list[GestureEvent]:
    recognizer = GestureRecognizer(options)
    return [e for frame in frames for e in recognizer.process(frame)]


def _commands(events: list[GestureEvent]) -> list[str]:
    return [type(e).__name__ for e in events if isinstance(e, COMMAND_EVENTS)]


@pytest.fixture(scope="module")
def fixture_video() -> list[HandFrame]:
    return load_recording(RECORDING)


def test_the_fixture_video_raises_no_command_but_did_without_the_gate(
    fixture_video: list[HandFrame],
) -> None:
    assert len(fixture_video) == 202 and all(len(f.hands) == 1 for f in fixture_video)
    before = _commands(_run(fixture_video, GestureRecognizerOptions.ungated()))
    assert "PinchStart" in before and "Circle" in before  # what the issue reported
    assert _commands(_run(fixture_video, FACING)) == []


def test_a_hand_reaching_resting_and_withdrawing_raises_no_command() -> None:
    frames = reach_frames()[:300]
    assert _commands(_run(frames, EGOCENTRIC)) == []


def _deliberate_pinch(options: GestureRecognizerOptions) -> tuple[int, list[GestureEvent]]:
    hand = ScriptedHand(position=(0.55, 0.65), size=0.2, aspect_ratio=16 / 9, noise=0.001)
    recognizer = GestureRecognizer(options)
    events: list[GestureEvent] = []
    touched = -1
    for i in range(40):
        t = i * FRAME_MS
        if i == 20:
            hand.pinch()
            touched = t  # the tips meet in this frame
        if i == 26:
            hand.release()
        events += recognizer.process(hand.tick(t))
    return touched, events


def test_a_deliberate_pinch_starts_within_100_ms_of_the_fingers_touching() -> None:
    for options in (EGOCENTRIC, FACING):
        touched, events = _deliberate_pinch(options)
        starts = [e for e in events if isinstance(e, PinchStart)]
        assert len(starts) == 1
        assert 0 <= starts[0].timestamp_ms - touched <= 100
        assert _commands(events) == ["PinchStart", "AirTap"]


def test_a_hand_that_appears_pinched_or_closes_into_a_fist_is_not_pinching() -> None:
    hand = ScriptedHand(size=0.2, aspect_ratio=16 / 9)
    hand.pinch()
    frames = [hand.tick(i * FRAME_MS) for i in range(30)]
    events = _run(frames, GestureRecognizerOptions())
    assert not any("Pinch" in type(e).__name__ or "Tap" in type(e).__name__ for e in events)
    # An open hand closing into a fist in 300 ms brings the thumb over the index.
    open_, fist = pose_points("open_palm"), pose_points("fist")
    closing = []
    for i in range(40):
        f = min(1.0, max(0.0, (i - 15) / 9.0))
        shape = open_ + (fist - open_) * f
        hand_ = synthetic_hand(shape, centre=(0.5, 0.7), size=0.2, aspect_ratio=16 / 9)
        closing.append(HandFrame(i * FRAME_MS, (hand_,)))
    assert _commands(_run(closing, GestureRecognizerOptions())) == []


def test_a_bystanders_hand_raises_nothing() -> None:
    wearer = ScriptedHand(handedness="Right", position=(0.6, 0.75), size=0.2, aspect_ratio=16 / 9)
    bystander = ScriptedHand(
        handedness="Left", position=(0.3, 0.35), size=0.05, aspect_ratio=16 / 9
    )
    frames = []
    for i in range(60):
        if i in (20, 40):
            bystander.pinch()
        if i in (26, 46):
            bystander.release()
        frames.append((wearer.tick(i * FRAME_MS), bystander.tick(i * FRAME_MS)))
    scene = merged([w for w, _ in frames], [b for _, b in frames])
    for options in (EGOCENTRIC, FACING):
        events = _run(scene, options)
        assert [e for e in events if e.handedness == "Left"] == []
        assert _run([b for _, b in frames], options) == []
    ungated = _run([b for _, b in frames], GestureRecognizerOptions.ungated())
    assert "PinchStart" in _commands(ungated)  # the bystander did pinch


def test_whose_hands_egocentric_and_facing() -> None:
    near = synthetic_hand(pose_points("open_palm"), centre=(0.6, 0.8), size=0.2)
    far = synthetic_hand(pose_points("open_palm"), centre=(0.3, 0.4), size=0.05)
    from_top = synthetic_hand(
        pose_points("open_palm"), centre=(0.5, 0.1), size=0.2, rotation_deg=180.0
    )
    egocentric = WearerOptions(view="egocentric")
    assert select_wearer_hands((far, near, from_top), egocentric) == (near,)
    facing = WearerOptions(view="facing")
    other = synthetic_hand(pose_points("fist"), centre=(0.3, 0.4), size=0.18, handedness="Left")
    assert select_wearer_hands((far, near, other), facing) == (near, other)
    assert len(select_wearer_hands((far, near), WearerOptions(view="all"))) == 2


def test_poses_hold_through_a_stray_frame_and_change_when_the_hand_does() -> None:
    smoothing = PoseFilter(PoseSmoothingOptions())
    labels = ["point"] * 10 + ["fist"] + ["point"] * 10 + ["fist"] * 10
    held = [smoothing.update(i * FRAME_MS, label, 0.9, 0.0) for i, label in enumerate(labels)]
    assert held[:21] == ["point"] * 21  # one odd frame is not a pose change
    changed = held.index("fist")
    assert 21 < changed <= 21 + 5  # a real change shows within about 150 ms
    unsmoothed = PoseFilter(PoseSmoothingOptions.off())
    assert unsmoothed.update(0, "point", 0.9, 0.0) == "point"
    assert unsmoothed.update(33, "fist", 0.9, 0.0) == "fist"


def test_steady_jittery_hands_flicker_less_with_hysteresis() -> None:
    rng = np.random.default_rng(3)
    base = pose_points("point")
    counts = {}
    for name, options in (
        ("before", GestureRecognizerOptions.ungated()),
        ("after", GestureRecognizerOptions()),
    ):
        recognizer = GestureRecognizer(options)
        changes = 0
        for i in range(150):
            shape = base + rng.normal(0.0, 0.12, base.shape)
            hand = synthetic_hand(shape, centre=(0.5, 0.7), size=0.2)
            events = recognizer.process(HandFrame(i * FRAME_MS, (hand,)))
            changes += sum(isinstance(e, PoseChanged) for e in events) if i else 0
        counts[name] = changes
    assert counts["after"] < counts["before"]


def test_options_are_checked_and_the_recorders_header_stays_json() -> None:
    for bad in ({"min_score": 1.5}, {"settle_ms": -1}, {"camera_hfov_deg": 0.0}):
        with pytest.raises(OptionsError):
            IntentOptions(**bad)
    with pytest.raises(OptionsError):
        IntentOptions(swipe_poses=["point"])  # type: ignore[arg-type]
    for bad_wearer in ({"view": "top"}, {"min_palm_deg": float("nan")}, {"max_hands": 0}):
        with pytest.raises(OptionsError):
            WearerOptions(**bad_wearer)
    with pytest.raises(OptionsError):
        PoseSmoothingOptions(margin=2.0)
    with pytest.raises(OptionsError):
        GestureRecognizerOptions(intent="on")  # type: ignore[arg-type]
    json.dumps(dataclasses.asdict(GestureRecognizerOptions()))  # hud record stores it
