"""ArUco and AprilTag markers: detection in one or many dictionaries, and marker pose.

Two detectors sit behind :func:`detect_markers`. OpenCV's ArUco detector reads every
``DICT_*`` dictionary, ``DICT_APRILTAG_*`` included (OpenCV's copies of the AprilTag code
tables: those names behave exactly as before). The AprilTag 3 reference library
(:mod:`hud.trackers.apriltags`) reads the AprilTag family names ``tag36h11``,
``tag25h9``, ``tagCircle21h7`` and ``tagStandard41h12``: it finds tags a few pixels per
cell across that OpenCV misses, with corners several times closer to the truth, so small,
distant tags are the reason to name a family rather than its ``DICT_APRILTAG_*`` copy.
``tag16h5`` is the one family name served by OpenCV (see that module for why), and
``auto`` reads tag36h11 with the reference library instead of OpenCV.

Markers are how a HUD card gets pinned to a real object, so two things matter more than
raw recall: a marker must not be reported twice (or under the wrong dictionary), and a
pattern on a box or a shirt must not become a marker. Detection itself is OpenCV's
:class:`cv2.aruco.ArucoDetector` with sub-pixel corner refinement; this module adds

* **auto search** over the common dictionaries (:data:`AUTO_DICTIONARIES`). Each family
  is searched once with its largest ArUco variant (``DICT_6X6_1000`` contains
  ``DICT_6X6_50/100/250`` as its first codes) and reported as ``_250`` when every id
  seen fits (the size tutorials, board generators and most prints use; ids cannot tell a
  ``_50`` print from a ``_250`` one), else ``_1000``.
* **false-alarm control** for that search. A random square blob that passes the border
  test decodes as *some* code with probability about
  ``4 · codes · Σ_{k≤c} C(bits, k) / 2^bits`` (4 rotations, ``c`` corrected bits). That is
  6 % for ``DICT_4X4_1000`` even without correction and 17 % for ``DICT_ARUCO_MIP_36h12``
  with OpenCV's default correction, so searching ten dictionaries finds "markers" in
  printed icons (the ArUco test photo has two on a cardboard box). Auto search therefore
  allows each dictionary only as many corrected bits as keep that probability under
  :data:`MAX_FALSE_ALARM` and, for dictionaries that stay above it even with exact
  decoding (4×4, 5×5, ARUCO_ORIGINAL, AprilTag 16h5), accepts a detection only if its
  cells are clearly imaged: every cell near the black or white level of the marker's
  own code, and a black/white contrast that is a fair share of the image's range.
  Naming one dictionary skips all this and uses OpenCV's normal tolerance.
* **de-duplication**: the same physical marker can decode in several dictionaries
  (6×6 ArUco, AprilTag 36h10/36h11 and ARUCO_MIP_36h12 share one 8×8 cell layout).
  Detections that overlap (IoU ≥ 0.5, or one's centre inside the other) are one marker,
  and the reading kept is the one whose re-read cells disagree with its code in the
  fewest bits; ties go to the dictionary that decoded more markers in the image (a
  board or a scene is printed from one dictionary), then to the one with more bits,
  then to the smaller dictionary the id needs (the only exact coincidence among the
  auto dictionaries is AprilTag 16h5 #16 = 4×4 #227; one such marker alone is
  ambiguous and is reported as 16h5).
* **pose** with ``cv2.solvePnP(..., SOLVEPNP_SQPNP)`` refined by Levenberg–Marquardt,
  rejected when the RMS reprojection error is too large or the marker would face away
  from the camera. ``SOLVEPNP_IPPE_SQUARE`` is deliberately not used: for a marker
  facing the camera straight on it can return the pose rotated 180°.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from hud.errors import HudError, OptionsError
from hud.trackers import apriltags
from hud.trackers.apriltags import AprilTagOptions
from hud.trackers.results import MarkerResult

_ARUCO_SIZES = (50, 100, 250, 1000)
_ARUCO_FAMILY = re.compile(r"^DICT_([4-7])X\1_(50|100|250|1000)$")

#: Every predefined dictionary, spelled as OpenCV documents it.
STANDARD_DICTIONARIES: tuple[str, ...] = tuple(
    name
    for name in (
        *(f"DICT_{n}X{n}_{size}" for n in (4, 5, 6, 7) for size in _ARUCO_SIZES),
        "DICT_ARUCO_ORIGINAL",
        "DICT_APRILTAG_16h5",
        "DICT_APRILTAG_25h9",
        "DICT_APRILTAG_36h10",
        "DICT_APRILTAG_36h11",
        "DICT_ARUCO_MIP_36h12",
    )
    if hasattr(cv2.aruco, name)
)

#: What ``auto`` searches: one dictionary per family. The ArUco families are searched at
#: their largest size, except 4×4: ``DICT_4X4_1000`` packs 1000 codes into 16 bits so
#: tightly (minimum distance 1) that one misread cell gives another valid id, whereas
#: ``DICT_4X4_250`` codes are at least 3 bits apart. Name ``DICT_4X4_1000`` for ids ≥ 250.
AUTO_DICTIONARIES: tuple[str, ...] = tuple(
    name
    for name in (
        "DICT_4X4_250",
        "DICT_5X5_1000",
        "DICT_6X6_1000",
        "DICT_7X7_1000",
        "DICT_ARUCO_ORIGINAL",
        "DICT_APRILTAG_16h5",
        "DICT_APRILTAG_25h9",
        "DICT_APRILTAG_36h10",
        "DICT_ARUCO_MIP_36h12",
    )
    if hasattr(cv2.aruco, name)
)
#: What ``auto`` reads with the AprilTag 3 library, after the OpenCV dictionaries above. It
#: replaces OpenCV's ``DICT_APRILTAG_36h11`` there (same codes, better recall and corners),
#: so every tag36h11 tag of an image is reported under one name. ``tagStandard41h12`` is
#: left out: its detector costs ~170 MB and 150 ms to build, on every ``auto`` user.
AUTO_APRILTAG_FAMILIES: tuple[str, ...] = ("tag36h11",)

#: Auto search keeps the chance that a random candidate decodes in one dictionary below this.
MAX_FALSE_ALARM = 1e-4
#: Clean-imaging gate for weak dictionaries: each cell at least this far (0..1) from the
#: wrong level towards its own ...
MIN_CELL_AGREEMENT = 0.8
#: ... and the marker's white-minus-black at least this share of the image's 1–99 % range.
MIN_RELATIVE_CONTRAST = 0.4
#: Two detections whose quads overlap at least this much are one physical marker.
OVERLAP_IOU = 0.5
#: Default limit on a pose's RMS corner reprojection error.
DEFAULT_MAX_REPROJECTION_PX = 2.0


def dictionary_names() -> tuple[str, ...]:
    """Names accepted by :func:`resolve_dictionary`, ``auto`` first."""
    return ("auto", *STANDARD_DICTIONARIES, *apriltags.APRILTAG_FAMILIES, "tag16h5")


def resolve_dictionary(name: str) -> str:
    """Return the canonical spelling of a dictionary name (case-insensitive), or ``auto``.

    AprilTag family names (``tag36h11``) stay as they are; ``tag16h5`` becomes
    ``DICT_APRILTAG_16h5``, the OpenCV copy that serves it. Raises :class:`HudError`
    listing the valid names, because a typo here would otherwise silently detect nothing.
    """
    wanted = name.strip()
    if wanted.lower() == "auto":
        return "auto"
    family = apriltags.resolve_family(wanted)
    if family is not None:
        return family if family in apriltags.APRILTAG_FAMILIES else f"DICT_APRILTAG_{family[3:]}"
    if not wanted.upper().startswith("DICT_"):
        wanted = "DICT_" + wanted
    for known in STANDARD_DICTIONARIES:
        if known.upper() == wanted.upper():
            return known
    raise OptionsError(
        f"unknown marker dictionary {name!r}; valid: {', '.join(dictionary_names())}"
    )


def _dictionary(name: str) -> Any:
    """The OpenCV code table of a dictionary, or of an AprilTag family's OpenCV copy."""
    table = apriltags.OPENCV_EQUIVALENT.get(name, name)
    return cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco, table))


