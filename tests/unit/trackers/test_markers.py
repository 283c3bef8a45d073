"""Marker detection, dictionary search, de-duplication and pose (hud.trackers.markers).

Real photo: the OpenCV ArUco tutorial photo (tests/data/images/README.md). Everything
else is rendered here with OpenCV at known poses, so pose errors are measured against
the truth, not against another estimator.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
import pytest

from hud.errors import HudError
from hud.trackers import markers as mk
from hud.trackers.results import MarkerResult

IMAGES = Path(__file__).resolve().parents[2] / "data" / "images"
ARUCO_PHOTO = IMAGES / "aruco_detection__singlemarkersoriginal.jpg"
PHOTO_IDS = [23, 40, 62, 98, 124, 203]

WIDTH, HEIGHT = 640, 480
K = np.array([[800.0, 0.0, 319.5], [0.0, 800.0, 239.5], [0.0, 0.0, 1.0]])
INTRINSICS = mk.CameraIntrinsics(800.0, 800.0, 319.5, 239.5, WIDTH, HEIGHT)
LENGTH = 0.1  # marker side in metres


# ----------------------------------------------------------------------------- rendering


def facing_rvec(rx: float = 0.0, ry: float = 0.0, rz: float = 0.0) -> np.ndarray:
    """A marker facing the camera (its +z towards the lens), then tilted by degrees."""
    facing = cv2.Rodrigues(np.array([math.pi, 0.0, 0.0]))[0]
    tilt = (
        cv2.Rodrigues(np.array([math.radians(rx), 0.0, 0.0]))[0]
        @ cv2.Rodrigues(np.array([0.0, math.radians(ry), 0.0]))[0]
        @ cv2.Rodrigues(np.array([0.0, 0.0, math.radians(rz)]))[0]
    )
    return cv2.Rodrigues(tilt @ facing)[0].reshape(3)


def marker_texture(
    dictionary: str, marker_id: int, flip: Sequence[tuple[int, int]] = ()
) -> np.ndarray:
    """The marker with one white cell of quiet zone; ``flip`` inverts data cells (row, col)."""
    d = cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco, dictionary))
    cells = d.markerSize + 2
    cell = 40
    img = cv2.aruco.generateImageMarker(d, marker_id, cells * cell)
    for r, c in flip:
        block = img[(r + 1) * cell : (r + 2) * cell, (c + 1) * cell : (c + 2) * cell]
        block[...] = 255 - block
    return cv2.copyMakeBorder(img, cell, cell, cell, cell, cv2.BORDER_CONSTANT, value=255)


def render(
    items: Sequence[tuple[np.ndarray, np.ndarray, Sequence[float]]],
    *,
    noise: float = 2.0,
    seed: int = 0,
    supersample: int = 4,
) -> np.ndarray:
    """Gray camera image of textured markers (texture, rvec, tvec) on a mid-gray wall.

    Rendered at ``supersample`` × the resolution and area-averaged down, so edges are
    anti-aliased like a real sensor's; the intrinsics are scaled with pixel centres kept
    consistent (x_small = (x_big + 0.5) / s − 0.5).
    """
    s = supersample
    ks = K.copy()
    ks[0, 0] *= s
    ks[1, 1] *= s
    ks[0, 2] = (K[0, 2] + 0.5) * s - 0.5
    ks[1, 2] = (K[1, 2] + 0.5) * s - 0.5
    canvas = np.full((HEIGHT * s, WIDTH * s), 110.0, dtype=np.float32)
    for texture, rvec, tvec in items:
        cells = texture.shape[0] / 40  # marker cells + 2 quiet-zone cells
        half = LENGTH / 2 * cells / (cells - 2)
        corners3d = np.array(
            [[-half, half, 0], [half, half, 0], [half, -half, 0], [-half, -half, 0]]
        )
        projected, _ = cv2.projectPoints(
            corners3d, np.asarray(rvec, float), np.asarray(tvec, float), ks, None
        )
        side = texture.shape[0]
        src = np.array([[0, 0], [side, 0], [side, side], [0, side]], dtype=np.float32) - 0.5
        homography = cv2.getPerspectiveTransform(src, projected.reshape(4, 2).astype(np.float32))
        size = (WIDTH * s, HEIGHT * s)
        warped = cv2.warpPerspective(
            texture.astype(np.float32), homography, size, flags=cv2.INTER_LINEAR
        )
        mask = cv2.warpPerspective(
            np.ones_like(texture, np.float32), homography, size, flags=cv2.INTER_LINEAR
        )
        canvas = warped * mask + canvas * (1.0 - mask)
    small = cv2.resize(canvas, (WIDTH, HEIGHT), interpolation=cv2.INTER_AREA)
    small += np.random.default_rng(seed).normal(0.0, noise, small.shape).astype(np.float32)
    return np.clip(small, 0, 255).astype(np.uint8)


def rotation_error_deg(rvec_a: np.ndarray, rvec_b: np.ndarray) -> float:
    ra, rb = (
        cv2.Rodrigues(np.asarray(rvec_a, float))[0],
        cv2.Rodrigues(np.asarray(rvec_b, float))[0],
    )
    return math.degrees(math.acos(float(np.clip((np.trace(ra.T @ rb) - 1) / 2, -1.0, 1.0))))


def found(results: Sequence[MarkerResult]) -> list[tuple[str, int]]:
    return [(m.dictionary, m.id) for m in results]


# ------------------------------------------------------------------------- real photo


@pytest.fixture(scope="module")
def aruco_photo() -> np.ndarray:
    image = cv2.imread(str(ARUCO_PHOTO))
    assert image is not None, ARUCO_PHOTO
    return image


def test_photo_auto_finds_exactly_the_six_printed_markers(aruco_photo: np.ndarray) -> None:
    """Auto search also runs 4×4 and 36h12, which decode icons on the box without the gate."""
    results = mk.detect_markers(aruco_photo, "auto")
    assert sorted(m.id for m in results) == PHOTO_IDS
    assert {m.dictionary for m in results} == {"DICT_6X6_250"}


def test_photo_named_dictionary_finds_the_six(aruco_photo: np.ndarray) -> None:
    results = mk.detect_markers(aruco_photo, "dict_6x6_250")  # any case
    assert sorted(m.id for m in results) == PHOTO_IDS
    assert all(m.corners.shape == (4, 2) for m in results)


def test_photo_icons_do_decode_in_dense_dictionaries_without_the_gate(
    aruco_photo: np.ndarray,
) -> None:
    """Why the auto gate exists: OpenCV alone reads a box icon as DICT_4X4 #17."""
    raw = mk.detect_markers(aruco_photo, "DICT_4X4_250")
    assert [m.id for m in raw] == [17]
    gray = mk.to_gray(aruco_photo)
    reading = mk.read_cells(gray, raw[0].corners, "DICT_4X4_250", 17)
    lo, hi = np.percentile(gray, [1, 99])
    assert reading.contrast < mk.MIN_RELATIVE_CONTRAST * (hi - lo)


