"""Recorded head trajectories (TUM format) replayed as head poses.

A TUM file has one pose per line, ``t tx ty tz qx qy qz qw`` (seconds, metres, a
quaternion body → world), ``#`` comments. :func:`read_tum` parses it with numpy (a 112 s,
120 Hz trace of 13k lines reads in a few tens of milliseconds) and names the line of the
first bad value. :class:`HeadTrajectory` interpolates poses (lerp + slerp, clamped at the
ends), gives the head's angular velocity, and converts to the head-frame convention of
:mod:`hud.anchors.solvers` (x right, y down, z forward).

Axes of the recorded traces (OptiTrack, the fixture in ``tests/data/head_traces``): the
world is y-up and right-handed, the rigid body's y is up and its +z is forward, so its +x
is the wearer's *left*. That was determined from the data, not assumed: the body's y axis
points close to world up throughout (its mean is 0.985 along world y); the head tilts
about the body x axis over a wider range than about z (5-95 % ranges of 22° and 17°;
people pitch more than they roll), so x is the pitch axis and z the forward one; and
fitting ``p = c + R·r`` over 2 s windows (the head turning about the neck) puts the body
origin 23 cm above and 3 cm along +z of the pivot, in front of the neck, which matches
+z forward (and Motive's habit of rigid bodies made facing +z).
:meth:`HeadTrajectory.in_head_convention` therefore turns both frames by 180° about z:
``(x, y, z) → (-x, -y, z)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from hud.anchors.pose import (
    Pose,
    quat_conj,
    quat_mul,
    quat_slerp,
    quat_to_matrix,
    quat_to_rotvec,
)
from hud.anchors.tracked import HeadPose
from hud.errors import HudError, check_regular_file

FloatArray = npt.NDArray[np.float64]
COLUMNS = "t tx ty tz qx qy qz qw"


class HeadTraceError(HudError, ValueError):
    """A head trajectory file that cannot be used, with the line that is wrong."""


@dataclass(frozen=True, eq=False)
class HeadTrajectory:
    """Head poses over time: ``times_s`` (N,), ``positions`` (N, 3), ``quaternions``
    (N, 4, x y z w, head → world, unit), times strictly increasing."""

    times_s: FloatArray
    positions: FloatArray
    quaternions: FloatArray

    def __post_init__(self) -> None:
        t = np.asarray(self.times_s, dtype=np.float64).reshape(-1)
        p = np.asarray(self.positions, dtype=np.float64)
        q = np.asarray(self.quaternions, dtype=np.float64)
        if len(t) == 0 or p.shape != (len(t), 3) or q.shape != (len(t), 4):
            raise HeadTraceError(
                f"a trajectory needs N times, N×3 positions and N×4 quaternions, got {t.shape}, {p.shape}, {q.shape}"
            )
        if np.any(np.diff(t) <= 0):
            raise HeadTraceError("trajectory times must increase")
        object.__setattr__(self, "times_s", t)
        object.__setattr__(self, "positions", p)
        object.__setattr__(self, "quaternions", _hemisphere_continuous(q))

    @property
    def duration_s(self) -> float:
        return float(self.times_s[-1] - self.times_s[0])

    def __len__(self) -> int:
        return len(self.times_s)

    def pose_at(self, t_s: float) -> Pose:
        """The pose at ``t_s``: interpolated between samples, the end pose outside them."""
        i, u = self._bracket(t_s)
        if u == 0.0:
            return Pose(self.positions[i], self.quaternions[i])
        p = (1 - u) * self.positions[i] + u * self.positions[i + 1]
        return Pose(p, quat_slerp(self.quaternions[i], self.quaternions[i + 1], u))

    def head_pose_at(self, t_s: float) -> HeadPose:
        """Yaw/pitch/roll at ``t_s`` for :class:`~hud.anchors.tracked.HeadMotion` users
        (needs the head-frame convention: see :meth:`Pose.angles`)."""
        return self.pose_at(t_s).angles()

    def angular_velocity_at(self, t_s: float) -> FloatArray:
        """Head angular velocity (rad/s) about the head's own x, y, z axes at ``t_s``,
        from the two samples around it; zero outside the recording (the head held still)."""
        if len(self) < 2 or not self.times_s[0] <= t_s <= self.times_s[-1]:
            return np.zeros(3)
        i = min(int(np.searchsorted(self.times_s, t_s, side="right")) - 1, len(self) - 2)
        rel = quat_mul(quat_conj(self.quaternions[i]), self.quaternions[i + 1])
        return quat_to_rotvec(rel) / (self.times_s[i + 1] - self.times_s[i])

    def yaw_pitch_rate_deg_at(self, t_s: float) -> tuple[float, float]:
        """(yaw right, pitch down) in °/s at ``t_s``, as :class:`HeadMotion` reports them."""
        if len(self) < 2 or not self.times_s[0] <= t_s <= self.times_s[-1]:
            return (0.0, 0.0)
        i = min(int(np.searchsorted(self.times_s, t_s, side="right")) - 1, len(self) - 2)
        a = Pose(self.positions[i], self.quaternions[i]).angles()
        b = Pose(self.positions[i + 1], self.quaternions[i + 1]).angles()
        dt = float(self.times_s[i + 1] - self.times_s[i])
        dyaw = (b.yaw_deg - a.yaw_deg + 180.0) % 360.0 - 180.0
        return (dyaw / dt, (b.pitch_deg - a.pitch_deg) / dt)

    def in_head_convention(self) -> HeadTrajectory:
        """From a y-up, +z-forward recording (OptiTrack) to x right, y down, z forward:
        world and head both turned 180° about z, so ``(x, y, z) → (-x, -y, z)``."""
        flip = np.array([-1.0, -1.0, 1.0])
        q = self.quaternions * np.array([-1.0, -1.0, 1.0, 1.0])  # C·R·Cᵀ for C = Rz(180°)
        return HeadTrajectory(self.times_s.copy(), self.positions * flip, q)

    def relative_to_start(self, yaw_only: bool = False) -> HeadTrajectory:
        """:meth:`relative_to` the first sample: replay starts looking straight ahead."""
        return self.relative_to(0.0, yaw_only)

    def relative_to(self, start_s: float, yaw_only: bool = False) -> HeadTrajectory:
        """The part from ``start_s`` (seconds after the first sample) on, in a world whose
        origin is the head at ``start_s``, with time counted from there.

        By default the world's axes are that head frame, so replay starts looking straight
        ahead. With ``yaw_only`` only its heading is removed: the world's y stays vertical
        (as recorded), so pitch and roll keep their meaning against gravity.
        """
        t0 = float(self.times_s[0]) + max(0.0, float(start_s))
        start = self.pose_at(t0)
        keep = self.times_s > t0
        times = np.concatenate([[t0], self.times_s[keep]])
        positions = np.concatenate([start.position[None], self.positions[keep]])
        quats = np.concatenate([start.rotation[None], self.quaternions[keep]])
        q0 = start.rotation
        if yaw_only:
            f = quat_to_matrix(q0)[:, 2]
            yaw = math.atan2(f[0], f[2])
            q0 = np.array([0.0, math.sin(yaw / 2), 0.0, math.cos(yaw / 2)])
        inv = quat_conj(q0)
        p = (positions - positions[0]) @ quat_to_matrix(inv).T
        q = quat_mul(np.broadcast_to(inv, quats.shape), quats)
        return HeadTrajectory(times - t0, p, q)

    @staticmethod
    def from_tum(path: str | Path) -> HeadTrajectory:
        """A TUM file recorded y-up with the head's +z forward (OptiTrack, as the traces in
        ``tests/data/head_traces``), in the head-frame convention: :func:`read_tum` then
        :meth:`in_head_convention`. Time and pose are as recorded; see :meth:`relative_to`."""
        return read_tum(path).in_head_convention()

    def _bracket(self, t_s: float) -> tuple[int, float]:
        """Sample index and blend weight for ``t_s`` (weight 0 at or beyond the ends)."""
        t = self.times_s
        if not t_s > t[0]:  # also catches NaN: the start pose
            return 0, 0.0
        if t_s >= t[-1]:
            return len(t) - 1, 0.0
        i = int(np.searchsorted(t, t_s, side="right")) - 1
        return i, float((t_s - t[i]) / (t[i + 1] - t[i]))


def _hemisphere_continuous(q: FloatArray) -> FloatArray:
    """Flip signs so consecutive quaternions lie in the same hemisphere (q and -q are the
    same rotation; interpolation and filtering want the near one)."""
    q = q.copy()
    if len(q) > 1:
        flips = np.cumsum(np.sum(q[1:] * q[:-1], axis=1) < 0) % 2
        q[1:][flips == 1] *= -1
    return q


def read_tum(path: str | Path) -> HeadTrajectory:
    """A TUM trajectory file as recorded (see :meth:`HeadTrajectory.in_head_convention`)."""
    p = Path(path)
    check_regular_file(p, "head trace")
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise HeadTraceError(f"head trace not found: {p}") from None
    except UnicodeDecodeError:
        raise HeadTraceError(f"{p}: not a text file (a TUM trace is lines of numbers)") from None
    except OSError as exc:
        raise HeadTraceError(
            f"cannot read head trace {p}: {exc.strerror or exc.__class__.__name__}"
        ) from None
    return parse_tum(text, p.name)


def parse_tum(text: str, source: str = "head trace") -> HeadTrajectory:
    """Parse TUM text; errors name ``source`` and the 1-based line number."""
    numbered = [
        (n, line.split())
        for n, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not numbered:
        raise HeadTraceError(f"{source}: no poses (expected lines of {COLUMNS})")
    for n, fields in numbered:
        if len(fields) != 8:
            raise HeadTraceError(
                f"{source} line {n}: expected 8 numbers ({COLUMNS}), got {len(fields)}"
            )
    try:
        data = np.array([f for _, f in numbered], dtype=np.float64)
    except ValueError:
        n, _bad = _first_non_number(numbered)
        # The file may be anything a scene named: say where, never echo what it holds.
        raise HeadTraceError(
            f"{source} line {n}: not a number where {COLUMNS} are expected"
        ) from None
    lines = np.array([n for n, _ in numbered])
    finite = np.all(np.isfinite(data), axis=1)
    if not finite.all():
        raise HeadTraceError(f"{source} line {lines[np.argmin(finite)]}: NaN or infinite value")
    steps = np.diff(data[:, 0]) <= 0
    if steps.any():
        k = int(np.argmax(steps)) + 1
        raise HeadTraceError(
            f"{source} line {lines[k]}: time {data[k, 0]:.6f} s does not follow {data[k - 1, 0]:.6f} s"
        )
    norms = np.linalg.norm(data[:, 4:8], axis=1)
    zero = norms < 1e-9
    if zero.any():
        raise HeadTraceError(f"{source} line {lines[np.argmax(zero)]}: zero quaternion")
    return HeadTrajectory(data[:, 0], data[:, 1:4], data[:, 4:8] / norms[:, None])


def _first_non_number(numbered: list[tuple[int, list[str]]]) -> tuple[int, str]:
    for n, fields in numbered:
        for f in fields:
            try:
                float(f)
            except ValueError:
                return n, f
    return numbered[0][0], ""  # pragma: no cover - np.array failed, so one field must
