"""``hud detect`` on AprilTags, end to end: a real ``python -m hud`` process on a PNG.

The image is composed here: a 1280×720 frame of a 65° camera holding a DICT_4X4_50
marker and a tag36h11 tag at 3° of visual angle (53 px) and a second tag36h11 at 1.5°
(26 px), at known poses, so ids, dictionaries and the pose can be checked against the
truth. The ArUco test photo checks that ``auto`` still reports exactly its six markers.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

WIDTH, HEIGHT, HFOV = 1280, 720, 65.0
FX = (WIDTH / 2) / math.tan(math.radians(HFOV) / 2)
K = np.array([[FX, 0, (WIDTH - 1) / 2], [0, FX, (HEIGHT - 1) / 2], [0, 0, 1]])
LENGTH = 0.1
ARUCO_PHOTO = (
    Path(__file__).resolve().parents[1] / "data/images/aruco_detection__singlemarkersoriginal.jpg"
)


def distance_for(degrees: float) -> float:
    return LENGTH / (2 * math.tan(math.radians(degrees) / 2))


def facing(ry: float) -> np.ndarray:
    tilt = cv2.Rodrigues(np.array([0.0, math.radians(ry), 0.0]))[0]
    return cv2.Rodrigues(tilt @ cv2.Rodrigues(np.array([math.pi, 0.0, 0.0]))[0])[0].reshape(3)


def compose(items: list[tuple[str, int, np.ndarray, np.ndarray]], s: int = 2) -> np.ndarray:
    """A BGR frame of markers (dictionary, id, rvec, tvec), 2× supersampled, with noise."""
    ks = K.copy()
    ks[:2] *= s
    ks[0, 2], ks[1, 2] = (K[0, 2] + 0.5) * s - 0.5, (K[1, 2] + 0.5) * s - 0.5
    size = (WIDTH * s, HEIGHT * s)
    canvas = np.full((HEIGHT * s, WIDTH * s), 120.0, np.float32)
    for dictionary, marker_id, rvec, tvec in items:
        d = cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco, dictionary))
        cells, cell = d.markerSize + 2, 16
        tex = cv2.aruco.generateImageMarker(d, marker_id, cells * cell)
        tex = cv2.copyMakeBorder(tex, cell, cell, cell, cell, cv2.BORDER_CONSTANT, value=255)
        half = LENGTH / 2 * (cells + 2) / cells
        square = np.array([[-half, half, 0], [half, half, 0], [half, -half, 0], [-half, -half, 0]])
        dst = cv2.projectPoints(square, rvec, tvec, ks, None)[0].reshape(4, 2).astype(np.float32)
        side = tex.shape[0]
        src = np.array([[0, 0], [side, 0], [side, side], [0, side]], np.float32) - 0.5
        h = cv2.getPerspectiveTransform(src, dst)
        warped = cv2.warpPerspective(tex.astype(np.float32), h, size, flags=cv2.INTER_LINEAR)
        mask = cv2.warpPerspective(np.ones(tex.shape, np.float32), h, size, flags=cv2.INTER_LINEAR)
        canvas = warped * mask + canvas * (1 - mask)
    small = cv2.resize(canvas, (WIDTH, HEIGHT), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), 0.7)
    small += np.random.default_rng(0).normal(0, 3, small.shape).astype(np.float32)
    return cv2.cvtColor(np.clip(small, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)


def hud_detect(*args: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "hud", "detect", *args, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def scene_png(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray]:
    near, far = distance_for(3.0), distance_for(1.5)
    tag_tvec = np.array([0.15 * near, 0.0, near])
    items = [
        ("DICT_4X4_50", 5, facing(25), np.array([-0.15 * near, 0.0, near])),
        ("DICT_APRILTAG_36h11", 11, facing(-20), tag_tvec),
        ("DICT_APRILTAG_36h11", 20, facing(10), np.array([0.0, 0.12 * far, far])),
    ]
    path = tmp_path_factory.mktemp("apriltag") / "scene.png"
    assert cv2.imwrite(str(path), compose(items))
    return path, tag_tvec


def test_named_family_gives_the_tags_and_their_pose(scene_png: tuple[Path, np.ndarray]) -> None:
    path, tag_tvec = scene_png
    result = hud_detect(
        str(path), "--markers", "TAG36H11", "--marker-size", str(LENGTH), "--hfov", str(HFOV)
    )
    assert [(m["dictionary"], m["id"]) for m in result["markers"]] == [
        ("tag36h11", 11),
        ("tag36h11", 20),
    ]
    pose = result["markers"][0]["pose"]
    assert pose is not None
    error = np.linalg.norm(np.array(pose["tvec"]) - tag_tvec) / tag_tvec[2]
    assert error < 0.02, pose


def test_auto_finds_the_aruco_marker_and_both_tags_once(scene_png: tuple[Path, np.ndarray]) -> None:
    result = hud_detect(str(scene_png[0]))
    assert sorted((m["dictionary"], m["id"]) for m in result["markers"]) == [
        ("DICT_4X4_250", 5),
        ("tag36h11", 11),
        ("tag36h11", 20),
    ]
    assert all(set(m) == {"dictionary", "id", "corners"} for m in result["markers"])


def test_auto_on_the_aruco_photo_is_unchanged() -> None:
    """The six printed DICT_6X6_250 markers, as before the AprilTag library was added."""
    result = hud_detect(str(ARUCO_PHOTO), "--markers", "auto")
    assert sorted((m["dictionary"], m["id"]) for m in result["markers"]) == [
        ("DICT_6X6_250", i) for i in (23, 40, 62, 98, 124, 203)
    ]