def test_no_markers_in_photos_without_markers() -> None:
    for name in ("thumbs-up_960x640.jpg", "business-person.jpg"):
        image = cv2.imread(str(IMAGES / name))
        assert mk.detect_markers(image, "auto") == [], name


# ---------------------------------------------------------------------- pose accuracy

POSES = [
    ((0, 0, 0), (0.0, 0.0, 0.5)),  # straight on, centred
    ((0, 0, 0), (0.12, -0.08, 0.9)),  # straight on, off-centre
    ((0, 30, 0), (0.05, 0.0, 0.6)),
    ((40, 0, 0), (0.0, -0.05, 0.5)),
    ((20, -35, 15), (-0.08, 0.04, 0.7)),
    ((0, 0, 45), (0.1, 0.08, 0.9)),
    ((-25, 20, -30), (0.0, 0.0, 0.4)),
    ((50, 10, 0), (0.0, 0.0, 0.6)),
]


def test_pose_on_rendered_markers_matches_the_truth() -> None:
    rotation_errors, translation_errors = [], []
    for i, (angles, tvec) in enumerate(POSES):
        rvec = facing_rvec(*angles)
        image = render([(marker_texture("DICT_6X6_250", 23), rvec, tvec)], seed=i)
        results = mk.detect_markers(
            image, "DICT_6X6_250", marker_length_m=LENGTH, intrinsics=INTRINSICS
        )
        assert found(results) == [("DICT_6X6_250", 23)], angles
        m = results[0]
        assert m.has_pose and m.rvec is not None and m.tvec is not None, angles
        assert m.reprojection_error_px is not None and m.reprojection_error_px < 0.5
        rotation_errors.append(rotation_error_deg(m.rvec, rvec))
        translation_errors.append(float(np.linalg.norm(m.tvec - tvec) / np.linalg.norm(tvec)))
    assert float(np.median(rotation_errors)) < 1.0, rotation_errors
    # Straight on is where a 180° flip would show; it must be as good as the rest.
    assert rotation_errors[0] < 1.0, rotation_errors
    assert max(translation_errors) < 0.01, translation_errors


