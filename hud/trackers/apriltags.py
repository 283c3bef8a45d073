"""AprilTag families through the AprilTag 3 reference detector (``pupil-apriltags``).

OpenCV's ``DICT_APRILTAG_*`` dictionaries hold the same code tables, but its ArUco
detector needs a tag of roughly 40 px or more: the reference library's quad finder and
decoder (edge refinement, decode sharpening, a decision margin per tag) read tags a few
pixels per cell across, which is what small, distant tags in outdoor photos look like.
This module wraps that library and returns plain detections that
:mod:`hud.trackers.markers` turns into :class:`~hud.trackers.results.MarkerResult`, so
pose goes through the same SQPnP path as ArUco markers.

What the wrapper fixes or avoids in ``pupil-apriltags`` 1.0.4 (all checked by tests or by
hand on that wheel):

* **corner order and pixel convention.** The library lists corners counter-clockwise
  and puts pixel centres at ``i + 0.5``; :func:`detect_apriltags` returns them in
  OpenCV's order (the tag's top-left, top-right, bottom-right, bottom-left, as
  ``cv2.aruco.generateImageMarker`` draws the same code) with pixel centres at integers,
  so one physical tag gives one pose whichever backend read it.
* **one family per detector.** ``Detector(families="a b")`` silently keeps only the first
  family it knows, so detectors are made and cached per family.
* **decode sharpening** is truncated to an integer by the constructor (0.25 becomes 0);
  it is set on the native struct after construction instead.
* **families left out.** ``tag16h5``: creating its detector twice corrupts the C heap
  (the process aborts later), so that name is served by OpenCV's identical
  ``DICT_APRILTAG_16h5``. ``tagCircle49h12``, ``tagCustom48h12`` and
  ``tagStandard52h13``: the wheel always builds a 2-bit-correction lookup table, which
  for these takes gigabytes.
* **cost.** A detector is a native resource and expensive to build (``tag36h11`` about
  35 MB and 30 ms, ``tagStandard41h12`` about 170 MB and 150 ms), so detectors live in a
  module-level cache keyed by family and settings, each behind a lock (the C detector is
  not re-entrant), and are never destroyed (see :func:`_never_destroy`: destroying one
  can crash the process).
"""

from __future__ import annotations

import atexit
import math
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from hud.errors import OptionsError

#: Families read by the reference library, spelled as AprilTag spells them.
APRILTAG_FAMILIES: tuple[str, ...] = ("tag25h9", "tag36h11", "tagCircle21h7", "tagStandard41h12")
#: AprilTag families whose OpenCV dictionary holds the same codes under the same ids.
OPENCV_EQUIVALENT: dict[str, str] = {
    "tag16h5": "DICT_APRILTAG_16h5",
    "tag25h9": "DICT_APRILTAG_25h9",
    "tag36h11": "DICT_APRILTAG_36h11",
}
#: Default floor on the library's decision margin (mean distance of the data cells from
#: the decoding threshold, in gray levels). The lowest margin of a correctly read tag in
#: our renders was 22 (0.5°–1° tags at 40 % print contrast, blur and noise); exact
#: tag36h11 decoding already makes clutter rare, so the floor only drops near-threshold
#: reads of barely visible quads, which matter more for the 21- and 25-bit families.
DEFAULT_MIN_DECISION_MARGIN = 15.0
#: Reorders the library's corners (counter-clockwise) into OpenCV's: on the same tag the
#: library's corners 1, 0, 3, 2 are OpenCV's top-left, top-right, bottom-right, bottom-left.
_TO_OPENCV = (1, 0, 3, 2)


