"""Train ``gestures/pose_model_weights.npz`` on synthetic and real labelled hands.

    .venv/bin/python tools/train_pose_model.py [--out gestures/pose_model_weights.npz]
    .venv/bin/python tools/train_pose_model.py --cross-validate 5 [--report cv.json]

Synthetic hands: a 3-D kinematic hand (21 MediaPipe joints; palm layout after
MediaPipe's world landmarks of its own test hands; palm width, finger and thumb
lengths each randomised by about +-15 % per hand and +-10 % per bone) is posed by
sampling each class as a distribution of joint angles: flexion at MCP, PIP and DIP
(middle, ring and pinky coupled, as their shared tendons make them), abduction, curled
fingers converging toward the thumb; the thumb from its metacarpal direction and MCP/IP
flexion, or with its tip placed by two-bone inverse kinematics (across or beside the
curled fingers, on the index tip for pinch). Classes: open palm; fist (index curled as
much as or less than the others, thumb across, beside, tucked or out: thumbs up/down
are fists here); point (index straight, its knuckle flexed anywhere up to 90 degrees,
the others curled); victory; pinch (thumb tip on index tip, other fingers anywhere);
none (other finger counts). Each hand is then seen from a random viewpoint (mostly palm
or back toward the camera, tipped about the knuckle line; some anywhere; for point,
often with the index aimed near, not into, the lens), with 3-D joint noise, a curled
finger's joints sometimes bunched toward its knuckle as landmark trackers do when it is
hidden, a perspective camera (hand 2-10 palm lengths away, anywhere in a webcam's field
of view), either hand (mirroring) and integer-pixel rounding.

Real hands (``--real``, by default the kinivi keypoint sample in ``tests/data``:
1,196 hands of people recorded by the kinivi project, labelled open palm, fist, point
and pinch): each is added ``--real-copies`` times, every copy seen slightly differently
(:func:`jitter_views`), so that together they outweigh the synthetic hands of their
classes. ``--no-real`` trains on synthetic hands alone.

Everything is reduced to :func:`gestures.pose_model.pose_features`. Five small ReLU
networks (``--members``) are trained with plain numpy (Adam, softmax cross-entropy)
from different random starts and merged into one network that averages their logits
(:func:`merge_members`; a single network's choices depend on its seed).

``--cross-validate K`` measures the whole recipe on real hands it was not trained on:
the real hands are split into K folds, near-duplicates (chains of hands closer than
:data:`DUPLICATE_DISTANCE` in feature space, mostly neighbouring frames of one
recording) always in the same fold, and each fold is classified by
:func:`gestures.poses.classify_pose` with a model trained on the synthetic hands and
the other folds. It writes no weights.

Everything is seeded: the same command writes the same weights (byte for byte on the
same numpy build; other BLAS builds may differ in the last bits).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from gestures.evaluate import EvaluationError, map_class_ids, metrics, read_kinivi_keypoints  # noqa: E402
from gestures.pose_model import (  # noqa: E402
    MODEL_LABELS,
    NUM_FEATURES,
    WEIGHTS_PATH,
    PoseModel,
    load_model,
    pose_features,
    save_model,
)
from gestures.poses import PoseOptions, classify_pose  # noqa: E402

Array = np.ndarray
SEED = 20240611

# Hand frame, in palm lengths (wrist to middle knuckle = 1): x toward the index side,
# y from the wrist along the palm, z out of the palm (the side fingers flex toward).
# Positions and lengths follow MediaPipe's world landmarks of its test hands.
_MCP = np.array([[0.25, 1.04, 0.08], [0.0, 1.0, 0.0], [-0.22, 0.93, 0.025], [-0.43, 0.755, 0.085]])
_BONES = np.array([[0.44, 0.28, 0.26], [0.50, 0.32, 0.28], [0.46, 0.31, 0.27], [0.36, 0.24, 0.23]])
_CMC = np.array([0.28, 0.29, 0.19])
_THUMB_BONES = np.array([0.40, 0.36, 0.30])
# In-plane direction of each straight finger (degrees toward +x), together and spread.
_TOGETHER = np.array([5.0, 0.0, -5.0, -10.0])
_SPREAD = np.array([20.0, 2.0, -14.0, -30.0])
_CONVERGE = np.array([0.0, 8.0, 18.0, 30.0])

EXTENDED = ((-20.0, 30.0), (0.0, 15.0), (0.0, 10.0))
POINTING = ((-15.0, 90.0), (0.0, 15.0), (0.0, 10.0))
CURLED = ((45.0, 95.0), (75.0, 115.0), (35.0, 85.0))
LOOSE = ((30.0, 95.0), (65.0, 115.0), (30.0, 85.0))
FIST_INDEX = ((20.0, 95.0), (50.0, 115.0), (20.0, 85.0))


def _u(rng: np.random.Generator, n: int, lo: float, hi: float) -> Array:
    return rng.uniform(lo, hi, n)


def _unit(v: Array) -> Array:
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-12)


class Hands:
    """A batch of ``n`` hands with randomised proportions; pose with the methods."""

    def __init__(self, rng: np.random.Generator, n: int) -> None:
        self.rng, self.n = rng, n
        self.points = np.zeros((n, 21, 3))
        width = _u(rng, n, 0.95, 1.3)
        mcp = _MCP[None].repeat(n, axis=0)
        mcp[:, :, 0] *= width[:, None]
        mcp += rng.normal(0.0, 0.02, mcp.shape)
        mcp[:, 1] = _MCP[1]  # the palm length defines the unit
        self.mcp = mcp
        scale = _u(rng, n, 0.85, 1.15)[:, None, None]
        self.bones = _BONES[None] * scale * rng.uniform(0.9, 1.1, (n, 4, 3))
        self.cmc = _CMC + rng.normal(0.0, 0.03, (n, 3))
        thumb_scale = _u(rng, n, 0.85, 1.15)[:, None]
        self.thumb_bones = _THUMB_BONES * thumb_scale * rng.uniform(0.9, 1.1, (n, 3))
        self.spread = _u(rng, n, 0.0, 1.0)
        self.view = np.zeros((n, 3))
        self.level = rng.random((n, 2))
        self.aim_views = np.zeros(n, dtype=bool)

    def finger(self, finger: int, ranges: tuple[tuple[float, float], ...], mask: Array) -> None:
        """Pose ``finger`` (0 index .. 3 pinky) of the hands in ``mask`` from ``ranges``
        of MCP, PIP, DIP flexion (degrees); DIP follows PIP loosely, as real fingers do."""
        rng, n = self.rng, int(mask.sum())
        if n == 0:
            return
        # Middle, ring and pinky share tendons and flex together: each draws its place
        # in the range near a level shared by the hand; the index moves on its own.
        shared = self.level[mask] if finger > 0 else rng.random((n, 2))
        level = np.clip(shared + rng.normal(0.0, 0.15, (n, 2)), 0.0, 1.0)
        mcp = ranges[0][0] + level[:, 0] * (ranges[0][1] - ranges[0][0])
        pip = ranges[1][0] + level[:, 1] * (ranges[1][1] - ranges[1][0])
        lo, hi = ranges[2]
        dip = np.clip(lo + (pip - ranges[1][0]) / max(np.ptp(ranges[1]), 1e-9) * (hi - lo), lo, hi)
        dip = np.clip(dip + rng.normal(0.0, 0.1 * (hi - lo) + 3.0, n), -10.0, 90.0)
        curl = np.clip((mcp + pip) / 160.0, 0.0, 1.0)
        spread = self.spread[mask] * (1.0 - curl)
        # Curling fingers converge toward the base of the thumb.
        angle = (
            (_TOGETHER[finger] + spread * (_SPREAD[finger] - _TOGETHER[finger]))
            * (1.0 - 0.5 * curl)
            + curl * _CONVERGE[finger]
            + rng.normal(0.0, 4.0, n)
        )
        a = np.radians(angle)
        u = np.stack([np.sin(a), np.cos(a), np.zeros(n)], axis=1)
        z = np.array([0.0, 0.0, 1.0])
        joint = self.mcp[mask, finger]
        first = 5 + 4 * finger
        pts = self.points[mask]
        pts[:, first] = joint
        total = np.zeros(n)
        # A curled finger is partly hidden and a landmark tracker often bunches its
        # joints toward the knuckle: shorten its bones at random.
        shrink = np.ones(n)
        if ranges[1][0] >= 50.0:
            hidden = rng.random(n) < 0.5
            shrink[hidden] = rng.uniform(0.2, 1.0, int(hidden.sum()))
        for bone, flex in enumerate((mcp, pip, dip)):
            total = total + np.radians(flex)
            direction = np.cos(total)[:, None] * u + np.sin(total)[:, None] * z
            length = self.bones[mask, finger, bone] * shrink
            joint = joint + length[:, None] * direction
            pts[:, first + 1 + bone] = joint
        self.points[mask] = pts

    def thumb_angles(
        self,
        mask: Array,
        radial: tuple[float, float],
        palmar: tuple[float, float],
        mcp: tuple[float, float],
        ip: tuple[float, float],
    ) -> None:
        """Thumb from its metacarpal direction (``radial`` toward the index side from the
        palm axis, ``palmar`` out of the palm) and MCP/IP flexion, all in degrees."""
        rng, n = self.rng, int(mask.sum())
        if n == 0:
            return
        a, e = np.radians(_u(rng, n, *radial)), np.radians(_u(rng, n, *palmar))
        t1 = np.stack([np.sin(a) * np.cos(e), np.cos(a) * np.cos(e), np.sin(e)], axis=1)
        across = np.stack([-np.ones(n), np.zeros(n), _u(rng, n, 0.3, 1.5)], axis=1)
        w = _unit(across - (across * t1).sum(axis=1, keepdims=True) * t1)
        bones = self.thumb_bones[mask]
        pts = self.points[mask]
        pts[:, 1] = self.cmc[mask]
        pts[:, 2] = pts[:, 1] + bones[:, :1] * t1
        total = np.zeros(n)
        for k, flex in enumerate((_u(rng, n, *mcp), _u(rng, n, *ip))):
            total = total + np.radians(flex)
            direction = np.cos(total)[:, None] * t1 + np.sin(total)[:, None] * w
            pts[:, 3 + k] = pts[:, 2 + k] + bones[:, 1 + k : 2 + k] * direction
        self.points[mask] = pts

    def thumb_to(self, mask: Array, target: Array) -> Array:
        """Put the thumb tip on ``target`` (one row per hand in ``mask``) by two-bone IK
        from a sampled metacarpal direction; returns which hands could reach it."""
        rng, n = self.rng, int(mask.sum())
        if n == 0:
            return np.zeros(0, dtype=bool)
        bones = self.thumb_bones[mask]
        cmc = self.cmc[mask]
        a, e = np.radians(_u(rng, n, 5.0, 50.0)), np.radians(_u(rng, n, 5.0, 55.0))
        t1 = np.stack([np.sin(a) * np.cos(e), np.cos(a) * np.cos(e), np.sin(e)], axis=1)
        reach = bones[:, 1] + bones[:, 2]
        mcp = cmc + bones[:, :1] * t1
        far = np.linalg.norm(target - mcp, axis=1) > 0.97 * reach
        mcp[far] = cmc[far] + bones[far, :1] * _unit(target[far] - cmc[far])
        to = target - mcp
        d = np.linalg.norm(to, axis=1)
        ok = (d < 0.99 * reach) & (d > np.abs(bones[:, 1] - bones[:, 2]) + 1e-3)
        d = np.clip(d, np.abs(bones[:, 1] - bones[:, 2]) + 1e-3, 0.99 * reach)
        u = _unit(to)
        pole = np.stack([_u(rng, n, 0.2, 1.0), _u(rng, n, -0.3, 0.3), -np.ones(n)], axis=1)
        v = _unit(pole - (pole * u).sum(axis=1, keepdims=True) * u)
        cos_b = np.clip((bones[:, 1] ** 2 + d**2 - bones[:, 2] ** 2) / (2 * bones[:, 1] * d), -1, 1)
        ip = mcp + bones[:, 1:2] * (cos_b[:, None] * u + np.sqrt(1 - cos_b**2)[:, None] * v)
        tip = ip + bones[:, 2:3] * _unit(target - ip)
        pts = self.points[mask]
        pts[:, 1], pts[:, 2], pts[:, 3], pts[:, 4] = cmc, mcp, ip, tip
        self.points[mask] = pts
        return ok

    def on_finger(self, finger: Array, mask: Array) -> Array:
        """A point on the back of the middle phalanx of ``finger`` (per hand in ``mask``),
        lifted by a finger's thickness: where a thumb rests across curled fingers."""
        n = int(mask.sum())
        pts = self.points[mask]
        rows = np.arange(n)
        pip = pts[rows, 6 + 4 * finger]
        dip = pts[rows, 7 + 4 * finger]
        along = _u(self.rng, n, 0.0, 1.0)[:, None]
        lift = np.array([0.0, 0.0, 1.0]) * _u(self.rng, n, 0.04, 0.14)[:, None]
        return np.asarray(pip + along * (dip - pip) + lift)