def test_pose_is_rejected_when_the_corners_do_not_fit_a_square() -> None:
    """Four corners leave only 2 degrees of freedom beyond the pose, so only gross
    mismatches show: a corner pulled 40 px off, or intrinsics far from the truth. A wrong
    marker size cannot show at all (it only rescales the distance)."""
    rvec, tvec = facing_rvec(10, 20, 0), np.array([0.0, 0.0, 0.6])
    obj = mk.marker_object_points(LENGTH)
    corners = cv2.projectPoints(obj, rvec, tvec, K, None)[0].reshape(4, 2)
    good = mk.estimate_marker_pose(corners, LENGTH, INTRINSICS)
    assert good is not None and good.reprojection_error_px < 1e-3
    kite = corners.copy()
    kite[2] += (40.0, 40.0)
    assert mk.estimate_marker_pose(kite, LENGTH, INTRINSICS) is None
    # ...but a loose enough limit accepts the best-fit pose of the same corners.
    loose = mk.estimate_marker_pose(kite, LENGTH, INTRINSICS, max_reprojection_error_px=50.0)
    assert loose is not None and loose.reprojection_error_px > mk.DEFAULT_MAX_REPROJECTION_PX
    wide_guess = mk.CameraIntrinsics.from_hfov(WIDTH, HEIGHT, 120.0)  # true FOV is 43.6°
    assert mk.estimate_marker_pose(corners, LENGTH, wide_guess) is None


def test_pose_needs_intrinsics_and_a_positive_size() -> None:
    image = render([(marker_texture("DICT_6X6_250", 23), facing_rvec(), (0.0, 0.0, 0.5))])
    with pytest.raises(HudError, match="intrinsics"):
        mk.detect_markers(image, "DICT_6X6_250", marker_length_m=LENGTH)
    with pytest.raises(HudError, match="positive"):
        mk.estimate_marker_pose(np.zeros((4, 2)), 0.0, INTRINSICS)


# ------------------------------------------------------------- auto search and overlaps


@pytest.mark.parametrize(
    "dictionary",
    [
        "DICT_4X4_50",
        "DICT_5X5_100",
        "DICT_7X7_250",
        "DICT_ARUCO_ORIGINAL",
        "DICT_APRILTAG_25h9",
        "DICT_APRILTAG_36h11",
    ],
)
def test_auto_finds_a_clean_marker_of_each_family_once(dictionary: str) -> None:
    image = render([(marker_texture(dictionary, 7), facing_rvec(25, -20, 10), (0.02, 0.01, 0.7))])
    results = mk.detect_markers(image, "auto")
    assert len(results) == 1
    family = dictionary.rsplit("_", 1)[0] if dictionary[5] in "4567" else dictionary
    # `auto` reads tag36h11 with the AprilTag 3 library and names it by its family.
    family = {"DICT_APRILTAG_36h11": "tag36h11"}.get(family, family)
    assert results[0].dictionary.startswith(family), results[0].dictionary
    assert results[0].id == 7


def test_auto_names_aruco_families_by_their_conventional_size() -> None:
    items = [
        (marker_texture("DICT_6X6_250", 3), facing_rvec(), (-0.12, 0.0, 0.8)),
        (marker_texture("DICT_6X6_250", 120), facing_rvec(), (0.12, 0.0, 0.8)),
    ]
    assert found(mk.detect_markers(render(items), "auto")) == [
        ("DICT_6X6_250", 3),
        ("DICT_6X6_250", 120),
    ]
    only_small = render([(marker_texture("DICT_6X6_250", 3), facing_rvec(), (0.0, 0.0, 0.6))])
    assert found(mk.detect_markers(only_small, "auto")) == [("DICT_6X6_250", 3)]


