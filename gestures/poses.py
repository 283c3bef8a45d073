"""Static hand poses from one frame of landmarks: geometry, plus a shape model.

Why geometry first: the classifier must work on hands nobody here has seen, on
2-D-only recordings, for either hand and at any in-plane rotation and scale. Every
measurement below is a ratio of distances or an angle between bones, which is
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

An index aimed at the camera is foreshortened and, in 2-D, can project back over the
curled fingers like a fist's. Two things catch it. In 2-D, the index is still straight
and long from knuckle to tip while the other fingers visibly curl (:func:`_aimed_index`).
With depth (a :class:`HandLandmarks` with a varying z, as MediaPipe gives), the finger
cues are also measured on the 3-D shape and blended with the 2-D ones, the 3-D ones
counting more the more a finger is foreshortened in the image. Depth is extra evidence
only: without it the hand is classified from its 2-D shape alone.

Where hand-set thresholds must draw the line between fist and point (or open palm and
victory) somewhere, a second expert weighs in: :mod:`gestures.pose_model`, a tiny
network trained only on synthetic 3-D hands seen from random viewpoints
(``tools/train_pose_model.py``), which has learnt where those classes overlap in 2-D.
Both experts' opinions are calibrated log-probabilities on the same synthetic hands,
so they are added (a product of experts) and the most probable of the four finger-count
poses wins; the reported score is its probability. Pinch, none and thumbs up / down
stay purely geometric. ``PoseOptions(use_shape_model=False)`` gives geometry alone.

Known limit: an index aimed straight at the camera with no depth is, in 2-D, the same
shape as a fist with a bunched index, and some fists whose index sticks out sideways
look like points. On the kinivi sample (2-D only) those are most remaining errors.
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
    PALM_LENGTH_PER_WIDTH,
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
from gestures.pose_model import default_model

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
# Bones meeting at the middle and end joints (PIP then DIP, 4 fingers each): bone
# _BEND_FROM -> _BEND_TO and the next one along the finger, one landmark further.
_BEND_FROM = np.concatenate([_MCPS, _PIPS])
_BEND_TO = np.concatenate([_PIPS, _DIPS])
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
#: The shape model, read once at import (a 64 kB file shipped beside the code).
_SHAPE_MODEL = default_model()


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
    #: An index aimed at the camera and down across the palm projects back toward the
    #: wrist, so the wrist and palm cues call it curled; it still counts as extended
    #: when, in 2-D, it is straight (chord over length above this)...
    aimed_straightness: float = 0.9
    #: ...with its middle and end joints bent less than this in total (degrees)...
    aimed_max_bend_deg: float = 45.0
    #: ...its tip this far (palm sizes) from its knuckle, farther than a curled index
    #: usually reaches in projection...
    aimed_reach: float = 0.6
    #: ...while middle, ring and pinky visibly curl (median middle+end bend, degrees).
    aimed_others_bend_deg: float = 60.0
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
    #: Weigh in the shape model trained on synthetic hands (:mod:`gestures.pose_model`)
    #: when telling open palm, fist, point and victory apart; False: geometry alone.
    use_shape_model: bool = True


@dataclass(frozen=True)
class PoseResult:
    """A pose label, its score in [0, 1], and the per-finger evidence behind it.

    ``extension`` is thumb, index, middle, ring, pinky, each 0 (curled) to 1 (straight).
    With the shape model (the default), the score of open palm, fist, point, victory
    and thumbs up / down is the pose's probability among the four finger-count poses
    (see the module notes; capped by the thumb's score for thumbs up / down); otherwise
    a score of 0.5 means the hand sits exactly on a decision threshold.
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
    """Lengths of 2-D or 3-D vectors along the last axis."""
    if vectors.shape[-1] == 2:
        return np.asarray(np.hypot(vectors[..., 0], vectors[..., 1]), dtype=np.float64)
    return np.asarray(np.sqrt((vectors * vectors).sum(axis=-1)), dtype=np.float64)


def _palm_size(points: FloatArray) -> float:
    """:func:`gestures.landmarks.palm_size`, for 2-D or 3-D points."""
    ends = _norms(points[[MIDDLE_MCP, PINKY_MCP]] - points[[WRIST, INDEX_MCP]])
    return float(max(ends[0], PALM_LENGTH_PER_WIDTH * ends[1]))


def _joint_bends_deg(xy: FloatArray) -> FloatArray:
    """2-D bend (degrees) at the middle plus end joint of index, middle, ring, pinky.

    Each joint's bend is the unsigned angle between the bones meeting there, so a
    finger curled either way, or zig-zagging, reads as bent; 0 is straight.
    """
    first, second = xy[_BEND_TO] - xy[_BEND_FROM], xy[_BEND_TO + 1] - xy[_BEND_FROM + 1]
    cross = np.abs(first[:, 0] * second[:, 1] - first[:, 1] * second[:, 0])
    dot = first[:, 0] * second[:, 0] + first[:, 1] * second[:, 1] + 0.0  # see _turning_deg
    angles = np.degrees(np.arctan2(cross, dot))
    return np.asarray(angles[:4] + angles[4:], dtype=np.float64)


def _turning_deg(points: FloatArray) -> float:
    """Absolute total turning (degrees) along a polyline: how much a finger curls.

    ``arctan2(cross, dot)`` is 0 for zero-length bones (coincident integer-pixel
    landmarks), so a degenerate finger reads as straight instead of NaN. That needs
    ``dot`` to be +0.0 there: a product of such a bone can come out as -0.0, for which
    ``arctan2`` gives 180 degrees, and adding 0.0 turns -0.0 into +0.0.
    """
    seg = np.diff(points, axis=0)
    a, b = seg[:-1], seg[1:]
    cross = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
    dot = a[:, 0] * b[:, 0] + a[:, 1] * b[:, 1] + 0.0
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

    ``xy`` may also be (21, 3) true-shape points (depth included), with ``size`` their
    palm size: every cue is a ratio of lengths, so it means the same in 3-D.
    """
    return _extension_and_length(xy, size, opts)[0]


def _extension_and_length(
    xy: FloatArray, size: float, opts: PoseOptions
) -> tuple[FloatArray, FloatArray]:
    """:func:`finger_extension`, and each finger's summed bone length over ``size``."""
    # All 24 lengths the cues need, measured in one call.
    lengths = _norms(xy[_VEC_TO] - xy[_VEC_FROM]).reshape(6, 4)
    tip_w, pip_w, prox, mid, dist, chord = lengths
    bones = prox + mid + dist
    centre = xy[_PALM].sum(axis=0) / len(_PALM)
    tip_c = _norms(xy[_TIPS] - centre)
    ratios = np.stack(
        [
            tip_w / np.maximum(pip_w, 1e-9),
            tip_c / size,
            chord / np.maximum(bones, 1e-9),
            prox / np.maximum(chord, 1e-9),
        ]
    )
    centres = np.array(
        [[opts.wrist_ratio], [opts.tip_from_palm], [opts.straightness], [opts.proximal_fraction]]
    )
    wrist, palm, straight, long_first = _ramps(ratios, centres, _CUE_HALF_WIDTHS)
    shape = np.minimum(straight, 1.0 - long_first)
    extension = np.asarray((2.0 * wrist + 2.0 * palm + shape) / 5.0, dtype=np.float64)
    return extension, np.asarray(bones / size, dtype=np.float64)


def classify_pose(
    landmarks: HandLandmarks | ArrayLike, options: PoseOptions | None = None
) -> PoseResult:
    """Classify one hand. ``landmarks`` is a :class:`HandLandmarks` or a (21, 2|3) array.

    Arrays are taken as isotropic image coordinates (x and y in the same unit) and only
    x and y are used; a :class:`HandLandmarks` is corrected for the image aspect ratio
    first, and its z, when it has one that varies, adds 3-D evidence (see the module
    notes). Any NaN in x or y, or a hand collapsed to a point, gives ``none`` with
    score 0.
    """
    opts = options or PoseOptions()
    nothing = PoseResult("none", 0.0, (0.0, 0.0, 0.0, 0.0, 0.0))
    depth: FloatArray | None = None
    if isinstance(landmarks, HandLandmarks):
        if not landmarks.is_valid:
            return nothing
        xy, size = landmarks.xy, landmarks.size
        depth = _true_shape(landmarks)
    else:
        xy = np.asarray(landmarks, dtype=np.float64)[:, :2]
        if xy.shape != (21, 2) or not np.isfinite(xy).all():
            return nothing
        size = palm_size(xy)
    if not size > 1e-9:
        return nothing

    ext, scores = _finger_evidence(xy, size, depth, opts)
    thumb = _thumb_out(xy, size, opts)
    extension = (thumb, float(ext[0]), float(ext[1]), float(ext[2]), float(ext[3]))

    def result(label: PoseLabel, score: float) -> PoseResult:
        return PoseResult(label, float(min(1.0, max(0.0, score))), extension)

    pinch = _pinch_score(xy, size, ext, opts)
    if pinch > 0.5:
        return result("pinch", pinch)

    best_score = float(scores.max())
    if best_score < opts.min_agreement:
        return result("none", 1.0 - best_score)
    if opts.use_shape_model:
        # Two experts, each calibrated on the same synthetic hands, multiplied: the
        # shape model's logits plus the template agreements times the scale that turns
        # them into calibrated log-probabilities (see gestures.pose_model). The model
        # logits are in the template order: open palm, fist, point, victory.
        model = _SHAPE_MODEL
        combined = model.finger_logits(xy) + model.geometry_scale * scores
        combined = np.exp(combined - combined.max())
        posterior = combined / combined.sum()
        index = int(np.argmax(posterior))
        best_score = float(posterior[index])
    else:
        index = int(np.argmax(scores))
    best = _TEMPLATE_LABELS[index]
    if best == "fist" and thumb > 0.5:
        up = xy[THUMB_TIP] - xy[THUMB_MCP]
        angle = float(np.degrees(np.arctan2(abs(up[0]), -up[1])))  # 0 = image up
        tol = opts.thumb_vertical_tolerance_deg
        if angle <= tol:
            return result("thumbs_up", min(best_score, thumb))
        if angle >= 180.0 - tol:
            return result("thumbs_down", min(best_score, thumb))
    return result(best, best_score)


def template_scores(xy: FloatArray, options: PoseOptions | None = None) -> FloatArray:
    """Agreement (0-1) of a 2-D (21, 2) hand with open palm, fist, point and victory.

    The geometric evidence :func:`classify_pose` weighs, exposed so the shape model's
    training tool can calibrate it; NaN for a hand with no palm size.
    """
    opts = options or PoseOptions()
    points = np.asarray(xy, dtype=np.float64)[:, :2]
    size = palm_size(points)
    if not size > 1e-9:
        return np.full(len(_TEMPLATE_LABELS), np.nan)
    return _finger_evidence(points, size, None, opts)[1]


def _finger_evidence(
    xy: FloatArray, size: float, depth: FloatArray | None, opts: PoseOptions
) -> tuple[FloatArray, FloatArray]:
    """Extension of index..pinky and the agreement with each finger-count template."""
    ext, seen = _extension_and_length(xy, size, opts)
    aimed = _aimed_index(xy, size, opts)
    ext[0] = max(float(ext[0]), aimed)
    tips = xy[_TIPS]
    gap_lengths = _norms(tips[1:] - tips[:-1]) / size
    if depth is not None:
        depth_size = _palm_size(depth)
        if depth_size > 1e-9:
            # The image shows a finger's shape only as far as the finger lies in the
            # image plane: the more it is foreshortened (projected over true length,
            # both in palm sizes), the more its 3-D measurement counts, from half (in
            # the plane) to all (end-on).
            depth_ext, true = _extension_and_length(depth, depth_size, opts)
            weight = 1.0 - 0.5 * np.minimum(seen / np.maximum(true, 1e-9), 1.0)
            ext = (1.0 - weight) * ext + weight * depth_ext
            aimed = (1.0 - weight[0]) * aimed + weight[0] * float(depth_ext[0])
            depth_tips = depth[_TIPS]
            gap_lengths = (gap_lengths + _norms(depth_tips[1:] - depth_tips[:-1]) / depth_size) / 2
    gaps = _ramps(gap_lengths, opts.tip_gap, 0.1)
    agree = np.where(_TEMPLATE_MASK, ext, 1.0 - ext)
    # In point and victory the last extended tip also stands apart from the next one.
    # (An index aimed across the curled fingers stands apart in shape, not position.)
    agree[_POINT, 0] = max((agree[_POINT, 0] + gaps[0]) / 2.0, aimed)
    agree[_VICTORY, 1] = (agree[_VICTORY, 1] + gaps[1]) / 2.0
    return ext, np.asarray(agree.sum(axis=1) / 4.0, dtype=np.float64)


def _true_shape(hand: HandLandmarks) -> FloatArray | None:
    """(21, 3) points with depth in the unit of :attr:`HandLandmarks.xy`, or None.

    MediaPipe's z is relative depth on roughly the scale of x, i.e. of the image width,
    so it is multiplied by the aspect ratio like x. None for a 2-D hand, a constant z
    (no depth information) or a non-finite z.
    """
    if not hand.has_depth:
        return None
    z = hand.points[:, 2]
    if not np.isfinite(z).all() or float(z.max() - z.min()) <= 0.0:
        return None
    return np.column_stack([hand.xy, z * hand.aspect_ratio])


def _aimed_index(xy: FloatArray, size: float, opts: PoseOptions) -> float:
    """How much the index is extended but aimed at the camera and down across the palm.

    Projected back toward the wrist, such an index fails the wrist and palm cues of
    :func:`finger_extension`. But a projection never bends a straight finger, and a
    curled one seldom looks both straight and long: here the index is straight with
    hardly any bend at its middle and end joints, its tip far from its knuckle, while
    the other fingers visibly curl (so it is not a whole hand seen end-on).
    """
    chain = xy[_INDEX_CHAIN[1:]]
    seg = chain[1:] - chain[:-1]
    bones = float(np.hypot(seg[:, 0], seg[:, 1]).sum())
    chord = float(np.hypot(*(chain[-1] - chain[0])))
    if bones <= 1e-9:
        return 0.0
    score = min(
        _ramp(chord / bones, opts.aimed_straightness, 0.03),
        _ramp(chord / size, opts.aimed_reach, 0.05),
    )
    if score <= 0.0:
        return 0.0
    bends = _joint_bends_deg(xy)
    others = bends[1:]
    median = float(others.sum() - others.max() - others.min())
    return min(
        score,
        1.0 - _ramp(float(bends[0]), opts.aimed_max_bend_deg, 10.0),
        _ramp(median, opts.aimed_others_bend_deg, 15.0),
    )


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