def false_alarm_probability(name: str, corrected_bits: int) -> float:
    """Chance that uniformly random cell bits decode as some code of ``name``.

    Counts the 4 rotations and every code within ``corrected_bits`` bit flips. Real
    clutter is not uniformly random, so this ranks dictionaries rather than predicting
    an exact rate.
    """
    dictionary = _dictionary(name)
    bits = int(dictionary.markerSize) ** 2
    codes = int(dictionary.bytesList.shape[0])
    ball = sum(math.comb(bits, k) for k in range(corrected_bits + 1))
    return min(1.0, 4.0 * codes * ball / 2.0**bits)


def _auto_corrected_bits(name: str) -> int:
    """Most corrected bits (at most OpenCV's default 60 %) that keep false alarms rare."""
    dictionary = _dictionary(name)
    most = int(int(dictionary.maxCorrectionBits) * 0.6)
    best = 0
    for c in range(most + 1):
        if false_alarm_probability(name, c) <= MAX_FALSE_ALARM:
            best = c
    return best


def _detector(name: str, corrected_bits: int | None) -> Any:
    params = cv2.aruco.DetectorParameters()
    params.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_SUBPIX
    dictionary = _dictionary(name)
    if corrected_bits is not None:
        max_bits = int(dictionary.maxCorrectionBits)
        # OpenCV corrects int(maxCorrectionBits * rate) bits; +0.5 makes that exactly c.
        params.errorCorrectionRate = (corrected_bits + 0.5) / max_bits if max_bits else 0.0
    return cv2.aruco.ArucoDetector(dictionary, params)


