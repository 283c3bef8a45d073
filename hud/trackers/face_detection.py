"""Faces as boxes, from MediaPipe's face detector: what privacy redaction needs to find.

The face mesh (:mod:`hud.trackers.faces`) follows one or two nearby faces closely; a
bystander several metres away is too small for it. This adapter runs MediaPipe's
BlazeFace *full-range* model (``solutions.face_detection`` with ``model_selection=1``,
the ``face_detection_full_range_sparse.tflite`` inside the mediapipe 0.10.21 wheel;
nothing is downloaded), which is meant for faces up to about five metres away.

Small faces: the model sees the image shrunk to 192 × 192 pixels and finds a face only
when it is at least about 7.5 % of the image's longer side (measured on real photos, see
``tests/unit/trackers/test_face_detection.py``): in a 1280 × 720 frame, nothing under
about 96 pixels. So the image is also scanned in overlapping square tiles, each a level
of a small pyramid (:func:`tile_plan`), sized so that a face of
``min_face_fraction`` of the longer side is 7.5 % of a tile. The cost is one model run
per tile (about 4 ms each on one laptop core); detections of all tiles are merged by
non-maximum suppression. ``min_face_fraction=None`` runs the whole image only.

Results are :class:`hud.trackers.results.FaceDetection` in pixels of the given image.
Images are RGB ``uint8`` (grey and RGBA are converted, as for the landmarkers).
"""

from __future__ import annotations

import dataclasses
import math
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from hud.errors import HudError, OptionsError
from hud.trackers.landmarker import (
    as_rgb,
    check_unit,
    import_mediapipe,
    quiet_native_logs,
    read_only,
)
from hud.trackers.results import FACE_KEYPOINT_COUNT, FaceDetection

#: Smallest face each model finds reliably, as a fraction of its input's longer side
#: (measured: full range finds 6 of 8 pasted faces at 7.5 %, short range needs ~10 %).
DETECTION_FLOOR = {0: 0.10, 1: 0.075}
#: The smallest face the tiles look for, in pixels, whatever the image's size: a face
#: this small carries no identity (the full-range model itself finds 16 px faces in a
#: 1280×720 frame at only 3 of 16 places).
MIN_FACE_PX = 16.0
#: Tiles of one pyramid level overlap by this fraction of their side, so a face up to
#: that size lies wholly inside at least one tile.
TILE_OVERLAP = 0.3
#: A face must be this much larger than a level's floor for the next level to own it.
_FLOOR_MARGIN = 1.15
#: Two boxes are one face when this fraction of the smaller lies inside the other
#: (a half face cut by a tile border, found again whole by another tile).
_CONTAINED = 0.7

Tile = tuple[int, int, int]  # x, y, side in pixels


@dataclass(frozen=True)
class FaceDetectorOptions:
    """Settings for :class:`FaceDetector`, named as MediaPipe's where MediaPipe has them.

    ``model_selection`` is the legacy solution's: 1 the full-range model (faces up to
    about 5 m), 0 the short-range one (faces within 2 m, a little faster).
    ``min_suppression_threshold`` is the IoU above which two boxes are one face.
    ``min_face_fraction`` is the width of the smallest face to find, as a fraction of
    the image's longer side (0.03: 38 px in 1280 × 720, about 3.5 m away with a 70°
    camera); smaller values scan more tiles. ``None`` runs the whole image only.
    """

    min_detection_confidence: float = 0.5
    min_suppression_threshold: float = 0.3
    model_selection: int = 1
    min_face_fraction: float | None = 0.03

    def __post_init__(self) -> None:
        check_unit("min_detection_confidence", self.min_detection_confidence)
        check_unit("min_suppression_threshold", self.min_suppression_threshold)
        if isinstance(self.model_selection, bool) or self.model_selection not in (0, 1):
            raise OptionsError(
                f"model_selection must be 0 (short range) or 1 (full range), "
                f"got {self.model_selection!r}"
            )
        fraction = self.min_face_fraction
        if fraction is not None and not (
            isinstance(fraction, int | float) and 0.01 <= fraction <= 1.0
        ):
            raise OptionsError(f"min_face_fraction must be None or 0.01 to 1, got {fraction!r}")


