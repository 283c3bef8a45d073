"""Hand and face trackers (hud.trackers.landmarker) and gaze geometry.

They run MediaPipe's real models (bundled in the mediapipe wheel) on the fixture photos
in tests/data/images; each image takes well under a second on two cores, so these are
ordinary unit tests.
"""

from __future__ import annotations

import math
import threading
import zipfile
from pathlib import Path

import cv2
import numpy as np
import pytest

from gestures import gaze_geometry as gz
from hud.bench.input import benchmark_hands, measure_hands_ms
from hud.errors import HudError
from hud.trackers.faces import FaceLandmarker, FaceLandmarkerOptions
from hud.trackers.hands import HandLandmarker, HandLandmarkerOptions, build_hand_task_bundle
from hud.trackers.landmarker import BaseOptions, RunningMode
from hud.trackers.results import FaceResult, HandResult

IMAGES = Path(__file__).resolve().parents[2] / "data" / "images"


def load_rgb(name: str) -> np.ndarray:
    bgr = cv2.imread(str(IMAGES / name))
    assert bgr is not None, name
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


@pytest.fixture(scope="module")
def thumbs_up() -> np.ndarray:
    return load_rgb("thumbs-up_960x640.jpg")


@pytest.fixture(scope="module")
def face_photo() -> np.ndarray:
    return load_rgb("business-person.jpg")


