"""Static hand poses from one frame of landmarks: a shape model, plus geometry.

The classifier must work on hands nobody here has seen, on 2-D-only recordings, for
either hand and at any in-plane rotation and scale. So everything it measures is a
ratio of distances or an angle between bones, which is unchanged by moving, scaling,
rotating or mirroring the hand, and needs no depth.

Vocabulary (stable; other code matches on these strings): ``open_palm``, ``fist``,
``point``, ``pinch``, ``victory``, ``thumbs_up``, ``thumbs_down``, ``none``.

The one place rotation invariance is given up on purpose is thumbs up versus thumbs
down: they are the same hand shape and differ only in where the thumb points relative
to the *image's* up direction (y grows downward in image coordinates, so "up" is -y).
A thumb within ``thumb_vertical_tolerance_deg`` of image up is ``thumbs_up``, of image
down ``thumbs_down``; a thumb sticking out sideways from a closed hand is a ``fist``.

Geometry: each of index, middle, ring and pinky gets an extension score from several
2-D cues (:func:`finger_extension`), and the finger pattern is matched against open
palm, fist, point and victory templates. An index aimed at the camera is foreshortened
and, in 2-D, can project back over the curled fingers like a fist's; it is still
straight and long from knuckle to tip while the other fingers visibly curl
(:func:`_aimed_index`). With depth (a :class:`HandLandmarks` with a varying z, as
MediaPipe gives), the finger cues are also measured on the 3-D shape and blended with
the 2-D ones, the 3-D ones counting more the more a finger is foreshortened in the
image. Depth is extra evidence only: without it the hand is classified from its 2-D
shape alone.

Where hand-set thresholds must draw the line between fist and point (or open palm and
victory) somewhere, they are wrong for some real hands. So the finger-count decision is
made by :mod:`gestures.pose_model`, a tiny network trained on synthetic 3-D hands seen
from random viewpoints *and* on labelled real recordings (``tools/train_pose_model.py``;
its grouped cross-validation on hands it was not trained on is in
``docs/benchmarks.md``). Geometry keeps what it is sure of and the network cannot see:
a pinch needs the thumb and index tips to touch (and the network not to argue strongly
for another pose), thumbs up / down are a fist whose thumb stands out of it toward
image up / down, and with depth the templates' 3-D evidence is added to the network's
2-D logits. ``PoseOptions(use_shape_model=False)`` gives geometry alone, trained on
nothing.

Cost: everything here runs once per hand per frame beside the other recognisers, on
21 points, where numpy's per-call overhead outweighs the arithmetic; so the geometry
works on the landmarks as lists of Python floats (:mod:`math`), and only the shape
model's matrix products use numpy.

Known limit: an index aimed straight at the camera with no depth is, in 2-D, the same
shape as a fist with a bunched index; in cross-validation on the kinivi recordings those
are most of the remaining errors.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Literal, cast

import numpy as np
from numpy.typing import ArrayLike

from gestures.errors import check_number, check_type
from gestures.landmarks import (
    INDEX_DIP,
    INDEX_MCP,
    INDEX_PIP,
    INDEX_TIP,
    MIDDLE_DIP,
    MIDDLE_MCP,
    MIDDLE_PIP,
    MIDDLE_TIP,
    PALM,
    PALM_LENGTH_PER_WIDTH,
    PINKY_MCP,
    PINKY_TIP,
    RING_MCP,
    RING_TIP,
    THUMB_IP,
    THUMB_MCP,
    THUMB_TIP,
    WRIST,
    FloatArray,
    HandLandmarks,
    ramp,
)
from gestures.pose_model import MODEL_LABELS, PoseModel, default_model

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

# Landmark indices, as plain ints: the geometry below runs on Python floats.
_MCPS = (INDEX_MCP, MIDDLE_MCP, RING_MCP, PINKY_MCP)
_TIPS = (INDEX_TIP, MIDDLE_TIP, RING_TIP, PINKY_TIP)
# Joints the thumb tip must be clear of to count as sticking out of a closed hand.
_THUMB_CLEARANCE = (5, 6, 7, 8, 9, 10, 11, 12)
_INDEX_CHAIN = (WRIST, INDEX_MCP, INDEX_PIP, INDEX_DIP, INDEX_TIP)

#: One hand's landmarks as lists of 2 or 3 floats.
Point = Sequence[float]
Points = Sequence[Point]

#: The finger-count poses, in the order of the shape model's first four logits. Their
#: templates (which of index, middle, ring, pinky are extended) are in _finger_evidence.
_TEMPLATE_LABELS: tuple[PoseLabel, ...] = ("open_palm", "fist", "point", "victory")
#: The shape model, read once at import (a 0.3 MB file shipped beside the code).
_SHAPE_MODEL = default_model()
#: The shape model's outputs as pose labels; the poses chosen among when the hand is
#: not a pinch are all but pinch.
_MODEL_POSES = cast(tuple[PoseLabel, ...], MODEL_LABELS)
_PINCH = _MODEL_POSES.index("pinch")
_CHOICES = tuple(i for i in range(len(_MODEL_POSES)) if i != _PINCH)


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
    #: Geometry alone: a finger-count pose needs this mean agreement, else ``none``.
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
    #: ...and how far (palm sizes) its tip must reach past every finger joint, along
    #: the thumb's own direction: a thumbs-up thumb stands out of the fist, while a
    #: thumb lying along the side of a fist can point upward without doing so.
    thumb_reach: float = 0.1
    #: Let the shape model (:mod:`gestures.pose_model`) tell open palm, fist, point,
    #: victory and none apart; False: geometry alone.
    use_shape_model: bool = True
    #: The shape model to use (None: the shipped one), e.g. one being cross-validated.
    shape_model: PoseModel | None = field(default=None, compare=False, repr=False)
    #: Touching tips are a pinch unless the shape model's pinch log-odds fall more than
    #: this below its best finger-count pose's.
    pinch_model_margin: float = 2.0
    #: With depth, the geometric template agreements (0-1) times this are added to the
    #: shape model's logits: the scale that made softmax(k * agreements) best
    #: calibrated on synthetic open palms, fists, points and victories.
    depth_template_weight: float = 11.5

    def __post_init__(self) -> None:
        for name, low, high in _POSE_OPTION_RANGES:
            # A zero length or ratio would divide by zero or match every hand: open below.
            opened = low == 0 and name in _POSE_POSITIVE
            check_number(
                f"PoseOptions.{name}", getattr(self, name), low=low, high=high, low_open=opened
            )
        if self.shape_model is not None:
            check_type("PoseOptions.shape_model", self.shape_model, PoseModel)


#: ``PoseOptions`` number fields and their bounds, inclusive (``None``: unbounded).
_POSE_OPTION_RANGES: tuple[tuple[str, float | None, float | None], ...] = (
    ("wrist_ratio", 0, None),
    ("tip_from_palm", 0, None),
    ("straightness", 0, 1),
    ("proximal_fraction", 0, 1),
    ("tip_gap", 0, None),
    ("aimed_straightness", 0, 1),
    ("aimed_max_bend_deg", 0, 360),
    ("aimed_reach", 0, None),
    ("aimed_others_bend_deg", 0, 360),
    ("min_agreement", 0, 1),
    ("pinch_distance", 0, None),
    ("pinch_index_bend_deg", 0, 360),
    ("pinch_isolation", 0, None),
    ("pinch_max_curl_deg", 0, 360),
    ("thumb_clearance", 0, None),
    ("thumb_vertical_tolerance_deg", 0, 180),
    ("thumb_reach", None, None),
    ("pinch_model_margin", None, None),
    ("depth_template_weight", 0, None),
)
#: ... of which these must be above zero, not just at least zero.
_POSE_POSITIVE = frozenset(
    {"wrist_ratio", "proximal_fraction", "pinch_distance", "pinch_isolation"}
)


@dataclass(frozen=True)
class PoseResult:
    """A pose label, its score in [0, 1], and the per-finger evidence behind it.

    ``extension`` is thumb, index, middle, ring, pinky, each 0 (curled) to 1 (straight).
    With the shape model (the default), the score of open palm, fist, point, victory,
    none and thumbs up / down is the pose's probability among those (pinch aside; capped
    by the thumb's score for thumbs up / down), and a pinch's is how firmly the tips
    touch; with geometry alone a score of 0.5 means the hand sits exactly on a decision
    threshold.
    """

    label: PoseLabel
    score: float
    extension: tuple[float, float, float, float, float]


_DEFAULT_OPTIONS = PoseOptions()
_NOTHING = PoseResult("none", 0.0, (0.0, 0.0, 0.0, 0.0, 0.0))


def _palm_size(points: Points) -> float:
    """:func:`gestures.landmarks.palm_size`, for 2-D or 3-D points."""
    length = math.dist(points[MIDDLE_MCP], points[WRIST])
    width = math.dist(points[PINKY_MCP], points[INDEX_MCP])
    return max(length, PALM_LENGTH_PER_WIDTH * width)


def _bend_deg(a: Point, b: Point, c: Point) -> float:
    """Unsigned 2-D turn (degrees) from bone a->b to bone b->c; 0 is straight.

    ``atan2(cross, dot)`` is 0 for zero-length bones (coincident integer-pixel
    landmarks), so a degenerate finger reads as straight instead of NaN. That needs
    ``dot`` to be +0.0 there: a product of such a bone can come out as -0.0, for which
    ``atan2`` gives 180 degrees, and adding 0.0 turns -0.0 into +0.0.
    """
    ux, uy, vx, vy = b[0] - a[0], b[1] - a[1], c[0] - b[0], c[1] - b[1]
    return math.degrees(math.atan2(abs(ux * vy - uy * vx), ux * vx + uy * vy + 0.0))


def _turning_deg(points: Points) -> float:
    """Absolute total signed turning (degrees) along a 2-D polyline: how much a finger
    curls (see :func:`_bend_deg` for the +0.0)."""
    total = 0.0
    for a, b, c in zip(points, points[1:], points[2:]):
        ux, uy, vx, vy = b[0] - a[0], b[1] - a[1], c[0] - b[0], c[1] - b[1]
        total += math.atan2(ux * vy - uy * vx, ux * vx + uy * vy + 0.0)
    return abs(math.degrees(total))


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
    points = np.asarray(xy, dtype=np.float64).tolist()
    return np.array(_extension_and_length(points, size, opts)[0])


def _extension_and_length(
    p: Points, size: float, opts: PoseOptions
) -> tuple[list[float], list[float]]:
    """:func:`finger_extension` of 2-D or 3-D points given as lists (plain floats are
    several times faster than numpy on 21 points), and each finger's summed bone length
    over ``size``."""
    dist = math.dist
    wrist = p[WRIST]
    # The palm centre, summed in the order numpy would.
    centre = [(a + b + c + d + e) / 5 for a, b, c, d, e in zip(*(p[i] for i in PALM))]
    c_wrist, c_palm = opts.wrist_ratio, opts.tip_from_palm
    c_straight, c_first = opts.straightness, opts.proximal_fraction
    extension, lengths = [], []
    for mcp in _MCPS:
        knuckle, middle, end, tip = p[mcp], p[mcp + 1], p[mcp + 2], p[mcp + 3]
        prox, chord = dist(middle, knuckle), dist(tip, knuckle)
        bones = prox + dist(end, middle) + dist(tip, end)
        # Each cue on a ramp of half width 0.1, 0.15, 0.07, 0.08 about its threshold.
        ratio = dist(tip, wrist) / max(dist(middle, wrist), 1e-9)
        wrist_cue = min(1.0, max(0.0, (ratio - c_wrist + 0.1) / 0.2))
        ratio = dist(tip, centre) / size
        palm_cue = min(1.0, max(0.0, (ratio - c_palm + 0.15) / 0.3))
        ratio = chord / max(bones, 1e-9)
        straight = min(1.0, max(0.0, (ratio - c_straight + 0.07) / 0.14))
        ratio = prox / max(chord, 1e-9)
        long_first = min(1.0, max(0.0, (ratio - c_first + 0.08) / 0.16))
        shape = min(straight, 1.0 - long_first)
        extension.append((2.0 * wrist_cue + 2.0 * palm_cue + shape) / 5.0)
        lengths.append(bones / size)
    return extension, lengths


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
    opts = options or _DEFAULT_OPTIONS
    depth: Points | None = None
    if isinstance(landmarks, HandLandmarks):
        if not landmarks.is_valid:
            return _NOTHING
        xy, size = landmarks.xy, landmarks.size
        p = xy.tolist()
        depth = _true_shape(landmarks, p)
    else:
        xy = np.asarray(landmarks, dtype=np.float64)[:, :2]
        if xy.shape != (21, 2) or not np.isfinite(xy).all():
            return _NOTHING
        p = xy.tolist()
        size = _palm_size(p)
    if not size > 1e-9:
        return _NOTHING

    ext, scores = _finger_evidence(p, size, depth, opts)
    thumb = _thumb_out(p, size, opts)
    extension = (thumb, ext[0], ext[1], ext[2], ext[3])

    def result(label: PoseLabel, score: float) -> PoseResult:
        return PoseResult(label, min(1.0, max(0.0, score)), extension)

    pinch = _pinch_score(p, size, ext, opts)
    if opts.use_shape_model:
        model = opts.shape_model or _SHAPE_MODEL
        logits = model.hand_logits(xy).tolist()
        if depth is not None:
            # The model sees 2-D shape only. With depth, the geometric templates have
            # measured the foreshortened fingers in 3-D too; their agreements weigh in
            # as log-probabilities (calibrated on synthetic hands, see the options).
            k = opts.depth_template_weight
            for i, score in enumerate(scores):
                logits[i] += k * score
        # A pinch needs the tips to touch (geometry) and the hand's shape not to argue
        # strongly for a finger-count pose (a fist with the thumb over the index).
        if pinch > 0.5 and logits[_PINCH] >= max(logits[:4]) - opts.pinch_model_margin:
            return result("pinch", pinch)
        # Otherwise the most probable of the finger-count poses and none.
        candidates = [logits[i] for i in _CHOICES]
        top = max(candidates)
        exps = [math.exp(c - top) for c in candidates]
        best_score = max(exps) / sum(exps)
        best = _MODEL_POSES[_CHOICES[exps.index(max(exps))]]
    else:
        if pinch > 0.5:
            return result("pinch", pinch)
        best_score = max(scores)
        if best_score < opts.min_agreement:
            return result("none", 1.0 - best_score)
        best = _TEMPLATE_LABELS[scores.index(best_score)]
    if best == "fist" and thumb > 0.5 and _thumb_reach(p, size) >= opts.thumb_reach:
        mcp, tip = p[THUMB_MCP], p[THUMB_TIP]
        angle = math.degrees(math.atan2(abs(tip[0] - mcp[0]), -(tip[1] - mcp[1])))  # 0 = up
        tol = opts.thumb_vertical_tolerance_deg
        if angle <= tol:
            return result("thumbs_up", min(best_score, thumb))
        if angle >= 180.0 - tol:
            return result("thumbs_down", min(best_score, thumb))
    return result(best, best_score)


def _finger_evidence(
    p: Points, size: float, depth: Points | None, opts: PoseOptions
) -> tuple[list[float], list[float]]:
    """Extension of index..pinky and the agreement with each finger-count template
    (open palm, fist, point, victory) of 2-D points ``p``, with true-shape ``depth``."""
    ext, seen = _extension_and_length(p, size, opts)
    aimed = _aimed_index(p, size, opts)
    ext[0] = max(ext[0], aimed)
    tips = [p[i] for i in _TIPS]
    gap_lengths = [math.dist(a, b) / size for a, b in pairwise(tips)]
    if depth is not None:
        depth_size = _palm_size(depth)
        if depth_size > 1e-9:
            # The image shows a finger's shape only as far as the finger lies in the
            # image plane: the more it is foreshortened (projected over true length,
            # both in palm sizes), the more its 3-D measurement counts, from half (in
            # the plane) to all (end-on).
            depth_ext, true = _extension_and_length(depth, depth_size, opts)
            weights = [
                1.0 - 0.5 * min(s / max(t, 1e-9), 1.0) for s, t in zip(seen, true, strict=True)
            ]
            ext = [(1.0 - w) * e + w * d for w, e, d in zip(weights, ext, depth_ext, strict=True)]
            aimed = (1.0 - weights[0]) * aimed + weights[0] * depth_ext[0]
            tips = [depth[i] for i in _TIPS]
            gap_lengths = [
                (g + math.dist(a, b) / depth_size) / 2
                for g, (a, b) in zip(gap_lengths, pairwise(tips), strict=True)
            ]
    tip_gap = opts.tip_gap
    gaps = [min(1.0, max(0.0, (g - tip_gap + 0.1) / 0.2)) for g in gap_lengths[:2]]
    # Templates: open palm all four extended, fist none, point the index, victory index
    # and middle; agreement is the mean over fingers of extension or its complement.
    e0, e1, e2, e3 = ext
    c0, c1, c2, c3 = 1.0 - e0, 1.0 - e1, 1.0 - e2, 1.0 - e3
    # In point and victory the last extended tip also stands apart from the next one.
    # (An index aimed across the curled fingers stands apart in shape, not position.)
    point0 = max((e0 + gaps[0]) / 2.0, aimed)
    victory1 = (e1 + gaps[1]) / 2.0
    scores = [
        (e0 + e1 + e2 + e3) / 4.0,
        (c0 + c1 + c2 + c3) / 4.0,
        (point0 + c1 + c2 + c3) / 4.0,
        (e0 + victory1 + c2 + c3) / 4.0,
    ]
    return ext, scores


def _true_shape(hand: HandLandmarks, xy: Points) -> Points | None:
    """(21, 3) points with depth in the unit of :attr:`HandLandmarks.xy` (``xy``, as
    lists), or None.

    MediaPipe's z is relative depth on roughly the scale of x, i.e. of the image width,
    so it is multiplied by the aspect ratio like x. None for a 2-D hand, a constant z
    (no depth information) or a non-finite z.
    """
    if not hand.has_depth:
        return None
    z = hand.points[:, 2].tolist()
    if not all(map(math.isfinite, z)) or max(z) - min(z) <= 0.0:
        return None
    aspect = hand.aspect_ratio
    return [[x, y, depth * aspect] for (x, y), depth in zip(xy, z, strict=True)]


def _aimed_index(p: Points, size: float, opts: PoseOptions) -> float:
    """How much the index is extended but aimed at the camera and down across the palm.

    Projected back toward the wrist, such an index fails the wrist and palm cues of
    :func:`finger_extension`. But a projection never bends a straight finger, and a
    curled one seldom looks both straight and long: here the index is straight with
    hardly any bend at its middle and end joints, its tip far from its knuckle, while
    the other fingers visibly curl (so it is not a whole hand seen end-on).
    """
    knuckle, middle, end, tip = p[INDEX_MCP], p[INDEX_PIP], p[INDEX_DIP], p[INDEX_TIP]
    bones = math.dist(middle, knuckle) + math.dist(end, middle) + math.dist(tip, end)
    chord = math.dist(tip, knuckle)
    if bones <= 1e-9:
        return 0.0
    score = min(
        ramp(chord / bones, opts.aimed_straightness, 0.03),
        ramp(chord / size, opts.aimed_reach, 0.05),
    )
    if score <= 0.0:
        return 0.0
    # Bend at the middle plus end joint of each finger.
    bends = [
        _bend_deg(p[mcp], p[mcp + 1], p[mcp + 2]) + _bend_deg(p[mcp + 1], p[mcp + 2], p[mcp + 3])
        for mcp in _MCPS
    ]
    others = bends[1:]
    median = sum(others) - max(others) - min(others)
    return min(
        score,
        1.0 - ramp(bends[0], opts.aimed_max_bend_deg, 10.0),
        ramp(median, opts.aimed_others_bend_deg, 15.0),
    )


def _thumb_out(p: Points, size: float, opts: PoseOptions) -> float:
    """How much the thumb sticks out straight, clear of the index and middle fingers."""
    tip, ip, mcp = p[THUMB_TIP], p[THUMB_IP], p[THUMB_MCP]
    clearance = min([math.dist(p[i], tip) for i in _THUMB_CLEARANCE]) / size
    ax, ay, bx, by = ip[0] - mcp[0], ip[1] - mcp[1], tip[0] - ip[0], tip[1] - ip[1]
    denom = math.hypot(ax, ay) * math.hypot(bx, by)
    straight = (ax * bx + ay * by) / denom if denom > 0 else 1.0
    return min(
        ramp(clearance, opts.thumb_clearance, 0.25 * opts.thumb_clearance),
        ramp(straight, 0.5, 0.2),
    )


def _thumb_reach(p: Points, size: float) -> float:
    """How far (palm sizes) the thumb tip reaches past the farthest finger joint,
    measured along the thumb's direction (knuckle to tip); negative inside the fist."""
    tip, mcp = p[THUMB_TIP], p[THUMB_MCP]
    ux, uy = tip[0] - mcp[0], tip[1] - mcp[1]
    norm = math.hypot(ux, uy)
    if norm <= 1e-12:
        return 0.0
    ux, uy = ux / norm, uy / norm
    farthest = max(q[0] * ux + q[1] * uy for q in p[INDEX_MCP:])
    return (tip[0] * ux + tip[1] * uy - farthest) / size