def tile_plan(width: int, height: int, min_face_fraction: float | None, floor: float) -> list[Tile]:
    """The square tiles scanned besides the whole image, smallest level first.

    Level 0's side makes a face of ``min_face_fraction`` of the longer side ``floor``
    of a tile. Tiles of a level overlap by :data:`TILE_OVERLAP` of their side, so every
    face up to that size lies inside one of them; larger faces belong to the next
    level, whose tiles are that many times bigger, and from some size on to the whole
    image, which finds faces of ``floor`` of its longer side. A level's tiles are at
    most the image's shorter side and are spread evenly, the last flush with the edge.
    """
    if min_face_fraction is None:
        return []
    longer, shorter = max(width, height), min(width, height)
    whole = _FLOOR_MARGIN * floor * longer  # faces from this size: the whole image finds them
    # Never smaller than MIN_FACE_PX: in a small image (a crop) the fraction would ask
    # for faces of a few pixels, which nobody can recognise, at the cost of 9 tiles.
    side = max(min_face_fraction * longer, MIN_FACE_PX) / floor
    tiles: list[Tile] = []
    while side < longer:
        s = int(math.ceil(min(side, shorter)))
        last = TILE_OVERLAP * s >= whole or s >= shorter
        overlap = min(whole, s / 2.0) if last else TILE_OVERLAP * s
        tiles.extend(
            (x, y, s) for y in _starts(height, s, overlap) for x in _starts(width, s, overlap)
        )
        if last:
            break
        side = TILE_OVERLAP * s / (_FLOOR_MARGIN * floor)
    return tiles


def _starts(length: int, side: int, overlap: float) -> list[int]:
    """Offsets of tiles of ``side`` covering ``length`` with at least ``overlap``."""
    if side >= length:
        return [0]
    count = math.ceil((length - side) / max(side - overlap, 1.0)) + 1
    return [round(i * (length - side) / (count - 1)) for i in range(count)]