@pytest.fixture(scope="module")
def hand_task(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_hand_task_bundle(tmp_path_factory.mktemp("models") / "hand_landmarker.task")


# ------------------------------------------------------------------------------ hands


def test_thumbs_up_photo_gives_one_right_hand(thumbs_up: np.ndarray) -> None:
    """The photo shows a right hand, palm towards the camera; solutions.hands alone
    would call it "Left" because it assumes a mirrored selfie image."""
    with HandLandmarker() as tracker:
        hands = tracker.detect(thumbs_up)
    assert len(hands) == 1
    hand = hands[0]
    assert hand.handedness == "Right"
    assert hand.score > 0.8
    assert hand.landmarks.shape == (21, 3)
    assert hand.world_landmarks is not None and hand.world_landmarks.shape == (21, 3)
    assert hand.image_size == (960, 640)
    # The thumb tip is the top-most landmark of a thumbs-up.
    assert int(np.argmin(hand.landmarks[:, 1])) == 4


def test_thumbs_up_photo_pose_is_thumbs_up(thumbs_up: np.ndarray) -> None:
    from hud.cli.detect import classify_hand_pose

    with HandLandmarker() as tracker:
        (hand,) = tracker.detect(thumbs_up)
    label, score = classify_hand_pose(hand)
    assert label == "thumbs_up"
    assert score > 0.5


def test_mirrored_input_swaps_the_label(thumbs_up: np.ndarray) -> None:
    with HandLandmarker(HandLandmarkerOptions(mirrored=True)) as tracker:
        (hand,) = tracker.detect(thumbs_up)
    assert hand.handedness == "Left"
    # A really mirrored frame of the same right hand, declared as mirrored: still Right.
    with HandLandmarker(HandLandmarkerOptions(mirrored=True)) as tracker:
        (hand,) = tracker.detect(np.ascontiguousarray(thumbs_up[:, ::-1]))
    assert hand.handedness == "Right"


def test_tasks_bundle_backend_agrees_with_the_builtin_models(
    thumbs_up: np.ndarray, hand_task: Path
) -> None:
    with HandLandmarker(
        HandLandmarkerOptions(base_options=BaseOptions(model_asset_path=hand_task))
    ) as tracker:
        assert tracker.backend == "tasks"
        hands = tracker.detect(thumbs_up)
    with HandLandmarker() as tracker:
        assert tracker.backend == "solutions"
        (builtin,) = tracker.detect(thumbs_up)
    assert len(hands) == 1
    assert hands[0].handedness == "Right"  # Tasks labels unmirrored images correctly
    offsets = np.linalg.norm(
        (hands[0].landmarks[:, :2] - builtin.landmarks[:, :2]) * (960, 640), axis=1
    )
    assert float(np.median(offsets)) < 25.0, offsets  # pixels in a 960-wide image


def test_tasks_bundle_in_video_and_live_stream_modes(
    thumbs_up: np.ndarray, hand_task: Path
) -> None:
    with HandLandmarker(
        HandLandmarkerOptions(
            running_mode=RunningMode.VIDEO, base_options=BaseOptions(model_asset_path=hand_task)
        )
    ) as tracker:
        assert len(tracker.detect_for_video(thumbs_up, 0)) == 1
        assert len(tracker.detect_for_video(thumbs_up, 40)) == 1
        with pytest.raises(HudError, match="not after"):
            tracker.detect_for_video(thumbs_up, 40)
    got: list[tuple[int, int]] = []
    done = threading.Event()

    def on_result(hands: list[HandResult], image: np.ndarray, timestamp_ms: int) -> None:
        got.append((len(hands), timestamp_ms))
        done.set()

    options = HandLandmarkerOptions(
        running_mode=RunningMode.LIVE_STREAM,
        base_options=BaseOptions(model_asset_path=hand_task),
        result_callback=on_result,
    )
    with HandLandmarker(options) as tracker:
        tracker.detect_async(thumbs_up, 7)
        assert done.wait(10.0)
    assert got == [(1, 7)]


def test_bad_task_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(HudError, match="not found"):
        HandLandmarker(
            HandLandmarkerOptions(
                base_options=BaseOptions(model_asset_path=tmp_path / "missing.task")
            )
        )
    text = tmp_path / "notes.task"
    text.write_text("not a model")
    with pytest.raises(HudError, match="not a MediaPipe Tasks .task bundle"):
        HandLandmarker(HandLandmarkerOptions(base_options=BaseOptions(model_asset_path=text)))
    partial = tmp_path / "partial.task"
    with zipfile.ZipFile(partial, "w") as bundle:
        bundle.writestr("hand_detector.tflite", b"x")
    with pytest.raises(HudError, match="hand_landmarks_detector.tflite"):
        HandLandmarker(HandLandmarkerOptions(base_options=BaseOptions(model_asset_path=partial)))
    junk = tmp_path / "junk.task"
    with zipfile.ZipFile(junk, "w") as bundle:
        bundle.writestr("hand_detector.tflite", b"x")
        bundle.writestr("hand_landmarks_detector.tflite", b"y")
    with pytest.raises(HudError, match="cannot load hand model"):
        HandLandmarker(HandLandmarkerOptions(base_options=BaseOptions(model_asset_path=junk)))


def test_video_mode_tracks_and_refuses_time_going_backwards(thumbs_up: np.ndarray) -> None:
    with HandLandmarker(HandLandmarkerOptions(running_mode=RunningMode.VIDEO)) as tracker:
        for t in (0, 33, 66):
            assert len(tracker.detect_for_video(thumbs_up, t)) == 1
        with pytest.raises(
            HudError, match=r"timestamp 50 ms is not after the previous frame's 66 ms"
        ):
            tracker.detect_for_video(thumbs_up, 50)
        with pytest.raises(HudError, match="IMAGE mode"):
            tracker.detect(thumbs_up)
        assert len(tracker.detect_for_video(thumbs_up, 100)) == 1  # still usable


def test_live_stream_mode_calls_back(thumbs_up: np.ndarray) -> None:
    got: list[tuple[str, int]] = []

    def on_result(hands: list[HandResult], image: np.ndarray, timestamp_ms: int) -> None:
        got.extend((h.handedness, timestamp_ms) for h in hands)

    options = HandLandmarkerOptions(running_mode=RunningMode.LIVE_STREAM, result_callback=on_result)
    with HandLandmarker(options) as tracker:
        tracker.detect_async(thumbs_up, 5)
        with pytest.raises(HudError, match="not after"):
            tracker.detect_async(thumbs_up, 5)
    assert got == [("Right", 5)]


def test_options_are_validated() -> None:
    with pytest.raises(HudError, match="result_callback"):
        HandLandmarkerOptions(running_mode=RunningMode.LIVE_STREAM)
    with pytest.raises(HudError, match="only used in LIVE_STREAM"):
        HandLandmarkerOptions(result_callback=lambda hands, image, t: None)
    with pytest.raises(HudError, match="model_complexity"):
        HandLandmarkerOptions(model_complexity=2)
    with pytest.raises(HudError, match="num_hands"):
        HandLandmarkerOptions(num_hands=0)
    with pytest.raises(HudError, match="between 0 and 1"):
        FaceLandmarkerOptions(min_face_detection_confidence=1.5)


def test_bad_images_and_closed_trackers() -> None:
    with HandLandmarker() as tracker:
        with pytest.raises(HudError, match="8-bit"):
            tracker.detect(np.zeros((10, 10, 3), np.float32))
        with pytest.raises(HudError, match="RGB image"):
            tracker.detect(np.zeros((10, 10, 2), np.uint8))
        assert tracker.detect(np.zeros((48, 64), np.uint8)) == []  # gray is accepted
    with pytest.raises(HudError, match="closed"):
        tracker.detect(np.zeros((48, 64, 3), np.uint8))
    video_options = HandLandmarkerOptions(running_mode=RunningMode.VIDEO)
    with HandLandmarker(video_options) as video, pytest.raises(HudError, match="integer"):
        video.detect_for_video(np.zeros((48, 64, 3), np.uint8), 1.5)  # type: ignore[arg-type]


def test_benchmark_reports_per_frame_cost(thumbs_up: np.ndarray) -> None:
    bench = benchmark_hands(thumbs_up, frames=3, warmup=1)
    assert (bench.width, bench.height) == (640, 480)
    assert bench.mean_hands == 1.0
    assert 0.0 < bench.median_ms <= bench.p90_ms
    assert measure_hands_ms(frames=2) > 0.0


# ------------------------------------------------------------------------------ faces


def test_face_photo_gives_478_landmarks_with_the_expected_irises(
    face_photo: np.ndarray, expected_face: np.ndarray
) -> None:
    with FaceLandmarker() as tracker:
        faces = tracker.detect(face_photo)
    assert len(faces) == 1
    face = faces[0]
    assert face.landmarks.shape == (478, 3)
    height, width = face_photo.shape[:2]
    errors = np.linalg.norm(
        (face.landmarks[:, :2] - expected_face[:, :2]) * (width, height), axis=1
    )
    assert float(errors[468:].max()) < 3.0, errors[468:]  # iris points, pixels
    assert float(np.median(errors[:468])) < 4.0


def test_face_video_mode_checks_timestamps(face_photo: np.ndarray) -> None:
    with FaceLandmarker(FaceLandmarkerOptions(running_mode=RunningMode.VIDEO)) as tracker:
        assert len(tracker.detect_for_video(face_photo, 10)) == 1
        with pytest.raises(HudError, match="not after"):
            tracker.detect_for_video(face_photo, 9)


# ------------------------------------------------------------------------------- gaze


def _rotate_face(landmarks: np.ndarray, size: tuple[int, int], rotation: np.ndarray) -> np.ndarray:
    """Turn a whole face (mesh and irises together) about its centre, in pixel units."""
    scale = np.array([size[0], size[1], size[0]], dtype=np.float64)
    points = landmarks * scale
    centre = points[:468].mean(axis=0)
    return ((points - centre) @ rotation.T + centre) / scale


def test_gaze_turns_with_the_head_and_eye_angles_do_not(expected_face: np.ndarray) -> None:
    """Head-pose compensation: rotating the whole face rotates the gaze by the same
    rotation and leaves the eye-in-head angles alone."""
    size = (958, 1358)
    base = gz.estimate_gaze(expected_face, size)
    base_dir = gz.angles_to_direction(base.yaw_deg, base.pitch_deg)
    for rvec in ([0.0, math.radians(25), 0.0], [math.radians(-15), 0.0, 0.0], [0.2, -0.3, 0.1]):
        rotation = cv2.Rodrigues(np.array(rvec))[0]
        turned = gz.estimate_gaze(_rotate_face(expected_face, size, rotation), size)
        assert turned.eye_yaw_deg == pytest.approx(base.eye_yaw_deg, abs=0.01)
        assert turned.eye_pitch_deg == pytest.approx(base.eye_pitch_deg, abs=0.01)
        got = gz.angles_to_direction(turned.yaw_deg, turned.pitch_deg)
        angle = math.degrees(math.acos(float(np.clip(got @ (rotation @ base_dir), -1, 1))))
        assert angle < 0.01
    yawed = gz.estimate_gaze(
        _rotate_face(expected_face, size, cv2.Rodrigues(np.array([0.0, math.radians(20), 0.0]))[0]),
        size,
    )
    # A positive rotation about the camera's y (down) axis turns the face to image left.
    assert yawed.head_yaw_deg == pytest.approx(base.head_yaw_deg - 20.0, abs=0.01)


def test_moving_the_irises_gives_the_eye_angle_by_construction(expected_face: np.ndarray) -> None:
    size = (958, 1358)
    points = gz.to_metric_points(expected_face, size)
    axes = gz.head_axes(points)
    dx0, dy0 = gz.eye_offsets(points, axes)
    base = gz.estimate_gaze(expected_face, size)
    moved = points.copy()
    for eye in (gz.RIGHT_EYE, gz.LEFT_EYE):
        width = float(np.linalg.norm(points[eye.outer] - points[eye.inner]))
        target = math.sin(math.radians(20.0)) * gz.EYEBALL_RADIUS_PER_EYE_WIDTH
        shift = (target - dx0) * width * axes[:, 0] - dy0 * width * axes[:, 1]
        iris = slice(eye.iris, eye.iris + 5)
        moved[iris] = points[iris] + shift
    estimate = gz.estimate_gaze(moved / np.array([size[0], size[1], size[0]]), size)
    assert estimate.eye_yaw_deg == pytest.approx(20.0, abs=0.01)  # towards image right
    assert estimate.eye_pitch_deg == pytest.approx(0.0, abs=0.01)
    assert estimate.head_yaw_deg == pytest.approx(base.head_yaw_deg, abs=1e-6)
    assert estimate.yaw_deg > base.yaw_deg + 15.0


def test_gaze_on_the_real_photo_is_near_the_camera_and_mirrors(face_photo: np.ndarray) -> None:
    """The woman in the photo looks into the lens. This is a sanity bound, not an
    accuracy claim (see the gaze_geometry docstring)."""
    with FaceLandmarker() as tracker:
        (face,) = tracker.detect(face_photo)
        (mirror,) = tracker.detect(np.ascontiguousarray(face_photo[:, ::-1]))
    gaze, flipped = gz.gaze_for_face(face), gz.gaze_for_face(mirror)
    assert abs(gaze.yaw_deg) < 10.0 and abs(gaze.pitch_deg) < 10.0, gaze
    assert flipped.yaw_deg == pytest.approx(-gaze.yaw_deg, abs=3.0)
    assert flipped.head_yaw_deg == pytest.approx(-gaze.head_yaw_deg, abs=3.0)
    assert abs(gaze.head_yaw_deg) > 3.0  # the head is turned a little, the eyes compensate


def test_gaze_needs_a_refined_mesh_and_an_image_size() -> None:
    with pytest.raises(ValueError, match="478"):
        gz.estimate_gaze(np.zeros((468, 3)), (640, 480))
    with pytest.raises(ValueError, match="image_size"):
        gz.gaze_for_face(FaceResult(landmarks=np.zeros((478, 3))))
    with pytest.raises(ValueError, match="21×3"):
        HandResult("Left", 1.0, np.zeros((20, 3)))
