"""Static hand poses from one frame of landmarks, by geometry alone.

Why geometry and not a trained model: the classifier must work on hands nobody here has
seen, on 2-D-only recordings, for either hand and at any in-plane rotation and scale.
Every measurement below is a ratio of distances or an angle between bones, which is
unchanged by moving, scaling, rotating or mirroring the hand, and needs no depth.

Vocabulary (stable; other code matches on these strings): ``open_palm``, ``fist``,
``point``, ``pinch``, ``victory``, ``thumbs_up``, ``thumbs_down``, ``none``.

The one place rotation invariance is given up on purpose is thumbs up versus thumbs
down: they are the same hand shape and differ only in where the thumb points relative
to the *image's* up direction (y grows downward in image coordinates, so "up" is -y).
A thumb within ``thumb_vertical_tolerance_deg`` of image up is ``thumbs_up``, of image
down ``thumbs_down``; a thumb sticking out sideways from a closed hand is a ``fist``.

How: each of index, middle, ring and pinky gets an extension score from several 2-D
cues (:func:`finger_extension`); a pinch is tested first (thumb tip on index tip,
whatever the other fingers do, so the "OK" sign is a pinch); otherwise the finger
pattern is matched against open palm, fist, point and victory, and a closed hand with
the thumb out is split into thumbs up / down by the thumb's image direction.

Known limit: an index finger aimed straight at the camera projects onto the curled
fingers, so in 2-D that "point" looks like a fist. On the kinivi sample this is most of
the remaining point errors; depth (or a second view) would be needed to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from gestures.landmarks import (
    INDEX_DIP,
    INDEX_MCP,
    INDEX_PIP,
    INDEX_TIP,
    MIDDLE_DIP,
    MIDDLE_MCP,
    MIDDLE_PIP,
    MIDDLE_TIP,
    PINKY_MCP,
    RING_MCP,
    THUMB_IP,
    THUMB_MCP,
    THUMB_TIP,
    WRIST,
    FloatArray,
    HandLandmarks,
    palm_size,
)

PoseLabel = Literal[
    "open_palm", "fist", "point", "pinch", "victory", "thumbs_up", "thumbs_down", "none"
]
POSE_LABELS: tuple[PoseLabel, ...] = (
    "open_palm",
    "fist",
    "point",
    "pinch",
    "victory",
    "thumbs_up",
    "thumbs_down",
    "none",
)

_MCPS = np.array([5, 9, 13, 17])
_PIPS = np.array([6, 10, 14, 18])
_DIPS = np.array([7, 11, 15, 19])
_TIPS = np.array([8, 12, 16, 20])
_PALM = np.array([WRIST, INDEX_MCP, MIDDLE_MCP, RING_MCP, PINKY_MCP])
# Joints the thumb tip must be clear of to count as sticking out of a closed hand.
_THUMB_CLEARANCE = np.array([5, 6, 7, 8, 9, 10, 11, 12])
_INDEX_CHAIN = np.array([WRIST, INDEX_MCP, INDEX_PIP, INDEX_DIP, INDEX_TIP])

# Endpoints of the vectors finger_extension measures, 4 fingers each: tip and middle
# joint from the wrist, the three bones, and knuckle to tip.
_VEC_FROM = np.concatenate([[WRIST] * 4, [WRIST] * 4, _MCPS, _PIPS, _DIPS, _MCPS])
_VEC_TO = np.concatenate([_TIPS, _PIPS, _PIPS, _DIPS, _TIPS, _TIPS])
_CUE_HALF_WIDTHS = np.array([[0.1], [0.15], [0.07], [0.08]])

#: Which of index, middle, ring, pinky are extended in each finger-count pose.
_TEMPLATES: dict[PoseLabel, tuple[bool, bool, bool, bool]] = {
    "open_palm": (True, True, True, True),
    "fist": (False, False, False, False),
    "point": (True, False, False, False),
    "victory": (True, True, False, False),
}
_TEMPLATE_LABELS: tuple[PoseLabel, ...] = tuple(_TEMPLATES)
_TEMPLATE_MASK = np.array(list(_TEMPLATES.values()))
_POINT = _TEMPLATE_LABELS.index("point")
_VICTORY = _TEMPLATE_LABELS.index("victory")


@dataclass(frozen=True)
class PoseOptions:
    """Thresholds of the pose classifier; all lengths are in palm sizes.

    Every threshold is the centre of a linear ramp, so a hand right on a threshold
    scores 0.5 instead of flipping between 0 and 1 from one frame to the next.
    """

    #: Extended finger: tip farther from the wrist than the middle joint by this factor
    #: (a curled finger brings its tip back toward the wrist: ratio below 1).
    wrist_ratio: float = 1.1
    #: Extended finger: tip this far (palm sizes) from the centre of the palm.
    tip_from_palm: float = 0.8
    #: Extended finger: its three bones nearly collinear (chord over length)...
    straightness: float = 0.85
    #: ...and the first bone no more than this fraction of knuckle-to-tip (a straight
    #: finger keeps its bones' proportions in any projection; a folded one does not).
    proximal_fraction: float = 0.58
    #: In point and victory the last extended fingertip stands this far (palm sizes)
    #: from the next, curled, fingertip; in a fist all tips lie together.
    tip_gap: float = 0.5
    #: A finger-count pose needs at least this mean agreement, else ``none``.
    min_agreement: float = 0.6
    #: Thumb and index tips closer than this (palm sizes) touch.
    pinch_distance: float = 0.3
    #: The index must bend at least this much (degrees, middle+end joints) in a pinch:
    #: a straight index with the thumb in front of it is a point seen edge-on.
    pinch_index_bend_deg: float = 30.0
    #: With every other finger curled, a pinch must also be clearly the *index* tip
    #: (thumb-index distance under this fraction of thumb-to-middle-finger distance)...
    pinch_isolation: float = 0.35
    #: ...and the index must not fold back past this total curl (degrees from the palm
    #: axis); a fully folded index with the thumb over it is a fist.
    pinch_max_curl_deg: float = 160.0
    #: The thumb sticks out when its tip is this far (palm sizes) from the index and
    #: middle fingers.
    thumb_clearance: float = 0.4
    #: How far from image vertical the thumb may point and still be thumbs up / down.
    thumb_vertical_tolerance_deg: float = 60.0


@dataclass(frozen=True)
class PoseResult:
    """A pose label, its score in [0, 1], and the per-finger evidence behind it.

    ``extension`` is thumb, index, middle, ring, pinky, each 0 (curled) to 1 (straight).
    A score of 0.5 means the hand sits exactly on a decision threshold.
    """

    label: PoseLabel
    score: float
    extension: tuple[float, float, float, float, float]


def _ramp(value: float, centre: float, half_width: float) -> float:
    """0 below ``centre - half_width``, 1 above ``centre + half_width``, linear between."""
    if half_width <= 0:
        return 1.0 if value > centre else 0.0
    return float(min(1.0, max(0.0, (value - centre + half_width) / (2.0 * half_width))))


def _ramps(
    values: FloatArray, centre: float | FloatArray, half_width: float | FloatArray
) -> FloatArray:
    """Vectorised :func:`_ramp` (min/max: ``np.clip`` costs more on tiny arrays)."""
    scaled = (values - centre + half_width) / (2.0 * half_width)
    return np.asarray(np.minimum(np.maximum(scaled, 0.0), 1.0), dtype=np.float64)


def _norms(vectors: FloatArray) -> FloatArray:
    return np.asarray(np.hypot(vectors[..., 0], vectors[..., 1]), dtype=np.float64)


def _turning_deg(points: FloatArray) -> float:
    """Absolute total turning (degrees) along a polyline: how much a finger curls.

    ``arctan2(cross, dot)`` is 0 for zero-length bones (coincident integer-pixel
    landmarks), so a degenerate finger reads as straight instead of NaN.
    """
    seg = np.diff(points, axis=0)
    a, b = seg[:-1], seg[1:]
    cross = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
    dot = a[:, 0] * b[:, 0] + a[:, 1] * b[:, 1]
    return float(abs(np.degrees(np.arctan2(cross, dot).sum())))


def _cos(a: FloatArray, b: FloatArray) -> float:
    denom = float(np.hypot(*a) * np.hypot(*b))
    return float(np.dot(a, b) / denom) if denom > 0 else 1.0


def finger_extension(xy: FloatArray, size: float, opts: PoseOptions) -> FloatArray:
    """Extension of index, middle, ring and pinky, each 0 (curled) to 1 (straight).

    No single 2-D measurement survives every viewpoint: the tip-versus-middle-joint
    distance from the wrist fails when the finger points at the camera, the tip's
    distance from the palm centre fails on a foreshortened palm, and straightness
    fails when a curled finger is seen edge-on. Each cue votes; the wrist and palm
    cues count double because they are the most reliable on real recordings.
    """
    # All 24 lengths the cues need, measured in one call.
    lengths = _norms(xy[_VEC_TO] - xy[_VEC_FROM]).reshape(6, 4)
    tip_w, pip_w, prox, mid, dist, chord = lengths
    centre = xy[_PALM].sum(axis=0) / len(_PALM)
    tip_c = _norms(xy[_TIPS] - centre)
    ratios = np.stack(
        [
            tip_w / np.maximum(pip_w, 1e-9),
            tip_c / size,
            chord / np.maximum(prox + mid + dist, 1e-9),
            prox / np.maximum(chord, 1e-9),
        ]
    )
    centres = np.array(
        [[opts.wrist_ratio], [opts.tip_from_palm], [opts.straightness], [opts.proximal_fraction]]
    )
    wrist, palm, straight, long_first = _ramps(ratios, centres, _CUE_HALF_WIDTHS)
    shape = np.minimum(straight, 1.0 - long_first)
    return np.asarray((2.0 * wrist + 2.0 * palm + shape) / 5.0, dtype=np.float64)


def classify_pose(
    landmarks: HandLandmarks | ArrayLike, options: PoseOptions | None = None
) -> PoseResult:
    """Classify one hand. ``landmarks`` is a :class:`HandLandmarks` or a (21, 2|3) array.

    Arrays are taken as isotropic image coordinates (x and y in the same unit); a
    :class:`HandLandmarks` is corrected for the image aspect ratio first. Any NaN in x or
    y, or a hand collapsed to a point, gives ``none`` with score 0.
    """
    opts = options or PoseOptions()
    nothing = PoseResult("none", 0.0, (0.0, 0.0, 0.0, 0.0, 0.0))
    if isinstance(landmarks, HandLandmarks):
        if not landmarks.is_valid:
            return nothing
        xy, size = landmarks.xy, landmarks.size
    else:
        xy = np.asarray(landmarks, dtype=np.float64)[:, :2]
        if xy.shape != (21, 2) or not np.isfinite(xy).all():
            return nothing
        size = palm_size(xy)
    if not size > 1e-9:
        return nothing

    ext = finger_extension(xy, size, opts)
    thumb = _thumb_out(xy, size, opts)
    extension = (thumb, float(ext[0]), float(ext[1]), float(ext[2]), float(ext[3]))

    def result(label: PoseLabel, score: float) -> PoseResult:
        return PoseResult(label, float(min(1.0, max(0.0, score))), extension)

    pinch = _pinch_score(xy, size, ext, opts)
    if pinch > 0.5:
        return result("pinch", pinch)

    tips = xy[_TIPS]
    gaps = _ramps(_norms(tips[1:] - tips[:-1]) / size, opts.tip_gap, 0.1)
    agree = np.where(_TEMPLATE_MASK, ext, 1.0 - ext)
    # In point and victory the last extended tip also stands apart from the next one.
    agree[_POINT, 0] = (agree[_POINT, 0] + gaps[0]) / 2.0
    agree[_VICTORY, 1] = (agree[_VICTORY, 1] + gaps[1]) / 2.0
    scores = agree.sum(axis=1) / 4.0
    index = int(np.argmax(scores))
    best, best_score = _TEMPLATE_LABELS[index], float(scores[index])
    if best_score < opts.min_agreement:
        return result("none", 1.0 - best_score)
    if best == "fist" and thumb > 0.5:
        up = xy[THUMB_TIP] - xy[THUMB_MCP]
        angle = float(np.degrees(np.arctan2(abs(up[0]), -up[1])))  # 0 = image up
        tol = opts.thumb_vertical_tolerance_deg
        if angle <= tol:
            return result("thumbs_up", min(best_score, thumb))
        if angle >= 180.0 - tol:
            return result("thumbs_down", min(best_score, thumb))
    return result(best, best_score)


def _thumb_out(xy: FloatArray, size: float, opts: PoseOptions) -> float:
    """How much the thumb sticks out straight, clear of the index and middle fingers."""
    tip = xy[THUMB_TIP]
    clearance = float(_norms(xy[_THUMB_CLEARANCE] - tip).min()) / size
    straight = _cos(xy[THUMB_IP] - xy[THUMB_MCP], tip - xy[THUMB_IP])
    return min(
        _ramp(clearance, opts.thumb_clearance, 0.25 * opts.thumb_clearance),
        _ramp(straight, 0.5, 0.2),
    )


def _pinch_score(xy: FloatArray, size: float, ext: FloatArray, opts: PoseOptions) -> float:
    """How much the hand is a pinch (thumb tip on index tip), whatever the others do.

    With any of middle, ring or pinky extended the hand cannot be a fist, so touching
    tips and a bent index suffice (the OK sign). With all of them curled, a fist whose
    thumb lies across the folded index looks similar in 2-D, so the pinch must also be
    specific to the index tip and the index must not be folded into the palm.
    """
    thumb_tip = xy[THUMB_TIP]
    d_tips = float(np.hypot(*(xy[INDEX_TIP] - thumb_tip))) / size
    touch = 1.0 - _ramp(d_tips, opts.pinch_distance, opts.pinch_distance / 3.0)
    if touch <= 0.0:
        return 0.0
    bend = _turning_deg(xy[_INDEX_CHAIN[1:]])
    bent = _ramp(bend, opts.pinch_index_bend_deg, opts.pinch_index_bend_deg / 2.0)
    score = min(touch, bent)
    if float(ext[1:].max()) > 0.5:
        return score
    middle = _norms(xy[[MIDDLE_PIP, MIDDLE_DIP, MIDDLE_TIP]] - thumb_tip)
    ratio = d_tips / max(float(middle.min()) / size, 1e-9)
    isolated = 1.0 - _ramp(ratio, opts.pinch_isolation, opts.pinch_isolation / 3.0)
    curl = _turning_deg(xy[_INDEX_CHAIN])
    unfolded = 1.0 - _ramp(curl, opts.pinch_max_curl_deg, 15.0)
    return min(score, isolated, unfolded)


class PoseClassifier:
    """Stateless pose classification with fixed options, for symmetry with the others."""

    def __init__(self, options: PoseOptions | None = None) -> None:
        self.options = options or PoseOptions()

    def classify(self, hand: HandLandmarks) -> PoseResult:
        """The pose of ``hand``; an invalid hand (NaN landmarks) is ``none``."""
        return classify_pose(hand, self.options)
