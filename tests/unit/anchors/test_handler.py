"""The solver handler: smoothing, the lost-track timeline, snapping and bad input."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from hud.anchors import (
    DirectionalIndicator,
    HeadLocked,
    HeadTrajectory,
    ObjectLocked,
    ObjectObservation,
    OneEuroSettings,
    Pose,
    RadialView,
    SolverContext,
    SolverHandler,
    SolverHandlerOptions,
    TimestampError,
    WorldLocked,
    pose_from_angles,
)
from hud.errors import OptionsError

TRACE = (
    Path(__file__).resolve().parents[2]
    / "data"
    / "head_traces"
    / "real_world_head_movement_example_0.tum.txt"
)
RATE = 60.0


def _box(tx: float = 0.0, ty: float = 0.0, depth: float = 2.0) -> ObjectObservation:
    return ObjectObservation(box_tan=(tx - 0.05, ty - 0.05, tx + 0.05, ty + 0.05), depth_m=depth)


def _ctx(t: float, obs: ObjectObservation | None = None, head: Pose | None = None) -> SolverContext:
    return SolverContext(t, head or Pose(), obs)


def test_lost_track_holds_then_fades_then_is_lost() -> None:
    h = SolverHandler([ObjectLocked()], SolverHandlerOptions(lost_grace_s=1.5, fade_s=0.5))
    assert h.update(0.0, _ctx(0.0)).status == "lost"  # nothing seen yet
    for i in range(61):
        state = h.update(i / RATE, _ctx(i / RATE, _box()))
    assert state.status == "tracking" and state.opacity == 1.0
    seen_at = 1.0
    held = state.world_position
    turned = pose_from_angles(20.0, 0.0)
    timeline = [
        (1.5, "holding", 1.0),
        (2.5, "holding", 1.0),
        (2.75, "fading", 0.5),
        (3.0, "lost", 0.0),
        (9.0, "lost", 0.0),
    ]
    for t, status, opacity in timeline:
        s = h.update(t, _ctx(t, None, turned))
        assert (s.status, s.opacity) == (status, pytest.approx(opacity)), t - seen_at
        assert np.allclose(s.world_position, held)  # world-locked while held
        # the head turned 20° right: the card straight ahead now appears 20° to the left
        assert math.degrees(math.atan(s.direction_tan[0])) == pytest.approx(-20.0, abs=1e-6)  # type: ignore[index]


def test_reacquired_after_loss_snaps() -> None:
    h = SolverHandler([ObjectLocked()])
    for i in range(30):
        h.update(i / RATE, _ctx(i / RATE, _box()))
    s = h.update(5.0, _ctx(5.0, _box(0.3)))
    assert s.snapped and s.status == "tracking"
    assert np.allclose(s.world_position, [0.6, 0.0, 2.0])  # no sweep: straight at the new place
    assert not h.update(5.0 + 1 / RATE, _ctx(5.0 + 1 / RATE, _box(0.3))).snapped


def test_within_grace_small_jumps_sweep_and_large_ones_snap() -> None:
    h = SolverHandler([ObjectLocked()], SolverHandlerOptions(snap_distance_deg=10.0))
    for i in range(30):
        h.update(i / RATE, _ctx(i / RATE, _box()))
    h.update(0.6, _ctx(0.6))  # missed a frame
    small = h.update(0.7, _ctx(0.7, _box(0.05)))  # ≈ 3°
    assert not small.snapped and 0.0 < small.world_position[0] < 0.1
    h.update(0.8, _ctx(0.8))
    large = h.update(0.9, _ctx(0.9, _box(0.5)))  # ≈ 24° away
    assert large.snapped and large.world_position[0] == pytest.approx(1.0)


def test_nan_and_inf_observations_are_skipped() -> None:
    h = SolverHandler([ObjectLocked(), DirectionalIndicator()])
    for i in range(10):
        h.update(i / RATE, _ctx(i / RATE, _box()))
    bad = [
        ObjectObservation(box_tan=(float("nan"), 0.0, 0.1, 0.1)),
        ObjectObservation(box_tan=(0.0, 0.0, 0.1, 0.1), depth_m=float("inf")),
        ObjectObservation(pose=Pose(np.array([0.0, float("nan"), 1.0]))),
    ]
    for k, obs in enumerate(bad):
        t = 0.2 + k / RATE
        s = h.update(t, _ctx(t, obs))
        assert s.status == "holding"
        assert np.all(np.isfinite(s.world_position)) and np.all(np.isfinite(s.rotation))
    nan_head = Pose(np.array([float("nan"), 0.0, 0.0]))
    s = h.update(0.5, _ctx(0.5, _box(), nan_head))  # the last good head is used
    assert s.status == "tracking" and np.all(np.isfinite(s.head_position))


def test_backwards_time_is_an_error_and_a_repeat_is_not() -> None:
    h = SolverHandler([ObjectLocked()])
    a = h.update(1.0, _ctx(1.0, _box()))
    b = h.update(1.0, _ctx(1.0, _box(0.1)))
    assert np.allclose(a.world_position, b.world_position)
    with pytest.raises(TimestampError, match="backwards"):
        h.update(0.5, _ctx(0.5, _box()))


def test_options_are_validated() -> None:
    for bad in (
        {"lost_grace_s": -1.0},
        {"fade_s": float("nan")},
        {"snap_distance_deg": "5"},
        {"smoothing": 3},
    ):
        with pytest.raises(OptionsError):
            SolverHandlerOptions(**bad)


def test_indicator_appears_when_the_card_leaves_the_view() -> None:
    h = SolverHandler([WorldLocked(Pose(np.array([0.0, 0.0, 2.0]))), DirectionalIndicator()])
    ctx = SolverContext(0.0, Pose(), fov_half_tan=(0.3, 0.2))
    s = h.update(0.0, ctx)
    assert not s.off_view and s.indicator is None
    s = h.update(0.1, SolverContext(0.1, pose_from_angles(40.0, 0.0), fov_half_tan=(0.3, 0.2)))
    assert s.off_view and s.indicator_angle_rad == pytest.approx(
        math.pi
    )  # turned right: arrow left


def test_head_locked_stays_rigid_while_the_head_turns() -> None:
    h = SolverHandler([HeadLocked(direction_tan=(0.2, 0.1), distance_m=1.0)])
    for i in range(60):
        head = pose_from_angles(i * 2.0, 0.0)
        s = h.update(i / RATE, SolverContext(i / RATE, head))
        assert s.direction_tan == pytest.approx((0.2, 0.1))


def test_radial_view_settles_inside_its_cone() -> None:
    h = SolverHandler([RadialView(max_angle_deg=30)])
    for i in range(240):
        head = pose_from_angles(min(i, 60) * 1.5, 0.0)  # turn 90° over a second, then hold
        s = h.update(i / RATE, SolverContext(i / RATE, head))
    assert s.direction_tan is not None
    angle = math.degrees(math.atan(math.hypot(*s.direction_tan)))
    assert angle <= 30.0 + 0.5


def test_smoothing_reduces_jitter_and_keeps_up_with_motion() -> None:
    rng = np.random.default_rng(7)
    h = SolverHandler([ObjectLocked()])
    raw, out = [], []
    for i in range(600):
        t = i / RATE
        tx = float(rng.normal(0.0, 0.005))  # 0.3° of box-centre jitter at 2 m
        raw.append(tx * 2.0)
        out.append(h.update(t, _ctx(t, _box(tx))).world_position[0])
    assert np.std(out[120:]) < 0.35 * np.std(raw[120:])
    moving = SolverHandler([ObjectLocked()])
    for i in range(240):  # the object moves at 0.5 m/s across the view
        t = i / RATE
        s = moving.update(t, _ctx(t, _box(0.25 * t)))
    lag_s = (0.5 * t - s.world_position[0]) / 0.5
    assert 0.0 < lag_s < 0.12


def test_real_head_trace_with_a_world_locked_card() -> None:
    """Replay 112 s of real head motion: the card's head-frame direction is the inverse of
    the head rotation (no smoothing lag for world-locked content, no drift)."""
    tr = HeadTrajectory.from_tum(TRACE).relative_to_start()
    card = np.array([0.0, 0.0, 1.5])
    h = SolverHandler([WorldLocked(Pose(card))])
    worst = 0.0
    for t in np.arange(0.0, tr.duration_s, 1 / 30):
        head = tr.pose_at(float(t))
        s = h.update(float(t), SolverContext(float(t), head))
        expected = head.apply_inverse(card)
        worst = max(worst, float(np.linalg.norm(s.head_position - expected)))
    assert worst < 1e-9
    turned = SolverHandler([WorldLocked(Pose(np.array([0.0, 0.0, 2.0])))])
    turned.update(0.0, SolverContext(0.0))
    s = turned.update(0.1, SolverContext(0.1, pose_from_angles(20.0, 0.0)))
    assert math.degrees(math.atan(s.direction_tan[0])) == pytest.approx(-20.0)  # type: ignore[index]


def test_smoothing_can_be_switched_off_and_tuned() -> None:
    h = SolverHandler([ObjectLocked()], SolverHandlerOptions(smoothing=None))
    h.update(0.0, _ctx(0.0, _box()))
    assert h.update(0.1, _ctx(0.1, _box(0.05))).world_position[0] == pytest.approx(0.1)
    stiff = SolverHandlerOptions(smoothing=OneEuroSettings(min_cutoff=0.1))
    assert stiff.smoothing is not None and stiff.smoothing.min_cutoff == 0.1
