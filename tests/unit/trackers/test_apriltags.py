"""AprilTags through the AprilTag 3 reference library (hud.trackers.apriltags, markers).

Tags are rendered here at known poses for a 1920×1080 camera of 65° horizontal FOV
(fx = 1506.9 px), so 1°, 2° and 3° of visual angle are 26.3, 52.6 and 78.9 px for the
tag's black square. Only a 480×360 window of that sensor around each tag is rendered
(the principal point moves with it): the same pixels a full frame would have there, at
a twentieth of the cost. Rendering is 4× supersampled, then blurred (σ 0.9 px, the
optics) and noised (σ 4 gray levels) on a textured background, with the tag's print
contrast reduced to 60 %, so OpenCV's ArUco detector starts to miss the 1° tags.
"""

from __future__ import annotations

import math
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
import pytest

from hud.errors import HudError
from hud.trackers import apriltags as at
from hud.trackers import markers as mk

FULL_W, FULL_H = 1920, 1080
FX = (FULL_W / 2) / math.tan(math.radians(65.0) / 2)
CROP_W, CROP_H = 480, 360
LENGTH = 0.1  # black square side in metres

#: Tilts (degrees about x, y, z) of a marker facing the camera; the first is straight on.
TILTS = [(0, 0, 0), (25, -20, 10), (-35, 15, -60), (10, 40, 120), (45, 0, 200), (-20, -30, 75)]


def facing_rvec(rx: float = 0.0, ry: float = 0.0, rz: float = 0.0) -> np.ndarray:
    """A marker facing the camera (its +z towards the lens), then tilted by degrees."""
    facing = cv2.Rodrigues(np.array([math.pi, 0.0, 0.0]))[0]
    tilt = (
        cv2.Rodrigues(np.array([math.radians(rx), 0.0, 0.0]))[0]
        @ cv2.Rodrigues(np.array([0.0, math.radians(ry), 0.0]))[0]
        @ cv2.Rodrigues(np.array([0.0, 0.0, math.radians(rz)]))[0]
    )
    return cv2.Rodrigues(tilt @ facing)[0].reshape(3)


def distance_for(degrees: float) -> float:
    """Distance at which the black square spans ``degrees`` of visual angle."""
    return LENGTH / (2 * math.tan(math.radians(degrees) / 2))


def texture(dictionary: str, marker_id: int, contrast: float = 0.6) -> np.ndarray:
    """The marker plus one white cell of quiet zone, printed at reduced contrast."""
    d = cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco, dictionary))
    cell = 16
    img = cv2.aruco.generateImageMarker(d, marker_id, (d.markerSize + 2) * cell)
    img = cv2.copyMakeBorder(img, cell, cell, cell, cell, cv2.BORDER_CONSTANT, value=255)
    return (img.astype(np.float32) - 127.5) * contrast + 127.5


def window(centre_tvec: Sequence[float]) -> mk.CameraIntrinsics:
    """The CROP_W × CROP_H window of the full sensor centred on where a point images."""
    x, y, z = centre_tvec
    u, v = (FULL_W - 1) / 2 + FX * x / z, (FULL_H - 1) / 2 + FX * y / z
    cx = (FULL_W - 1) / 2 - (u - CROP_W / 2)
    cy = (FULL_H - 1) / 2 - (v - CROP_H / 2)
    return mk.CameraIntrinsics(FX, FX, cx, cy, CROP_W, CROP_H)


