"""Static pose classifier: real fixture hands, invariances, 2-D only, bad input."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from gestures.evaluate import read_kinivi_keypoints
from gestures.landmarks import HANDEDNESS, Handedness, HandLandmarks
from gestures.poses import POSE_LABELS, classify_pose
from gestures.synthetic import pinch_points, pose_points, synthetic_hand

DATA = Path(__file__).resolve().parents[1] / "data" / "landmarks"
KINIVI_LABELS = {0: "open_palm", 1: "fist", 2: "point", 3: "pinch"}
# thumbs up/down and fist share a hand shape; only the thumb's image direction differs.
THUMB_FAMILY = {"thumbs_up": "fist", "thumbs_down": "fist"}


@pytest.fixture(scope="module")
def kinivi() -> tuple[list[str], np.ndarray]:
    ids, hands = read_kinivi_keypoints(DATA / "kinivi_keypoint_sample.csv")
    return [KINIVI_LABELS[i] for i in ids], hands


@pytest.fixture(scope="module")
def mediapipe_hands() -> list[dict]:
    return json.loads((DATA / "mediapipe_expected_hand_landmarks.json").read_text())


def _labels(hands: np.ndarray) -> list[str]:
    return [classify_pose(hand).label for hand in hands]


def _rotate(hands: np.ndarray, angle_deg: float) -> np.ndarray:
    a = np.radians(angle_deg)
    rotation = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    return np.asarray(hands @ rotation.T)


def test_kinivi_sample_accuracy_and_recall(kinivi: tuple[list[str], np.ndarray]) -> None:
    """Regression floor just under what the geometric classifier measures (0.92 overall).

    The issue's goal is 0.97 overall and 0.9 recall per class; point recall falls
    short (0.84) because many 'Pointer' rows show the index aimed at the camera, which
    in 2-D is the same shape as a fist. See the report; do not tune on these rows.
    """
    truth, hands = kinivi
    predicted = _labels(hands)
    accuracy = np.mean([t == p for t, p in zip(truth, predicted, strict=True)])
    recall = {
        label: np.mean([p == label for t, p in zip(truth, predicted, strict=True) if t == label])
        for label in KINIVI_LABELS.values()
    }
    assert accuracy >= 0.91, (accuracy, recall)
    assert recall["open_palm"] >= 0.95
    assert recall["fist"] >= 0.90
    assert recall["point"] >= 0.82
    assert recall["pinch"] >= 0.97


def test_mediapipe_expected_hands(mediapipe_hands: list[dict]) -> None:
    expected = {
        "Closed_Fist": "fist",
        "Pointing_Up": "point",
        "Thumb_Up": "thumbs_up",
        "Victory": "victory",
    }
    seen = Counter()
    for hand in mediapipe_hands:
        gesture = hand["gesture"]
        want = "open_palm" if gesture.startswith("Open_Palm") else expected[gesture]
        result = classify_pose(HandLandmarks(np.array(hand["landmarks"])))
        assert result.label == want, (hand["source"], result)
        assert 0.5 <= result.score <= 1.0
        seen[want] += 1
    assert seen == {"open_palm": 6, "thumbs_up": 3, "point": 2, "fist": 1, "victory": 1}


def test_two_d_only_gives_the_same_answer_as_with_depth(mediapipe_hands: list[dict]) -> None:
    for hand in mediapipe_hands:
        with_z = HandLandmarks(np.array(hand["landmarks"]))
        flat = HandLandmarks(np.array(hand["landmarks"])[:, :2])
        assert not flat.has_depth
        assert classify_pose(flat).label == classify_pose(with_z).label


@pytest.mark.parametrize("angle", [17.0, 90.0, 143.0, 200.0, 290.0])
def test_any_in_plane_rotation_mirror_and_scale(
    kinivi: tuple[list[str], np.ndarray], angle: float
) -> None:
    _, hands = kinivi
    sample = hands[::3]
    base = [THUMB_FAMILY.get(label, label) for label in _labels(sample)]
    rotated = _rotate(sample, angle)
    mirrored = rotated * np.array([-1.0, 1.0])  # the other hand
    scaled = mirrored * 0.037 + np.array([0.4, 0.6])
    for variant in (rotated, mirrored, scaled):
        labels = [THUMB_FAMILY.get(label, label) for label in _labels(variant)]
        assert labels == base


@pytest.mark.parametrize("name", ["open_palm", "fist", "point", "victory", "pinch"])
@pytest.mark.parametrize("side", HANDEDNESS)
def test_synthetic_poses_at_any_rotation_and_size(name: str, side: Handedness) -> None:
    for angle in range(0, 360, 25):
        for size in (0.05, 0.3):
            hand = synthetic_hand(pose_points(name), size=size, rotation_deg=angle, handedness=side)
            result = classify_pose(hand)
            assert result.label == name, (angle, size, result)


def test_ok_sign_and_closed_pinch_are_both_pinch() -> None:
    assert classify_pose(pinch_points(0.05, curl_others=0.0)).label == "pinch"
    assert classify_pose(pinch_points(0.05, curl_others=1.0)).label == "pinch"
    assert classify_pose(pinch_points(0.6, curl_others=0.0)).label != "pinch"


def test_thumbs_up_and_down_follow_the_image_up_direction() -> None:
    up = pose_points("thumbs_up")
    for side in HANDEDNESS:
        assert classify_pose(synthetic_hand(up, handedness=side)).label == "thumbs_up"
        turned = synthetic_hand(up, rotation_deg=180, handedness=side)
        assert classify_pose(turned).label == "thumbs_down"
        sideways = synthetic_hand(up, rotation_deg=90, handedness=side)
        assert classify_pose(sideways).label == "fist"
    assert classify_pose(synthetic_hand(pose_points("thumbs_down"))).label == "thumbs_down"


def test_aspect_ratio_is_undone_before_measuring() -> None:
    """On a 16:9 image normalised x squeezes the hand; HandLandmarks un-squeezes it."""
    hand = synthetic_hand(pose_points("victory"), aspect_ratio=16 / 9)
    assert classify_pose(hand).label == "victory"


def test_nan_or_degenerate_hands_are_none_not_a_crash() -> None:
    points = pose_points("open_palm").copy()
    points[8] = np.nan
    result = classify_pose(points)
    assert (result.label, result.score) == ("none", 0.0)
    assert classify_pose(np.zeros((21, 2))).label == "none"
    assert classify_pose(np.zeros((5, 2))).label == "none"


def test_scores_are_in_range_and_labels_in_the_vocabulary(
    kinivi: tuple[list[str], np.ndarray],
) -> None:
    _, hands = kinivi
    for hand in hands[::7]:
        result = classify_pose(hand)
        assert result.label in POSE_LABELS
        assert 0.0 <= result.score <= 1.0
        assert all(0.0 <= e <= 1.0 for e in result.extension)