def _thumb_closed(h: Hands, mask: Array, fingers: tuple[int, ...]) -> None:
    """Thumb across the curled ``fingers``, beside the first of them, or tucked in."""
    rng = h.rng
    mode = rng.integers(0, 3, h.n)
    across = mask & (mode == 0)
    if across.any():
        which = rng.choice(np.array(fingers), int(across.sum()))
        h.thumb_to(across, h.on_finger(which, across))
    beside = mask & (mode == 1)
    if beside.any():
        side = np.stack(
            [
                _u(rng, int(beside.sum()), 0.05, 0.12),
                np.zeros(int(beside.sum())),
                _u(rng, int(beside.sum()), 0.0, 0.08),
            ],
            axis=1,
        )
        which = np.full(int(beside.sum()), fingers[0])
        h.thumb_to(beside, h.on_finger(which, beside) + side)
    h.thumb_angles(mask & (mode == 2), (0.0, 30.0), (20.0, 60.0), (20.0, 60.0), (20.0, 70.0))


def _thumb_out(h: Hands, mask: Array) -> None:
    h.thumb_angles(mask, (25.0, 80.0), (-15.0, 35.0), (-15.0, 25.0), (-15.0, 30.0))


def make_open_palm(h: Hands) -> Array:
    """All four fingers straight (knuckles flexed up to 60 degrees), thumb mostly out."""
    everyone = np.ones(h.n, dtype=bool)
    for finger in range(4):
        h.finger(finger, ((-20.0, 60.0), *EXTENDED[1:]), everyone)
    mode = h.rng.random(h.n)
    _thumb_out(h, mode < 0.8)
    h.thumb_angles(mode >= 0.8, (0.0, 30.0), (0.0, 30.0), (0.0, 30.0), (0.0, 30.0))
    return everyone


