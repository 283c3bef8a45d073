"""Face redaction (hud.privacy.redact) on real photos: the face is gone afterwards (the
detector finds nothing there, the fine detail is gone), nothing else changes, kept boxes
stay sharp, and the same frame always gives the same pixels."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from face_scenes import FACE_PHOTO, desk_frame, face_truth_box, iou, load, paste_face

from hud.errors import HudError, OptionsError
from hud.privacy import FaceRedactor, RedactOptions, describe_redaction, hand_boxes
from hud.trackers import FaceDetector, FaceDetectorOptions

VIDEO = Path(__file__).resolve().parents[2] / "data" / "video" / "hand_landmarker__test_video.mp4"


@pytest.fixture(scope="module")
def redactor() -> FaceRedactor:
    with FaceRedactor() as r:
        yield r  # type: ignore[misc]


@pytest.fixture(scope="module")
def strict() -> FaceDetector:
    """A keener detector than redaction's own (lower threshold, smaller faces), to
    check that nothing face-like is left."""
    options = FaceDetectorOptions(min_detection_confidence=0.2, min_face_fraction=0.02)
    with FaceDetector(options) as d:
        yield d  # type: ignore[misc]


@pytest.fixture(scope="module")
def portrait() -> np.ndarray:
    return load(FACE_PHOTO)


def _detail(rgb: np.ndarray, box: tuple[int, int, int, int]) -> float:
    """High-frequency energy: mean squared Laplacian of the grey pixels in ``box``."""
    x0, y0, x1, y1 = box
    grey = cv2.cvtColor(np.ascontiguousarray(rgb[y0:y1, x0:x1]), cv2.COLOR_RGB2GRAY)
    return float((cv2.Laplacian(grey.astype(np.float64), cv2.CV_64F) ** 2).mean())


def _outside(shape: tuple[int, ...], boxes: tuple[tuple[int, int, int, int], ...]) -> np.ndarray:
    mask = np.ones(shape[:2], dtype=bool)
    for x0, y0, x1, y1 in boxes:
        mask[y0:y1, x0:x1] = False
    return mask


# ------------------------------------------------------------------------- the face goes


def test_the_portraits_face_is_gone_and_nothing_else_changed(
    redactor: FaceRedactor, strict: FaceDetector, portrait: np.ndarray
) -> None:
    before = portrait.copy()
    result = redactor.redact(portrait)
    assert np.array_equal(portrait, before), "the input was modified"
    assert result.image is not portrait and result.image.shape == portrait.shape
    assert len(result.faces) == 1 and len(result.regions) == 1
    region = result.regions[0]
    tx0, ty0, tx1, ty1 = face_truth_box()
    assert region[0] <= tx0 and region[1] <= ty0 and region[2] >= tx1 and region[3] >= ty1
    assert region[1] < ty0 - 0.3 * (ty1 - ty0)  # the hair above the brows too
    assert strict.detect(result.image) == []
    assert _detail(portrait, region) > 50 * _detail(result.image, region)
    outside = _outside(portrait.shape, result.regions)
    assert np.array_equal(result.image[outside], portrait[outside])


def test_a_distant_face_in_a_desk_photo_is_gone(
    redactor: FaceRedactor, strict: FaceDetector
) -> None:
    scene, truth = paste_face(desk_frame(1280, 720), 40, (700, 260))
    assert any(iou(f.box, truth) > 0.3 for f in strict.detect(scene))
    result = redactor.redact(scene)
    assert len(result.faces) == 1 and iou(result.faces[0].box, truth) > 0.3
    assert not any(iou(f.box, truth) > 0.1 for f in strict.detect(result.image))
    region = result.regions[0]
    assert _detail(scene, region) > 20 * _detail(result.image, region)


@pytest.mark.parametrize("method", ["pixelate", "fill"])
def test_pixelating_and_filling_hide_the_face_too(
    method: str, strict: FaceDetector, portrait: np.ndarray
) -> None:
    with FaceRedactor(RedactOptions(method=method)) as r:  # type: ignore[arg-type]
        result = r.redact(portrait)
    assert strict.detect(result.image) == []
    x0, y0, x1, y1 = result.regions[0]
    patch = result.image[y0:y1, x0:x1].reshape(-1, 3)
    colours = len(np.unique(patch, axis=0))
    assert colours == 1 if method == "fill" else colours <= 30  # blocks of one colour


def test_redaction_is_deterministic(portrait: np.ndarray) -> None:
    with FaceRedactor() as a, FaceRedactor() as b:
        first, second = a.redact(portrait), b.redact(portrait)
        third = a.redact(portrait)
    assert np.array_equal(first.image, second.image) and np.array_equal(first.image, third.image)
    assert first.regions == second.regions == third.regions


def test_a_photo_without_faces_comes_back_unchanged_as_a_new_array(redactor: FaceRedactor) -> None:
    desk = desk_frame(640, 480)
    result = redactor.redact(desk)
    assert result.faces == () and result.regions == ()
    assert np.array_equal(result.image, desk) and result.image is not desk


# --------------------------------------------------------------------------- keep boxes


def test_kept_boxes_stay_sharp_inside_a_faces_region(
    redactor: FaceRedactor, portrait: np.ndarray
) -> None:
    region = redactor.redact(portrait).regions[0]
    x0, y0, x1, y1 = region
    keep = (float(x0 - 40), float(y0 + 60), float((x0 + x1) / 2), float(y1 + 40))  # left half
    result = redactor.redact(portrait, keep=[keep])
    assert result.regions == (region,) and result.on_kept == ()
    kx0, ky0, kx1, ky1 = int(keep[0]), int(keep[1]), int(keep[2]), y1
    assert np.array_equal(result.image[ky0:ky1, kx0:kx1], portrait[ky0:ky1, kx0:kx1])
    right = (int(keep[2]) + 1, y0, x1, y1)
    assert _detail(portrait, right) > 20 * _detail(result.image, right)
    top = (x0, y0, x1, int(keep[1]))  # above the kept box: hidden as well
    assert _detail(portrait, top) > 20 * _detail(result.image, top)


def test_a_palm_taken_for_a_face_is_kept_as_the_hand() -> None:
    """BlazeFace takes the open palm of MediaPipe's hand video for a face (score ≈ 0.6);
    with the tracked hand kept, that frame comes back untouched."""
    from hud.trackers.hands import HandLandmarker

    capture = cv2.VideoCapture(str(VIDEO))
    for _ in range(2):
        ok, bgr = capture.read()
    capture.release()
    assert ok
    frame = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    with HandLandmarker() as tracker, FaceRedactor() as redactor:
        hands = tracker.detect(frame)
        bare = redactor.redact(frame)
        kept = redactor.redact(frame, keep=hand_boxes(hands, (640, 360)))
    assert len(hands) == 1 and len(bare.faces) == 1  # the palm
    assert kept.faces == () and len(kept.on_kept) == 1 and kept.regions == ()
    assert np.array_equal(kept.image, frame)


def test_hand_boxes_span_the_landmarks_with_a_margin() -> None:
    from hud.trackers.results import HandResult

    points = np.zeros((21, 3))
    points[:, 0] = np.linspace(0.2, 0.4, 21)
    points[:, 1] = np.linspace(0.5, 0.9, 21)
    hand = HandResult(handedness="Right", score=0.9, landmarks=points)
    (box,) = hand_boxes([hand], (1000, 500), margin=0.1)
    assert box == pytest.approx((180.0, 230.0, 420.0, 470.0))


def test_keep_boxes_are_checked(redactor: FaceRedactor, portrait: np.ndarray) -> None:
    for bad in ([(1, 2, 3)], [(0, 0, float("nan"), 5)], [(5, 5, 1, 1)], ["abcd"]):
        with pytest.raises(HudError, match="keep box"):
            redactor.redact(portrait, keep=bad)  # type: ignore[arg-type]
    outside = redactor.redact(portrait, keep=[(-50.0, -50.0, -10.0, -10.0)])
    assert len(outside.regions) == 1  # a box off the image keeps nothing


# ----------------------------------------------------------------------- image formats


def test_grey_rgba_and_16_bit_frames_are_redacted_as_rgb(
    redactor: FaceRedactor, strict: FaceDetector, portrait: np.ndarray
) -> None:
    colour = redactor.redact(portrait)
    deep = portrait.astype(np.uint16) * 257  # 16-bit: converted back exactly
    assert np.array_equal(redactor.redact(deep).image, colour.image)
    rgba = np.dstack([portrait, np.full(portrait.shape[:2], 128, np.uint8)])
    assert np.array_equal(redactor.redact(rgba).image, colour.image)
    grey = cv2.cvtColor(portrait, cv2.COLOR_RGB2GRAY)
    result = redactor.redact(grey)
    assert result.image.shape == (*grey.shape, 3) and len(result.faces) == 1
    assert strict.detect(result.image) == []
    with pytest.raises(HudError):
        redactor.redact(np.zeros((4, 4, 5), np.uint8))


def test_a_large_frame_is_searched_small_and_boxes_come_back_in_its_pixels() -> None:
    scene, truth = paste_face(desk_frame(2560, 1440), 160, (1200, 500))
    with FaceRedactor(RedactOptions(max_detection_side=1280)) as r:
        faces = r.find(scene)
    assert len(faces) == 1 and faces[0].image_size == (2560, 1440)
    assert iou(faces[0].box, truth) > 0.5


# -------------------------------------------------------------------------------- video


def test_a_face_stays_hidden_for_hold_ms_after_it_was_last_seen(portrait: np.ndarray) -> None:
    empty = np.full_like(portrait, 200)  # the person stepped out (or was missed)
    with FaceRedactor(RedactOptions(hold_ms=300)) as r:
        seen = r.redact_for_video(portrait, 0)
        held = r.redact_for_video(empty, 200)
        later = r.redact_for_video(empty, 600)
        with pytest.raises(HudError, match="not after"):
            r.redact_for_video(empty, 600)
    assert len(seen.faces) == 1 and seen.held == ()
    assert held.faces == () and len(held.held) == 1 and held.regions == seen.regions
    assert later.held == () and later.regions == ()


def test_blur_hides_faces_found_in_other_frames(
    redactor: FaceRedactor, portrait: np.ndarray
) -> None:
    faces = redactor.find(portrait)
    empty = np.full_like(portrait, 200)
    result = redactor.blur(empty, (), held=faces)
    assert result.faces == () and result.held == faces and len(result.regions) == 1


def test_where_regions_overlap_the_strongest_hiding_wins(
    redactor: FaceRedactor, portrait: np.ndarray
) -> None:
    """A small (weakly blurred) box inside a big face's region must not bring back
    detail the big face's blur removed, whichever order the faces come in."""
    from hud.trackers.results import FaceDetection

    (big,) = redactor.find(portrait)
    small = FaceDetection(
        box=(450.0, 250.0, 510.0, 310.0),
        score=0.5,
        keypoints=np.zeros((6, 2)),
        image_size=big.image_size,
    )
    alone = redactor.blur(portrait, [big]).image
    for faces in ([big, small], [small, big]):
        both = redactor.blur(portrait, faces).image
        assert np.array_equal(both[250:310, 450:510], alone[250:310, 450:510])


# ------------------------------------------------------------------------------ options


def test_options_refuse_bad_values_and_map_to_the_detector() -> None:
    for bad in (
        {"method": "smudge"},
        {"strength": 0.0},
        {"strength": float("nan")},
        {"margin": -1.0},
        {"max_detection_side": 100},
        {"hold_ms": -5},
        {"hold_ms": 1.5},
        {"min_detection_confidence": 2.0},
        {"min_face_fraction": 0.0},
    ):
        with pytest.raises(OptionsError):
            RedactOptions(**bad)  # type: ignore[arg-type]
    options = RedactOptions(min_detection_confidence=0.3, min_face_fraction=None)
    assert options.detector_options() == FaceDetectorOptions(
        min_detection_confidence=0.3, min_face_fraction=None
    )
    described = describe_redaction(options)
    assert described["faces"] == "hidden" and described["min_face_fraction"] is None


def test_a_closed_redactor_refuses_frames(portrait: np.ndarray) -> None:
    redactor = FaceRedactor()
    redactor.close()
    redactor.close()
    with pytest.raises(HudError, match="closed"):
        redactor.redact(portrait)
