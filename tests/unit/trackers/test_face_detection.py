"""The face detector (hud.trackers.face_detection) on real photos: MediaPipe's portrait,
desk photos without people, and the portrait's face pasted small into a desk photo
(tests/helpers/face_scenes.py), the way a bystander a few metres away looks."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from face_scenes import (
    FACE_PHOTO,
    NO_FACES,
    desk_frame,
    face_truth_box,
    iou,
    load,
    paste_face,
    spread_positions,
)

from hud.errors import HudError, OptionsError
from hud.trackers import FaceDetection, FaceDetector, FaceDetectorOptions
from hud.trackers.face_detection import DETECTION_FLOOR, MIN_FACE_PX, suppress, tile_plan


@pytest.fixture(scope="module")
def detector() -> FaceDetector:
    with FaceDetector() as d:
        yield d  # type: ignore[misc]


@pytest.fixture(scope="module")
def whole_only() -> FaceDetector:
    with FaceDetector(FaceDetectorOptions(min_face_fraction=None)) as d:
        yield d  # type: ignore[misc]


def _found(faces: list[FaceDetection], truth: tuple[float, float, float, float]) -> bool:
    return any(iou(f.box, truth) > 0.3 for f in faces)


# ------------------------------------------------------------------------- the portrait


def test_the_portrait_gives_one_face_where_mediapipes_landmarks_are(detector: FaceDetector) -> None:
    photo = load(FACE_PHOTO)
    faces = detector.detect(photo)
    assert len(faces) == 1
    face = faces[0]
    assert face.image_size == (958, 1358)
    assert face.score > 0.8
    assert iou(face.box, face_truth_box()) > 0.6
    # Keypoints in MediaPipe's order: the person's right eye is on the image's left.
    right_eye, left_eye, nose, mouth = face.keypoints[:4]
    assert right_eye[0] < nose[0] < left_eye[0]
    assert max(right_eye[1], left_eye[1]) < nose[1] < mouth[1]
    x0, y0, x1, y1 = face.box
    assert all(x0 <= x <= x1 and y0 <= y <= y1 for x, y in face.keypoints[:4])
    assert face.normalized_box() == pytest.approx((x0 / 958, y0 / 1358, x1 / 958, y1 / 1358))


def test_grey_and_rgba_photos_give_the_same_face(detector: FaceDetector) -> None:
    photo = load(FACE_PHOTO)
    grey = photo.mean(axis=2).astype(np.uint8)
    rgba = np.dstack([photo, np.full(photo.shape[:2], 255, np.uint8)])
    colour = detector.detect(photo)[0]
    for variant in (grey, rgba):
        faces = detector.detect(variant)
        assert len(faces) == 1 and iou(faces[0].box, colour.box) > 0.9


def test_photos_without_people_give_no_face(detector: FaceDetector) -> None:
    for path in NO_FACES:
        assert detector.detect(load(path)) == [], path.name


def test_detection_is_deterministic(detector: FaceDetector) -> None:
    scene, _ = paste_face(desk_frame(1280, 720), 48, (600, 300))
    first, second = detector.detect(scene), detector.detect(scene)
    assert [f.box for f in first] == [f.box for f in second]
    assert [f.score for f in first] == [f.score for f in second]


# ------------------------------------------------------------------------- small faces


def test_the_whole_image_pass_misses_distant_faces_the_tiles_find(
    detector: FaceDetector, whole_only: FaceDetector
) -> None:
    """Why the tiles exist: in 1280 × 720 the model alone finds no face 48 px wide
    (3.7 % of the width, about 3 m away with a 70° camera), the tiled pass nearly all."""
    frame = desk_frame(1280, 720)
    tiled = whole = 0
    for at in spread_positions(1280, 720, 48, 8, seed=48):
        scene, truth = paste_face(frame, 48, at)
        tiled += _found(detector.detect(scene), truth)
        whole += _found(whole_only.detect(scene), truth)
    assert tiled >= 7 and whole <= 2, (tiled, whole)


@pytest.mark.parametrize(("size", "width", "least"), [((640, 480), 20, 7), ((1280, 720), 96, 8)])
def test_faces_at_the_smallest_size_asked_for_are_found(
    detector: FaceDetector, size: tuple[int, int], width: int, least: int
) -> None:
    """20 px in 640 × 480 is the default smallest face (3 % of the longer side)."""
    frame = desk_frame(*size)
    found = 0
    for at in spread_positions(*size, width, 8, seed=width):
        scene, truth = paste_face(frame, width, at)
        faces = detector.detect(scene)
        found += _found(faces, truth)
        assert all(f.image_size == size for f in faces)
    assert found >= least


def test_a_face_cut_by_tile_borders_is_reported_once(detector: FaceDetector) -> None:
    """A face big enough to span tiles is found by the whole image and by tiles; the
    duplicates are suppressed."""
    frame = desk_frame(1280, 720)
    for x in (330.0, 600.0):
        scene, truth = paste_face(frame, 110, (x, 250))
        faces = detector.detect(scene)
        assert len([f for f in faces if iou(f.box, truth) > 0.1]) == 1


# ------------------------------------------------------------------------------ tiles


@pytest.mark.parametrize("size", [(640, 480), (1280, 720), (958, 1358), (1920, 1080), (300, 200)])
@pytest.mark.parametrize("fraction", [0.02, 0.03, 0.05])
def test_every_face_too_small_for_the_whole_image_lies_in_a_tile_it_fills_enough(
    size: tuple[int, int], fraction: float
) -> None:
    """The plan's promise: a face from ``fraction`` of the longer side (but never under
    ``MIN_FACE_PX``) up to the size the whole-image pass finds lies wholly inside some
    tile of which it is at least the model's floor (so that tile's run can find it)."""
    width, height = size
    floor = DETECTION_FLOOR[1]
    tiles = tile_plan(width, height, fraction, floor)
    assert all(x >= 0 and y >= 0 and x + s <= width and y + s <= height for x, y, s in tiles)
    longer = max(size)
    rng = np.random.default_rng(1)
    for _ in range(400):
        w = rng.uniform(max(fraction * longer, MIN_FACE_PX), 1.15 * floor * longer)
        x, y = rng.uniform(0, width - w), rng.uniform(0, height - w)
        assert any(
            tx <= x and ty <= y and x + w <= tx + s and y + w <= ty + s and w >= floor * s
            for tx, ty, s in tiles
        ), (size, fraction, w, x, y)


def test_tile_counts_for_common_frames() -> None:
    floor = DETECTION_FLOOR[1]
    assert tile_plan(640, 480, None, floor) == []
    assert tile_plan(200, 200, 0.03, floor) == []  # a crop: faces of 16 px are found whole
    assert len(tile_plan(1280, 720, 0.03, floor)) == 6
    assert len(tile_plan(640, 480, 0.03, floor)) == 9
    assert len(tile_plan(1280, 720, 0.1, floor)) == 0  # the whole image is enough


def test_suppression_merges_one_faces_boxes_and_keeps_the_best_score() -> None:
    def face(box: tuple[float, float, float, float], score: float) -> FaceDetection:
        points = np.full((6, 2), score)  # tells the detections apart
        return FaceDetection(box=box, score=score, keypoints=points, image_size=(100, 100))

    whole = face((10, 10, 50, 50), 0.9)
    again = face((11, 11, 52, 51), 0.8)
    half = face((10, 10, 30, 50), 0.95)  # a tile border through the face
    other = face((60, 60, 90, 90), 0.7)
    kept = suppress([again, whole, half, other], 0.3)
    assert len(kept) == 2
    merged, alone = kept
    # The half face's score and keypoints, but the box of the whole face: never smaller.
    assert merged.score == 0.95 and merged.keypoints[0, 0] == 0.95
    assert merged.box == (10, 10, 52, 51)
    assert alone is other
    same = suppress([other, half, whole, again], 0.3)
    assert [(f.box, f.score) for f in same] == [(f.box, f.score) for f in kept]
    assert suppress([whole, other], 0.3) == [whole, other]  # apart: both kept


# ---------------------------------------------------------------------- the adapter


def test_options_refuse_bad_settings_and_name_them() -> None:
    for bad in (
        {"model_selection": 2},
        {"model_selection": True},
        {"min_face_fraction": 0.001},
        {"min_face_fraction": "small"},
        {"min_detection_confidence": 1.5},
        {"min_suppression_threshold": -0.1},
    ):
        with pytest.raises(OptionsError, match=next(iter(bad))):
            FaceDetectorOptions(**bad)  # type: ignore[arg-type]
    with pytest.raises(dataclasses.FrozenInstanceError):
        FaceDetectorOptions().model_selection = 0  # type: ignore[misc]


def test_short_range_model_finds_the_portrait_too() -> None:
    options = FaceDetectorOptions(model_selection=0, min_face_fraction=None)
    with FaceDetector.create_from_options(options) as short:
        faces = short.detect(load(FACE_PHOTO))
    assert len(faces) == 1 and iou(faces[0].box, face_truth_box()) > 0.5


def test_a_closed_detector_refuses_images_and_bad_images_are_errors() -> None:
    detector = FaceDetector()
    with pytest.raises(HudError, match="8-bit"):
        detector.detect(np.zeros((10, 10, 3), np.float32))
    with pytest.raises(HudError, match="RGB"):
        detector.detect(np.zeros((10,), np.uint8))
    detector.close()
    detector.close()  # twice is fine
    with pytest.raises(HudError, match="closed"):
        detector.detect(np.zeros((10, 10, 3), np.uint8))


def test_face_detection_results_check_their_values() -> None:
    with pytest.raises(ValueError, match="x0 < x1"):
        FaceDetection(box=(5, 5, 5, 9), score=0.5, keypoints=np.zeros((6, 2)), image_size=(9, 9))
    with pytest.raises(ValueError, match="keypoints"):
        FaceDetection(box=(1, 1, 5, 9), score=0.5, keypoints=np.zeros((5, 2)), image_size=(9, 9))