def make_fist(h: Hands) -> Array:
    """All four fingers curled; thumb across, beside, tucked, or out (thumbs up/down)."""
    everyone = np.ones(h.n, dtype=bool)
    # The index often curls less than the others, around the thumb.
    h.finger(0, FIST_INDEX, everyone)
    for finger in range(1, 4):
        h.finger(finger, CURLED, everyone)
    out = h.rng.random(h.n) < 0.15  # thumbs up / down / sideways: a fist here
    _thumb_out(h, out)
    _thumb_closed(h, ~out, (0, 1))
    return everyone


def make_point(h: Hands) -> Array:
    """Index straight (its knuckle flexed anywhere up to 90 degrees), others curled."""
    everyone = np.ones(h.n, dtype=bool)
    h.aim_views = everyone
    h.finger(0, POINTING, everyone)
    for finger in (1, 2, 3):
        h.finger(finger, LOOSE, everyone)
    out = h.rng.random(h.n) < 0.15
    _thumb_out(h, out)
    _thumb_closed(h, ~out, (1, 2))
    return everyone


def make_victory(h: Hands) -> Array:
    """Index and middle straight and spread, ring and pinky curled."""
    everyone = np.ones(h.n, dtype=bool)
    h.spread = np.maximum(h.spread, h.rng.uniform(0.4, 1.0, h.n))
    h.finger(0, EXTENDED, everyone)
    h.finger(1, EXTENDED, everyone)
    for finger in (2, 3):
        h.finger(finger, LOOSE, everyone)
    out = h.rng.random(h.n) < 0.2
    _thumb_out(h, out)
    _thumb_closed(h, ~out, (2, 3))
    return everyone