class FaceDetector:
    """Face boxes with scores and six keypoints, from the whole image and its tiles.

    Use as a context manager (or call :meth:`close`) so MediaPipe's graph stops. Every
    call treats its image as unrelated to the last (the detector keeps no state), so
    frames of a video can be given in any order.
    """

    #: MediaPipe prints native banners on its first runs; those run with stderr silenced.
    _QUIET_RUNS = 3

    def __init__(self, options: FaceDetectorOptions | None = None) -> None:
        self.options = options or FaceDetectorOptions()
        self._closed = False
        self._runs = 0
        #: A MediaPipe graph runs one image at a time: a detector shared by threads (the
        #: frame loop's saved frames, the answer worker's crops) takes turns.
        self._lock = threading.Lock()
        mp = import_mediapipe()
        with quiet_native_logs():  # building the graph prints native banners too
            self._solution: Any = mp.solutions.face_detection.FaceDetection(
                model_selection=self.options.model_selection,
                min_detection_confidence=self.options.min_detection_confidence,
            )
            # The graph opens its model on a worker thread, which prints TFLite's
            # banner whenever it gets there: one frame waits for that, still silenced.
            self._solution.process(read_only(np.zeros((32, 32, 3), np.uint8)))

    @classmethod
    def create_from_options(cls, options: FaceDetectorOptions) -> FaceDetector:
        """Same as the constructor; named like the MediaPipe Tasks factory."""
        return cls(options)

    def tiles(self, width: int, height: int) -> list[Tile]:
        """The tiles :meth:`detect` scans in an image of this size (besides the whole)."""
        floor = DETECTION_FLOOR[self.options.model_selection]
        return tile_plan(width, height, self.options.min_face_fraction, floor)

    def detect(self, image: np.ndarray) -> list[FaceDetection]:
        """Faces in one RGB image, best score first, boxes in its pixels. Thread-safe:
        calls from several threads run one after another."""
        rgb = as_rgb(image)
        with self._lock:
            if self._closed:
                raise HudError("this FaceDetector is closed")
            self._runs += 1
            if self._runs > self._QUIET_RUNS:
                return self._detect(rgb)
            with quiet_native_logs():
                return self._detect(rgb)

    def _detect(self, rgb: np.ndarray) -> list[FaceDetection]:
        height, width = rgb.shape[:2]
        found = self._run(rgb, 0, 0, (width, height))
        for x, y, side in self.tiles(width, height):
            tile = np.ascontiguousarray(rgb[y : y + side, x : x + side])
            found.extend(self._run(tile, x, y, (width, height)))
        return suppress(found, self.options.min_suppression_threshold)

    def _run(self, rgb: np.ndarray, x: int, y: int, size: tuple[int, int]) -> list[FaceDetection]:
        """Detections in ``rgb`` (the image or a tile at ``x, y``) in image pixels."""
        try:
            out = self._solution.process(read_only(rgb))
        except RuntimeError as exc:  # MediaPipe's own failures, as one line
            raise HudError(f"MediaPipe's face detector failed: {exc}") from None
        height, width = rgb.shape[:2]
        faces = []
        for detection in out.detections or []:
            face = _from_mediapipe(detection, width, height, x, y, size)
            if face is not None:
                faces.append(face)
        return faces

    def close(self) -> None:
        """Stop MediaPipe's graph; further calls raise. Safe to call twice."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._solution.close()

    def __enter__(self) -> FaceDetector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _from_mediapipe(
    detection: Any, width: int, height: int, x: int, y: int, size: tuple[int, int]
) -> FaceDetection | None:
    """One MediaPipe detection (normalised to its tile) in the whole image's pixels;
    ``None`` for a box that lies outside the image altogether."""
    location = detection.location_data
    rel = location.relative_bounding_box
    x0 = min(max(x + rel.xmin * width, 0.0), float(size[0]))
    y0 = min(max(y + rel.ymin * height, 0.0), float(size[1]))
    x1 = min(max(x + (rel.xmin + rel.width) * width, 0.0), float(size[0]))
    y1 = min(max(y + (rel.ymin + rel.height) * height, 0.0), float(size[1]))
    if not (x1 > x0 and y1 > y0):
        return None
    points = [(x + p.x * width, y + p.y * height) for p in location.relative_keypoints]
    if len(points) != FACE_KEYPOINT_COUNT:  # pragma: no cover - the model gives six
        raise HudError(f"face detector gave {len(points)} keypoints, expected 6")
    return FaceDetection(
        box=(x0, y0, x1, y1),
        score=float(detection.score[0]),
        keypoints=np.array(points, dtype=np.float64),
        image_size=size,
    )


def _overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> tuple[float, float]:
    """(IoU of a and b, fraction of the smaller box inside the other)."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    area_a = (a[2] - a[0]) * (a[3] - a[1])
    area_b = (b[2] - b[0]) * (b[3] - b[1])
    union = area_a + area_b - inter
    return (inter / union if union > 0 else 0.0), inter / max(min(area_a, area_b), 1e-9)


def suppress(faces: list[FaceDetection], iou_threshold: float) -> list[FaceDetection]:
    """Non-maximum suppression across tiles, merging rather than dropping boxes.

    Detections of one face (boxes overlapping by more than ``iou_threshold`` IoU, or
    one lying mostly inside the other: a face cut by a tile border) become one: the
    best-scoring detection's score and keypoints, with the box spanning them all, so a
    confident half face never shrinks the whole face's box. Best scores first; ties
    keep the earlier detection, so the same detections always give the same result.
    """
    order = sorted(range(len(faces)), key=lambda i: (-faces[i].score, i))
    kept: list[FaceDetection] = []
    for i in order:
        face = faces[i]
        for k, best in enumerate(kept):
            iou, inside = _overlaps(face.box, best.box)
            if iou > iou_threshold or inside >= _CONTAINED:
                a, b = best.box, face.box
                union = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
                kept[k] = dataclasses.replace(best, box=union)
                break
        else:
            kept.append(face)
    return kept


__all__ = [
    "DETECTION_FLOOR",
    "FaceDetection",
    "FaceDetector",
    "FaceDetectorOptions",
    "suppress",
    "tile_plan",
]