@dataclass(frozen=True)
class AprilTagOptions:
    """Settings of the reference detector and of what it may report.

    ``max_hamming``: most corrected bits accepted (the library corrects up to 2). The
    default 0 keeps a false tag36h11 at about 3 in 10⁸ random quads; 2 would allow
    about 2 in 10⁵ and recovers tags with a damaged or glared cell.
    ``min_decision_margin``: see :data:`DEFAULT_MIN_DECISION_MARGIN`.
    ``quad_decimate``: 1 finds the smallest tags; 2 is the library's faster default and
    halves the smallest size it can find. ``quad_sigma``: Gaussian blur (px) before quad
    finding, for very noisy images. ``decode_sharpening``: the library's default 0.25,
    which helps small tags. ``nthreads``: native worker threads.
    """

    max_hamming: int = 0
    min_decision_margin: float = DEFAULT_MIN_DECISION_MARGIN
    quad_decimate: float = 1.0
    quad_sigma: float = 0.0
    decode_sharpening: float = 0.25
    nthreads: int = 1

    def __post_init__(self) -> None:
        hamming = self.max_hamming
        if isinstance(hamming, bool) or hamming not in (0, 1, 2):
            raise OptionsError(f"AprilTag max_hamming must be 0, 1 or 2, got {hamming!r}")
        lowest = {
            "min_decision_margin": 0.0,
            "quad_decimate": 1.0,
            "quad_sigma": 0.0,
            "decode_sharpening": 0.0,
        }
        for name, low in lowest.items():
            value = getattr(self, name)
            if not _is_number(value) or not (math.isfinite(value) and value >= low):
                raise OptionsError(
                    f"AprilTag {name} must be a number of at least {low:g}, got {value!r}"
                )
        threads = self.nthreads
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
            raise OptionsError(
                f"AprilTag nthreads must be a whole number of at least 1, got {threads!r}"
            )


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass(frozen=True, eq=False)
class AprilTagDetection:
    """One tag the library accepted: corners in OpenCV's order and pixel convention."""

    family: str
    id: int
    corners: np.ndarray
    hamming: int
    decision_margin: float


def resolve_family(name: str) -> str | None:
    """The canonical spelling of an AprilTag family (case-insensitive), or ``None``."""
    wanted = name.strip().lower()
    for family in (*APRILTAG_FAMILIES, *OPENCV_EQUIVALENT):
        if family.lower() == wanted:
            return family
    return None


_cache_lock = threading.Lock()
_detectors: dict[tuple[str, float, float, float, int], tuple[Any, threading.Lock]] = {}


def _detector(family: str, options: AprilTagOptions) -> tuple[Any, threading.Lock]:
    key = (
        family,
        float(options.quad_decimate),
        float(options.quad_sigma),
        float(options.decode_sharpening),
        int(options.nthreads),
    )
    with _cache_lock:
        cached = _detectors.get(key)
        if cached is None:
            from pupil_apriltags import Detector  # type: ignore[import-untyped]

            detector = Detector(
                families=family,
                nthreads=options.nthreads,
                quad_decimate=options.quad_decimate,
                quad_sigma=options.quad_sigma,
                refine_edges=1,
                decode_sharpening=options.decode_sharpening,
            )
            # The constructor truncates this to an int; the C field is a double.
            detector.tag_detector_ptr.contents.decode_sharpening = float(options.decode_sharpening)
            cached = (detector, threading.Lock())
            _detectors[key] = cached
        return cached


@atexit.register
def _never_destroy() -> None:
    """Stop the cached detectors' destructors from running at interpreter exit.

    In this wheel, destroying a detector that has detected after OpenCV's ArUco detector
    ran in the same process segfaults (reproduced with the bare library, no wrapper).
    Detectors are therefore never destroyed: the cache lives for the whole process and
    the operating system takes the memory back at exit.
    """
    with _cache_lock:
        for detector, _lock in _detectors.values():
            detector.tag_detector_ptr = None  # its __del__ then frees nothing


def detect_apriltags(
    gray: np.ndarray, family: str, options: AprilTagOptions | None = None
) -> list[AprilTagDetection]:
    """Tags of one family in an 8-bit gray image, filtered by ``options``.

    ``family`` must be one of :data:`APRILTAG_FAMILIES` (callers resolve names first).
    """
    if family not in APRILTAG_FAMILIES:
        raise OptionsError(
            f"AprilTag family {family!r} is not read by the reference library; "
            f"valid: {', '.join(APRILTAG_FAMILIES)}"
        )
    opts = options or AprilTagOptions()
    image = np.ascontiguousarray(gray, dtype=np.uint8)
    if image.ndim != 2 or min(image.shape) < 2:
        return []
    detector, lock = _detector(family, opts)
    with lock:
        raw = detector.detect(image)
    found = []
    for det in raw:
        if int(det.hamming) > opts.max_hamming:
            continue
        if float(det.decision_margin) < opts.min_decision_margin:
            continue
        corners = np.asarray(det.corners, dtype=np.float64).reshape(4, 2)[list(_TO_OPENCV)]
        found.append(
            AprilTagDetection(
                family=family,
                id=int(det.tag_id),
                corners=corners - 0.5,
                hamming=int(det.hamming),
                decision_margin=float(det.decision_margin),
            )
        )
    return found
