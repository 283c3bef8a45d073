"""Real faces in real scenes for the face detector and redaction tests (test helper).

There is one photo of a face in tests/data (MediaPipe's business-person portrait) and
there are photos of desks without people. A bystander a few metres away is made by
pasting the portrait's face, shrunk, into a desk photo with a soft elliptical edge (no
hard rectangle for the detector to latch on to). The truth box of a pasted face comes
from MediaPipe's *expected* face-mesh landmarks for that photo (published with its
test), not from the detector under test.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parents[2]
IMAGES = ROOT / "tests" / "data" / "images"
FACE_PHOTO = IMAGES / "business-person.jpg"
#: A real desk photo (opencv_contrib's ArUco tutorial, Apache-2.0, licence beside it).
DESK = ROOT / "demos" / "assets" / "desk.jpg"
#: Photos of printed markers on a desk, no people (opencv_contrib, Apache-2.0).
NO_FACES = (
    DESK,
    IMAGES / "aruco_detection__singlemarkersoriginal.jpg",
    IMAGES / "charuco_detection__choriginal.jpg",
)

#: The part of the portrait pasted: the face with hair, ears and chin around it.
_CROP = (290, 60, 720, 540)

Box = tuple[float, float, float, float]


def load(path: Path) -> np.ndarray:
    """A photo as H × W × 3 uint8 RGB."""
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB")).copy()


@cache
def face_truth_box() -> Box:
    """The portrait's face in its pixels: the box of MediaPipe's expected 478 landmarks."""
    data = json.loads((IMAGES / "business-person_expected_face_landmarks.json").read_text())
    width, height = Image.open(FACE_PHOTO).size
    points = np.asarray(data["landmarks"], dtype=np.float64)[:, :2] * [width, height]
    x0, y0 = points.min(axis=0)
    x1, y1 = points.max(axis=0)
    return (float(x0), float(y0), float(x1), float(y1))


def desk_frame(width: int, height: int) -> np.ndarray:
    """The desk photo (1280 × 960) as a frame of this size: cropped to the aspect ratio
    around its centre, then resized."""
    with Image.open(DESK) as im:
        desk = im.convert("RGB")
    aspect = width / height
    w, h = desk.size
    if w / h > aspect:
        cw, ch = round(h * aspect), h
    else:
        cw, ch = w, round(w / aspect)
    left, top = (w - cw) // 2, (h - ch) // 2
    crop = desk.crop((left, top, left + cw, top + ch)).resize((width, height), Image.LANCZOS)
    return np.asarray(crop).copy()


def paste_face(
    background: np.ndarray, face_width: float, at: tuple[float, float]
) -> tuple[np.ndarray, Box]:
    """``background`` with the portrait's face pasted ``face_width`` pixels wide (the
    landmark box's width), its face box's top-left corner at ``at``; returns the new
    image and the face's truth box. The background array is not changed."""
    tx0, ty0, tx1, _ = face_truth_box()
    scale = face_width / (tx1 - tx0)
    with Image.open(FACE_PHOTO) as im:
        crop = im.convert("RGB").crop(_CROP)
    size = (max(1, round(crop.width * scale)), max(1, round(crop.height * scale)))
    patch = crop.resize(size, Image.LANCZOS)
    mask = Image.new("L", crop.size, 0)
    ImageDraw.Draw(mask).ellipse((20, 10, crop.width - 20, crop.height - 10), fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(12)).resize(size, Image.LANCZOS)
    ox = at[0] - (tx0 - _CROP[0]) * scale  # where the crop's corner goes
    oy = at[1] - (ty0 - _CROP[1]) * scale
    scene = Image.fromarray(background)
    scene.paste(patch, (round(ox), round(oy)), mask)
    box = face_truth_box()
    truth = (
        round(ox) + (box[0] - _CROP[0]) * scale,
        round(oy) + (box[1] - _CROP[1]) * scale,
        round(ox) + (box[2] - _CROP[0]) * scale,
        round(oy) + (box[3] - _CROP[1]) * scale,
    )
    return np.asarray(scene).copy(), truth


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two (x0, y0, x1, y1) boxes."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def spread_positions(
    width: int, height: int, face_width: float, count: int, seed: int = 0
) -> list[tuple[float, float]]:
    """``count`` face positions spread over a frame, reproducibly, with room for the
    pasted hair above and neck below."""
    rng = np.random.default_rng(seed)
    margin_x, top, bottom = 0.3 * face_width, 0.6 * face_width, 0.8 * face_width
    xs = rng.uniform(margin_x, width - face_width - margin_x, count)
    ys = rng.uniform(top, height - face_width * 1.1 - bottom, count)
    return [(float(x), float(y)) for x, y in zip(xs, ys)]
