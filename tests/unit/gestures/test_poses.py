"""Static pose classifier: real fixture hands, invariances, 2-D only, bad input."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from gestures.evaluate import metrics
from gestures.landmarks import HANDEDNESS, Handedness, HandLandmarks
from gestures.poses import POSE_LABELS, PoseOptions, classify_pose
from gestures.synthetic import pinch_points, pose_points, synthetic_hand

KINIVI_LABELS = {0: "open_palm", 1: "fist", 2: "point", 3: "pinch"}
# thumbs up/down and fist share a hand shape; only the thumb's image direction differs.
THUMB_FAMILY = {"thumbs_up": "fist", "thumbs_down": "fist"}


@pytest.fixture(scope="module")
def kinivi(kinivi_hands: tuple[list[int], np.ndarray]) -> tuple[list[str], np.ndarray]:
    ids, hands = kinivi_hands
    return [KINIVI_LABELS[i] for i in ids], hands


@pytest.fixture(scope="module")
def geometry_labels(kinivi: tuple[list[str], np.ndarray]) -> list[str]:
    """Geometry alone (``use_shape_model=False``) on every kinivi hand."""
    geometry = PoseOptions(use_shape_model=False)
    return [classify_pose(hand, geometry).label for hand in kinivi[1]]


def _labels(hands: np.ndarray) -> list[str]:
    return [classify_pose(hand).label for hand in hands]


def _rotate(hands: np.ndarray, angle_deg: float) -> np.ndarray:
    a = np.radians(angle_deg)
    rotation = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    return np.asarray(hands @ rotation.T)


def _scores(
    truth: list[str], predicted: list[str]
) -> tuple[float, dict[str, float], dict[str, float]]:
    """Accuracy, and recall and precision per kinivi class."""
    measured = metrics(truth, predicted, KINIVI_LABELS.values())
    per_class = measured["per_class"]
    recall = {label: float(row["recall"]) for label, row in per_class.items()}
    precision = {label: float(row["precision"]) for label, row in per_class.items()}
    return float(measured["accuracy"]), recall, precision


def test_kinivi_sample_accuracy_and_recall(kinivi: tuple[list[str], np.ndarray]) -> None:
    """The shipped model has seen these rows (with synthetic hands) in training, so this
    is a check that the weights and the decision rules belong together, not a measure of
    accuracy on new hands: that is the grouped cross-validation test below."""
    truth, hands = kinivi
    accuracy, recall, precision = _scores(truth, _labels(hands))
    assert accuracy >= 0.99, (accuracy, recall, precision)
    assert min(recall.values()) >= 0.98
    assert min(precision.values()) >= 0.98


def test_recipe_on_held_out_recordings(
    kinivi: tuple[list[str], np.ndarray],
    geometry_labels: list[str],
    tmp_path: Path,
    pose_tool: ModuleType,
) -> None:
    """Grouped cross-validation of the whole recipe (tools/train_pose_model.py): each
    third of the kinivi hands is classified by a model trained on synthetic hands and
    the other two thirds only, near-duplicate frames kept in one third. A small, quick
    configuration; the shipped one measures 0.98 over 5 folds (docs/benchmarks.md).
    It must also beat the geometry alone, which is never trained on recordings."""
    report = tmp_path / "cv.json"
    args = ["--cross-validate", "3", "--per-class", "2000", "--members", "1", "--epochs", "10"]
    assert pose_tool.main([*args, "--report", str(report)]) == 0
    measured = json.loads(report.read_text())
    assert measured["n"] == 1196
    assert measured["accuracy"] >= 0.965, measured
    for label, row in measured["per_class"].items():
        assert row["recall"] >= 0.93, (label, measured)
    alone, _, _ = _scores(kinivi[0], geometry_labels)
    assert measured["accuracy"] > alone + 0.02


def test_geometry_alone_keeps_its_floors(
    kinivi: tuple[list[str], np.ndarray], geometry_labels: list[str]
) -> None:
    """``use_shape_model=False`` is the geometric classifier, trained on nothing (0.932)."""
    accuracy, recall, _ = _scores(kinivi[0], geometry_labels)
    assert accuracy >= 0.925, (accuracy, recall)


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


def test_mediapipe_expected_hands_by_geometry_alone(mediapipe_hands: list[dict]) -> None:
    geometry = PoseOptions(use_shape_model=False)
    for hand in mediapipe_hands:
        points = np.array(hand["landmarks"])
        for landmarks in (points, points[:, :2]):
            with_model = classify_pose(HandLandmarks(landmarks)).label
            alone = classify_pose(HandLandmarks(landmarks), geometry).label
            assert alone == with_model, (hand["source"], alone, with_model)


def test_two_d_only_gives_the_same_answer_as_with_depth(mediapipe_hands: list[dict]) -> None:
    for hand in mediapipe_hands:
        with_z = HandLandmarks(np.array(hand["landmarks"]))
        flat = HandLandmarks(np.array(hand["landmarks"])[:, :2])
        assert not flat.has_depth
        assert classify_pose(flat).label == classify_pose(with_z).label


def test_constant_depth_is_no_depth(kinivi: tuple[list[str], np.ndarray]) -> None:
    """A z column that does not vary (MediaPipe's hand crops, padding) adds nothing."""
    _, hands = kinivi
    for hand in hands[::11]:
        flat = hand * 0.1 + 0.5
        padded = np.column_stack([flat, np.zeros(21)])
        assert classify_pose(HandLandmarks(padded)) == classify_pose(HandLandmarks(flat))


# A small 3-D hand: wrist at 0, fingers along -y, palm in z = 0 facing the camera (-z,
# MediaPipe's "closer"), x toward the pinky. Bones flex toward the palm side.
_MCPS_3D = np.array([[-0.28, -0.93], [-0.06, -1.0], [0.15, -0.95], [0.33, -0.84]])
_BONES_3D = np.array(
    [[0.40, 0.25, 0.20], [0.45, 0.28, 0.21], [0.42, 0.26, 0.20], [0.33, 0.20, 0.18]]
)
_CURLED = (75.0, 105.0, 70.0)  # MCP, PIP, DIP flexion of a fist's finger


def _hand_3d(index_flex: tuple[float, float, float], others_curled: bool = True) -> np.ndarray:
    """(21, 3) hand-frame landmarks; the index flexes by ``index_flex`` (MCP, PIP, DIP)."""
    points = np.zeros((21, 3))
    others = _CURLED if others_curled else (0.0, 0.0, 0.0)
    for finger in range(4):
        joint = np.array([*_MCPS_3D[finger], 0.0])
        points[5 + 4 * finger] = joint
        flex = 0.0
        for bone in range(3):
            flex += np.radians((index_flex if finger == 0 else others)[bone])
            joint = joint + _BONES_3D[finger, bone] * np.array([0.0, -np.cos(flex), -np.sin(flex)])
            points[6 + 4 * finger + bone] = joint
    points[1] = (-0.3, -0.2, -0.05)
    thumb_tip = (points[10] + points[14]) / 2.0 + np.array([0.0, 0.0, -0.08])  # over the fist
    for landmark, along in zip((2, 3, 4), (0.4, 0.72, 1.0), strict=True):
        points[landmark] = points[1] + along * (thumb_tip - points[1])
    return points


def _view(points: np.ndarray, tilt_deg: float, turn_deg: float) -> np.ndarray:
    """Turn the hand ``tilt_deg`` about the image x axis, then ``turn_deg`` about y, and
    place it in the image (palm about 0.2 image heights, normalised x, y, relative z)."""
    a, b = np.radians(tilt_deg), np.radians(turn_deg)
    tilt = np.array([[1, 0, 0], [0, np.cos(a), -np.sin(a)], [0, np.sin(a), np.cos(a)]])
    turn = np.array([[np.cos(b), 0, np.sin(b)], [0, 1, 0], [-np.sin(b), 0, np.cos(b)]])
    return np.asarray(points @ tilt.T @ turn.T * 0.2 + np.array([0.5, 0.5, 0.0]))


def test_index_aimed_down_across_the_palm_is_a_point_in_2d() -> None:
    """Index flexed at its knuckle toward the camera, hand tipped so the finger projects
    back over the palm: wrist and palm cues say curled, but it is straight and long."""
    aimed = _hand_3d((70.0, 5.0, 5.0))
    fist = _hand_3d(_CURLED)
    for tilt, turn in ((60.0, 0.0), (60.0, -20.0), (45.0, -20.0)):
        for angle in (0.0, 130.0):
            for mirror in (1.0, -1.0):
                side = np.array([mirror, 1.0])
                aimed_xy = _rotate(_view(aimed, tilt, turn)[:, :2] * side, angle)
                fist_xy = _rotate(_view(fist, tilt, turn)[:, :2] * side, angle)
                assert classify_pose(aimed_xy).label == "point", (tilt, turn, angle, mirror)
                assert classify_pose(fist_xy).label == "fist", (tilt, turn, angle, mirror)


def test_depth_resolves_an_index_aimed_at_the_camera() -> None:
    """With MediaPipe-style z, a foreshortened index is a point from every view, and a
    fist stays a fist, even with depth noise of 0.05 palm sizes."""
    rng = np.random.default_rng(7)
    hands = {
        "point": [_hand_3d((70.0, 5.0, 5.0)), _hand_3d((45.0, 0.0, 0.0))],
        "fist": [_hand_3d(_CURLED)],
        "open_palm": [_hand_3d((0.0, 0.0, 0.0), others_curled=False)],
    }
    for want, shapes in hands.items():
        for points in shapes:
            for tilt in range(-75, 76, 15):
                for turn in range(-60, 61, 30):
                    view = _view(points, tilt, turn)
                    view[:, 2] += rng.normal(0.0, 0.05 * 0.2, 21)
                    result = classify_pose(HandLandmarks(view))
                    assert result.label == want, (want, tilt, turn, result)


def test_depth_is_scaled_like_x_on_a_wide_image() -> None:
    """Normalised x and MediaPipe's z are both in image widths; HandLandmarks undoes it."""
    view = _view(_hand_3d((70.0, 5.0, 5.0)), 30.0, 0.0)
    aspect = 16 / 9
    squeezed = view * np.array([1.0 / aspect, 1.0, 1.0 / aspect])
    assert classify_pose(HandLandmarks(squeezed, aspect_ratio=aspect)).label == "point"


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