def _pinch_score(p: Points, size: float, ext: list[float], opts: PoseOptions) -> float:
    """How much the hand is a pinch (thumb tip on index tip), whatever the others do.

    With any of middle, ring or pinky extended the hand cannot be a fist, so touching
    tips and a bent index suffice (the OK sign). With all of them curled, a fist whose
    thumb lies across the folded index looks similar in 2-D, so the pinch must also be
    specific to the index tip and the index must not be folded into the palm.
    """
    thumb_tip = p[THUMB_TIP]
    d_tips = math.dist(p[INDEX_TIP], thumb_tip) / size
    touch = 1.0 - ramp(d_tips, opts.pinch_distance, opts.pinch_distance / 3.0)
    if touch <= 0.0:
        return 0.0
    bend = _turning_deg([p[i] for i in _INDEX_CHAIN[1:]])
    bent = ramp(bend, opts.pinch_index_bend_deg, opts.pinch_index_bend_deg / 2.0)
    score = min(touch, bent)
    if max(ext[1:]) > 0.5:
        return score
    middle = min(math.dist(p[i], thumb_tip) for i in (MIDDLE_PIP, MIDDLE_DIP, MIDDLE_TIP))
    ratio = d_tips / max(middle / size, 1e-9)
    isolated = 1.0 - ramp(ratio, opts.pinch_isolation, opts.pinch_isolation / 3.0)
    curl = _turning_deg([p[i] for i in _INDEX_CHAIN])
    unfolded = 1.0 - ramp(curl, opts.pinch_max_curl_deg, 15.0)
    return min(score, isolated, unfolded)