def to_gray(image: np.ndarray) -> np.ndarray:
    """An 8-bit single-channel view of a gray, BGR or BGRA image (raises ``HudError``)."""
    array = np.asarray(image)
    if array.dtype != np.uint8:
        raise HudError(f"marker detection needs an 8-bit image, got {array.dtype}")
    if array.ndim == 2:
        return array
    if array.ndim == 3 and array.shape[2] == 1:
        return array[:, :, 0]
    if array.ndim == 3 and array.shape[2] == 3:
        return cv2.cvtColor(array, cv2.COLOR_BGR2GRAY)
    if array.ndim == 3 and array.shape[2] == 4:
        return cv2.cvtColor(array, cv2.COLOR_BGRA2GRAY)
    raise HudError(f"marker detection needs a gray or colour image, got shape {array.shape}")


@dataclass(frozen=True)
class CellReading:
    """How well the image inside a detected quad matches the code it decoded as.

    ``bit_errors``: data cells whose re-read bit differs from the code. ``agreement``:
    the worst cell's position between the wrong level (0) and its own level (1), where
    the levels are the median black and white cells of the code. ``contrast``: white
    level minus black level, in gray values.
    """

    bit_errors: int
    agreement: float
    contrast: float


def read_cells(
    gray: np.ndarray, corners: np.ndarray, dictionary_name: str, marker_id: int
) -> CellReading:
    """Re-read a detected marker's cells against the code of ``marker_id``.

    OpenCV does not report how many bits it corrected, and that is the best evidence for
    choosing between dictionaries, so the quad is warped to a square (8 px per cell) and
    the inner half of every cell is averaged. Corners are in OpenCV's order, so the code
    is compared unrotated.
    """
    dictionary = _dictionary(dictionary_name)
    size = int(dictionary.markerSize)
    cells = size + 2  # one border cell each side
    per_cell = 8
    side = cells * per_cell
    target = np.array([[0, 0], [side, 0], [side, side], [0, side]], dtype=np.float32) - 0.5
    warp = cv2.getPerspectiveTransform(np.asarray(corners, dtype=np.float32), target)
    square = cv2.warpPerspective(gray, warp, (side, side), flags=cv2.INTER_LINEAR)
    margin = per_cell // 4
    blocks = square.astype(np.float64).reshape(cells, per_cell, cells, per_cell)
    means = blocks[:, margin : per_cell - margin, :, margin : per_cell - margin].mean(axis=(1, 3))
    code = np.zeros((cells, cells), dtype=bool)
    inner = cv2.aruco.Dictionary.getBitsFromByteList(
        dictionary.bytesList[marker_id : marker_id + 1], size
    )
    code[1:-1, 1:-1] = inner.astype(bool)
    black = float(np.median(means[~code]))
    white = float(np.median(means[code])) if code.any() else 255.0
    contrast = white - black
    if contrast <= 1e-6:
        return CellReading(bit_errors=size * size, agreement=-1.0, contrast=contrast)
    level = (means - black) / contrast
    agreement = float(np.where(code, level, 1.0 - level).min())
    read = level[1:-1, 1:-1] > 0.5
    bit_errors = int(np.count_nonzero(read != code[1:-1, 1:-1]))
    return CellReading(bit_errors=bit_errors, agreement=agreement, contrast=contrast)