def make_pinch(h: Hands) -> Array:
    """Thumb tip on the index tip; the other fingers anywhere from straight to curled."""
    everyone = np.ones(h.n, dtype=bool)
    h.finger(0, ((0.0, 70.0), (15.0, 95.0), (5.0, 60.0)), everyone)
    for finger in (1, 2, 3):
        h.finger(finger, ((-20.0, 95.0), (0.0, 115.0), (0.0, 80.0)), everyone)
    gap = _unit(h.rng.normal(size=(h.n, 3))) * h.rng.uniform(0.0, 0.1, (h.n, 1))
    return h.thumb_to(everyone, h.points[:, 8] + gap)


def make_none(h: Hands) -> Array:
    """Finger patterns that are none of the poses: three fingers, index and pinky,
    pinky alone, middle alone, middle-ring-pinky."""
    patterns = np.array(
        [[1, 1, 1, 0], [1, 0, 0, 1], [0, 0, 0, 1], [0, 1, 0, 0], [0, 1, 1, 1], [0, 0, 1, 1]],
        dtype=bool,
    )
    which = patterns[h.rng.integers(0, len(patterns), h.n)]
    for finger in range(4):
        h.finger(finger, EXTENDED, which[:, finger])
        h.finger(finger, CURLED, ~which[:, finger])
    out = h.rng.random(h.n) < 0.5
    _thumb_out(h, out)
    _thumb_closed(h, ~out, (0, 1, 2))
    return np.ones(h.n, dtype=bool)


