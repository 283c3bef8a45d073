"""Synthetic 2-D hands with known poses, for tests, demos and benchmarks.

Real recordings cannot script a pinch that hovers exactly at a threshold or a thumb that
slides exactly 40 % along the index finger; a simple kinematic hand can. The hand is
drawn as if seen from the side of the fingers' bend (finger curls are in the image
plane), sized so its palm size (see :func:`gestures.landmarks.palm_size`) is 1 before
:func:`place` scales it into the image.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gestures.clock import FrameClock
from gestures.landmarks import (
    INDEX_DIP,
    INDEX_MCP,
    INDEX_PIP,
    THUMB_CMC,
    THUMB_TIP,
    FloatArray,
    Handedness,
    HandFrame,
    HandLandmarks,
)

# Hand space: wrist at the origin, fingers toward -y (image up), thumb toward -x.
_MCPS = np.array([[-0.28, -0.93], [-0.06, -1.0], [0.15, -0.95], [0.33, -0.84]])
_BONES = np.array([[0.40, 0.25, 0.20], [0.45, 0.28, 0.21], [0.42, 0.26, 0.20], [0.33, 0.20, 0.18]])
_SPREAD_DEG = np.array([-8.0, 0.0, 7.0, 15.0])  # fan of the straight fingers
_CURL_DEG = np.array([75.0, 105.0, 70.0])  # MCP, PIP, DIP bends of a fully curled finger
_THUMB_CMC = np.array([-0.22, -0.12])
_THUMB_BONES = np.array([0.32, 0.27, 0.22])
_THUMB_OUT_DEG = -55.0  # thumb direction from image up, toward -x
_MICRO_CURL = (0.25, 0.9, 0.9, 0.9)  # the relaxed hand of thumb microgestures


def _direction(angle_deg: float) -> FloatArray:
    """Unit vector ``angle_deg`` clockwise from image up (y down)."""
    a = np.radians(angle_deg)
    return np.array([np.sin(a), -np.cos(a)])


def _chain(start: FloatArray, bones: FloatArray, angles_deg: Sequence[float]) -> FloatArray:
    """Joint positions after ``start`` for bones at cumulative ``angles_deg``."""
    points = []
    position = start.astype(np.float64)
    for length, angle in zip(bones, angles_deg, strict=True):
        position = position + length * _direction(angle)
        points.append(position)
    return np.array(points)


def hand_points(
    curl: Sequence[float] = (0.0, 0.0, 0.0, 0.0),
    thumb_tip: Sequence[float] | None = None,
    thumb_angle_deg: float = _THUMB_OUT_DEG,
) -> FloatArray:
    """(21, 2) hand-space landmarks of a right hand.

    ``curl`` is 0 (straight) to 1 (fully curled) for index, middle, ring, pinky; curling
    bends toward -x, over the palm. The thumb is straight at ``thumb_angle_deg`` from
    up unless ``thumb_tip`` places its tip, with the joints on a line toward it.
    """
    points = np.zeros((21, 2))
    for finger, amount in enumerate(curl):
        angles = _SPREAD_DEG[finger] - np.cumsum(_CURL_DEG * float(amount))
        first = 1 + 4 * (finger + 1)
        points[first] = _MCPS[finger]
        points[first + 1 : first + 4] = _chain(_MCPS[finger], _BONES[finger], angles)
    points[THUMB_CMC] = _THUMB_CMC
    if thumb_tip is None:
        angles = [thumb_angle_deg] * 3
        points[THUMB_CMC + 1 : THUMB_TIP + 1] = _chain(_THUMB_CMC, _THUMB_BONES, angles)
    else:
        tip = np.asarray(thumb_tip, dtype=np.float64)
        fractions = np.cumsum(_THUMB_BONES) / _THUMB_BONES.sum()
        points[THUMB_CMC + 1 : THUMB_TIP + 1] = _THUMB_CMC + fractions[:, None] * (tip - _THUMB_CMC)
    return points


def pose_points(name: str, pinch_gap: float = 0.0) -> FloatArray:
    """Hand-space landmarks of a named pose (the :mod:`gestures.poses` vocabulary).

    ``pinch_gap`` (palm sizes) opens the thumb away from the index tip in ``pinch``.
    ``thumbs_up`` and ``thumbs_down`` come out rotated so the thumb points that way.
    """
    if name == "open_palm":
        return hand_points((0, 0, 0, 0))
    if name == "fist":
        fist = hand_points((1, 1, 1, 1))
        return hand_points((1, 1, 1, 1), thumb_tip=fist[10] + np.array([0.0, 0.05]))
    if name == "point":
        curled = hand_points((1, 1, 1, 1))
        return hand_points((0, 1, 1, 1), thumb_tip=curled[10] + np.array([0.0, 0.05]))
    if name == "victory":
        curled = hand_points((1, 1, 1, 1))
        return hand_points((0, 0, 1, 1), thumb_tip=curled[14] + np.array([0.0, 0.05]))
    if name == "pinch":
        return pinch_points(pinch_gap)
    if name in ("thumbs_up", "thumbs_down"):
        hand = hand_points((1, 1, 1, 1), thumb_angle_deg=-100.0)  # straight, clear of the fist
        thumb = hand[THUMB_TIP] - hand[2]
        target = 0.0 if name == "thumbs_up" else 180.0
        current = np.degrees(np.arctan2(thumb[0], -thumb[1]))
        return rotate(hand, target - current)
    raise ValueError(f"no synthetic pose {name!r}")


def pinch_points(gap: float = 0.0, curl_others: float = 0.0) -> FloatArray:
    """An index bent toward the thumb, thumb tip ``gap`` palm sizes from the index tip."""
    others = float(curl_others)
    base = hand_points((0.45, others, others, others))
    tip = base[8]
    away = _direction(_THUMB_OUT_DEG + 90.0)  # open the gap roughly across the finger
    return hand_points((0.45, others, others, others), thumb_tip=tip + gap * away)


def thumb_on_index_points(position: float, offset: float) -> FloatArray:
    """Thumb tip at ``position`` along the index side (0 knuckle, 1 end joint), ``offset``
    palm sizes from it on the thumb side; the index is slightly bent, the rest curled."""
    hand = hand_points(_MICRO_CURL)
    joints = hand[[INDEX_MCP, INDEX_PIP, INDEX_DIP]]
    lengths = np.hypot(*np.diff(joints, axis=0).T)
    s = float(np.clip(position, -0.5, 1.5)) * float(lengths.sum())
    bone = 0 if s <= lengths[0] else 1
    along = (s - (lengths[0] if bone else 0.0)) / lengths[bone]
    direction = (joints[bone + 1] - joints[bone]) / lengths[bone]
    point = joints[bone] + along * lengths[bone] * direction
    normal = np.array([direction[1], -direction[0]])  # the side facing -x, the thumb side
    if normal[0] > 0:
        normal = -normal
    return hand_points(_MICRO_CURL, thumb_tip=point + offset * normal)


def rotate(points: FloatArray, angle_deg: float) -> FloatArray:
    """Rotate hand-space points clockwise (as displayed, y down) about the wrist."""
    a = np.radians(angle_deg)
    rotation = np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]])
    return np.asarray(points @ rotation, dtype=np.float64)


def place(
    points: FloatArray,
    centre: Sequence[float] = (0.5, 0.5),
    size: float = 0.15,
    rotation_deg: float = 0.0,
    handedness: Handedness = "Right",
    aspect_ratio: float = 1.0,
) -> FloatArray:
    """Hand-space points into normalised image coordinates.

    The wrist lands at ``centre``; ``size`` is the palm size in image heights. A left
    hand is the mirror image of a right one. ``aspect_ratio`` (width / height) undoes
    the x scaling that normalising by image width applies.
    """
    pts = rotate(np.asarray(points, dtype=np.float64), rotation_deg) * size
    if handedness == "Left":
        pts[:, 0] *= -1.0
    pts[:, 0] /= aspect_ratio
    return np.asarray(pts + np.asarray(centre, dtype=np.float64), dtype=np.float64)


def synthetic_hand(
    points: FloatArray,
    centre: Sequence[float] = (0.5, 0.5),
    size: float = 0.15,
    rotation_deg: float = 0.0,
    handedness: Handedness = "Right",
    aspect_ratio: float = 1.0,
) -> HandLandmarks:
    """A :class:`HandLandmarks` for hand-space ``points`` placed in the image (2-D only)."""
    image = place(points, centre, size, rotation_deg, handedness, aspect_ratio)
    return HandLandmarks(image, handedness=handedness, aspect_ratio=aspect_ratio)


# ------------------------------------------------------------------------ scripted hand

#: Thumb offset from the index side when not touching, and when touching (palm sizes);
#: the values the microgesture tests use, well outside and inside the contact band.
MICRO_AWAY = 0.45
MICRO_TOUCH = 0.05
#: Time the thumb takes to reach or leave the index side in scripted microgestures.
_THUMB_TRAVEL_MS = 40
#: A thumb gesture asked of a hand in another pose waits this long in the relaxed pose
#: (longer than the intent gate's ``fingers_window_ms`` and pose hold together).
RELAX_MS = 450


@dataclass
class _Segment:
    """A straight move of the wrist from ``p0`` at ``t0`` to ``p1`` at ``t1``."""

    t0: int
    t1: int
    p0: FloatArray
    p1: FloatArray

    def at(self, t: int) -> FloatArray:
        if t >= self.t1 or self.t1 <= self.t0:
            return self.p1
        f = max(0.0, (t - self.t0) / (self.t1 - self.t0))
        return np.asarray(self.p0 + f * (self.p1 - self.p0), dtype=np.float64)


class ScriptedHand:
    """A hand you can script like a puppet; :meth:`tick` gives what a tracker would see.

    Demos and tests need hands that pinch, swipe and change pose on cue without a
    camera. Commands take effect from the time of the last :meth:`tick` (``start_ms``
    before the first): :meth:`move_to` glides the wrist linearly and queues behind a
    move still in progress, so ``move_to(a, 200); move_to(b, 800)`` is a swipe and a
    slow return; pose, pinch and visibility change at once; :meth:`thumb_tap` and
    :meth:`thumb_swipe` play short thumb animations on the side of the index finger.

    :meth:`tick` returns a :class:`HandFrame` in normalised image coordinates with the
    hand's handedness, exactly the type trackers produce, so the result can be fed to
    :class:`~gestures.recognizer.GestureRecognizer` unchanged. ``noise`` adds Gaussian
    jitter of that many image heights to every landmark, like a real tracker's.
    """

    def __init__(
        self,
        handedness: Handedness = "Right",
        position: Sequence[float] = (0.5, 0.6),
        size: float = 0.12,
        pose: str = "open_palm",
        rotation_deg: float = 0.0,
        aspect_ratio: float = 1.0,
        score: float = 1.0,
        visible: bool = True,
        noise: float = 0.0,
        seed: int = 0,
        start_ms: int = 0,
    ) -> None:
        self.handedness: Handedness = handedness
        self.size = float(size)
        self.rotation_deg = float(rotation_deg)
        self.aspect_ratio = float(aspect_ratio)
        self.score = float(score)
        self.visible = visible
        self.noise = float(noise)
        self._rng = np.random.default_rng(seed)
        self._clock = FrameClock()
        self._now = int(start_ms)
        self._segments: list[_Segment] = []
        self._base = np.asarray(position, dtype=np.float64).copy()
        self._pose = ""
        self.set_pose(pose)
        self._pinch_gap: float | None = None
        self._thumb: list[tuple[int, float, float]] = []  # (t, position, offset) keyframes

    # -- commands -----------------------------------------------------------------------

    def show(self) -> None:
        """Make the hand visible from the next tick."""
        self.visible = True

    def hide(self) -> None:
        """Take the hand out of view (trackers then report no hand)."""
        self.visible = False

    def move_to(self, x: float, y: float, duration_ms: int = 0) -> None:
        """Glide the wrist to normalised image ``(x, y)`` in ``duration_ms``."""
        start = max(self._now, self._segments[-1].t1 if self._segments else self._now)
        p0 = self._position_at(start)
        p1 = np.array([float(x), float(y)])
        self._segments.append(_Segment(start, start + max(0, int(duration_ms)), p0, p1))

    @property
    def moving_until_ms(self) -> int:
        """When the queued moves end (the last tick time when there are none)."""
        return max(self._now, self._segments[-1].t1 if self._segments else self._now)

    @property
    def pose(self) -> str:
        """The base pose (what the hand shows when not pinching or thumb-gesturing)."""
        return self._pose

    def set_pose(self, name: str) -> None:
        """Show a :mod:`gestures.poses` pose, or ``relaxed`` (the microgesture rest).

        Ends any thumb animation; a held pinch stays held.
        """
        if name != "relaxed":
            pose_points(name)  # raises ValueError for an unknown name
        self._pose = name
        self._thumb = []

    def pinch(self, gap: float = 0.0) -> None:
        """Close thumb and index (to ``gap`` palm sizes apart) until :meth:`release`."""
        self._pinch_gap = float(gap)

    def release(self) -> None:
        """Open the pinch: back to the base pose."""
        self._pinch_gap = None

    @property
    def pinched(self) -> bool:
        """Whether a pinch is held."""
        return self._pinch_gap is not None

    def _relax_first(self) -> int:
        """When a thumb gesture may start: at once from the ``relaxed`` hand, else after
        :data:`RELAX_MS` of it (a real hand curls first; the intent gate refuses a thumb
        gesture made while the other fingers are still moving)."""
        return self._now + (0 if self._pose == "relaxed" else RELAX_MS)

    def thumb_tap(self, duration_ms: int = 150, position: float = 0.3) -> None:
        """Tap the thumb on the side of the index; the hand stays ``relaxed`` after."""
        t0 = self._relax_first()
        hold = t0 + _THUMB_TRAVEL_MS + max(0, int(duration_ms))
        self._pose = "relaxed"
        self._thumb = [
            (t0, position, MICRO_AWAY),
            (t0 + _THUMB_TRAVEL_MS, position, MICRO_TOUCH),
            (hold, position, MICRO_TOUCH),
            (hold + _THUMB_TRAVEL_MS, position, MICRO_AWAY),
        ]

    def thumb_swipe(self, direction: str = "forward", duration_ms: int = 250) -> None:
        """Slide the thumb along the index, ``forward`` (towards the tip) or ``back``."""
        if direction not in ("forward", "back"):
            raise ValueError(f"thumb swipe direction must be forward or back, not {direction!r}")
        start, end = (0.1, 0.65) if direction == "forward" else (0.65, 0.1)
        t0 = self._relax_first()
        t1 = t0 + _THUMB_TRAVEL_MS
        t2 = t1 + max(1, int(duration_ms))
        self._pose = "relaxed"
        self._thumb = [
            (t0, start, MICRO_AWAY),
            (t1, start, MICRO_TOUCH),
            (t2, end, MICRO_TOUCH),
            (t2 + _THUMB_TRAVEL_MS, end, MICRO_AWAY),
        ]

    def _position_at(self, t: int) -> FloatArray:
        started = [s for s in self._segments if s.t0 <= t]
        return started[-1].at(t) if started else self._base

    def _shape_at(self, t: int) -> FloatArray:
        if self._pinch_gap is not None:
            return pinch_points(self._pinch_gap)
        if self._thumb:
            times = [k[0] for k in self._thumb]
            position = float(np.interp(t, times, [k[1] for k in self._thumb]))
            offset = float(np.interp(t, times, [k[2] for k in self._thumb]))
            return thumb_on_index_points(position, offset)
        if self._pose == "relaxed":
            return thumb_on_index_points(0.3, MICRO_AWAY)
        return pose_points(self._pose)

    def hand_at(self, timestamp_ms: int) -> HandLandmarks | None:
        """The landmarks at ``timestamp_ms`` without advancing (None when hidden)."""
        if not self.visible:
            return None
        t = int(timestamp_ms)
        wrist = self._position_at(t)
        points = place(
            self._shape_at(t),
            (float(wrist[0]), float(wrist[1])),
            self.size,
            self.rotation_deg,
            self.handedness,
            self.aspect_ratio,
        )
        if self.noise > 0:
            points = points + self._rng.normal(0.0, self.noise, points.shape) * np.array(
                [1.0 / self.aspect_ratio, 1.0]
            )
        return HandLandmarks(
            points, handedness=self.handedness, score=self.score, aspect_ratio=self.aspect_ratio
        )

    def tick(self, timestamp_ms: int) -> HandFrame:
        """Advance to ``timestamp_ms`` and return the frame a tracker would give.

        Raises :class:`~gestures.errors.TimestampOrderError` if time goes backwards.
        """
        self._clock.advance(timestamp_ms)
        t = int(timestamp_ms)
        hand = self.hand_at(t)
        self._now = t
        # Finished moves collapse into the base position so the list stays short.
        done = [s for s in self._segments if s.t1 <= t]
        if done:
            self._base = self._position_at(t) if len(done) == len(self._segments) else done[-1].p1
            self._segments = [s for s in self._segments if s.t1 > t]
        if self._thumb and self._thumb[-1][0] <= t:
            self._thumb = []
        return HandFrame(timestamp_ms=t, hands=() if hand is None else (hand,))
