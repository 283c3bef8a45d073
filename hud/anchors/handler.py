"""The solver handler: runs a chain of solvers each frame and owns smoothing and loss.

As in MRTK3's ``SolverHandler``, solvers only compute a goal; the handler moves the item
toward it. Here that is a One Euro filter (:mod:`hud.anchors.filters`) instead of a fixed
lerp, so a card is still when its object is still and keeps up when it moves. The goal
persists from frame to frame, so a tag-along solver (:class:`~hud.anchors.solvers.RadialView`)
starts from where the item was and moves it only when it is pushed out of its cone.

Losing a track is a timeline, driven only by the timestamps passed in:

* ``tracking``: the chain had its input (object, hand) this frame; opacity 1.
* ``holding``: lost for at most ``lost_grace_s``; the card stays world-locked at its last
  world position (so head turns move it on the display correctly), opacity 1.
* ``fading``: the next ``fade_s``; opacity ramps linearly from 1 to 0.
* ``lost``: opacity 0 (also before the first observation).

A track that comes back after the grace period, or jumps more than ``snap_distance_deg``
(as seen from the head) while held, snaps: the filters are reset and the card appears at
the new place instead of sweeping across the view; ``AnchorState.snapped`` says so for
that frame. NaN or infinite inputs count as no input for that frame (a NaN head pose: the
last good one), so a glitching tracker never crashes the loop nor spreads NaN. Time going
backwards raises :class:`~hud.anchors.filters.TimestampError`; a repeated timestamp is a
repeated frame and changes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from hud.anchors.filters import OneEuroFilter, OneEuroSettings, check_timestamp
from hud.anchors.pose import FloatArray, Frame, Pose, quat_conj, quat_mul, tan_of
from hud.anchors.solvers import DirectionalIndicator, Goal, Indicator, Solver, SolverContext
from hud.errors import OptionsError

Status = Literal["tracking", "holding", "fading", "lost"]

#: Positions in metres: 1 Hz at rest removes box-centre jitter (measured: the std of a
#: still object's position drops to 0.27× at 60 Hz); beta 3 per m/s raises the cutoff
#: with speed, so an object moving at 0.5 m/s is followed with ≈ 30 ms of lag instead of
#: the 160 ms a fixed 1 Hz low-pass has; the paper's 1 Hz derivative cutoff keeps the
#: speed estimate itself from jittering.
DEFAULT_SMOOTHING = OneEuroSettings(min_cutoff=1.0, beta=3.0, d_cutoff=1.0)


def _check_number(name: str, value: object, low: float, allow_inf: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise OptionsError(f"{name} must be a number, got {value!r}")
    if value < low or (math.isinf(value) and not allow_inf):
        raise OptionsError(f"{name} must be ≥ {low} and finite, got {value}")


@dataclass(frozen=True)
class SolverHandlerOptions:
    """How the handler smooths and forgets.

    ``smoothing`` None moves the item straight to each goal. ``lost_grace_s`` (1.5 s)
    rides out a detector missing a few frames or a hand passing in front; ``fade_s``
    (0.5 s) lets the card go without a blink. ``snap_distance_deg`` (10°) is the jump,
    seen from the head, above which a re-acquired track snaps rather than sweeps.
    ``start_distance_m`` and ``size_m`` are the goal before any solver moved it.
    """

    smoothing: OneEuroSettings | None = field(default_factory=lambda: DEFAULT_SMOOTHING)
    lost_grace_s: float = 1.5
    fade_s: float = 0.5
    snap_distance_deg: float = 10.0
    start_distance_m: float = 1.0
    size_m: float = 0.1

    def __post_init__(self) -> None:
        if self.smoothing is not None and not isinstance(self.smoothing, OneEuroSettings):
            raise OptionsError(f"smoothing must be OneEuroSettings or None, got {self.smoothing!r}")
        _check_number("lost_grace_s", self.lost_grace_s, 0.0, allow_inf=True)
        _check_number("fade_s", self.fade_s, 0.0)
        _check_number("snap_distance_deg", self.snap_distance_deg, 0.0, allow_inf=True)
        _check_number("start_distance_m", self.start_distance_m, 1e-3)
        _check_number("size_m", self.size_m, 0.0)


@dataclass(frozen=True, eq=False)
class AnchorState:
    """Where the item is this frame and how visible.

    ``direction_tan`` is the head-frame direction in tangent space (None when the item is
    behind the head); ``off_view`` says it is outside the display FOV. ``indicator`` is
    set when the chain has a :class:`~hud.anchors.solvers.DirectionalIndicator` and the
    item is off view.
    """

    timestamp_s: float
    status: Status
    opacity: float
    world_position: FloatArray
    head_position: FloatArray
    direction_tan: tuple[float, float] | None
    rotation: FloatArray
    scale: float
    snapped: bool = False
    off_view: bool = False
    indicator: Indicator | None = None

    @property
    def visible(self) -> bool:
        return self.opacity > 0.0

    @property
    def indicator_angle_rad(self) -> float | None:
        return None if self.indicator is None else self.indicator.angle_rad

    @property
    def distance_m(self) -> float:
        return float(np.linalg.norm(self.head_position))


class _Smoother:
    """One Euro filters for position, rotation and scale (or none), reset together."""

    def __init__(self, settings: OneEuroSettings | None) -> None:
        self.settings = settings
        self._filters = (
            [OneEuroFilter.from_settings(settings) for _ in range(3)] if settings else []
        )
        self._q: FloatArray | None = None

    def reset(self) -> None:
        for f in self._filters:
            f.reset()
        self._q = None

    def __call__(
        self, t: float, p: FloatArray, q: FloatArray, s: float
    ) -> tuple[FloatArray, FloatArray, float]:
        if self._q is not None and float(np.dot(q, self._q)) < 0:
            q = -q  # the same rotation, on the filter's side of the sphere
        if self._filters:
            p = self._filters[0](p, t)
            q = self._filters[1](q, t)
            s = self._filters[2](s, t)
        q = q / np.linalg.norm(q)
        self._q = q
        return p, q, s


class SolverHandler:
    """Runs ``solvers`` in order each :meth:`update` and smooths the item toward the goal."""

    def __init__(
        self, solvers: Sequence[Solver], options: SolverHandlerOptions | None = None
    ) -> None:
        self.solvers = tuple(solvers)
        self.options = options or SolverHandlerOptions()
        self._indicator = next(
            (s for s in self.solvers if isinstance(s, DirectionalIndicator)), None
        )
        self._smoother = _Smoother(self.options.smoothing)
        self.reset()

    def reset(self) -> None:
        """Forget everything: the next update starts as the first."""
        self._smoother.reset()
        self._t: float | None = None
        self._goal: Goal | None = None
        self._head = Pose()
        self._held: Pose | None = None  # the smoothed world pose, kept while lost
        self._held_scale = self.options.size_m
        self._frame: Frame | None = None
        self._last_seen: float | None = None
        self._was_tracked = False

    def update(self, timestamp_s: float, ctx: SolverContext) -> AnchorState:
        """The item's state at ``timestamp_s`` (which wins over ``ctx.timestamp_s``)."""
        check_timestamp(timestamp_s, self._t)
        self._t = float(timestamp_s)
        ctx = self._sanitized(timestamp_s, ctx)
        start = self._goal or self._start_goal(ctx.head)
        goal = replace(start, tracked=True, indicator=None)
        for solver in self.solvers:
            goal = solver.solve(ctx, goal)
        if not goal.is_finite:
            goal = replace(start, tracked=False)
        if goal.tracked:
            self._goal = goal
            return self._tracking(timestamp_s, ctx, goal)
        return self._untracked(timestamp_s, ctx)

    def _sanitized(self, t: float, ctx: SolverContext) -> SolverContext:
        """``ctx`` with non-finite inputs dropped and the last good head pose kept."""
        if ctx.head.is_finite:
            self._head = ctx.head
        obs = ctx.observation if ctx.observation is not None and ctx.observation.is_finite else None
        hand = ctx.hand if ctx.hand is not None and ctx.hand.is_finite else None
        return replace(ctx, timestamp_s=t, head=self._head, observation=obs, hand=hand)

    def _start_goal(self, head: Pose) -> Goal:
        ahead = head.apply(np.array([0.0, 0.0, self.options.start_distance_m]))
        return Goal(ahead, head.rotation.copy(), self.options.size_m)

    def _tracking(self, t: float, ctx: SolverContext, goal: Goal) -> AnchorState:
        snapped = False
        if self._held is None or goal.frame != self._frame:
            self._smoother.reset()
        elif self._should_snap(t, ctx.head, goal.position):
            self._smoother.reset()
            snapped = True
        self._frame = goal.frame
        head = ctx.head
        if goal.frame == "head":
            p, q, s = self._smoother(
                t,
                head.apply_inverse(goal.position),
                quat_mul(quat_conj(head.rotation), goal.rotation),
                goal.scale,
            )
            self._held = Pose(head.apply(p), quat_mul(head.rotation, q))
        else:
            p, q, s = self._smoother(t, goal.position, goal.rotation, goal.scale)
            self._held = Pose(p, q)
        self._held_scale = s
        self._last_seen, self._was_tracked = t, True
        opacity = 1.0 if goal.visible else 0.0
        return self._state(t, ctx, "tracking", opacity, snapped)

    def _should_snap(self, t: float, head: Pose, target: FloatArray) -> bool:
        """Snap after the grace period (with or without untracked frames in between: a
        host may stop calling while nothing is seen), or on re-acquiring with a jump wider
        than the snap distance. A continuous track never snaps: smoothing follows it."""
        assert self._held is not None and self._last_seen is not None
        if t - self._last_seen > self.options.lost_grace_s:
            return True
        if self._was_tracked:
            return False
        a = self._held.position - head.position
        b = target - head.position
        na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
        if na < 1e-9 or nb < 1e-9:
            return True
        angle = math.degrees(math.acos(max(-1.0, min(1.0, float(np.dot(a, b)) / (na * nb)))))
        return angle > self.options.snap_distance_deg

    def _untracked(self, t: float, ctx: SolverContext) -> AnchorState:
        self._was_tracked = False
        if self._held is None or self._last_seen is None:
            start = self._start_goal(ctx.head)
            self._held = None
            return self._state(t, ctx, "lost", 0.0, False, Pose(start.position, start.rotation))
        since = t - self._last_seen
        grace, fade = self.options.lost_grace_s, self.options.fade_s
        if since <= grace:
            return self._state(t, ctx, "holding", 1.0, False)
        if since < grace + fade:
            return self._state(t, ctx, "fading", 1.0 - (since - grace) / fade, False)
        return self._state(t, ctx, "lost", 0.0, False)

    def _state(
        self,
        t: float,
        ctx: SolverContext,
        status: Status,
        opacity: float,
        snapped: bool,
        pose: Pose | None = None,
    ) -> AnchorState:
        pose = pose or self._held
        assert pose is not None
        in_head = ctx.head.apply_inverse(pose.position)
        direction = tan_of(in_head)
        cx, cy = ctx.fov_center_tan
        hx, hy = ctx.fov_half_tan
        off_view = direction is None or abs(direction[0] - cx) > hx or abs(direction[1] - cy) > hy
        indicator = None
        if self._indicator is not None and off_view:
            indicator = self._indicator.indicate(in_head, ctx.fov_half_tan, ctx.fov_center_tan)
        return AnchorState(
            timestamp_s=t,
            status=status,
            opacity=float(opacity),
            world_position=pose.position.copy(),
            head_position=in_head,
            direction_tan=direction,
            rotation=pose.rotation.copy(),
            scale=float(self._held_scale),
            snapped=snapped,
            off_view=off_view,
            indicator=indicator,
        )
