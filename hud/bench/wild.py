"""Input in the wild, for ``hud bench``: false activations, recall and pose flicker.

A gesture interface lives or dies on what it does while nobody gives a command, so the
recognisers are scored on two sets of landmark recordings, replayed without MediaPipe:

* *no-command* recordings, where every command event (:data:`gestures.intent.COMMAND_EVENTS`:
  pinch start, air tap, swipe, circle, thumb tap, thumb swipe) is a false activation:
  the fixture hand video (tracked once, ``tests/data/recordings``), mirrored and
  re-timed; the kinivi point-history rows of class ``Stop`` (a pointing hand held
  still, real tracker jitter) chained into one stream on a real MediaPipe hand;
  scripted hands that reach, rest and gesticulate as people do while talking; a real
  thumbs-up hand raised and lowered; and scenes where a bystander's small hand makes
  deliberate gestures beside the wearer's resting hand;
* *deliberate* recordings, scripted hands giving known commands (pinch taps, drags,
  swipes, circles, thumb taps and swipes), at two sizes, both hands, re-timed, and the
  fixture video with scripted pinches added to its real landmarks.

``false_commands_per_min`` is command events per minute of no-command recording (the
goal is at most 1 over all of them); ``gesture_recall`` the share of deliberate gestures
recognised (goal at least 0.95); ``pose_flicker_per_s`` pose changes per second on
hands that hold one pose. Each figure is given for the recogniser as it was
(:meth:`GestureRecognizerOptions.ungated`, ``before``) and with its defaults
(``after``), per recording, from one run.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from gestures.evaluate import read_kinivi_history
from gestures.events import (
    AirTap,
    Circle,
    GestureEvent,
    PinchStart,
    PoseChanged,
    Swipe,
    ThumbSwipe,
    ThumbTap,
)
from gestures.intent import COMMAND_EVENTS, View
from gestures.landmarks import Handedness, HandFrame, HandLandmarks, normalise
from gestures.recognizer import GestureRecognizer, GestureRecognizerOptions
from gestures.synthetic import ScriptedHand, place, pose_points

ROOT = Path(__file__).resolve().parents[2]
RECORDING = ROOT / "tests" / "data" / "recordings" / "hand_video_landmarks.json"
LANDMARKS = ROOT / "tests" / "data" / "landmarks"
FRAME_MS = 33
ASPECT = 16 / 9

#: Event classes a deliberate gesture of each kind must produce.
_EXPECTED_EVENT: dict[str, type[GestureEvent]] = {
    "pinch": PinchStart,
    "tap": AirTap,
    "swipe": Swipe,
    "circle": Circle,
    "thumb_tap": ThumbTap,
    "thumb_swipe": ThumbSwipe,
}


@dataclass(frozen=True)
class Expected:
    """One deliberate gesture: its kind and the time span it is given in."""

    kind: str
    t0: int
    t1: int


@dataclass(frozen=True)
class Recording:
    """Landmark frames, and the deliberate gestures in them (none: a no-command one)."""

    name: str
    frames: tuple[HandFrame, ...]
    expected: tuple[Expected, ...] = ()
    steady: bool = False  # holds one pose throughout: counts for the flicker figure
    note: str = ""
    #: The camera's view: the fixture video is a camera facing the person (their hand
    #: comes in from the top of the image, as a bystander's would on glasses).
    view: View = "egocentric"

    @property
    def minutes(self) -> float:
        if len(self.frames) < 2:
            return 0.0
        return (self.frames[-1].timestamp_ms - self.frames[0].timestamp_ms) / 60000.0


# ------------------------------------------------------------------------- recordings


def load_recording(path: str | Path = RECORDING) -> list[HandFrame]:
    """The frames of a ``waveglass-landmarks/1`` JSON recording (see its README)."""
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    frames = []
    for frame in document["frames"]:
        hands = []
        for hand in frame["hands"]:
            width, height = hand.get("image_size") or (1, 1)
            hands.append(
                HandLandmarks(
                    np.asarray(hand["landmarks"], dtype=np.float64),
                    handedness=hand["handedness"],
                    score=float(hand["score"]),
                    aspect_ratio=width / height,
                )
            )
        frames.append(HandFrame(int(frame["t"]), tuple(hands)))
    return frames


def mirrored(frames: Sequence[HandFrame]) -> list[HandFrame]:
    """Left-right mirror images: x -> 1 - x, Left <-> Right (a selfie view of it)."""
    out = []
    for frame in frames:
        hands = []
        for hand in frame.hands:
            points = hand.points.copy()
            points[:, 0] = 1.0 - points[:, 0]
            side: Handedness = "Left" if hand.handedness == "Right" else "Right"
            hands.append(
                HandLandmarks(
                    points, handedness=side, score=hand.score, aspect_ratio=hand.aspect_ratio
                )
            )
        out.append(HandFrame(frame.timestamp_ms, tuple(hands)))
    return out


def retimed(frames: Sequence[HandFrame], speed: float) -> list[HandFrame]:
    """Played ``speed`` times as fast (the same frames, timestamps divided by it)."""
    return [HandFrame(round(f.timestamp_ms / speed), f.hands) for f in frames]


def merged(*streams: Sequence[HandFrame]) -> list[HandFrame]:
    """Frames of several streams with equal timestamps as one (several hands in view)."""
    by_time: dict[int, list[HandLandmarks]] = {}
    for stream in streams:
        for frame in stream:
            by_time.setdefault(frame.timestamp_ms, []).extend(frame.hands)
    return [HandFrame(t, tuple(hands)) for t, hands in sorted(by_time.items())]


def _real_shape(name: str) -> np.ndarray:
    """A MediaPipe expected hand (``tests/data/landmarks``) as hand-space points."""
    hands = json.loads((LANDMARKS / "mediapipe_expected_hand_landmarks.json").read_text())
    for hand in hands:
        if hand.get("gesture") == name:
            points = np.asarray(hand["landmarks"], dtype=np.float64)[:, :2]
            return normalise(points, hand.get("handedness", "Right"))
    raise KeyError(name)


def _hand(
    shape: np.ndarray,
    wrist: Sequence[float],
    size: float,
    rng: np.random.Generator,
    *,
    side: Handedness = "Right",
    rotation: float = 0.0,
    noise: float = 0.002,
    score: float = 0.95,
) -> HandLandmarks:
    points = place(shape, wrist, size, rotation, side, ASPECT)
    points = points + rng.normal(0.0, noise, points.shape) * np.array([1.0 / ASPECT, 1.0])
    return HandLandmarks(points, handedness=side, score=score, aspect_ratio=ASPECT)


def _scripted(
    duration_ms: int,
    state: Callable[[int], tuple[np.ndarray, tuple[float, float], float] | None],
    seed: int,
    side: Handedness = "Right",
) -> list[HandFrame]:
    """Frames from ``state(t)`` -> (hand-space shape, wrist, palm size) or None (unseen)."""
    rng = np.random.default_rng(seed)
    frames = []
    seen_since: int | None = None
    for t in range(0, duration_ms + 1, FRAME_MS):
        now = state(t)
        if now is None:
            seen_since = None
            frames.append(HandFrame(t))
            continue
        seen_since = t if seen_since is None else seen_since
        score = 0.75 + 0.2 * min(1.0, (t - seen_since) / 150.0)  # a new hand scores low
        shape, wrist, size = now
        frames.append(HandFrame(t, (_hand(shape, wrist, size, rng, side=side, score=score),)))
    return frames


def _blend(a: np.ndarray, b: np.ndarray, f: float) -> np.ndarray:
    return np.asarray(a + (b - a) * min(1.0, max(0.0, f)), dtype=np.float64)


def _smooth(x: float) -> float:
    x = min(1.0, max(0.0, x))
    return x * x * (3.0 - 2.0 * x)


OPEN, FIST, POINT = pose_points("open_palm"), pose_points("fist"), pose_points("point")
RELAXED = _blend(OPEN, FIST, 0.45)


def reach_frames(seed: int = 1) -> list[HandFrame]:
    """A hand that enters from the bottom, reaches, rests, half-closes and withdraws."""
    cycle = 4200

    def state(t: int) -> tuple[np.ndarray, tuple[float, float], float] | None:
        k, u = divmod(t, cycle)
        if u > 3600:
            return None
        x0 = 0.45 + 0.15 * ((k * 37) % 5) / 4.0
        if u < 600:  # reach up from the bottom edge, growing as it nears
            f = _smooth(u / 600.0)
            return _blend(FIST, OPEN, f), (x0, 1.05 - 0.45 * f), 0.16 + 0.06 * f
        if u < 2400:  # rest, the fingers relaxing and opening again
            f = 0.5 - 0.5 * math.cos((u - 600) / 1800.0 * 2 * math.pi)
            drift = 0.01 * math.sin(u / 300.0)
            return _blend(OPEN, RELAXED, f), (x0 + drift, 0.6), 0.22
        f = _smooth((u - 2400) / 1200.0)  # withdraw, closing
        return _blend(OPEN, FIST, f), (x0 + 0.05 * f, 0.6 + 0.5 * f), 0.22 - 0.05 * f

    return _scripted(6 * cycle, state, seed)


def rest_frames(seed: int = 2) -> list[HandFrame]:
    """A hand resting in view: slow drift, fingers slowly curling and uncurling."""

    def state(t: int) -> tuple[np.ndarray, tuple[float, float], float]:
        f = 0.5 - 0.5 * math.cos(t / 2300.0)
        g = 0.5 + 0.5 * math.sin(t / 5100.0)
        shape = _blend(_blend(OPEN, RELAXED, f), FIST, 0.6 * g * f)
        wrist = (0.55 + 0.03 * math.sin(t / 1700.0), 0.75 + 0.02 * math.sin(t / 1100.0))
        return shape, wrist, 0.2

    return _scripted(30000, state, seed)


def gesticulation_frames(seed: int = 3, side: Handedness = "Right") -> list[HandFrame]:
    """Talking with the hands: beats at 2-3 Hz, arcs, the hand opening and closing."""
    rng = np.random.default_rng(seed)
    beats = rng.uniform(2.0, 3.0, 64)
    amplitude = rng.uniform(0.03, 0.08, 64)
    angle = rng.uniform(0, 2 * math.pi, 64)
    x0 = 0.4 if side == "Right" else 0.65

    def state(t: int) -> tuple[np.ndarray, tuple[float, float], float]:
        k = min(63, t // 1000)
        phase = 2 * math.pi * beats[k] * t / 1000.0
        r = amplitude[k] * math.sin(phase)
        arc = 0.5 * amplitude[k] * math.sin(phase / 2.0)
        wrist = (
            x0 + r * math.cos(angle[k]) + arc * math.sin(angle[k]),
            0.65 + r * math.sin(angle[k]),
        )
        f = 0.5 - 0.5 * math.cos(2 * math.pi * t / (700.0 + 300.0 * (k % 3)))
        shape = _blend(OPEN, FIST if k % 2 else RELAXED, f)
        if k % 5 == 4:  # the index up to make a point, while talking
            shape = _blend(shape, POINT, 0.8)
        return shape, wrist, 0.2

    return _scripted(30000, state, seed, side)


def thumbs_up_frames(seed: int = 4) -> list[HandFrame]:
    """A real thumbs-up hand (MediaPipe's test photo) raised, shown, lowered; 5 times."""
    shape = _real_shape("Thumb_Up")
    cycle = 3000

    def state(t: int) -> tuple[np.ndarray, tuple[float, float], float] | None:
        u = t % cycle
        if u > 2600:
            return None
        f = _smooth(u / 500.0) - _smooth((u - 2000) / 600.0)
        return shape, (0.6, 1.0 - 0.4 * f), 0.2

    return _scripted(5 * cycle, state, seed)


def kinivi_stop_frames(seconds: float = 20.0, seed: int = 5) -> list[HandFrame]:
    """The kinivi ``Stop`` fingertip tracks, chained, moving a real pointing hand."""
    ids, tracks = read_kinivi_history(LANDMARKS / "kinivi_point_history_sample.csv")
    steps = [np.diff(track, axis=0) for i, track in zip(ids, tracks, strict=True) if i == 0]
    motion = np.concatenate(steps)[: int(seconds * 1000 / FRAME_MS)]
    shape = _real_shape("Pointing_Up")
    position = np.array([0.55 * ASPECT, 0.6])
    rng = np.random.default_rng(seed)
    frames = []
    for i, step in enumerate(motion):
        position = position + step
        wrist = (float(position[0]) / ASPECT, float(position[1]))
        hand = _hand(shape, wrist, 0.2, rng, noise=0.0)
        frames.append(HandFrame(i * FRAME_MS, (hand,)))
    return frames


def steady_frames(shape: np.ndarray, seed: int, seconds: float = 5.0) -> list[HandFrame]:
    """One pose held still with tracker-like jitter (for the flicker figure)."""

    def state(t: int) -> tuple[np.ndarray, tuple[float, float], float]:
        return shape, (0.55 + 0.004 * math.sin(t / 700.0), 0.7), 0.2

    frames = _scripted(int(seconds * 1000), state, seed)
    rng = np.random.default_rng(seed)
    out = []
    for frame in frames:  # extra jitter, as MediaPipe's on a still hand (about 1.5 px)
        hands = tuple(
            HandLandmarks(
                h.points[:, :2] + rng.normal(0.0, 0.004, (21, 2)),
                handedness=h.handedness,
                score=h.score,
                aspect_ratio=h.aspect_ratio,
            )
            for h in frame.hands
        )
        out.append(HandFrame(frame.timestamp_ms, hands))
    return out


def kinivi_steady_frames(class_id: int, count: int = 12, seed: int = 6) -> list[HandFrame]:
    """Real kinivi hands of one class (1 fist, 2 pointer: many with the index aimed at
    the camera, the case one 2-D frame cannot settle), each held still for 2 s with
    heavy tracker jitter (0.012 image heights, 4 px at 360 p: a dim or blurred video),
    the hand out of view for 0.3 s between them."""
    from gestures.evaluate import read_kinivi_keypoints

    ids, hands = read_kinivi_keypoints(LANDMARKS / "kinivi_keypoint_sample.csv")
    chosen = [h for i, h in zip(ids, hands, strict=True) if i == class_id][:count]
    rng = np.random.default_rng(seed)
    frames: list[HandFrame] = []
    t = 0
    for points in chosen:
        shape = normalise(points, "Right")
        for _ in range(int(2000 / FRAME_MS)):
            hand = _hand(shape, (0.55, 0.7), 0.2, rng, noise=0.012)
            frames.append(HandFrame(t, (hand,)))
            t += FRAME_MS
        for _ in range(int(300 / FRAME_MS)):
            frames.append(HandFrame(t))
            t += FRAME_MS
    return frames


# ------------------------------------------------------------- deliberate gestures


def deliberate_frames(
    side: Handedness = "Right", size: float = 0.2, seed: int = 7
) -> tuple[list[HandFrame], list[Expected]]:
    """A scripted user giving each command on purpose, with rests between them."""
    hand = ScriptedHand(
        handedness=side,
        position=(0.55, 0.65),
        size=size,
        aspect_ratio=ASPECT,
        noise=0.001,
        seed=seed,
        score=0.95,
    )
    frames: list[HandFrame] = []
    expected: list[Expected] = []
    t = 0

    def run(ms: int) -> None:
        nonlocal t
        end = t + ms
        while t < end:
            frames.append(hand.tick(t))
            t += FRAME_MS

    run(700)  # the hand comes into view and rests
    for hold in (150, 200, 120):  # air taps
        start = t
        hand.pinch()
        run(hold)
        hand.release()
        run(120)
        expected += [Expected("pinch", start, t), Expected("tap", start, t)]
        run(600)
    start = t  # a pinch-drag
    hand.pinch()
    run(200)
    hand.move_to(0.55 + 0.1 / ASPECT * 3, 0.65, 500)
    run(600)
    hand.release()
    run(100)
    expected.append(Expected("pinch", start, t))
    hand.move_to(0.55, 0.65, 900)
    run(1200)
    reach = 2.2 * size  # swipes (as the simulator's), each followed by a slow return
    for dx, dy in ((1, 0), (-1, 0), (0, -1), (0, 1)):
        start = t
        hand.move_to(0.55 + dx * reach / ASPECT, 0.65 + dy * reach, 220)
        run(250)
        expected.append(Expected("swipe", start, t))
        hand.move_to(0.55, 0.65, 1400)
        run(1700)
    hand.set_pose("point")  # circles with the index
    run(500)
    for direction in (1, -1):
        start = t
        radius = 0.8 * size
        steps = 12
        for k in range(1, steps + 1):
            a = direction * 2 * math.pi * k / steps
            hand.move_to(
                0.55 + radius * math.sin(a) / ASPECT, 0.65 - radius * (1 - math.cos(a)), 70
            )
        run(steps * 70 + 100)
        expected.append(Expected("circle", start, t))
        run(700)
    hand.set_pose("relaxed")  # thumb microgestures
    run(600)
    for kind in ("tap", "forward", "tap", "back"):
        start = t
        if kind == "tap":
            hand.thumb_tap()
        else:
            hand.thumb_swipe(kind)
        run(450)
        expected.append(Expected("thumb_tap" if kind == "tap" else "thumb_swipe", start, t))
        run(600)
    return frames, expected


def fixture_with_pinches(frames: Sequence[HandFrame]) -> tuple[list[HandFrame], list[Expected]]:
    """The fixture video's real hand with the thumb tip moved onto the index tip (a
    pinch closing in 100 ms, held 150 ms, opening in 100 ms) at 3, 5 and 7 s."""
    times = (3000, 5000, 7000)
    out = []
    for frame in frames:
        t = frame.timestamp_ms
        hands = []
        for hand in frame.hands:
            f = 0.0
            for t0 in times:
                if t0 <= t < t0 + 350:
                    u = t - t0
                    f = min(1.0, u / 100.0) if u < 250 else max(0.0, 1.0 - (u - 250) / 100.0)
            points = hand.points.copy()
            if f > 0:
                for joint, share in ((4, 1.0), (3, 0.6)):
                    points[joint] = points[joint] + share * f * (points[8] - points[joint])
            hands.append(
                HandLandmarks(
                    points,
                    handedness=hand.handedness,
                    score=hand.score,
                    aspect_ratio=hand.aspect_ratio,
                )
            )
        out.append(HandFrame(t, tuple(hands)))
    expected = [Expected(kind, t0, t0 + 350) for t0 in times for kind in ("pinch", "tap")]
    return out, expected


def bystander_frames(seed: int = 9) -> list[HandFrame]:
    """A small hand across the room (palm 3 degrees) pinching, swiping, circling on
    purpose; in view with the wearer's own hand at rest."""
    frames, _ = deliberate_frames(side="Left", size=0.06, seed=seed)
    shifted = []
    for frame in frames:
        hands = tuple(
            HandLandmarks(
                h.points[:, :2] + np.array([-0.25, -0.3]),
                handedness=h.handedness,
                score=h.score,
                aspect_ratio=h.aspect_ratio,
            )
            for h in frame.hands
        )
        shifted.append(HandFrame(frame.timestamp_ms, hands))
    return shifted


def recordings() -> list[Recording]:
    """Every recording of the benchmark, no-command ones first."""
    video = load_recording()
    rest = rest_frames()
    positive, expected = deliberate_frames()
    out = [
        Recording(
            "fixture_video", tuple(video), note="the fixture hand video, tracked", view="facing"
        ),
        Recording("fixture_mirrored", tuple(mirrored(video)), note="mirrored", view="facing"),
        Recording(
            "fixture_fast", tuple(retimed(video, 1.5)), note="played 1.5x as fast", view="facing"
        ),
        Recording(
            "fixture_slow", tuple(retimed(video, 0.75)), note="played 0.75x as fast", view="facing"
        ),
        Recording("kinivi_stop", tuple(kinivi_stop_frames()), note="kinivi Stop tracks, chained"),
        Recording("scripted_reach", tuple(reach_frames()), note="reach, rest, withdraw x6"),
        Recording("scripted_rest", tuple(rest), note="a resting hand, 30 s"),
        Recording(
            "scripted_talking",
            tuple(merged(gesticulation_frames(), gesticulation_frames(11, "Left"))),
            note="two hands gesticulating, 30 s",
        ),
        Recording(
            "scripted_talking_fast",
            tuple(retimed(gesticulation_frames(12), 1.5)),
            note="gesticulating, 1.5x as fast",
        ),
        Recording("thumbs_up_raise", tuple(thumbs_up_frames()), note="real thumbs-up hand x5"),
        Recording(
            "bystander_gestures",
            tuple(merged(rest_frames(13)[: len(positive)], bystander_frames())),
            note="a bystander's deliberate gestures beside the wearer's resting hand",
        ),
        Recording(
            "bystander_with_fixture",
            tuple(merged(video, [f for f in bystander_frames(14) if f.timestamp_ms <= 8040])),
            note="the fixture hand and a bystander's gestures",
            view="facing",
        ),
    ]
    pinched, pinch_expected = fixture_with_pinches(video)
    left, left_expected = deliberate_frames(side="Left", size=0.2, seed=8)
    small, small_expected = deliberate_frames(size=0.12, seed=10)
    out += [
        Recording("deliberate_right", tuple(positive), tuple(expected), note="scripted commands"),
        Recording("deliberate_left", tuple(left), tuple(left_expected), note="left hand"),
        Recording("deliberate_small", tuple(small), tuple(small_expected), note="farther hand"),
        Recording(
            "deliberate_fast",
            tuple(retimed(positive, 1.3)),
            tuple(Expected(e.kind, round(e.t0 / 1.3), round(e.t1 / 1.3)) for e in expected),
            note="1.3x as fast",
        ),
        Recording(
            "fixture_pinches",
            tuple(pinched),
            tuple(pinch_expected),
            note="the fixture video with 3 pinches added",
            view="facing",
        ),
    ]
    for name, shape in (
        ("steady_point", POINT),
        ("steady_fist", FIST),
        ("steady_open", OPEN),
        ("steady_real_point", _real_shape("Pointing_Up")),
        ("steady_real_fist", _real_shape("Closed_Fist")),
        ("steady_real_victory", _real_shape("Victory")),
    ):
        frames = steady_frames(shape, seed=len(name))
        out.append(Recording(name, tuple(frames), steady=True, note="one pose held, jitter"))
    for name, class_id in (("steady_kinivi_pointers", 2), ("steady_kinivi_fists", 1)):
        frames = kinivi_steady_frames(class_id)
        out.append(
            Recording(
                name, tuple(frames), steady=True, note="12 real hands held 2 s each, heavy jitter"
            )
        )
    return out


# -------------------------------------------------------------------------- scoring


@dataclass
class Score:
    """What one recogniser did on one recording."""

    commands: int = 0
    matched: int = 0
    expected: int = 0
    pose_changes: int = 0
    by_type: dict[str, int] = field(default_factory=dict)


def score(recording: Recording, options: GestureRecognizerOptions) -> Score:
    """Run a fresh recogniser over the recording and count what it raised."""
    if options.wearer.view != "all":
        wearer = dataclasses.replace(options.wearer, view=recording.view)
        options = dataclasses.replace(options, wearer=wearer)
    recognizer = GestureRecognizer(options)
    events: list[GestureEvent] = []
    result = Score(expected=len(recording.expected))
    present: dict[str, bool] = {}
    for frame in recording.frames:
        seen = {h.handedness for h in frame.hands}
        for event in recognizer.process(frame):
            events.append(event)
            side = event.handedness
            if isinstance(event, PoseChanged) and present.get(side) and side in seen:
                result.pose_changes += 1  # a change on a hand seen before: flicker
        present = {side: side in seen for side in ("Left", "Right")}
    commands = [e for e in events if isinstance(e, COMMAND_EVENTS)]
    result.commands = len(commands)
    for event in commands:
        result.by_type[event.name] = result.by_type.get(event.name, 0) + 1
    used: set[int] = set()
    for gesture in recording.expected:
        kind = _EXPECTED_EVENT[gesture.kind]
        for i, event in enumerate(commands):
            if i in used or not isinstance(event, kind):
                continue
            if gesture.t0 - 50 <= event.timestamp_ms <= gesture.t1 + 500:
                used.add(i)
                result.matched += 1
                break
    return result


def bench_input_wild(options: GestureRecognizerOptions | None = None) -> dict[str, Any]:
    """``hud bench``'s ``input_wild``: the figures above, before and after, per recording."""
    after = options or GestureRecognizerOptions()
    before = GestureRecognizerOptions.ungated()
    per: dict[str, Any] = {}
    totals = {
        k: {"commands": 0, "minutes": 0.0, "matched": 0, "expected": 0, "changes": 0, "s": 0.0}
        for k in ("before", "after")
    }
    for recording in recordings():
        row: dict[str, Any] = {"minutes": round(recording.minutes, 3), "note": recording.note}
        for key, opts in (("before", before), ("after", after)):
            s = score(recording, opts)
            total = totals[key]
            if recording.steady:
                seconds = recording.minutes * 60.0
                row[key] = {"pose_flicker_per_s": round(s.pose_changes / seconds, 3)}
                total["changes"] += s.pose_changes
                total["s"] += seconds
            elif recording.expected:
                row[key] = {
                    "gesture_recall": round(s.matched / s.expected, 3),
                    "matched": s.matched,
                    "expected": s.expected,
                    "commands": s.commands,
                }
                total["matched"] += s.matched
                total["expected"] += s.expected
            else:
                row[key] = {
                    "false_commands_per_min": round(s.commands / recording.minutes, 2),
                    "commands": s.by_type,
                }
                total["commands"] += s.commands
                total["minutes"] += recording.minutes
            if recording.name == "fixture_video":
                row[key]["pose_flicker_per_s"] = round(
                    s.pose_changes / (recording.minutes * 60.0), 3
                )
        per[recording.name] = row
    out: dict[str, Any] = {}
    for key, total in totals.items():
        out[key] = {
            "false_commands_per_min": round(total["commands"] / total["minutes"], 3),
            "gesture_recall": round(total["matched"] / max(1, total["expected"]), 3),
            "pose_flicker_per_s": round(total["changes"] / max(total["s"], 1e-9), 3),
            "no_command_minutes": round(total["minutes"], 2),
            "deliberate_gestures": total["expected"],
        }
    out["false_commands_per_min"] = out["after"]["false_commands_per_min"]
    out["gesture_recall"] = out["after"]["gesture_recall"]
    out["pose_flicker_per_s"] = out["after"]["pose_flicker_per_s"]
    out["recordings"] = per
    return out
