"""A rough per-face gaze direction from face-mesh landmarks: geometry, no learning.

What it does. Gaze = head orientation ∘ eye-in-head rotation, both from one frame's 478
MediaPipe landmarks (x, y normalised to the image, z relative depth on the scale of x):

1. The landmarks are put on one scale, ``(x·W, y·H, z·W)`` pixels, so the face is not
   squashed by the image's aspect ratio.
2. Head axes: ``x`` along the eye corners (person's right eye → left eye), the face
   normal as the direction of least spread of the 468 mesh points (the face is a
   shallow shell: its depth varies about half as much as its width or height), and
   ``y`` (chin-wards) completing a right-handed frame with ``z`` into the head.
3. Eye in head: the iris centre's offset from the midpoint of the eye corners, measured
   along the head's x and y axes and divided by the corner-to-corner width, is the sine
   of the eye's rotation times the eyeball radius / eye width ratio
   (:data:`EYEBALL_RADIUS_PER_EYE_WIDTH`, ≈ 11 mm / 29 mm for an average adult). Both
   eyes are averaged.
4. The eye rotation is applied in the head frame and the result expressed in the camera
   frame, so turning the head while looking at the same spot keeps the gaze (the
   head-pose compensation).

Conventions. ``yaw_deg`` > 0: the gaze points towards the image's right (the subject's
left in an unmirrored photo); ``pitch_deg`` > 0: upwards. (0, 0) is anti-parallel to the
camera's optical axis — "looking into the camera" for a face near the image centre,
under MediaPipe's weak-perspective landmarks.

What it does not do, honestly. Nothing here is calibrated to a person or checked
against measured gaze: the eyeball ratio is an anatomical average, the eye-corner
midpoint is not exactly where the iris sits when looking straight ahead, and the mesh
normal differs from the true facing direction by some degrees depending on the face
(a forehead sloping back tilts it). Expect errors of roughly 5–10° and more for extreme
head turns, closed eyes or small faces; use it to tell "looking at the card" from
"looking away", not for pointing. What the tests check is the geometry itself: that a
known rotation of a face mesh and known iris offsets come back as the same angles, and
that mirroring a face negates yaw.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from hud.trackers.results import FACE_LANDMARK_COUNT, FaceResult


@dataclass(frozen=True)
class EyeIndices:
    """Face-mesh indices of one eye's corners and iris centre."""

    outer: int
    inner: int
    iris: int


#: The subject's right eye (on the image's left in an unmirrored frontal photo).
RIGHT_EYE = EyeIndices(outer=33, inner=133, iris=468)
#: The subject's left eye.
LEFT_EYE = EyeIndices(outer=263, inner=362, iris=473)
#: Eyeball rotation radius divided by the eye's corner-to-corner width (≈ 11 / 29 mm).
EYEBALL_RADIUS_PER_EYE_WIDTH = 0.38
#: Mesh points used for the face normal (the iris points are left out: they move).
MESH_POINTS = 468


@dataclass(frozen=True)
class GazeEstimate:
    """Gaze and its two parts, in degrees (see the module docstring for signs).

    ``yaw_deg``/``pitch_deg``: the combined gaze in camera terms. ``head_*``: where the
    face points, and ``head_roll_deg`` the head's x axis's angle in the image (clockwise
    positive, as y points down). ``eye_*``: the eyes' rotation relative to the head.
    """

    yaw_deg: float
    pitch_deg: float
    head_yaw_deg: float
    head_pitch_deg: float
    eye_yaw_deg: float
    eye_pitch_deg: float
    head_roll_deg: float = 0.0

    def as_dict(self) -> dict[str, float]:
        """The two numbers ``hud detect --json`` prints."""
        return {"yaw_deg": round(self.yaw_deg, 2), "pitch_deg": round(self.pitch_deg, 2)}


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    if n < 1e-9:
        raise ValueError("degenerate face landmarks (zero-length axis)")
    return v / n


def to_metric_points(landmarks: np.ndarray, image_size: tuple[int, int]) -> np.ndarray:
    """Normalised MediaPipe landmarks → one isotropic scale, ``(x·W, y·H, z·W)``."""
    width, height = image_size
    pts = np.asarray(landmarks, dtype=np.float64)
    return pts * np.array([width, height, width], dtype=np.float64)


