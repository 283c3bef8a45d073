"""Anchoring solvers in the manner of MRTK3: each computes a goal pose, nothing more.

A card is placed by a chain of solvers (``ObjectLocked`` then ``Billboard`` then
``ConstantAngularSize``, say). Each takes the goal the previous one left and returns a new
one; :class:`hud.anchors.handler.SolverHandler` runs the chain every frame, smooths the
card toward the goal and decides what happens when the tracked thing is lost. Solvers
keep no time and no filter, so each one's geometry can be tested on plain numbers.

Conventions, used everywhere in :mod:`hud.anchors`:

* The **head frame** is the camera/eye frame (OpenCV's): x right, y down, z forward,
  metres. A direction ``(x, y, z)`` with ``z > 0`` has tangent-space coordinates
  ``(x/z, y/z)``, which :meth:`hud.anchors.view.ViewGeometry.eye_tan_to_display_uv` takes.
  The camera is taken to sit at the eye (the cyclopean view; per-eye parallax is the
  view's business).
* A :class:`Pose` is a ``position`` (3,) in metres and a ``rotation`` unit quaternion
  ``(x, y, z, w)`` mapping its local frame into the world frame. The head pose
  (head → world) is given per frame; without one, head = world.
* An item's own frame (a card's) follows the head frame's pattern: x right, y down and z
  pointing away from the viewer, so a card facing the head has its +z along the line of
  sight.
* ``Goal.scale`` is the item's reference size in metres (a card's height, say).

Angles in display-plane terms (the indicator's) are radians, 0 = right, +y down.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np

from hud.trackers.results import HAND_LANDMARK_COUNT, HandResult, MarkerResult, TrackedObject

if TYPE_CHECKING:
    from hud.anchors.view import ViewGeometry

from hud.anchors.pose import (
    IDENTITY_Q,
    FloatArray,
    Frame,
    Pose,
    PoseError,
    quat_from_matrix,
    quat_mul,
    tan_of,
)


@dataclass(frozen=True, eq=False)
class ObjectObservation:
    """Where the anchor's object was seen this frame, in the head (camera) frame.

    Either a camera-image box in tangent space ``box_tan = (tx0, ty0, tx1, ty1)`` with an
    optional ``depth_m`` (z distance; unknown depth takes the solver's default), or a
    6-DoF ``pose`` (a marker's, from its ``rvec``/``tvec``). ``confidence`` is 0-1.
    """

    box_tan: tuple[float, float, float, float] | None = None
    depth_m: float | None = None
    pose: Pose | None = None
    confidence: float = 1.0

    def __post_init__(self) -> None:
        if (self.box_tan is None) == (self.pose is None):
            raise PoseError("an observation needs exactly one of a box or a pose")
        if self.box_tan is not None and len(self.box_tan) != 4:
            raise PoseError(f"box_tan needs 4 values, got {len(self.box_tan)}")

    @property
    def is_finite(self) -> bool:
        """False for a NaN or infinite box, depth, pose or confidence, or a non-positive depth."""
        if not math.isfinite(self.confidence):
            return False
        if self.pose is not None:
            return self.pose.is_finite
        assert self.box_tan is not None
        if not all(math.isfinite(v) for v in self.box_tan):
            return False
        return self.depth_m is None or (math.isfinite(self.depth_m) and self.depth_m > 0)

    @staticmethod
    def from_tracked_object(obj: TrackedObject, view: ViewGeometry) -> ObjectObservation:
        """A tracker's normalised image box, turned into directions through ``view``."""
        x0, y0, x1, y1 = obj.box
        a = view.image_to_eye_tan(x0 * view.width, y0 * view.height, obj.depth_m)
        b = view.image_to_eye_tan(x1 * view.width, y1 * view.height, obj.depth_m)
        return ObjectObservation(box_tan=(a[0], a[1], b[0], b[1]), depth_m=obj.depth_m)

    @staticmethod
    def from_marker(marker: MarkerResult) -> ObjectObservation | None:
        """A marker's 6-DoF pose, or None when it has none."""
        if marker.rvec is None or marker.tvec is None:
            return None
        return ObjectObservation(pose=Pose.from_rvec_tvec(marker.rvec, marker.tvec))


@dataclass(frozen=True, eq=False)
class HandInput:
    """One hand as 21 head-frame points: tangent-space directions at an assumed depth.

    MediaPipe's landmark z is only relative, so every landmark is put at ``depth_m``
    (z distance; 0.45 m, a hand held up in front of the face, unless the host knows better).
    """

    points_tan: FloatArray  # (21, 2)
    depth_m: float = 0.45
    handedness: Literal["Left", "Right"] | None = None

    def __post_init__(self) -> None:
        pts = np.array(self.points_tan, dtype=np.float64)
        if pts.shape != (HAND_LANDMARK_COUNT, 2):
            raise PoseError(f"hand points must be 21×2, got shape {pts.shape}")
        object.__setattr__(self, "points_tan", pts)

    @property
    def is_finite(self) -> bool:
        return (
            bool(np.all(np.isfinite(self.points_tan)))
            and math.isfinite(self.depth_m)
            and self.depth_m > 0
        )

    def point(self, index: int) -> FloatArray:
        """Landmark ``index`` as a head-frame point in metres."""
        tx, ty = self.points_tan[index]
        return np.array([tx * self.depth_m, ty * self.depth_m, self.depth_m])

    @staticmethod
    def from_landmarks(
        landmarks: FloatArray, view: ViewGeometry, depth_m: float = 0.45
    ) -> HandInput:
        """(21, 2 or 3) image-normalised landmarks (x, y in 0-1) through ``view``."""
        lm = np.asarray(landmarks, dtype=np.float64)
        if lm.ndim != 2 or lm.shape[0] != HAND_LANDMARK_COUNT or lm.shape[1] < 2:
            raise PoseError(f"hand landmarks must be 21×2 or 21×3, got shape {lm.shape}")
        pts = [
            view.image_to_eye_tan(x * view.width, y * view.height, depth_m) for x, y in lm[:, :2]
        ]
        return HandInput(np.array(pts), depth_m)

    @staticmethod
    def from_result(hand: HandResult, view: ViewGeometry, depth_m: float = 0.45) -> HandInput:
        base = HandInput.from_landmarks(hand.landmarks, view, depth_m)
        return replace(base, handedness=hand.handedness)


@dataclass(frozen=True, eq=False)
class SolverContext:
    """Everything a solver may read this frame.

    ``fov_half_tan`` and ``fov_center_tan`` are the display's field of view in tangent
    space (:class:`~hud.anchors.view.ViewGeometry` has both).
    """

    timestamp_s: float
    head: Pose = field(default_factory=Pose)
    observation: ObjectObservation | None = None
    hand: HandInput | None = None
    fov_half_tan: tuple[float, float] = (0.36, 0.2)
    fov_center_tan: tuple[float, float] = (0.0, 0.0)

    @staticmethod
    def from_view(view: ViewGeometry, timestamp_s: float, head: Pose | None = None,
                  observation: ObjectObservation | None = None,
                  hand: HandInput | None = None) -> SolverContext:  # fmt: skip
        return SolverContext(
            timestamp_s, head or Pose(), observation, hand, view.fov_half_tan, view.fov_center_tan
        )


@dataclass(frozen=True)
class Indicator:
    """Where to draw an off-view arrow: a point on the FOV edge (tangent space) and the
    arrow's angle (radians in the display plane, 0 = right, +y down) toward the target."""

    tan: tuple[float, float]
    angle_rad: float


@dataclass(frozen=True, eq=False)
class Goal:
    """What the solver chain wants this frame.

    ``tracked`` is False when a solver lacked its input (no object, no hand): the handler
    then holds, fades and loses the anchor. ``visible`` is a solver's wish to hide the item.
    ``frame`` says where the handler smooths: ``"world"`` (world-anchored content lags
    nothing when the head turns) or ``"head"`` (head-locked items stay rigid in view).
    """

    position: FloatArray
    rotation: FloatArray = field(default_factory=lambda: IDENTITY_Q.copy())
    scale: float = 0.1
    visible: bool = True
    tracked: bool = True
    frame: Frame = "world"
    indicator: Indicator | None = None

    @property
    def pose(self) -> Pose:
        return Pose(self.position, self.rotation)

    @property
    def is_finite(self) -> bool:
        return self.pose.is_finite and math.isfinite(self.scale)


class Solver(Protocol):
    """One step of the chain: a new goal from the context and the previous step's goal."""

    def solve(self, ctx: SolverContext, goal: Goal) -> Goal: ...


# --- solvers ---------------------------------------------------------------------------


def _lift(tx: float, ty: float, depth_m: float) -> FloatArray:
    """The head-frame point in direction ``(tx, ty)`` at z distance ``depth_m``."""
    return np.array([tx * depth_m, ty * depth_m, depth_m])


@dataclass(frozen=True)
class ObjectLocked:
    """At the tracked object: a box's centre at its depth, or a 6-DoF pose's origin.

    ``offset_m`` is added in the head frame's axes (``(0, -0.1, 0)``: 10 cm above the
    object as the wearer sees it). A box of unknown depth is put at ``default_depth_m``.
    With a pose, the goal also takes the object's orientation.
    """

    offset_m: tuple[float, float, float] = (0.0, 0.0, 0.0)
    default_depth_m: float = 1.5

    def solve(self, ctx: SolverContext, goal: Goal) -> Goal:
        obs = ctx.observation
        if obs is None:
            return replace(goal, tracked=False)
        offset = np.asarray(self.offset_m, dtype=np.float64)
        if obs.pose is not None:
            in_head = obs.pose.position + offset
            rotation = quat_mul(ctx.head.rotation, obs.pose.rotation)
        else:
            assert obs.box_tan is not None
            tx0, ty0, tx1, ty1 = obs.box_tan
            depth = self.default_depth_m if obs.depth_m is None else obs.depth_m
            in_head = _lift((tx0 + tx1) / 2, (ty0 + ty1) / 2, depth) + offset
            rotation = goal.rotation
        return replace(
            goal, position=ctx.head.apply(in_head), rotation=rotation, tracked=True, frame="world"
        )


@dataclass(frozen=True, eq=False)
class WorldLocked:
    """A fixed world pose (a card pinned to a place in the room)."""

    pose: Pose

    def solve(self, ctx: SolverContext, goal: Goal) -> Goal:
        return replace(
            goal,
            position=self.pose.position.copy(),
            rotation=self.pose.rotation.copy(),
            frame="world",
        )


@dataclass(frozen=True)
class HeadLocked:
    """Fixed in view: ``distance_m`` along the direction ``direction_tan``.

    For small status items only: anything larger than a glance stuck to the view is
    tiring to read, which is why MRTK prefers the tag-along :class:`RadialView`.
    """

    direction_tan: tuple[float, float] = (0.0, 0.0)
    distance_m: float = 1.0

    def solve(self, ctx: SolverContext, goal: Goal) -> Goal:
        d = np.array([self.direction_tan[0], self.direction_tan[1], 1.0])
        in_head = d / np.linalg.norm(d) * self.distance_m
        return replace(
            goal, position=ctx.head.apply(in_head), rotation=ctx.head.rotation.copy(), frame="head"
        )


@dataclass(frozen=True)
class RadialView:
    """Tag-along: keep the goal inside a cone around the view direction, at a bounded distance.

    The goal stays where it was while it is within ``max_angle_deg`` of the view direction
    (``direction_tan``, straight ahead by default) and between ``min_distance_m`` and
    ``max_distance_m``; pushed outside, it is moved to the nearest point of the cone, and
    the handler's smoothing eases it there. A goal at the head itself starts straight
    ahead at ``start_distance_m``.
    """

    max_angle_deg: float = 30.0
    min_distance_m: float = 0.5
    max_distance_m: float = 1.5
    start_distance_m: float = 1.0
    direction_tan: tuple[float, float] = (0.0, 0.0)

    def solve(self, ctx: SolverContext, goal: Goal) -> Goal:
        f = np.array([self.direction_tan[0], self.direction_tan[1], 1.0])
        f /= np.linalg.norm(f)
        v = ctx.head.apply_inverse(goal.position)
        dist = float(np.linalg.norm(v))
        if dist < 1e-6 or not math.isfinite(dist):
            u, dist = f, self.start_distance_m
        else:
            u = v / dist
        dist = min(max(dist, self.min_distance_m), self.max_distance_m)
        u = clamp_to_cone(u, f, math.radians(self.max_angle_deg))
        return replace(goal, position=ctx.head.apply(u * dist), frame="world")


def clamp_to_cone(u: FloatArray, axis: FloatArray, max_angle_rad: float) -> FloatArray:
    """The unit vector ``u``, turned toward ``axis`` until at most ``max_angle_rad`` off it."""
    cos_a = float(np.dot(u, axis))
    if cos_a >= math.cos(max_angle_rad):
        return u
    perp = u - cos_a * axis
    n = float(np.linalg.norm(perp))
    if n < 1e-9:  # straight behind: any side will do; take the head's right
        perp = np.cross(axis, [0.0, 1.0, 0.0])
        n = float(np.linalg.norm(perp))
    return np.asarray(axis * math.cos(max_angle_rad) + perp / n * math.sin(max_angle_rad))


def facing_rotation(forward: FloatArray, down: FloatArray) -> FloatArray:
    """Quaternion of the frame whose +z is ``forward`` and whose +y is as near ``down`` as
    can be (no roll relative to it)."""
    z = forward / np.linalg.norm(forward)
    x = np.cross(down, z)
    if np.linalg.norm(x) < 1e-9:  # looking straight along "down": any right will do
        x = np.cross([0.0, 0.0, 1.0] if abs(z[2]) < 0.9 else [1.0, 0.0, 0.0], z)
    x /= np.linalg.norm(x)
    y = np.cross(z, x)
    return quat_from_matrix(np.stack([x, y, z], axis=1))


@dataclass(frozen=True)
class Billboard:
    """Turn the item to face the head: its +z along the line of sight, its y along the
    head's down, so text stays upright on the display whatever the head's roll."""

    def solve(self, ctx: SolverContext, goal: Goal) -> Goal:
        sight = goal.position - ctx.head.position
        if float(np.linalg.norm(sight)) < 1e-9:
            return goal
        down = ctx.head.rotate(np.array([0.0, 1.0, 0.0]))
        return replace(goal, rotation=facing_rotation(sight, down))


@dataclass(frozen=True)
class ConstantAngularSize:
    """Scale the item so it subtends ``size_deg`` whatever its distance (a label that is
    as readable near as far): ``scale = 2 · d · tan(size_deg / 2)`` metres."""

    size_deg: float = 5.0

    def solve(self, ctx: SolverContext, goal: Goal) -> Goal:
        d = float(np.linalg.norm(goal.position - ctx.head.position))
        return replace(goal, scale=2.0 * d * math.tan(math.radians(self.size_deg) / 2))


@dataclass(frozen=True)
class HandAttached:
    """Beside a hand landmark (9, the middle finger's base, by default: the palm's centre).

    ``offset_m`` is in the head frame's axes; with ``mirror_left`` its x flips for a left
    hand, so the item sits on the same side of either hand: by default 7 cm toward the
    thumb of a hand seen from behind (left of a right hand, right of a left one).
    """

    landmark: int = 9
    offset_m: tuple[float, float, float] = (-0.07, 0.0, 0.0)
    mirror_left: bool = True

    def solve(self, ctx: SolverContext, goal: Goal) -> Goal:
        hand = ctx.hand
        if hand is None:
            return replace(goal, tracked=False)
        offset = np.asarray(self.offset_m, dtype=np.float64).copy()
        if self.mirror_left and hand.handedness == "Left":
            offset[0] = -offset[0]
        in_head = hand.point(self.landmark) + offset
        return replace(goal, position=ctx.head.apply(in_head), tracked=True, frame="world")


@dataclass(frozen=True)
class DirectionalIndicator:
    """An arrow on the FOV edge toward a goal that is out of view (``margin_deg`` inside
    the edge); none while the goal is in view. It leaves the goal's position alone."""

    margin_deg: float = 2.0

    def solve(self, ctx: SolverContext, goal: Goal) -> Goal:
        v = ctx.head.apply_inverse(goal.position)
        return replace(goal, indicator=self.indicate(v, ctx.fov_half_tan, ctx.fov_center_tan))

    def indicate(
        self,
        in_head: FloatArray,
        fov_half_tan: tuple[float, float],
        fov_center_tan: tuple[float, float] = (0.0, 0.0),
    ) -> Indicator | None:
        """The indicator for a head-frame point, or None when it is inside the FOV."""
        cx, cy = fov_center_tan
        hx, hy = fov_half_tan
        t = tan_of(in_head)
        if t is not None:
            dx, dy = t[0] - cx, t[1] - cy
            if abs(dx) <= hx and abs(dy) <= hy:
                return None
        else:  # behind: the arrow points the way the head should turn
            dx, dy = float(in_head[0]), float(in_head[1])
        angle = math.atan2(dy, dx)
        m = math.radians(self.margin_deg)
        ix = max(math.tan(math.atan(hx) - m), 0.0)
        iy = max(math.tan(math.atan(hy) - m), 0.0)
        c, s = math.cos(angle), math.sin(angle)
        reach = min(
            ix / abs(c) if abs(c) > 1e-12 else math.inf, iy / abs(s) if abs(s) > 1e-12 else math.inf
        )
        return Indicator(tan=(cx + reach * c, cy + reach * s), angle_rad=angle)
