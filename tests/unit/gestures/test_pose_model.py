"""The shape model behind classify_pose: shipped weights, invariant features, the tool."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from gestures.landmarks import HandLandmarks
from gestures.pose_model import (
    MODEL_LABELS,
    NUM_FEATURES,
    WEIGHTS_PATH,
    PoseModel,
    default_model,
    load_model,
    pose_features,
)
from gestures.poses import POSE_LABELS


@pytest.fixture(scope="module")
def hands(kinivi_hands: tuple[list[int], np.ndarray]) -> np.ndarray:
    return kinivi_hands[1][::13]


def test_shipped_weights_are_small_and_consistent() -> None:
    # Five averaged networks of 225-64-32-6 in float32: about 315 kB.
    assert WEIGHTS_PATH.stat().st_size < 400_000
    model = default_model()
    assert model.members == 5
    assert model.labels == MODEL_LABELS
    # classify_pose reads the logits in this order (and may add its templates to the
    # first four).
    assert MODEL_LABELS[:4] == ("open_palm", "fist", "point", "victory")
    assert set(MODEL_LABELS) <= set(POSE_LABELS)
    assert model.weights[0].shape[0] == NUM_FEATURES
    for w, b, following in zip(model.weights, model.biases, model.weights[1:], strict=False):
        assert w.shape[1] == b.shape[0] == following.shape[0]
    assert model.weights[-1].shape[1] == len(MODEL_LABELS)


def test_single_hand_fast_path_matches_the_batch(hands: np.ndarray) -> None:
    model = default_model()
    batch = model.logits(pose_features(hands))
    single = np.array([model.hand_logits(hand) for hand in hands])
    np.testing.assert_allclose(single, batch, rtol=0, atol=1e-9)
    fingers = np.array([model.hand_logits(hand)[:4] for hand in hands])
    np.testing.assert_allclose(fingers, batch[:, :4], rtol=0, atol=1e-9)
    probabilities = model.probabilities(hands)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)


def test_features_ignore_position_rotation_scale_and_side(hands: np.ndarray) -> None:
    rng = np.random.default_rng(3)
    base = pose_features(hands)
    for _ in range(5):
        a = rng.uniform(0, 2 * np.pi)
        rotation = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        mirror = np.diag([rng.choice([-1.0, 1.0]), 1.0])
        moved = hands @ (rotation @ mirror).T * rng.uniform(0.01, 50) + rng.normal(size=2)
        np.testing.assert_allclose(pose_features(moved), base, rtol=0, atol=1e-9)


def test_degenerate_hands_give_finite_features() -> None:
    features = pose_features(np.zeros((2, 21, 2)))
    assert features.shape == (2, NUM_FEATURES)
    assert np.isfinite(features).all()
    assert np.isfinite(default_model().hand_logits(np.zeros((21, 2)))).all()


def test_the_model_alone_knows_mediapipes_expected_hands(mediapipe_hands: list[dict]) -> None:
    """Never trained on them, it names MediaPipe's own test hands."""
    expected = {"Closed_Fist": 1, "Pointing_Up": 2, "Thumb_Up": 1, "Victory": 3}
    model = default_model()
    for hand in mediapipe_hands:
        want = 0 if hand["gesture"].startswith("Open_Palm") else expected[hand["gesture"]]
        logits = model.hand_logits(HandLandmarks(np.array(hand["landmarks"])).xy)[:4]
        assert int(np.argmax(logits)) == want, (hand["source"], logits)


def test_shipped_model_fits_fresh_hands_of_its_generator(pose_tool: ModuleType) -> None:
    """The weights belong to the generator in tools/: it scores well on new draws."""
    features, labels = pose_tool.make_dataset(np.random.default_rng(99), 150)
    predicted = default_model().logits(features.astype(np.float64)).argmax(axis=1)
    assert float(np.mean(predicted == labels)) >= 0.95


def test_an_ensemble_is_the_mean_of_its_members(pose_tool: ModuleType, hands: np.ndarray) -> None:
    """merge_members makes one network (block-diagonal hidden layers) whose logits are
    the members' mean, and the single-hand fast path multiplies by the blocks only."""
    rng = np.random.default_rng(4)
    sizes = [NUM_FEATURES, 8, 5, len(MODEL_LABELS)]
    members = [
        (
            [rng.normal(0, 0.1, (a, b)) for a, b in pairwise(sizes)],
            [rng.normal(0, 0.1, b) for b in sizes[1:]],
        )
        for _ in range(3)
    ]
    weights, biases = pose_tool.merge_members(members)
    merged = PoseModel(tuple(weights), tuple(biases), MODEL_LABELS, members=3)
    features = pose_features(hands)
    each = [PoseModel(tuple(w), tuple(b), MODEL_LABELS).logits(features) for w, b in members]
    np.testing.assert_allclose(merged.logits(features), np.mean(each, axis=0), atol=1e-12)
    single = np.array([merged.hand_logits(hand) for hand in hands])
    np.testing.assert_allclose(single, merged.logits(features), atol=1e-12)
    # Hidden weights that are not block diagonal are refused by the fast path.
    crossed = [w.copy() for w in weights]
    crossed[1][0, -1] = 0.5
    with pytest.raises(ValueError, match="block diagonal"):
        PoseModel(tuple(crossed), tuple(biases), MODEL_LABELS, members=3).hand_logits(hands[0])


def test_the_tool_is_deterministic(pose_tool: ModuleType, tmp_path: Path) -> None:
    args = ["--per-class", "300", "--epochs", "1", "--hidden", "8,4", "--members", "2"]
    args += ["--real-copies", "2"]
    pose_tool.main([*args, "--out", str(tmp_path / "a.npz")])
    pose_tool.main([*args, "--out", str(tmp_path / "b.npz")])
    first, second = load_model(tmp_path / "a.npz"), load_model(tmp_path / "b.npz")
    for w1, w2 in zip(first.weights + first.biases, second.weights + second.biases, strict=True):
        np.testing.assert_array_equal(w1, w2)
    assert first.members == 2