@dataclass(frozen=True, eq=False)
class _Candidate:
    dictionary: str
    id: int
    corners: np.ndarray
    reading: CellReading
    order: int


def _raw_detect(gray: np.ndarray, name: str, corrected_bits: int | None) -> list[_Candidate]:
    corners, ids, _rejected = _detector(name, corrected_bits).detectMarkers(gray)
    if ids is None:
        return []
    order = AUTO_DICTIONARIES.index(name) if name in AUTO_DICTIONARIES else 0
    found = []
    for quad, marker_id in zip(corners, ids.reshape(-1)):
        pts = np.asarray(quad, dtype=np.float64).reshape(4, 2)
        reading = read_cells(gray, pts, name, int(marker_id))
        found.append(_Candidate(name, int(marker_id), pts, reading, order))
    return found


def _apriltag_candidates(
    gray: np.ndarray, family: str, options: AprilTagOptions | None, order: int
) -> list[_Candidate]:
    """The reference library's tags, with its own bit count standing in for ours.

    The library samples cells better than :func:`read_cells` at a few pixels per cell, so
    its ``hamming`` is the bit-error count used for de-duplication; our re-read only
    supplies the agreement and contrast (and needs an OpenCV copy of the code table).
    """
    found = []
    for det in apriltags.detect_apriltags(gray, family, options):
        reading = CellReading(bit_errors=det.hamming, agreement=1.0, contrast=255.0)
        if family in apriltags.OPENCV_EQUIVALENT:
            ours = read_cells(gray, det.corners, family, det.id)
            reading = replace(ours, bit_errors=det.hamming)
        found.append(_Candidate(family, det.id, det.corners, reading, order))
    return found


def _polygon_iou(a: np.ndarray, b: np.ndarray) -> float:
    pa, pb = a.astype(np.float32), b.astype(np.float32)
    area_a = abs(float(cv2.contourArea(pa)))
    area_b = abs(float(cv2.contourArea(pb)))
    if area_a <= 0 or area_b <= 0:
        return 0.0
    # intersectConvexConvex wants both polygons with the same orientation.
    if cv2.contourArea(pa, oriented=True) < 0:
        pa = pa[::-1].copy()
    if cv2.contourArea(pb, oriented=True) < 0:
        pb = pb[::-1].copy()
    inter, _ = cv2.intersectConvexConvex(pa, pb)
    inter = float(inter)
    return inter / (area_a + area_b - inter) if inter > 0 else 0.0