def render(
    items: Sequence[tuple[np.ndarray, np.ndarray, Sequence[float]]],
    camera: mk.CameraIntrinsics,
    *,
    seed: int = 0,
    blur: float = 0.9,
    noise: float = 4.0,
    s: int = 4,
) -> np.ndarray:
    """Gray image of textured markers (texture, rvec, tvec) seen by ``camera``."""
    k = camera.camera_matrix()
    ks = k.copy()
    ks[0, 0] *= s
    ks[1, 1] *= s
    ks[0, 2] = (k[0, 2] + 0.5) * s - 0.5
    ks[1, 2] = (k[1, 2] + 0.5) * s - 0.5
    rng = np.random.default_rng(seed)
    wall = cv2.resize(
        rng.uniform(70, 180, (9, 12)).astype(np.float32),
        (CROP_W, CROP_H),
        interpolation=cv2.INTER_CUBIC,
    )
    wall += cv2.GaussianBlur(rng.normal(0, 10, wall.shape).astype(np.float32), (0, 0), 1.5)
    size = (CROP_W * s, CROP_H * s)
    canvas = cv2.resize(wall, size, interpolation=cv2.INTER_LINEAR)
    for tex, rvec, tvec in items:
        cells = tex.shape[0] / 16
        half = LENGTH / 2 * cells / (cells - 2)
        square = np.array([[-half, half, 0], [half, half, 0], [half, -half, 0], [-half, -half, 0]])
        projected, _ = cv2.projectPoints(square, rvec, np.asarray(tvec, float), ks, None)
        side = tex.shape[0]
        src = np.array([[0, 0], [side, 0], [side, side], [0, side]], np.float32) - 0.5
        h = cv2.getPerspectiveTransform(src, projected.reshape(4, 2).astype(np.float32))
        warped = cv2.warpPerspective(tex, h, size, flags=cv2.INTER_LINEAR)
        mask = cv2.warpPerspective(np.ones_like(tex), h, size, flags=cv2.INTER_LINEAR)
        canvas = warped * mask + canvas * (1.0 - mask)
    small = cv2.resize(canvas, (CROP_W, CROP_H), interpolation=cv2.INTER_AREA)
    if blur:
        small = cv2.GaussianBlur(small, (0, 0), blur)
    small += rng.normal(0.0, noise, small.shape).astype(np.float32)
    return np.clip(small, 0, 255).astype(np.uint8)


def scene(
    dictionary: str, degrees: float, k: int
) -> tuple[np.ndarray, int, np.ndarray, np.ndarray]:
    """Image, id, rvec and tvec of one marker at ``degrees``, tilt ``TILTS[k]``."""
    d = distance_for(degrees)
    rng = np.random.default_rng(k)
    tvec = np.array([*(rng.uniform(-0.3, 0.3, 2) * d), d])
    rvec = facing_rvec(*TILTS[k])
    marker_id = 3 + 5 * k
    camera = window(tvec)
    image = render(
        [(texture(dictionary, marker_id), rvec, tvec)], camera, seed=int(degrees * 10) + k
    )
    return image, marker_id, rvec, tvec


def rotation_error_deg(a: np.ndarray, b: np.ndarray) -> float:
    ra, rb = cv2.Rodrigues(np.asarray(a, float))[0], cv2.Rodrigues(np.asarray(b, float))[0]
    return math.degrees(math.acos(float(np.clip((np.trace(ra.T @ rb) - 1) / 2, -1.0, 1.0))))


# ----------------------------------------------------------------- codes and corners


def test_opencv_and_the_reference_library_agree_on_tag36h11_and_tag25h9_ids() -> None:
    for family, table, ids in (
        ("tag36h11", "DICT_APRILTAG_36h11", (0, 1, 42, 300, 586)),
        ("tag25h9", "DICT_APRILTAG_25h9", (0, 17, 34)),
    ):
        d = cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco, table))
        for marker_id in ids:
            img = cv2.aruco.generateImageMarker(d, marker_id, (d.markerSize + 2) * 10)
            img = cv2.copyMakeBorder(img, 20, 20, 20, 20, cv2.BORDER_CONSTANT, value=255)
            got = at.detect_apriltags(img, family)
            assert [(t.id, t.hamming) for t in got] == [(marker_id, 0)], (family, marker_id)