MAKERS: dict[str, Callable[[Hands], Array]] = {
    "open_palm": make_open_palm,
    "fist": make_fist,
    "point": make_point,
    "victory": make_victory,
    "pinch": make_pinch,
    "none": make_none,
}


def _random_views(h: Hands) -> Array:
    """Unit vectors (hand frame) from the hand toward the camera, one per hand."""
    rng, n = h.rng, h.n

    def cone(axis: Array, max_deg: float, min_deg: float = 0.0) -> Array:
        cos_max = np.cos(np.radians(max_deg))
        c = rng.uniform(cos_max, np.cos(np.radians(min_deg)), len(axis))
        phi = rng.uniform(0.0, 2 * np.pi, len(axis))
        helper = np.where(np.abs(axis[:, :1]) < 0.9, [[1.0, 0.0, 0.0]], [[0.0, 1.0, 0.0]])
        e1 = _unit(np.cross(axis, helper))
        e2 = np.cross(axis, e1)
        s = np.sqrt(1 - c**2)[:, None]
        return np.asarray(
            c[:, None] * axis + s * (np.cos(phi)[:, None] * e1 + np.sin(phi)[:, None] * e2)
        )

    kind = rng.random(n)
    sign = np.where(rng.random(n) < 0.5, 1.0, -1.0)[:, None]
    normal = np.array([[0.0, 0.0, 1.0]]) * sign
    # Mostly the palm or its back toward the camera, tipped about the knuckle line (the
    # fingertips toward or away from a webcam above or below the hand) more than turned.
    pitch = np.radians(rng.uniform(-70.0, 70.0, n))
    yaw = np.radians(rng.uniform(-40.0, 40.0, n))
    views = np.stack(
        [np.sin(yaw), np.sin(pitch) * np.cos(yaw), np.cos(pitch) * np.cos(yaw) * sign[:, 0]], axis=1
    )
    pick = (kind >= 0.75) & (kind < 0.9)
    views[pick] = cone(normal[pick], 80.0)
    pick = kind >= 0.9
    views[pick] = _unit(rng.normal(size=(int(pick.sum()), 3)))
    # Someone pointing at the screen aims the index near the webcam above it.
    aimed = h.aim_views & (rng.random(n) < 0.4)
    index = _unit(h.points[aimed, 8] - h.points[aimed, 5])
    views[aimed] = cone(index, 70.0, 30.0)
    return views


def project(h: Hands) -> Array:
    """(n, 21, 2) image points of the posed hands: noise, random view, perspective,
    mirroring, integer pixels."""
    rng, n = h.rng, h.n
    pts = h.points + rng.normal(0.0, 1.0, h.points.shape) * rng.uniform(0.0, 0.015, (n, 1, 1))
    view = h.view = _random_views(h)
    helper = _unit(rng.normal(size=(n, 3)))
    e1 = _unit(np.cross(view, helper))
    e2 = np.cross(view, e1)
    centre = np.array([0.0, 0.7, 0.1])
    rel = pts - centre
    depth = np.einsum("nkc,nc->nk", rel, view)
    # A webcam sees about +-27 degrees: the hand may sit anywhere in that cone, where
    # perspective fans anything aimed at the camera out from the image centre.
    distance = rng.uniform(2.0, 10.0, (n, 1))
    offset = rng.uniform(-0.5, 0.5, (n, 2)) * distance
    xy = (
        np.stack(
            [
                np.einsum("nkc,nc->nk", rel, e) + offset[:, k : k + 1]
                for k, e in enumerate((e1, e2))
            ],
            axis=-1,
        )
        / (distance - depth)[..., None]
    )
    xy[..., 0] *= np.where(rng.random(n) < 0.5, -1.0, 1.0)[:, None]
    pixels = rng.uniform(30.0, 200.0, (n, 1, 1)) * distance[:, :, None]  # palm in pixels
    xy = np.round(xy * pixels + rng.uniform(0, 1, (n, 1, 2))) / pixels
    xy += rng.normal(0.0, 1.0, xy.shape) * rng.uniform(0.0, 0.005, (n, 1, 1))
    return np.asarray(xy)