def _same_marker(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two quads are one physical marker (overlapping, or one inside the other)."""
    if _polygon_iou(a, b) >= OVERLAP_IOU:
        return True
    for inner, outer in ((a, b), (b, a)):
        centre = inner.mean(axis=0)
        inside = cv2.pointPolygonTest(
            outer.astype(np.float32), (float(centre[0]), float(centre[1])), False
        )
        if inside > 0:
            return True
    return False


def _bits(name: str) -> int:
    return int(_dictionary(name).markerSize) ** 2


def _resolve_overlaps(candidates: list[_Candidate]) -> list[_Candidate]:
    """Keep one reading per physical marker (see the module docstring for the order)."""
    per_dictionary = Counter(c.dictionary for c in candidates)

    def rank(c: _Candidate) -> tuple[int, int, int, int, float, int]:
        return (
            c.reading.bit_errors,
            -per_dictionary[c.dictionary],
            -_bits(c.dictionary),
            _needed_size(c.dictionary, c.id),
            -c.reading.agreement,
            c.order,
        )

    kept: list[_Candidate] = []
    for cand in sorted(candidates, key=rank):
        if not any(_same_marker(cand.corners, k.corners) for k in kept):
            kept.append(cand)
    return kept


def _needed_size(name: str, marker_id: int) -> int:
    """Codes in the smallest standard dictionary that holds this reading.

    Breaks exact ties between dictionaries: ``DICT_APRILTAG_16h5`` #16 and ``DICT_4X4``
    #227 are the same pattern, and a 30-code family is the likelier print than the
    250-code size that id 227 needs.
    """
    match = _ARUCO_FAMILY.match(name)
    if match is None:
        return int(_dictionary(name).bytesList.shape[0])
    return next(s for s in _ARUCO_SIZES if marker_id < s)


def _report_name(name: str, ids: Sequence[int]) -> str:
    """The conventional size of an ArUco family for the ids seen: ``_250``, else ``_1000``.

    ``_50``, ``_100`` and ``_250`` share their first codes, so the ids cannot say which
    size was printed; ``_250`` is the one OpenCV's tutorials and board generators default to.
    """
    match = _ARUCO_FAMILY.match(name)
    if match is None:
        return name
    n = match.group(1)
    return f"DICT_{n}X{n}_{250 if max(ids) < 250 else 1000}"


def _passes_gate(c: _Candidate, image_range: float) -> bool:
    """The clean-imaging test for dictionaries too dense to trust on decoding alone."""
    if c.reading.bit_errors > 0 or c.reading.agreement < MIN_CELL_AGREEMENT:
        return False
    return c.reading.contrast >= MIN_RELATIVE_CONTRAST * max(image_range, 1.0)


def detect_markers(
    image: np.ndarray,
    dictionary: str = "auto",
    *,
    marker_length_m: float | None = None,
    intrinsics: CameraIntrinsics | None = None,
    max_reprojection_error_px: float = DEFAULT_MAX_REPROJECTION_PX,
    apriltag_options: AprilTagOptions | None = None,
) -> list[MarkerResult]:
    """Find markers in a gray or BGR image; with a size and intrinsics, their poses too.

    ``dictionary`` is ``auto`` or one name of :func:`dictionary_names` (any case).
    ``apriltag_options`` tune the AprilTag 3 library (AprilTag family names and ``auto``);
    the defaults accept only exactly decoded tags. Results are sorted by dictionary, then
    id, then position. A pose that fails the reprojection check leaves ``rvec``/``tvec``
    ``None`` rather than dropping the marker.
    """
    name = resolve_dictionary(dictionary)
    gray = to_gray(image)
    if name in apriltags.APRILTAG_FAMILIES:
        tags = apriltags.detect_apriltags(gray, name, apriltag_options)
        found = [(name, t.id, t.corners) for t in tags]
    elif name == "auto":
        lo, hi = np.percentile(gray, [1, 99])
        image_range = float(hi - lo)
        candidates: list[_Candidate] = []
        for dict_name in AUTO_DICTIONARIES:
            corrected = _auto_corrected_bits(dict_name)
            weak = false_alarm_probability(dict_name, corrected) > MAX_FALSE_ALARM
            for cand in _raw_detect(gray, dict_name, corrected):
                if not weak or _passes_gate(cand, image_range):
                    candidates.append(cand)
        for i, family in enumerate(AUTO_APRILTAG_FAMILIES):
            order = len(AUTO_DICTIONARIES) + i
            candidates.extend(_apriltag_candidates(gray, family, apriltag_options, order))
        kept = _resolve_overlaps(candidates)
        ids_by_dict: dict[str, list[int]] = {}
        for c in kept:
            ids_by_dict.setdefault(c.dictionary, []).append(c.id)
        found = [
            (_report_name(c.dictionary, ids_by_dict[c.dictionary]), c.id, c.corners) for c in kept
        ]
    else:
        found = [(name, c.id, c.corners) for c in _raw_detect(gray, name, None)]
    results = [MarkerResult(dictionary=n, id=i, corners=c) for n, i, c in found]
    results.sort(key=lambda m: (m.dictionary, m.id, float(m.center[1]), float(m.center[0])))
    if marker_length_m is not None:
        if intrinsics is None:
            raise HudError("marker pose needs camera intrinsics (a calibration or a FOV)")
        results = [
            with_pose(m, marker_length_m, intrinsics, max_reprojection_error_px) for m in results
        ]
    return results


# --------------------------------------------------------------------------- camera + pose


@dataclass(frozen=True)
class CameraIntrinsics:
    """A pinhole camera: focal lengths and principal point in pixels, plus distortion.

    Pixel centres are at integer coordinates (OpenCV's convention). ``dist_coeffs`` are
    OpenCV's (k1, k2, p1, p2[, k3, ...]); empty means none.
    """

    fx: float
    fy: float
    cx: float
    cy: float
    width: int
    height: int
    dist_coeffs: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if not (self.fx > 0 and self.fy > 0):
            raise OptionsError(f"focal lengths must be positive, got fx={self.fx}, fy={self.fy}")
        if self.width <= 0 or self.height <= 0:
            raise OptionsError(f"image size must be positive, got {self.width}×{self.height}")

    @classmethod
    def from_hfov(cls, width: int, height: int, hfov_deg: float) -> CameraIntrinsics:
        """Square pixels, centred principal point, no distortion: a guess good to a few %.

        The FOV spans the image from the left edge of the first pixel to the right edge
        of the last, hence ``fx = (width / 2) / tan(hfov / 2)``.
        """
        if not 1.0 <= hfov_deg < 179.0:
            raise OptionsError(f"horizontal FOV must be between 1° and 179°, got {hfov_deg}")
        fx = (width / 2.0) / math.tan(math.radians(hfov_deg) / 2.0)
        return cls(fx, fx, (width - 1) / 2.0, (height - 1) / 2.0, int(width), int(height))

    @classmethod
    def from_file(cls, path: str | Path) -> CameraIntrinsics:
        """Load a calibration: JSON, or OpenCV FileStorage YAML/XML.

        JSON: ``{"camera_matrix": [[fx,0,cx],[0,fy,cy],[0,0,1]], "dist_coeffs": [...],
        "image_size": [w, h]}`` (``K``/``D``/``width``+``height`` are accepted too).
        FileStorage: ``camera_matrix`` (or ``K``), ``distortion_coefficients`` (or
        ``dist_coeffs``/``D``), ``image_width`` and ``image_height``.
        """
        p = Path(path)
        if not p.is_file():
            raise HudError(f"calibration file not found: {p}")
        try:
            if p.suffix.lower() == ".json":
                data = json.loads(p.read_text(encoding="utf-8"))
                if not isinstance(data, dict):
                    raise HudError(
                        f"calibration {p} must be a JSON object, got {type(data).__name__}"
                    )
                k = data.get("camera_matrix", data.get("K"))
                dist = data.get("dist_coeffs", data.get("distortion_coefficients", data.get("D")))
                size = data.get("image_size") or [data.get("width"), data.get("height")]
                matrix = np.asarray(k, dtype=np.float64).reshape(3, 3)
                width, height = int(size[0]), int(size[1])
            else:
                matrix, dist, width, height = _read_filestorage(p)
        except HudError:
            raise
        except (
            ValueError,
            TypeError,
            KeyError,
            IndexError,
            RecursionError,
            OverflowError,
            cv2.error,
        ) as exc:
            # Name the kind of problem, never the file's content (numpy echoes the value).
            raise HudError(
                f"cannot read calibration {p}: not a camera matrix, distortion and image size "
                f"({type(exc).__name__})"
            ) from None
        try:
            coeffs = tuple(float(v) for v in np.asarray(dist if dist is not None else []).ravel())
        except (ValueError, TypeError):
            raise HudError(f"calibration {p}: distortion coefficients must be numbers") from None
        values = (*matrix.ravel(), *coeffs)
        if not all(np.isfinite(v) for v in values):
            raise HudError(f"calibration {p}: the camera matrix and distortion must be finite")
        return cls(
            float(matrix[0, 0]),
            float(matrix[1, 1]),
            float(matrix[0, 2]),
            float(matrix[1, 2]),
            width,
            height,
            coeffs,
        )

    def camera_matrix(self) -> np.ndarray:
        """The 3 × 3 matrix OpenCV wants."""
        return np.array(
            [[self.fx, 0.0, self.cx], [0.0, self.fy, self.cy], [0.0, 0.0, 1.0]], dtype=np.float64
        )

    def distortion(self) -> np.ndarray:
        """Distortion coefficients as an array (zeros when none)."""
        return np.asarray(self.dist_coeffs or (0.0, 0.0, 0.0, 0.0), dtype=np.float64)

    def scaled_to(self, width: int, height: int) -> CameraIntrinsics:
        """The same camera at another resolution (same aspect ratio assumed per axis).

        A calibration is often made at one resolution and used at another; the focal
        lengths and principal point scale with the image, distortion does not.
        """
        if (width, height) == (self.width, self.height):
            return self
        sx, sy = width / self.width, height / self.height
        return replace(
            self,
            fx=self.fx * sx,
            fy=self.fy * sy,
            cx=(self.cx + 0.5) * sx - 0.5,
            cy=(self.cy + 0.5) * sy - 0.5,
            width=int(width),
            height=int(height),
        )


def _read_filestorage(path: Path) -> tuple[np.ndarray, Any, int, int]:
    try:
        fs = cv2.FileStorage(str(path), cv2.FILE_STORAGE_READ)
    except (cv2.error, SystemError):  # OpenCV's parser raises on malformed YAML/XML
        fs = None
    if fs is None or not fs.isOpened():
        raise HudError(f"cannot read calibration {path}: not JSON, YAML or XML")
    try:

        def node(*names: str) -> Any:
            for n in names:
                found = fs.getNode(n)
                if not found.empty():
                    return found
            return None

        k = node("camera_matrix", "K", "cameraMatrix")
        if k is None:
            raise HudError(f"calibration {path} has no camera_matrix")
        matrix = np.asarray(k.mat(), dtype=np.float64).reshape(3, 3)
        d = node("distortion_coefficients", "dist_coeffs", "D", "distCoeffs")
        dist = None if d is None else d.mat()
        w, h = node("image_width", "width"), node("image_height", "height")
        if w is None or h is None:
            raise HudError(f"calibration {path} has no image_width/image_height")
        return matrix, dist, int(w.real()), int(h.real())
    finally:
        fs.release()


def marker_object_points(marker_length_m: float) -> np.ndarray:
    """The 4 corners in the marker frame, in OpenCV's corner order (z = 0 plane)."""
    h = marker_length_m / 2.0
    return np.array([[-h, h, 0.0], [h, h, 0.0], [h, -h, 0.0], [-h, -h, 0.0]], dtype=np.float64)


@dataclass(frozen=True, eq=False)
class MarkerPose:
    """A marker pose: marker frame → camera frame, and its RMS reprojection error."""

    rvec: np.ndarray
    tvec: np.ndarray
    reprojection_error_px: float


def estimate_marker_pose(
    corners: np.ndarray,
    marker_length_m: float,
    intrinsics: CameraIntrinsics,
    max_reprojection_error_px: float = DEFAULT_MAX_REPROJECTION_PX,
) -> MarkerPose | None:
    """Pose of one square marker from its 4 corners, or ``None`` if it is not credible.

    SQPnP finds the global minimum of its cost without an initial guess; LM then
    minimises the actual reprojection error. ``None`` when the RMS error exceeds the
    limit (bad corners, wrong intrinsics or wrong marker size), the marker is behind the
    camera, or its printed face would point away from the camera (impossible for a
    marker that was seen).
    """
    if not marker_length_m > 0:
        raise OptionsError(f"marker size must be positive, got {marker_length_m}")
    obj = marker_object_points(marker_length_m)
    img = np.asarray(corners, dtype=np.float64).reshape(4, 2)
    k, dist = intrinsics.camera_matrix(), intrinsics.distortion()
    ok, rvec, tvec = cv2.solvePnP(obj, img, k, dist, flags=cv2.SOLVEPNP_SQPNP)
    if not ok:
        return None
    rvec, tvec = cv2.solvePnPRefineLM(obj, img, k, dist, rvec, tvec)
    rvec, tvec = rvec.reshape(3), tvec.reshape(3)
    projected, _ = cv2.projectPoints(obj, rvec, tvec, k, dist)
    error = float(np.sqrt(np.mean(np.sum((projected.reshape(4, 2) - img) ** 2, axis=1))))
    rotation, _ = cv2.Rodrigues(rvec)
    facing_camera = float(rotation[:, 2] @ tvec) < 0.0
    if tvec[2] <= 0 or not facing_camera or error > max_reprojection_error_px:
        return None
    return MarkerPose(rvec=rvec, tvec=tvec, reprojection_error_px=error)


def with_pose(
    marker: MarkerResult,
    marker_length_m: float,
    intrinsics: CameraIntrinsics,
    max_reprojection_error_px: float = DEFAULT_MAX_REPROJECTION_PX,
) -> MarkerResult:
    """A copy of ``marker`` with its pose filled in (left empty if rejected)."""
    pose = estimate_marker_pose(
        marker.corners, marker_length_m, intrinsics, max_reprojection_error_px
    )
    if pose is None:
        return marker
    return replace(
        marker,
        rvec=pose.rvec,
        tvec=pose.tvec,
        reprojection_error_px=pose.reprojection_error_px,
    )


def camera_intrinsics(
    width: int,
    height: int,
    *,
    calibration: str | Path | None = None,
    hfov_deg: float | None = None,
) -> CameraIntrinsics | None:
    """The camera model for frames of ``width`` × ``height``, or ``None`` without one.

    A calibration file (JSON or OpenCV YAML/XML) wins and is rescaled to the frame size;
    it must have the frame's aspect ratio (a different one means a crop, which rescaling
    cannot fix). Otherwise an FOV gives the usual pinhole estimate.
    """
    if calibration is not None and hfov_deg is not None:
        raise OptionsError("give either a calibration file or a field of view, not both")
    if calibration is not None:
        calib = CameraIntrinsics.from_file(calibration)
        if abs(calib.width / calib.height - width / height) > 0.01 * (width / height):
            raise HudError(
                f"calibration {calibration} is for {calib.width}×{calib.height} images, but "
                f"the frames are {width}×{height} (a different shape: cropped?)"
            )
        return calib.scaled_to(width, height)
    if hfov_deg is not None:
        return CameraIntrinsics.from_hfov(width, height, hfov_deg)
    return None