@pytest.mark.parametrize("roll", [0, 90, 180, 270])
def test_corners_come_in_opencv_order_whichever_way_the_tag_is_turned(roll: int) -> None:
    """Both backends give the same corner list for one tag, so one pose (no 180° flip)."""
    tvec = np.array([0.0, 0.0, distance_for(8.0)])
    camera = window(tvec)
    image = render([(texture("DICT_APRILTAG_36h11", 7), facing_rvec(15, -10, roll), tvec)], camera)
    ours = mk.detect_markers(image, "tag36h11")
    opencv = mk.detect_markers(image, "DICT_APRILTAG_36h11")
    assert [(m.dictionary, m.id) for m in ours] == [("tag36h11", 7)]
    assert [m.id for m in opencv] == [7]
    assert float(np.abs(ours[0].corners - opencv[0].corners).max()) < 1.0


# ------------------------------------------------------------------ small tags


@pytest.mark.parametrize("degrees", [1.0, 2.0, 3.0])
def test_reference_library_finds_tags_of_1_to_3_degrees(degrees: float) -> None:
    found_ours = found_opencv = 0
    for k in range(len(TILTS)):
        image, marker_id, _, _ = scene("DICT_APRILTAG_36h11", degrees, k)
        ours = mk.detect_markers(image, "tag36h11")
        assert [m.id for m in ours] == [marker_id], (degrees, TILTS[k])
        found_ours += 1
        found_opencv += [m.id for m in mk.detect_markers(image, "DICT_APRILTAG_36h11")] == [
            marker_id
        ]
        assert [(m.dictionary, m.id) for m in mk.detect_markers(image, "auto")] == [
            ("tag36h11", marker_id)
        ]
    # Reported, not asserted: how OpenCV's copy of the dictionary does on the same images.
    print(f"{degrees}°: reference {found_ours}/{len(TILTS)}, OpenCV {found_opencv}/{len(TILTS)}")


def pose_errors(dictionary: str, name: str, degrees: float) -> list[tuple[float, float]]:
    """(translation error / distance, rotation error in degrees) for every tilt."""
    errors = []
    for k in range(len(TILTS)):
        image, marker_id, rvec, tvec = scene(dictionary, degrees, k)
        got = mk.detect_markers(image, name, marker_length_m=LENGTH, intrinsics=window(tvec))
        assert [m.id for m in got] == [marker_id], (name, degrees, TILTS[k])
        m = got[0]
        assert m.rvec is not None and m.tvec is not None, (name, degrees, TILTS[k])
        translation = float(np.linalg.norm(m.tvec - tvec) / tvec[2])
        errors.append((translation, rotation_error_deg(m.rvec, rvec)))
    return errors


def within_bound(errors: list[tuple[float, float]]) -> bool:
    """Translation within 2 % of the distance (what pinning a card needs) and rotation
    within 3° for the tilted tags. The straight-on tag (first) gets 10°: four corners a
    few pixels apart cannot pin down the tilt of a fronto-parallel square (the planar pose
    ambiguity), but a wrong corner order would still show, as a 90° or 180° error."""
    (t0, r0), *tilted = errors
    return t0 < 0.02 and r0 < 10.0 and all(t < 0.02 and r < 3.0 for t, r in tilted)


@pytest.mark.parametrize("degrees", [2.0, 3.0])
def test_pose_from_both_backends_meets_one_bound(degrees: float) -> None:
    """tag36h11 (reference library + SQPnP) and DICT_4X4_50 (ArUco + SQPnP), same poses."""
    ours = pose_errors("DICT_APRILTAG_36h11", "tag36h11", degrees)
    aruco = pose_errors("DICT_4X4_50", "DICT_4X4_50", degrees)
    assert within_bound(ours), ours
    assert within_bound(aruco), aruco


