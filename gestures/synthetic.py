"""Synthetic 2-D hands with known poses, for tests, demos and benchmarks.

Real recordings cannot script a pinch that hovers exactly at a threshold or a thumb that
slides exactly 40 % along the index finger; a simple kinematic hand can. The hand is
drawn as if seen from the side of the fingers' bend (finger curls are in the image
plane), sized so its palm size (see :func:`gestures.landmarks.palm_size`) is 1 before
:func:`place` scales it into the image.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gestures.landmarks import (
    INDEX_DIP,
    INDEX_MCP,
    INDEX_PIP,
    THUMB_CMC,
    THUMB_TIP,
    FloatArray,
    Handedness,
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