def make_dataset(rng: np.random.Generator, per_class: int) -> tuple[Array, Array]:
    """Features and integer labels (index into MODEL_LABELS) of synthetic hands."""
    features, labels = [], []
    for label, name in enumerate(MODEL_LABELS):
        h = Hands(rng, int(per_class * 1.3))
        keep = MAKERS[name](h)
        xy = project(h)
        if name == "point":
            # An index aimed within 30 degrees of the lens is, in 2-D, a stub on the
            # knuckles like a fist's bunched index; people point at the screen, not
            # into the webcam, so those views are left out rather than taught as point.
            aim = _unit(h.points[:, 8] - h.points[:, 5])
            keep = keep & ((aim * h.view).sum(axis=1) < np.cos(np.radians(30.0)))
        xy = xy[keep][:per_class]
        features.append(pose_features(xy).astype(np.float32))
        labels.append(np.full(len(xy), label))
    return np.concatenate(features), np.concatenate(labels)


def train(
    x: Array,
    y: Array,
    rng: np.random.Generator,
    hidden: tuple[int, ...],
    epochs: int,
    batch: int = 512,
    lr: float = 2e-3,
    weight_decay: float = 1e-4,
) -> tuple[list[Array], list[Array], Array, Array]:
    """Adam on softmax cross-entropy; returns weights, biases, input mean and std."""
    mean = x.mean(axis=0)
    std = x.std(axis=0) + 1e-3
    xs = ((x - mean) / std).astype(np.float32)
    sizes = [x.shape[1], *hidden, len(MODEL_LABELS)]
    ws = [
        (rng.normal(0, np.sqrt(2.0 / a), (a, b))).astype(np.float32)
        for a, b in itertools.pairwise(sizes)
    ]
    bs = [np.zeros(b, dtype=np.float32) for b in sizes[1:]]
    params = ws + bs
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    step = 0
    onehot = np.eye(len(MODEL_LABELS), dtype=np.float32)
    steps_total = epochs * (len(xs) // batch)
    for epoch in range(epochs):
        order = rng.permutation(len(xs))
        loss_sum = 0.0
        for start in range(0, len(xs) - batch + 1, batch):
            idx = order[start : start + batch]
            acts = [xs[idx]]
            for layer in range(len(ws)):
                z = acts[-1] @ ws[layer] + bs[layer]
                acts.append(np.maximum(z, 0.0) if layer < len(ws) - 1 else z)
            logits = acts[-1]
            logits = logits - logits.max(axis=1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(axis=1, keepdims=True)
            t = onehot[y[idx]]
            loss_sum += float(-np.log(np.maximum((p * t).sum(axis=1), 1e-9)).mean())
            grad = (p - t) / batch
            gws, gbs = [], []
            for layer in range(len(ws) - 1, -1, -1):
                gws.append(acts[layer].T @ grad + weight_decay * ws[layer])
                gbs.append(grad.sum(axis=0))
                if layer > 0:
                    grad = (grad @ ws[layer].T) * (acts[layer] > 0)
            grads = gws[::-1] + gbs[::-1]
            step += 1
            rate = lr * 0.5 * (1 + np.cos(np.pi * step / steps_total))  # cosine decay
            for k, g in enumerate(grads):
                m[k] = 0.9 * m[k] + 0.1 * g
                v[k] = 0.999 * v[k] + 0.001 * g * g
                mh = m[k] / (1 - 0.9**step)
                vh = v[k] / (1 - 0.999**step)
                params[k] -= (rate * mh / (np.sqrt(vh) + 1e-8)).astype(np.float32)
        print(f"epoch {epoch + 1}/{epochs}: loss {loss_sum / (len(xs) // batch):.4f}", flush=True)
    return ws, bs, mean.astype(np.float64), std.astype(np.float64)


def merge_members(
    members: list[tuple[list[Array], list[Array]]],
) -> tuple[list[Array], list[Array]]:
    """One network whose logits are the mean of the members' logits (same input).

    Side by side, the members' first layers become one wider layer, their hidden layers
    a block-diagonal one, and their output layers one stacked layer divided by their
    count: an ensemble costs one matrix product per layer, like a single network.
    """
    count = len(members)
    depth = len(members[0][0])
    weights, biases = [], []
    for layer in range(depth):
        ws = [m[0][layer].astype(np.float64) for m in members]
        bs = [m[1][layer].astype(np.float64) for m in members]
        if layer == 0:
            weights.append(np.concatenate(ws, axis=1))
            biases.append(np.concatenate(bs))
        elif layer < depth - 1:
            rows, cols = sum(w.shape[0] for w in ws), sum(w.shape[1] for w in ws)
            block = np.zeros((rows, cols))
            r = c = 0
            for w in ws:
                block[r : r + w.shape[0], c : c + w.shape[1]] = w
                r, c = r + w.shape[0], c + w.shape[1]
            weights.append(block)
            biases.append(np.concatenate(bs))
        else:
            weights.append(np.concatenate(ws, axis=0) / count)
            biases.append(np.sum(bs, axis=0) / count)
    return weights, biases


REAL_LABELS = {0: "open_palm", 1: "fist", 2: "point", 3: "pinch"}
REAL_DEFAULT = ROOT / "tests" / "data" / "landmarks" / "kinivi_keypoint_sample.csv"
#: Real hands closer than this in feature space (mostly the next frames of one
#: recording) are kept in the same cross-validation fold.
DUPLICATE_DISTANCE = 1.0


def read_real(path: Path) -> tuple[Array, Array]:
    """(N, 21, 2) hands and MODEL_LABELS indices of a labelled kinivi keypoint CSV."""
    ids, hands = read_kinivi_keypoints(path)
    names = map_class_ids(ids, REAL_LABELS, path)
    labels = np.array([MODEL_LABELS.index(name) for name in names])
    return np.asarray(hands, dtype=np.float64), labels


def jitter_views(hands: Array, rng: np.random.Generator, amount: float) -> Array:
    """The hands as from a slightly different view and tracker: stretched along a random
    image axis by exp(N(0, amount)) (the hand tipped a little more or less), then every
    landmark moved by N(0, amount / 5) palm lengths (tracker noise)."""
    n = len(hands)
    stretch = np.exp(rng.normal(0.0, amount, (n, 1)))
    angle = rng.uniform(0.0, np.pi, (n, 1))
    c, s = np.cos(angle), np.sin(angle)
    x, y = hands[..., 0], hands[..., 1]
    along, across = (x * c + y * s) * stretch, -x * s + y * c
    out = np.stack([along * c - across * s, along * s + across * c], axis=-1)
    palm = np.linalg.norm(out[:, 9] - out[:, 0], axis=1)[:, None, None]
    return np.asarray(out + rng.normal(0.0, amount / 5.0, out.shape) * palm)


def real_dataset(
    hands: Array, labels: Array, rng: np.random.Generator, copies: int, amount: float
) -> tuple[Array, Array]:
    """``copies`` jittered views of every real hand, as features and labels."""
    if copies <= 0:
        return np.zeros((0, NUM_FEATURES), np.float32), labels[:0]
    views = [pose_features(jitter_views(hands, rng, amount)) for _ in range(copies)]
    return np.concatenate(views).astype(np.float32), np.tile(labels, copies)


def near_duplicate_groups(hands: Array, distance: float = DUPLICATE_DISTANCE) -> Array:
    """A group number per hand: hands linked by chains of feature distances under
    ``distance`` share one (consecutive frames of a recording look nearly alike, so
    a fold that held one out while training on its neighbour would flatter the model)."""
    features = pose_features(hands)
    parent = list(range(len(hands)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    squares = (features * features).sum(axis=1)
    for i in range(len(hands)):
        near = squares[i] + squares - 2.0 * features @ features[i] < distance * distance
        for j in np.flatnonzero(near):
            a, b = root(i), root(int(j))
            if a != b:
                parent[b] = a
    roots = np.array([root(i) for i in range(len(hands))])
    return np.unique(roots, return_inverse=True)[1]


def fit(
    x: Array,
    y: Array,
    rng: np.random.Generator,
    hidden: tuple[int, ...],
    epochs: int,
    members: int,
) -> PoseModel:
    """An ensemble of ``members`` networks trained on (x, y) from different starts."""
    trained = []
    for _ in range(members):
        ws, bs, mean, std = train(x, y, rng, hidden, epochs)
        trained.append((ws, bs))
    weights, biases = merge_members(trained)
    w0 = weights[0] / std[:, None]
    b0 = biases[0] - mean @ w0
    return PoseModel((w0, *weights[1:]), (b0, *biases[1:]), MODEL_LABELS, members=members)


def cross_validate(
    args: argparse.Namespace, synthetic: tuple[Array, Array], hands: Array, labels: Array
) -> dict:
    """Grouped k-fold accuracy of the whole recipe on the real hands: each fold's hands
    are classified by :func:`gestures.poses.classify_pose` with a model trained on the
    synthetic hands and the *other* folds only, near-duplicates kept together."""
    groups = near_duplicate_groups(hands)
    rng = np.random.default_rng(args.seed + 1)
    fold = rng.permutation(groups.max() + 1)[groups] % args.cross_validate
    predicted = np.empty(len(hands), dtype=object)
    for k in range(args.cross_validate):
        train_rows, test_rows = fold != k, fold == k
        xr, yr = real_dataset(
            hands[train_rows], labels[train_rows], rng, args.real_copies, args.real_jitter
        )
        model = fit(
            np.concatenate([synthetic[0], xr]),
            np.concatenate([synthetic[1], yr]),
            rng,
            args.hidden,
            args.epochs,
            args.members,
        )
        options = PoseOptions(shape_model=model)
        predicted[test_rows] = [classify_pose(hand, options).label for hand in hands[test_rows]]
        print(f"fold {k + 1}/{args.cross_validate} done", flush=True)
    truth = [MODEL_LABELS[i] for i in labels]
    report = metrics(truth, list(predicted), REAL_LABELS.values())
    report["folds"] = args.cross_validate
    report["groups"] = int(groups.max() + 1)
    report["duplicate_distance"] = DUPLICATE_DISTANCE
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=WEIGHTS_PATH)
    parser.add_argument("--per-class", type=int, default=40000, help="synthetic hands")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--hidden", default="64,32", help="hidden layer sizes")
    parser.add_argument("--members", type=int, default=5, help="networks averaged")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--real", type=Path, default=REAL_DEFAULT, help="labelled kinivi keypoint CSV"
    )
    parser.add_argument("--no-real", action="store_true", help="synthetic hands only")
    parser.add_argument("--real-copies", type=int, default=60, help="jittered views per hand")
    parser.add_argument("--real-jitter", type=float, default=0.2)
    parser.add_argument(
        "--cross-validate",
        type=int,
        default=0,
        metavar="K",
        help="report grouped K-fold accuracy on the real hands instead of writing weights",
    )
    parser.add_argument("--report", type=Path, help="also write the --cross-validate JSON here")
    args = parser.parse_args(argv)
    args.hidden = tuple(int(s) for s in args.hidden.split(","))
    if args.cross_validate and args.no_real:
        parser.error("--cross-validate needs real hands (--real)")
    hands, labels = (np.zeros((0, 21, 2)), np.zeros(0, int))
    if not args.no_real:
        try:
            hands, labels = read_real(args.real)
        except EvaluationError as exc:
            print(f"train_pose_model: {exc}", file=sys.stderr)
            return 2
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    x, y = make_dataset(rng, args.per_class)
    print(f"{len(x)} synthetic and {len(hands)} real hands", flush=True)
    if args.cross_validate:  # it draws from its own generator (seed + 1)
        report = cross_validate(args, (x, y), hands, labels)
        print(json.dumps(report, indent=2))
        if args.report:
            args.report.write_text(json.dumps(report, indent=2) + "\n")
        return 0
    xt, yt = make_dataset(rng, max(args.per_class // 8, 1))  # a synthetic test set
    xr, yr = real_dataset(hands, labels, rng, args.real_copies, args.real_jitter)
    model = fit(
        np.concatenate([x, xr]),
        np.concatenate([y, yr]),
        rng,
        args.hidden,
        args.epochs,
        args.members,
    )
    save_model(args.out, list(model.weights), list(model.biases), members=args.members)
    model = load_model(args.out)
    predicted = model.logits(xt.astype(np.float64)).argmax(axis=1)
    for label, name in enumerate(MODEL_LABELS):
        print(
            f"synthetic test recall {name}: {float((predicted[yt == label] == label).mean()):.3f}"
        )
    print(f"synthetic test accuracy {float((predicted == yt).mean()):.3f}")
    print(f"wrote {args.out} in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