def test_reference_pose_meets_the_bound_at_1_degree() -> None:
    """At 26 px the reference corners still give the pose (median 0.7 % and 0.5° when
    measured); OpenCV's sub-pixel corners sit about half a pixel inside the square, which
    at this size means 3–6 % in distance, so ArUco at 1° is not held to the bound."""
    assert within_bound(pose_errors("DICT_APRILTAG_36h11", "tag36h11", 1.0))


# ----------------------------------------------------------------- names and options


def test_family_names_resolve_and_go_to_the_right_backend() -> None:
    assert mk.resolve_dictionary("TAG36H11") == "tag36h11"
    assert mk.resolve_dictionary("tagstandard41h12") == "tagStandard41h12"
    assert mk.resolve_dictionary("tag16h5") == "DICT_APRILTAG_16h5"  # OpenCV serves it
    assert mk.resolve_dictionary("DICT_APRILTAG_36h11") == "DICT_APRILTAG_36h11"
    assert "tag36h11" in mk.dictionary_names()
    with pytest.raises(HudError, match="tag36h11"):
        mk.resolve_dictionary("tag36h12")
    with pytest.raises(HudError, match="reference library"):
        at.detect_apriltags(np.zeros((10, 10), np.uint8), "tag16h5")


def test_options_filter_hamming_and_margin() -> None:
    tvec = np.array([0.0, 0.0, distance_for(6.0)])
    image = render(
        [(texture("DICT_APRILTAG_36h11", 9), facing_rvec(10, 10, 0), tvec)], window(tvec)
    )
    (tag,) = at.detect_apriltags(image, "tag36h11")
    assert tag.hamming == 0 and tag.decision_margin > at.DEFAULT_MIN_DECISION_MARGIN
    strict = at.AprilTagOptions(min_decision_margin=tag.decision_margin + 1)
    assert at.detect_apriltags(image, "tag36h11", strict) == []
    assert mk.detect_markers(image, "auto", apriltag_options=strict) == []


def test_auto_reports_an_aruco_marker_and_an_apriltag_once_each() -> None:
    d = distance_for(6.0)
    left, right = np.array([-0.08, 0.0, d]), np.array([0.08, 0.0, d])
    camera = window((0.0, 0.0, d))
    image = render(
        [
            (texture("DICT_4X4_50", 5, contrast=1.0), facing_rvec(0, 20, 0), left),
            (texture("DICT_APRILTAG_36h11", 11, contrast=1.0), facing_rvec(0, -20, 0), right),
        ],
        camera,
    )
    got = [(m.dictionary, m.id) for m in mk.detect_markers(image, "auto")]
    assert got == [("DICT_4X4_250", 5), ("tag36h11", 11)]


def test_detector_cache_is_reused_per_family_and_settings() -> None:
    opts = at.AprilTagOptions()
    first = at._detector("tag36h11", opts)
    assert at._detector("tag36h11", at.AprilTagOptions(max_hamming=2)) is first  # filter only
    assert at._detector("tag36h11", at.AprilTagOptions(quad_decimate=2.0)) is not first
    assert at._detector("tag25h9", opts) is not first


def test_a_process_using_both_backends_exits_cleanly() -> None:
    """Destroying a reference detector after OpenCV's ArUco detector ran segfaults in this
    wheel; the tracker never destroys them, so the process must exit with status 0."""
    # Crashes 3 times in 3 without the fix (checked by unregistering it).
    code = (
        "import cv2; from hud.trackers import apriltags as at, markers as mk; "
        "img = cv2.resize(cv2.imread('tests/data/images/"
        "aruco_detection__singlemarkersoriginal.jpg', 0), (1280, 720)); "
        "at.detect_apriltags(img, 'tag36h11'); mk.detect_markers(img, 'DICT_APRILTAG_36h11'); "
        "print('ok')"
    )
    root = Path(__file__).resolve().parents[3]
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=root
    )
    assert (proc.returncode, proc.stdout.strip()) == (0, "ok"), proc.stderr[-500:]
