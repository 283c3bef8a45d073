"""Poses and quaternions for anchoring: where a thing is and which way it faces.

Frames: the head frame is the camera/eye frame (x right, y down, z forward, metres); a
:class:`Pose` maps its local frame into the world frame with a ``position`` and a unit
quaternion ``rotation`` ``(x, y, z, w)``. :func:`pose_from_angles` builds a head pose from
yaw (right), pitch (down) and roll (clockwise) in degrees, and :meth:`Pose.angles` reads
them back. Pure numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from hud.anchors.tracked import HeadPose
from hud.errors import HudError

FloatArray = npt.NDArray[np.float64]
Frame = Literal["world", "head"]


class PoseError(HudError, ValueError):
    """A pose, observation or hand input of the wrong shape or a zero quaternion."""


# --- quaternion arithmetic, (x, y, z, w), Hamilton product ---------------------------


def quat_mul(a: FloatArray, b: FloatArray) -> FloatArray:
    """``a ∘ b``: rotate by ``b`` first, then ``a`` (works on (..., 4) arrays)."""
    ax, ay, az, aw = np.moveaxis(a, -1, 0)
    bx, by, bz, bw = np.moveaxis(b, -1, 0)
    return np.stack(
        [
            aw * bx + ax * bw + ay * bz - az * by,
            aw * by - ax * bz + ay * bw + az * bx,
            aw * bz + ax * by - ay * bx + az * bw,
            aw * bw - ax * bx - ay * by - az * bz,
        ],
        axis=-1,
    )


def quat_conj(q: FloatArray) -> FloatArray:
    """The inverse of a unit quaternion."""
    return np.asarray(q, dtype=np.float64) * np.array([-1.0, -1.0, -1.0, 1.0])


def quat_to_matrix(q: FloatArray) -> FloatArray:
    """3 × 3 rotation matrix (or (..., 3, 3)) of unit quaternions."""
    x, y, z, w = np.moveaxis(np.asarray(q, dtype=np.float64), -1, 0)
    rows = [
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
    ]
    return np.stack([np.stack(r, axis=-1) for r in rows], axis=-2)


def quat_from_matrix(m: FloatArray) -> FloatArray:
    """Unit quaternion of a 3 × 3 rotation matrix (Shepperd's method, stable everywhere)."""
    m = np.asarray(m, dtype=np.float64)
    tr = m[0, 0] + m[1, 1] + m[2, 2]
    if tr > 0:
        s = 2.0 * math.sqrt(tr + 1.0)
        q = [(m[2, 1] - m[1, 2]) / s, (m[0, 2] - m[2, 0]) / s, (m[1, 0] - m[0, 1]) / s, s / 4]
    else:
        i = int(np.argmax([m[0, 0], m[1, 1], m[2, 2]]))
        j, k = (i + 1) % 3, (i + 2) % 3
        s = 2.0 * math.sqrt(max(1.0 + m[i, i] - m[j, j] - m[k, k], 1e-300))
        q = [0.0, 0.0, 0.0, (m[k, j] - m[j, k]) / s]
        q[i], q[j], q[k] = s / 4, (m[j, i] + m[i, j]) / s, (m[k, i] + m[i, k]) / s
    out = np.array(q, dtype=np.float64)
    return out / np.linalg.norm(out)


def quat_from_rotvec(rvec: FloatArray) -> FloatArray:
    """Quaternion of an axis-angle vector (OpenCV's ``rvec``: axis × angle in radians)."""
    v = np.asarray(rvec, dtype=np.float64).reshape(3)
    angle = float(np.linalg.norm(v))
    if angle < 1e-12:
        return np.array([0.0, 0.0, 0.0, 1.0])
    return np.concatenate([v / angle * math.sin(angle / 2), [math.cos(angle / 2)]])


def quat_to_rotvec(q: FloatArray) -> FloatArray:
    """Axis × angle (radians, angle ≤ π) of a unit quaternion."""
    q = np.asarray(q, dtype=np.float64)
    q = -q if q[3] < 0 else q
    s = float(np.linalg.norm(q[:3]))
    if s < 1e-12:
        return 2.0 * q[:3]
    return q[:3] / s * (2.0 * math.atan2(s, q[3]))


def quat_slerp(a: FloatArray, b: FloatArray, u: float) -> FloatArray:
    """Spherical interpolation from ``a`` (u = 0) to ``b`` (u = 1) the short way round."""
    dot = float(np.dot(a, b))
    if dot < 0:
        b, dot = -b, -dot
    if dot > 0.9995:  # nearly equal: a normalised lerp is exact enough and never divides by 0
        q = a + u * (b - a)
        return np.asarray(q / np.linalg.norm(q), dtype=np.float64)
    theta = math.acos(dot)
    s = math.sin(theta)
    return np.asarray((math.sin((1 - u) * theta) * a + math.sin(u * theta) * b) / s)


def quat_angle_deg(a: FloatArray, b: FloatArray) -> float:
    """Rotation angle between two orientations, degrees."""
    return math.degrees(2 * math.acos(min(1.0, abs(float(np.dot(a, b))))))


IDENTITY_Q = np.array([0.0, 0.0, 0.0, 1.0])


@dataclass(frozen=True, eq=False)
class Pose:
    """A rigid transform local → world: ``world = R(rotation) · local + position``.

    The quaternion is normalised on construction; a zero one is a :class:`PoseError`.
    Non-finite values are kept (see :attr:`is_finite`) so a tracker's NaN becomes "no
    observation this frame" in the handler instead of an exception mid-stream.
    """

    position: FloatArray = field(default_factory=lambda: np.zeros(3))
    rotation: FloatArray = field(default_factory=lambda: IDENTITY_Q.copy())

    def __post_init__(self) -> None:
        p = np.array(self.position, dtype=np.float64).reshape(-1)
        q = np.array(self.rotation, dtype=np.float64).reshape(-1)
        if p.shape != (3,) or q.shape != (4,):
            raise PoseError(
                f"a pose needs 3 position and 4 quaternion values, got {p.size} and {q.size}"
            )
        n = float(np.linalg.norm(q))
        if math.isfinite(n):
            if n < 1e-9:
                raise PoseError("a pose's rotation quaternion is zero")
            q = q / n
        object.__setattr__(self, "position", p)
        object.__setattr__(self, "rotation", q)

    @staticmethod
    def identity() -> Pose:
        return Pose()

    @staticmethod
    def from_rvec_tvec(rvec: FloatArray, tvec: FloatArray) -> Pose:
        """OpenCV's marker pose (marker frame in the camera frame) as a :class:`Pose`."""
        return Pose(np.asarray(tvec, dtype=np.float64).reshape(3), quat_from_rotvec(rvec))

    @property
    def is_finite(self) -> bool:
        return bool(np.all(np.isfinite(self.position)) and np.all(np.isfinite(self.rotation)))

    def matrix(self) -> FloatArray:
        """The 3 × 3 rotation matrix; its columns are the local axes in world coordinates."""
        return quat_to_matrix(self.rotation)

    def angles(self) -> HeadPose:
        """Yaw right, pitch down, roll clockwise (degrees) of a head pose in the head-frame
        convention, read as ``R = Ry(yaw) · Rx(-pitch) · Rz(roll)``: about the world's y
        (down), then the head's x (right) and z (forward), the usual order for a head."""
        m = self.matrix()
        f = m[:, 2]
        yaw = math.atan2(f[0], f[2])
        pitch = math.asin(max(-1.0, min(1.0, f[1])))
        roll = math.atan2(m[1, 0], m[1, 1])
        return HeadPose(math.degrees(yaw), math.degrees(pitch), math.degrees(roll))

    def apply(self, point: FloatArray) -> FloatArray:
        """A local point (or (N, 3) points) in world coordinates."""
        return np.asarray(point, dtype=np.float64) @ self.matrix().T + self.position

    def apply_inverse(self, point: FloatArray) -> FloatArray:
        """A world point (or (N, 3) points) in local coordinates."""
        return (np.asarray(point, dtype=np.float64) - self.position) @ self.matrix()

    def rotate(self, vector: FloatArray) -> FloatArray:
        """A local direction in world coordinates (no translation)."""
        return np.asarray(vector, dtype=np.float64) @ self.matrix().T

    def compose(self, other: Pose) -> Pose:
        """``self ∘ other``: ``other``'s local frame, placed in ``self``'s, into world."""
        return Pose(self.apply(other.position), quat_mul(self.rotation, other.rotation))

    def inverse(self) -> Pose:
        inv = quat_conj(self.rotation)
        return Pose(-(quat_to_matrix(inv) @ self.position), inv)


def _axis_q(axis: int, angle_deg: float) -> FloatArray:
    q = np.zeros(4)
    q[axis] = math.sin(math.radians(angle_deg) / 2)
    q[3] = math.cos(math.radians(angle_deg) / 2)
    return q


def pose_from_angles(
    yaw_deg: float, pitch_deg: float, roll_deg: float = 0.0, position: FloatArray | None = None
) -> Pose:
    """The head → world pose of yaw right, pitch down, roll clockwise (the inverse of
    :meth:`Pose.angles`), at ``position`` (the origin by default)."""
    q = quat_mul(quat_mul(_axis_q(1, yaw_deg), _axis_q(0, -pitch_deg)), _axis_q(2, roll_deg))
    return Pose(np.zeros(3) if position is None else position, q)


def tan_of(direction: FloatArray) -> tuple[float, float] | None:
    """Tangent-space coordinates of a head-frame direction, or None if it is not in front."""
    x, y, z = (float(v) for v in direction)
    if z <= 1e-9:
        return None
    return x / z, y / z


# --- inputs ----------------------------------------------------------------------------