def _six_by_six_near_a_mip_code() -> tuple[int, tuple[int, int]]:
    """A DICT_6X6_1000 id and one cell whose flip leaves it 1 bit from its own code and
    2 bits from an ARUCO_MIP_36h12 code, so the marker decodes in both dictionaries."""
    six = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_6X6_1000)
    mip = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_ARUCO_MIP_36h12)
    mip_codes = []
    for j in range(mip.bytesList.shape[0]):
        bits = cv2.aruco.Dictionary.getBitsFromByteList(mip.bytesList[j : j + 1], 6)
        mip_codes.extend(np.rot90(bits, k) for k in range(4))
    stack = np.array(mip_codes, dtype=bool)
    for i in range(six.bytesList.shape[0]):
        code = cv2.aruco.Dictionary.getBitsFromByteList(six.bytesList[i : i + 1], 6).astype(bool)
        diff = stack != code
        close = np.flatnonzero(diff.sum(axis=(1, 2)) == 3)
        if close.size:
            r, c = np.argwhere(diff[close[0]])[0]
            return i, (int(r), int(c))
    raise AssertionError("no 6X6/MIP code pair at distance 3")


def test_overlap_keeps_the_reading_with_fewer_bit_errors() -> None:
    marker_id, cell = _six_by_six_near_a_mip_code()
    image = render(
        [
            (
                marker_texture("DICT_6X6_1000", marker_id, flip=[cell]),
                facing_rvec(15, 10, 0),
                (0.0, 0.0, 0.6),
            )
        ]
    )
    # The damaged marker really decodes in both dictionaries the auto search uses...
    assert [
        c.id
        for c in mk._raw_detect(image, "DICT_6X6_1000", mk._auto_corrected_bits("DICT_6X6_1000"))
    ] == [marker_id]
    mip = mk._raw_detect(
        image, "DICT_ARUCO_MIP_36h12", mk._auto_corrected_bits("DICT_ARUCO_MIP_36h12")
    )
    assert len(mip) == 1
    # ...and is reported once, as the 6×6 marker it was printed as.
    results = mk.detect_markers(image, "auto")
    assert [m.id for m in results] == [marker_id]
    assert results[0].dictionary.startswith("DICT_6X6_")


def test_exact_coincidence_goes_to_the_dictionary_with_more_markers_in_the_image() -> None:
    """AprilTag 16h5 #16 is the same pattern as DICT_4X4 #227."""
    alone = render(
        [(marker_texture("DICT_APRILTAG_16h5", 16), facing_rvec(10, 10, 0), (0.0, 0.0, 0.6))]
    )
    assert found(mk.detect_markers(alone, "DICT_4X4_250")) == [("DICT_4X4_250", 227)]
    assert found(mk.detect_markers(alone, "auto")) == [("DICT_APRILTAG_16h5", 16)]
    board = render(
        [
            (marker_texture("DICT_APRILTAG_16h5", 16), facing_rvec(), (0.0, 0.0, 0.9)),
            (marker_texture("DICT_4X4_250", 3), facing_rvec(), (-0.18, 0.0, 0.9)),
            (marker_texture("DICT_4X4_250", 5), facing_rvec(), (0.18, 0.0, 0.9)),
        ]
    )
    assert found(mk.detect_markers(board, "auto")) == [
        ("DICT_4X4_250", 3),
        ("DICT_4X4_250", 5),
        ("DICT_4X4_250", 227),
    ]


def test_auto_search_limits_error_correction_by_false_alarm_rate() -> None:
    for name in mk.AUTO_DICTIONARIES:
        c = mk._auto_corrected_bits(name)
        assert c == 0 or mk.false_alarm_probability(name, c) <= mk.MAX_FALSE_ALARM
    # OpenCV's default would let 36h12 correct 7 bits: a 1-in-6 chance per random blob.
    assert mk.false_alarm_probability("DICT_ARUCO_MIP_36h12", 7) > 0.1
    assert mk._auto_corrected_bits("DICT_ARUCO_MIP_36h12") == 2
    assert mk.false_alarm_probability("DICT_4X4_250", 0) > mk.MAX_FALSE_ALARM  # hence the gate


# ------------------------------------------------------------------------ bad inputs