def head_axes(points: np.ndarray) -> np.ndarray:
    """The head frame as a 3 × 3 matrix whose columns are x, y, z in camera coordinates.

    Camera coordinates: x right, y down, z away from the camera (MediaPipe's z grows
    away from the camera too). Head: x from the right eye to the left, y towards the
    chin, z into the head, so the face looks along −z.
    """
    mesh = points[:MESH_POINTS]
    centred = mesh - mesh.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    forward = vt[2]  # least spread: the face normal, sign unknown
    if forward[2] > 0:  # a visible face points towards the camera (−z)
        forward = -forward
    across = (points[LEFT_EYE.outer] - points[RIGHT_EYE.outer]) + (
        points[LEFT_EYE.inner] - points[RIGHT_EYE.inner]
    )
    z_axis = -forward
    x_axis = _unit(across - (across @ z_axis) * z_axis)
    y_axis = np.cross(z_axis, x_axis)
    return np.column_stack([x_axis, y_axis, z_axis])


def direction_angles(direction: np.ndarray) -> tuple[float, float]:
    """(yaw, pitch) in degrees of a camera-frame direction (yaw right +, pitch up +)."""
    x, y, z = (float(c) for c in direction)
    yaw = math.degrees(math.atan2(x, -z))
    pitch = math.degrees(math.atan2(-y, math.hypot(x, z)))
    return yaw, pitch


def angles_to_direction(yaw_deg: float, pitch_deg: float) -> np.ndarray:
    """Inverse of :func:`direction_angles` in a frame looking along −z."""
    yaw, pitch = math.radians(yaw_deg), math.radians(pitch_deg)
    return np.array(
        [math.sin(yaw) * math.cos(pitch), -math.sin(pitch), -math.cos(yaw) * math.cos(pitch)]
    )


def eye_offsets(points: np.ndarray, axes: np.ndarray) -> tuple[float, float]:
    """Mean iris offset from the eye-corner midpoints, in eye widths, along head x and y."""
    dx, dy = [], []
    for eye in (RIGHT_EYE, LEFT_EYE):
        outer, inner, iris = points[eye.outer], points[eye.inner], points[eye.iris]
        width = float(np.linalg.norm(outer - inner))
        if width < 1e-9:
            raise ValueError("degenerate eye landmarks (corners coincide)")
        offset = iris - (outer + inner) / 2.0
        dx.append(float(offset @ axes[:, 0]) / width)
        dy.append(float(offset @ axes[:, 1]) / width)
    return sum(dx) / 2.0, sum(dy) / 2.0


def estimate_gaze(landmarks: np.ndarray, image_size: tuple[int, int]) -> GazeEstimate:
    """Gaze from 478 normalised face landmarks of an image of ``image_size`` (W, H)."""
    pts = np.asarray(landmarks, dtype=np.float64)
    if pts.shape != (FACE_LANDMARK_COUNT, 3):
        raise ValueError(f"gaze needs 478 × 3 landmarks (refined face mesh), got {pts.shape}")
    points = to_metric_points(pts, image_size)
    axes = head_axes(points)
    head_yaw, head_pitch = direction_angles(-axes[:, 2])
    dx, dy = eye_offsets(points, axes)
    ratio = EYEBALL_RADIUS_PER_EYE_WIDTH
    eye_yaw = math.degrees(math.asin(max(-1.0, min(1.0, dx / ratio))))
    eye_pitch = -math.degrees(math.asin(max(-1.0, min(1.0, dy / ratio))))
    gaze = axes @ angles_to_direction(eye_yaw, eye_pitch)
    yaw, pitch = direction_angles(gaze)
    roll = math.degrees(math.atan2(float(axes[1, 0]), float(axes[0, 0])))
    return GazeEstimate(yaw, pitch, head_yaw, head_pitch, eye_yaw, eye_pitch, roll)


def gaze_for_face(face: FaceResult) -> GazeEstimate:
    """:func:`estimate_gaze` for a tracker result (needs its ``image_size``)."""
    if face.image_size is None:
        raise ValueError("gaze needs the face's image_size to undo the aspect ratio")
    return estimate_gaze(face.landmarks, face.image_size)


def face_gaze(face: FaceResult) -> dict[str, float] | None:
    """Gaze and head pose of one face for storage, or ``None`` if it cannot be estimated.

    Keys: ``yaw_deg``, ``pitch_deg`` (gaze), ``head_yaw_deg``, ``head_pitch_deg``,
    ``head_roll_deg`` (head x axis's angle in the image, clockwise positive as y points
    down), ``eye_yaw_deg``, ``eye_pitch_deg``; conventions of
    :mod:`gestures.gaze_geometry`.
    """
    try:
        gaze = gaze_for_face(face)
    except ValueError:  # no image size, or a degenerate face
        return None
    return {
        "yaw_deg": gaze.yaw_deg,
        "pitch_deg": gaze.pitch_deg,
        "head_yaw_deg": gaze.head_yaw_deg,
        "head_pitch_deg": gaze.head_pitch_deg,
        "head_roll_deg": gaze.head_roll_deg,
        "eye_yaw_deg": gaze.eye_yaw_deg,
        "eye_pitch_deg": gaze.eye_pitch_deg,
    }
