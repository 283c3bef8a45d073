"""A scene over time: where the head is, where the objects appear and what the cards say.

A version 2 scene moves: the head follows a recorded trajectory (TUM) or keyframes, objects
sit in the world (a box in the world photo, or a 6-DoF pose), and answers stream in. The
world photo was taken from the head's first pose, so at a later pose every point of it
moves by the homography the head's rotation and translation induce on the world plane
(``H = K·Rᵀ·(I − t·nᵀ/d)·K⁻¹``), and a box object's corners move with its own plane.

Frames: x right, y down, z forward, metres (the camera's); the world frame is the head's
frame at the scene's start. Everything is a function of the scene's own clock, so a render
over time or a metrics run gives the same numbers every time.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from hud.anchors import HeadMotion, HeadPose, HeadTrajectory, Pose, pose_from_angles
from hud.errors import HudError
from hud.scene import Card, HeadKeyframe, Scene, TrackedObject, cards_at

Matrix = npt.NDArray[np.float64]

#: Nearest depth a point may have to be drawn (metres): anything closer or behind the
#: head has no place on the display.
NEAR_M = 0.05


@dataclass(frozen=True)
class SceneFrame:
    """The scene at one time: the head pose, the objects as seen from it, the cards."""

    t_s: float
    head: Pose
    #: Maps world-photo pixels to this frame's view (3×3).
    homography: Matrix
    objects: tuple[TrackedObject, ...]
    cards: tuple[Card, ...]

    @property
    def head_angles(self) -> HeadPose:
        return self.head.angles()


class SceneTimeline:
    """Samples a scene at any time on its own clock (seconds from its start)."""

    def __init__(self, scene: Scene, world_size: tuple[int, int]) -> None:
        self.scene = scene
        self.world_size = (int(world_size[0]), int(world_size[1]))
        w, h = self.world_size
        focal = (w / 2) / math.tan(math.radians(scene.world.fov_h_deg) / 2)
        self.K = np.array([[focal, 0, w / 2], [0, focal, h / 2], [0, 0, 1]], dtype=np.float64)
        self.K_inv = np.linalg.inv(self.K)
        self._trajectory: HeadTrajectory | None = None
        head = scene.head
        if head is not None and head.trace is not None:
            self._trajectory = HeadTrajectory.from_tum(scene.resolve(head.trace)).relative_to(
                head.start_s
            )

    # ------------------------------------------------------------------ time
    def duration_s(self) -> float:
        """The scene's length: its own, else its trace's (from the start), else 0."""
        d = self.scene.duration_s()
        if d <= 0 and self._trajectory is not None:
            d = self._trajectory.duration_s
        return d

    def frame_times(self, fps: float | None = None) -> Iterator[float]:
        """The times of a render at ``fps`` (the scene's own rate if None), from 0."""
        rate = float(fps or self.scene.animation.fps)
        if not (math.isfinite(rate) and rate > 0):
            raise HudError(f"frames per second must be positive, got {rate}")
        n = max(1, int(math.floor(self.duration_s() * rate + 1e-9)) + 1)
        return (i / rate for i in range(n))

    def frames(self, fps: float | None = None) -> Iterator[tuple[SceneFrame, Scene]]:
        """Each frame's state and the scene as shown then (:meth:`shown`), with the head's
        angular velocity over the frames for the latency effect."""
        motion = HeadMotion()
        for t in self.frame_times(fps):
            state = self.at(t)
            shown = self.shown(state)
            rate = motion.update(int(round(t * 1000)), state.head_angles)
            if rate is not None:
                shown = replace(shown, viewer=replace(shown.viewer, head_rate_dps=rate))
            yield state, shown

    def shown(self, state: SceneFrame) -> Scene:
        """The scene as one frame shows it: objects where they now appear (all as boxes),
        cards with the text that has arrived."""
        return replace(self.scene, objects=state.objects, posed=(), cards=state.cards)

    # ------------------------------------------------------------------ head
    def head_at(self, t_s: float) -> Pose:
        """The head's pose (head → world) at ``t_s``."""
        head = self.scene.head
        if head is None:
            return Pose.identity()
        if self._trajectory is not None:
            return self._trajectory.pose_at(t_s)
        return _keyframe_pose(head.keyframes, t_s)

    # ------------------------------------------------------------------ objects
    def at(self, t_s: float) -> SceneFrame:
        head = self.head_at(t_s)
        R = head.matrix()
        pos = np.asarray(head.position, dtype=np.float64)
        world_h = self.plane_homography(R, pos, self.scene.world.depth_m)
        objects: list[TrackedObject] = []
        for obj in self.scene.objects:
            depth = obj.depth_m or self.scene.world.depth_m
            H = world_h if obj.depth_m is None else self.plane_homography(R, pos, depth)
            box = self._moved_box(H, obj.box)
            if box is not None:
                objects.append(TrackedObject(obj.id, obj.label, box, obj.depth_m))
        for posed in self.scene.posed:
            seen = self._posed_box(R, pos, posed.pose.position_m, posed.pose.size_m)
            if seen is not None:
                box, depth = seen
                objects.append(TrackedObject(posed.id, posed.label, box, depth))
        return SceneFrame(t_s, head, world_h, tuple(objects), cards_at(self.scene, t_s))

    def plane_homography(self, R: Matrix, t: npt.NDArray[np.float64], depth_m: float) -> Matrix:
        """World-photo pixels → this view's pixels for points on the plane ``z = depth``."""
        n = np.array([0.0, 0.0, 1.0])
        M = R.T @ (np.eye(3) - np.outer(t, n) / depth_m)
        H: Matrix = self.K @ M @ self.K_inv
        return H / H[2, 2] if abs(H[2, 2]) > 1e-12 else H

    def _moved_box(
        self, H: Matrix, box: tuple[float, float, float, float]
    ) -> tuple[float, float, float, float] | None:
        w, h = self.world_size
        x0, y0, x1, y1 = box[0] * w, box[1] * h, box[2] * w, box[3] * h
        corners = np.array([[x0, y0, 1], [x1, y0, 1], [x0, y1, 1], [x1, y1, 1]], dtype=np.float64)
        moved = corners @ H.T
        if np.any(moved[:, 2] <= 1e-6):
            return None  # the plane passed behind the head
        xy = moved[:, :2] / moved[:, 2:3]
        return _normalised_box(xy, w, h)

    def _posed_box(
        self,
        R: Matrix,
        head_pos: npt.NDArray[np.float64],
        position: tuple[float, float, float],
        size: tuple[float, float],
    ) -> tuple[tuple[float, float, float, float], float] | None:
        """The box a posed object covers in this view, and its depth; None behind the head."""
        centre = R.T @ (np.asarray(position, dtype=np.float64) - head_pos)
        if centre[2] <= NEAR_M:
            return None
        half = np.array([size[0] / 2, size[1] / 2, 0.0])
        corners = [centre + half * (sx, sy, 0) for sx in (-1, 1) for sy in (-1, 1)]
        pts = np.array([self.K @ (c / c[2]) for c in corners])
        w, h = self.world_size
        box = _normalised_box(pts[:, :2], w, h)
        return (box, float(centre[2])) if box is not None else None


def _normalised_box(
    xy: npt.NDArray[np.float64], w: int, h: int
) -> tuple[float, float, float, float] | None:
    lo = xy.min(axis=0) / (w, h)
    hi = xy.max(axis=0) / (w, h)
    if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))):
        return None
    if hi[0] - lo[0] <= 1e-6 or hi[1] - lo[1] <= 1e-6:
        return None
    return (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))


def _keyframe_pose(keys: tuple[HeadKeyframe, ...], t_s: float) -> Pose:
    """The head between keyframes: angles interpolated linearly (clamped at the ends)."""
    if not keys:
        return Pose.identity()
    if t_s <= keys[0].t_s:
        a = b = keys[0]
    elif t_s >= keys[-1].t_s:
        a = b = keys[-1]
    else:
        j = next(i for i, k in enumerate(keys) if k.t_s >= t_s)
        a, b = keys[j - 1], keys[j]
    u = 0.0 if b.t_s == a.t_s else (t_s - a.t_s) / (b.t_s - a.t_s)
    return pose_from_angles(
        a.yaw_deg + u * (b.yaw_deg - a.yaw_deg),
        a.pitch_deg + u * (b.pitch_deg - a.pitch_deg),
        a.roll_deg + u * (b.roll_deg - a.roll_deg),
    )