def test_unknown_dictionary_lists_the_valid_names() -> None:
    with pytest.raises(HudError) as err:
        mk.resolve_dictionary("DICT_9X9_50")
    assert "DICT_6X6_250" in err.value.message and "auto" in err.value.message
    assert mk.resolve_dictionary("apriltag_36H11") == "DICT_APRILTAG_36h11"
    assert mk.resolve_dictionary(" AUTO ") == "auto"


def test_bad_images_are_refused_in_words() -> None:
    with pytest.raises(HudError, match="8-bit"):
        mk.detect_markers(np.zeros((20, 20), np.float32))
    with pytest.raises(HudError, match="shape"):
        mk.detect_markers(np.zeros((20, 20, 2), np.uint8))
    assert mk.detect_markers(np.zeros((30, 40, 3), np.uint8)) == []


def test_marker_result_checks_shapes() -> None:
    with pytest.raises(ValueError, match="4×2"):
        MarkerResult("DICT_6X6_250", 1, np.zeros((3, 2)))
    with pytest.raises(ValueError, match="rvec"):
        MarkerResult("DICT_6X6_250", 1, np.zeros((4, 2)), rvec=np.zeros(4))


# ------------------------------------------------------------------------- intrinsics


def test_intrinsics_from_fov() -> None:
    cam = mk.CameraIntrinsics.from_hfov(640, 480, 90.0)
    assert cam.fx == pytest.approx(320.0) and cam.fy == pytest.approx(320.0)
    assert (cam.cx, cam.cy) == (319.5, 239.5)
    with pytest.raises(HudError, match="FOV"):
        mk.CameraIntrinsics.from_hfov(640, 480, 0.0)


def test_intrinsics_from_json_and_opencv_yaml(tmp_path: Path) -> None:
    calib = {
        "camera_matrix": [[1000, 0, 639.5], [0, 1000, 359.5], [0, 0, 1]],
        "dist_coeffs": [0.1, -0.05, 0, 0, 0],
        "image_size": [1280, 720],
    }
    path = tmp_path / "cam.json"
    path.write_text(json.dumps(calib))
    cam = mk.CameraIntrinsics.from_file(path)
    assert (cam.fx, cam.cx, cam.width, cam.height) == (1000.0, 639.5, 1280, 720)
    assert cam.dist_coeffs == (0.1, -0.05, 0.0, 0.0, 0.0)
    half = cam.scaled_to(640, 360)
    assert half.fx == pytest.approx(500.0) and half.cx == pytest.approx(319.5)

    yml = tmp_path / "cam.yml"
    fs = cv2.FileStorage(str(yml), cv2.FILE_STORAGE_WRITE)
    fs.write("camera_matrix", np.array(calib["camera_matrix"], dtype=np.float64))
    fs.write("distortion_coefficients", np.array(calib["dist_coeffs"], dtype=np.float64))
    fs.write("image_width", 1280)
    fs.write("image_height", 720)
    fs.release()
    from_yaml = mk.CameraIntrinsics.from_file(yml)
    assert from_yaml == cam


def test_bad_calibration_files(tmp_path: Path) -> None:
    with pytest.raises(HudError, match="not found"):
        mk.CameraIntrinsics.from_file(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text('{"camera_matrix": [1, 2]}')
    with pytest.raises(HudError, match="cannot read calibration"):
        mk.CameraIntrinsics.from_file(broken)
    garbage = tmp_path / "garbage.yml"
    garbage.write_text("this is: [not a calibration\n")
    with pytest.raises(HudError):
        mk.CameraIntrinsics.from_file(garbage)


def test_charuco_board_photo_gives_its_seventeen_markers() -> None:
    """A second real photo: OpenCV's ChArUco board (DICT_6X6_250, marker ids 0-16)."""
    import cv2

    from hud.io.images import load_rgb

    photo = (
        Path(__file__).resolve().parents[2]
        / "data"
        / "images"
        / "charuco_detection__choriginal.jpg"
    )
    gray = cv2.cvtColor(load_rgb(photo), cv2.COLOR_RGB2GRAY)
    for dictionary in ("auto", "DICT_6X6_250"):
        got = sorted(found(mk.detect_markers(gray, dictionary)))
        assert got == [("DICT_6X6_250", i) for i in range(17)], dictionary
