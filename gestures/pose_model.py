"""A tiny hand-shape classifier trained on synthetic and real hands.

Why: in one 2-D frame an index aimed at the camera and a fist can look alike, and
hand-set thresholds on a few cues draw the line between them somewhere arbitrary. Two
sources teach a small multilayer perceptron where the classes really lie
(``tools/train_pose_model.py``):

- a 3-D kinematic hand model samples each pose as a *distribution* of joint angles,
  hand proportions and camera views and projects it to 2-D. It covers every pose of
  the vocabulary, from views and hands no recording has;
- labelled real recordings (the kinivi keypoint sample in ``tests/data/landmarks``:
  open palm, fist, point, pinch) show how real people hold those poses and how a real
  tracker places the landmarks, which no synthetic hand quite matches. Each real hand
  is seen in several slightly stretched and jittered views.

Trained on synthetic hands alone the model (with the geometry of :mod:`gestures.poses`)
scored 0.952 on the kinivi sample; with both, grouped cross-validation on kinivi hands
held out of training scores about 0.98 (``docs/benchmarks.md``). The weights
(``pose_model_weights.npz``, shipped beside this file) are reproduced by running the
tool with its fixed seed. The shipped model is an ensemble of five networks trained
from different random starts, their logits averaged: one network's decisions vary with
its seed where classes overlap, and the average varies much less. It is stored as one
wider network (see :class:`PoseModel`), so it runs as three matrix products.

Input features are invariant to everything a pose must not depend on: all 210
distances between the 21 landmarks and the unsigned bend at 15 joints, divided by the
palm size. Distances and unsigned angles do not change when the hand moves, turns in
the image, is scaled or is mirrored (left hand, or a palm seen from the back), so the
model needs none of those normalised away first. Depth is never used.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from gestures.landmarks import (
    INDEX_MCP,
    MIDDLE_MCP,
    PALM_LENGTH_PER_WIDTH,
    PINKY_MCP,
    WRIST,
    FloatArray,
)

#: What the model tells apart. Thumbs up and down are fists here; :mod:`gestures.poses`
#: splits them off by the thumb's direction, and a pinch also needs touching tips.
MODEL_LABELS: tuple[str, ...] = ("open_palm", "fist", "point", "victory", "pinch", "none")

WEIGHTS_PATH = Path(__file__).with_name("pose_model_weights.npz")

_PAIR_I, _PAIR_J = np.triu_indices(21, k=1)
# Bones meeting at each joint: (a, b, c) measures the turn from a->b to b->c.
_BEND_TRIPLES = (
    (0, 1, 2),
    (1, 2, 3),
    (2, 3, 4),
    (0, 5, 6),
    (5, 6, 7),
    (6, 7, 8),
    (0, 9, 10),
    (9, 10, 11),
    (10, 11, 12),
    (0, 13, 14),
    (13, 14, 15),
    (14, 15, 16),
    (0, 17, 18),
    (17, 18, 19),
    (18, 19, 20),
)
#: Distances are clipped to this many palm sizes: a hand seen nearly edge-on has a tiny
#: palm size and would otherwise give huge ratios.
MAX_DISTANCE = 4.0
NUM_FEATURES = len(_PAIR_I) + len(_BEND_TRIPLES)
_PAIRS = list(zip(_PAIR_I.tolist(), _PAIR_J.tolist(), strict=True))
_LENGTH = _PAIRS.index((WRIST, MIDDLE_MCP))
_WIDTH = _PAIRS.index((INDEX_MCP, PINKY_MCP))
#: For each joint, the pair indices of its two bones and of the chord across it.
_BEND_PAIRS = np.array(
    [
        [_PAIRS.index((a, b)), _PAIRS.index((b, c)), _PAIRS.index((a, c))]
        for a, b, c in _BEND_TRIPLES
    ]
).T


_BEND_SIGNS = np.array([-1.0, -1.0, 1.0])


def pose_features(points: FloatArray) -> FloatArray:
    """(N, 225) features of (N, 21, 2) isotropic 2-D hands (see the module notes).

    Hands with a zero palm size give finite but meaningless features; callers reject
    those first. :meth:`PoseModel.hand_logits` computes the same for one hand, faster.
    """
    xy = np.asarray(points, dtype=np.float64)
    xs, ys = xy[..., 0], xy[..., 1]
    dx, dy = xs[:, _PAIR_J] - xs[:, _PAIR_I], ys[:, _PAIR_J] - ys[:, _PAIR_I]
    squares = dx * dx + dy * dy
    dist = np.sqrt(squares)
    size = np.maximum(np.maximum(dist[:, _LENGTH], PALM_LENGTH_PER_WIDTH * dist[:, _WIDTH]), 1e-12)
    ratios = np.minimum(dist / size[:, None], MAX_DISTANCE)
    # Turn at each joint by the law of cosines on the triangle of its two bones and
    # the chord: 0 for a zero-length bone, like a dot product with a zero vector.
    tri = squares[:, _BEND_PAIRS]
    cos = (_BEND_SIGNS @ tri) / np.maximum(2.0 * np.sqrt(tri[:, 0] * tri[:, 1]), 1e-12)
    return np.asarray(np.concatenate([ratios, cos], axis=1), dtype=np.float64)


@dataclass(frozen=True)
class PoseModel:
    """A ReLU multilayer perceptron over :func:`pose_features`, input scaling folded in.

    ``members`` > 1: the network is an ensemble of that many equal networks side by
    side (their logits averaged), so every hidden-to-hidden weight matrix is block
    diagonal; :meth:`hand_logits` multiplies by the blocks only.
    """

    weights: tuple[FloatArray, ...]
    biases: tuple[FloatArray, ...]
    labels: tuple[str, ...]
    members: int = 1

    def logits(self, features: FloatArray) -> FloatArray:
        """(N, classes) logits of (N, features) rows."""
        h = features
        last = len(self.weights) - 1
        for layer, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = h @ w + b
            if layer < last:
                h = np.maximum(h, 0.0)
        return np.asarray(h, dtype=np.float64)

    def probabilities(self, points: FloatArray) -> FloatArray:
        """(N, classes) class probabilities of (N, 21, 2) hands."""
        z = self.logits(pose_features(points))
        z = np.exp(z - z.max(axis=1, keepdims=True))
        return np.asarray(z / z.sum(axis=1, keepdims=True), dtype=np.float64)

    def hand_logits(self, xy: FloatArray) -> FloatArray:
        """All class logits (:data:`MODEL_LABELS` order) of one isotropic (21, 2) hand.

        The single-hand fast path of :meth:`logits` (some 10 microseconds): the same
        numbers up to rounding.
        """
        xs, ys = xy[:, 0], xy[:, 1]
        dx, dy = xs[_PAIR_J] - xs[_PAIR_I], ys[_PAIR_J] - ys[_PAIR_I]
        squares = dx * dx + dy * dy
        dist = np.sqrt(squares)
        size = max(float(dist[_LENGTH]), PALM_LENGTH_PER_WIDTH * float(dist[_WIDTH]), 1e-12)
        tri = squares[_BEND_PAIRS]
        cos = (_BEND_SIGNS @ tri) / np.maximum(2.0 * np.sqrt(tri[0] * tri[1]), 1e-12)
        features = np.concatenate([np.minimum(dist / size, MAX_DISTANCE), cos])
        first, hidden, last = self._fast_layers
        h = first @ features
        h += self.biases[0]
        np.maximum(h, 0.0, out=h)
        members = self.members
        for blocks, bias in hidden:
            h = np.matmul(h.reshape(members, 1, -1), blocks).reshape(-1)
            h += bias
            np.maximum(h, 0.0, out=h)
        return np.asarray(h @ last + self.biases[-1], dtype=np.float64)

    @cached_property
    def _fast_layers(
        self,
    ) -> tuple[FloatArray, list[tuple[FloatArray, FloatArray]], FloatArray]:
        """The first layer transposed (a row-major matrix-vector product is quicker),
        the hidden layers as (members, in, out) stacks of their diagonal blocks, and the
        last layer."""
        members = self.members
        hidden = []
        for w, b in zip(self.weights[1:-1], self.biases[1:-1], strict=True):
            rows, cols = w.shape[0] // members, w.shape[1] // members
            if members * rows != w.shape[0] or members * cols != w.shape[1]:
                raise ValueError(f"a {w.shape} layer does not split into {members} members")
            inside = np.zeros(w.shape, dtype=bool)
            for k in range(members):
                inside[k * rows : (k + 1) * rows, k * cols : (k + 1) * cols] = True
            if np.any(w[~inside]):
                raise ValueError("hidden weights of an ensemble must be block diagonal")
            blocks = np.stack(
                [w[k * rows : (k + 1) * rows, k * cols : (k + 1) * cols] for k in range(members)]
            )
            hidden.append((blocks, b))
        return np.ascontiguousarray(self.weights[0].T), hidden, self.weights[-1]


def save_model(
    path: Path,
    weights: list[FloatArray],
    biases: list[FloatArray],
    labels: tuple[str, ...] = MODEL_LABELS,
    members: int = 1,
) -> None:
    """Write a model (any input standardisation already folded into the first layer;
    ``members``: see :class:`PoseModel`) as float32."""
    arrays = {f"w{i}": w for i, w in enumerate(weights)}
    arrays.update({f"b{i}": b for i, b in enumerate(biases)})
    np.savez_compressed(
        path,
        labels=np.array(labels),
        members=np.array(members),
        **{k: v.astype(np.float32) for k, v in arrays.items()},
    )


def load_model(path: Path = WEIGHTS_PATH) -> PoseModel:
    """Read a model written by :func:`save_model` (float64 in memory)."""
    with np.load(path) as data:
        count = sum(1 for key in data.files if key.startswith("w"))
        weights = tuple(np.asarray(data[f"w{i}"], dtype=np.float64) for i in range(count))
        biases = tuple(np.asarray(data[f"b{i}"], dtype=np.float64) for i in range(count))
        labels = tuple(str(label) for label in data["labels"])
        members = int(data["members"]) if "members" in data.files else 1
    return PoseModel(weights, biases, labels, members)


@lru_cache(maxsize=1)
def default_model() -> PoseModel:
    """The shipped model, read once."""
    return load_model()
