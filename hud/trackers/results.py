"""Plain result types that every tracker returns.

They carry numpy arrays and nothing from MediaPipe or OpenCV, so gestures, anchoring,
layout and tests can use them without importing either library, and so a recorded or
synthetic result looks exactly like a live one. Coordinates keep the conventions of the
library that produced them (documented per field) rather than being converted here,
because the gesture and gaze code is written against those conventions.

The dataclasses are frozen (a result is a fact about one frame) and compare by identity
(``eq=False``): element-wise numpy comparison would make ``==`` ambiguous.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

Handedness = Literal["Left", "Right"]

#: Number of hand landmarks MediaPipe gives (wrist, then 4 per finger from thumb to pinky).
HAND_LANDMARK_COUNT = 21
#: MediaPipe's 21-point hand skeleton: the landmark pairs joined by a bone.
HAND_CONNECTIONS: tuple[tuple[int, int], ...] = (
    (0, 1), (1, 2), (2, 3), (3, 4),
    (0, 5), (5, 6), (6, 7), (7, 8),
    (5, 9), (9, 10), (10, 11), (11, 12),
    (9, 13), (13, 14), (14, 15), (15, 16),
    (13, 17), (0, 17), (17, 18), (18, 19), (19, 20),
)  # fmt: skip
#: Face-mesh landmarks with ``refine_landmarks=True``: 468 mesh points + 2 × 5 iris points.
FACE_LANDMARK_COUNT = 478
#: First iris landmark: 468–472 is one iris (centre first), 473–477 the other.
IRIS_FIRST_INDEX = 468
#: Keypoints of a detected face (eyes, nose tip, mouth, ear tragions).
FACE_KEYPOINT_COUNT = 6


def _as_points(values: Any, rows: int, cols: tuple[int, ...], what: str) -> np.ndarray:
    """Return ``values`` as a float64 ``rows × cols`` array, or raise ``ValueError``.

    Done once at construction so consumers can rely on the shape without checking.
    """
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 2 or array.shape[0] != rows or array.shape[1] not in cols:
        wanted = " or ".join(f"{rows}×{c}" for c in cols)
        raise ValueError(f"{what} must be {wanted}, got shape {array.shape}")
    return array


@dataclass(frozen=True, eq=False)
class HandResult:
    """One detected hand.

    ``handedness`` is the person's actual hand for an *unmirrored* image (a photo, or
    the world-facing camera of glasses); see
    :class:`hud.trackers.landmarker.HandLandmarkerOptions` for mirrored input.
    ``landmarks`` are 21 × 3 as MediaPipe gives them: x and y normalised to the image
    width and height (0..1, may fall slightly outside), z a relative depth with the wrist
    at 0, smaller meaning nearer the camera, on roughly the same scale as x.
    ``world_landmarks`` are 21 × 3 metres around the hand's centre, when available.
    ``image_size`` is (width, height) in pixels of the frame the landmarks refer to.
    """

    handedness: Handedness
    score: float
    landmarks: np.ndarray
    world_landmarks: np.ndarray | None = None
    image_size: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        if self.handedness not in ("Left", "Right"):
            raise ValueError(f"handedness must be 'Left' or 'Right', got {self.handedness!r}")
        pts = _as_points(self.landmarks, HAND_LANDMARK_COUNT, (3,), "hand landmarks")
        object.__setattr__(self, "landmarks", pts)
        if self.world_landmarks is not None:
            world = _as_points(self.world_landmarks, HAND_LANDMARK_COUNT, (3,), "world landmarks")
            object.__setattr__(self, "world_landmarks", world)

    def pixel_landmarks(self) -> np.ndarray:
        """Landmarks as 21 × 2 pixel coordinates (needs ``image_size``)."""
        return _to_pixels(self.landmarks, self.image_size)


@dataclass(frozen=True, eq=False)
class FaceResult:
    """One detected face: 478 face-mesh landmarks including the two irises.

    Same conventions as :class:`HandResult`: x, y normalised to the image, z relative
    depth on roughly the scale of x (smaller = nearer). Indices follow MediaPipe's face
    mesh; 468–472 is the iris of the eye on the image's left for an unmirrored frontal
    face (the person's right eye), 473–477 the other, each starting with its centre.
    """

    landmarks: np.ndarray
    image_size: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        pts = _as_points(self.landmarks, FACE_LANDMARK_COUNT, (3,), "face landmarks")
        object.__setattr__(self, "landmarks", pts)

    def pixel_landmarks(self) -> np.ndarray:
        """Landmarks as 478 × 2 pixel coordinates (needs ``image_size``)."""
        return _to_pixels(self.landmarks, self.image_size)


@dataclass(frozen=True, eq=False)
class FaceDetection:
    """One face found by the face detector (:mod:`hud.trackers.face_detection`).

    Unlike the landmark results, coordinates are **pixels** of the image that was given
    to the detector, because the detector scans an image in tiles and the tiles'
    normalised coordinates would mean nothing to the caller. ``box`` is
    ``(x0, y0, x1, y1)`` with ``x0 < x1`` and ``y0 < y1``, clipped to the image; it spans
    roughly eyebrows to chin and cheek to cheek (hair and ears lie outside it).
    ``keypoints`` are 6 × 2 pixel positions in MediaPipe's order: the person's right eye,
    left eye, nose tip, mouth centre, right ear tragion, left ear tragion. ``score`` is
    the detector's confidence in 0..1; ``image_size`` is (width, height).
    """

    box: tuple[float, float, float, float]
    score: float
    keypoints: np.ndarray
    image_size: tuple[int, int]

    def __post_init__(self) -> None:
        x0, y0, x1, y1 = (float(v) for v in self.box)
        if not (np.isfinite([x0, y0, x1, y1]).all() and x0 < x1 and y0 < y1):
            raise ValueError(f"a face box needs x0 < x1 and y0 < y1, got {self.box!r}")
        object.__setattr__(self, "box", (x0, y0, x1, y1))
        pts = _as_points(self.keypoints, FACE_KEYPOINT_COUNT, (2,), "face keypoints")
        object.__setattr__(self, "keypoints", pts)

    @property
    def width(self) -> float:
        """Box width in pixels."""
        return self.box[2] - self.box[0]

    @property
    def height(self) -> float:
        """Box height in pixels."""
        return self.box[3] - self.box[1]

    def normalized_box(self) -> tuple[float, float, float, float]:
        """``box`` divided by the image size: the convention of :class:`TrackedObject`."""
        width, height = self.image_size
        x0, y0, x1, y1 = self.box
        return (x0 / width, y0 / height, x1 / width, y1 / height)


@dataclass(frozen=True, eq=False)
class MarkerResult:
    """One fiducial marker (ArUco or AprilTag).

    ``corners`` are 4 × 2 pixel coordinates in OpenCV's order: the marker's own top-left,
    top-right, bottom-right, bottom-left, whatever its rotation in the image. ``rvec`` and
    ``tvec`` (metres) give the marker frame in the camera frame — x right and y up along
    the marker, z out of its face towards the viewer — when a pose was asked for and
    passed the reprojection check; ``reprojection_error_px`` is the RMS corner error of
    that pose.
    """

    dictionary: str
    id: int
    corners: np.ndarray
    rvec: np.ndarray | None = None
    tvec: np.ndarray | None = None
    reprojection_error_px: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "corners", _as_points(self.corners, 4, (2,), "marker corners"))
        for name in ("rvec", "tvec"):
            value = getattr(self, name)
            if value is not None:
                vec = np.asarray(value, dtype=np.float64).reshape(-1)
                if vec.shape != (3,):
                    raise ValueError(f"{name} must have 3 values, got {vec.shape}")
                object.__setattr__(self, name, vec)

    @property
    def center(self) -> np.ndarray:
        """Mean of the four corners in pixels (not the projected centre, but close)."""
        return self.corners.mean(axis=0)

    @property
    def has_pose(self) -> bool:
        """Whether a pose was estimated and accepted."""
        return self.rvec is not None and self.tvec is not None


def _to_pixels(landmarks: np.ndarray, image_size: tuple[int, int] | None) -> np.ndarray:
    """Normalised landmarks to pixel x, y (the image size must be known)."""
    if image_size is None:
        raise ValueError("image_size is unknown, so pixel coordinates are too")
    width, height = image_size
    return landmarks[:, :2] * np.array([width, height], dtype=np.float64)


@dataclass(frozen=True)
class TrackedObject:
    """Something in the world an answer can point at, in normalised image coordinates."""

    id: str
    label: str
    box: tuple[float, float, float, float]
    depth_m: float | None = None
