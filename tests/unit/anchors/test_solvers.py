"""Each solver's geometry on plain numbers (head frame: x right, y down, z forward)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hud.anchors import (
    Billboard,
    ConstantAngularSize,
    DirectionalIndicator,
    Goal,
    HandAttached,
    HandInput,
    HeadLocked,
    ObjectLocked,
    ObjectObservation,
    Pose,
    PoseError,
    RadialView,
    SolverContext,
    ViewGeometry,
    WorldLocked,
    pose_from_angles,
)
from hud.anchors.pose import quat_from_rotvec, quat_to_rotvec
from hud.profiles import BUILTIN_PROFILES
from hud.trackers.results import MarkerResult, TrackedObject


def _goal(p: tuple[float, float, float] = (0.0, 0.0, 1.0)) -> Goal:
    return Goal(np.array(p, dtype=np.float64))


def _angle_from_view_deg(head: Pose, world: np.ndarray) -> float:
    v = head.apply_inverse(world)
    return math.degrees(math.acos(v[2] / np.linalg.norm(v)))


def test_object_locked_from_a_box_follows_the_head() -> None:
    obs = ObjectObservation(box_tan=(0.1, -0.1, 0.3, 0.1), depth_m=2.0)
    head = pose_from_angles(30.0, 0.0, position=np.array([0.0, 0.0, 0.5]))
    goal = ObjectLocked().solve(SolverContext(0.0, head, obs), _goal())
    assert goal.tracked and np.allclose(head.apply_inverse(goal.position), [0.4, 0.0, 2.0])
    unknown = ObjectObservation(box_tan=(0.0, 0.0, 0.0, 0.0))
    assert (
        ObjectLocked(default_depth_m=3.0)
        .solve(SolverContext(0.0, observation=unknown), _goal())
        .position[2]
        == 3.0
    )
    assert not ObjectLocked().solve(SolverContext(0.0), _goal()).tracked


def test_object_locked_from_a_marker_pose_and_a_tracked_box() -> None:
    marker = MarkerResult(
        "DICT_4X4_50",
        7,
        np.zeros((4, 2)),
        rvec=np.array([0, math.pi / 2, 0]),
        tvec=np.array([0.1, 0.2, 1.0]),
    )
    obs = ObjectObservation.from_marker(marker)
    assert obs is not None
    goal = ObjectLocked(offset_m=(0.0, -0.1, 0.0)).solve(
        SolverContext(0.0, observation=obs), _goal()
    )
    assert np.allclose(goal.position, [0.1, 0.1, 1.0])
    assert np.allclose(quat_to_rotvec(goal.rotation), [0, math.pi / 2, 0])
    view = ViewGeometry.make(BUILTIN_PROFILES["xreal-one-pro"], 640, 480, 90.0, "left", 2.0)
    centred = ObjectObservation.from_tracked_object(
        TrackedObject("a", "a", (0.4, 0.4, 0.6, 0.6), 1.0), view
    )
    assert centred.box_tan is not None and sum(centred.box_tan[::2]) == pytest.approx(0.0)


def test_observations_must_hold_one_thing() -> None:
    with pytest.raises(PoseError):
        ObjectObservation()
    with pytest.raises(PoseError):
        ObjectObservation(box_tan=(0, 0, 1, 1), pose=Pose())
    with pytest.raises(PoseError, match="zero"):
        Pose(rotation=np.zeros(4))
    assert not ObjectObservation(box_tan=(0, float("nan"), 1, 1)).is_finite


def test_world_and_head_locked() -> None:
    pinned = Pose(np.array([1.0, 2.0, 3.0]))
    head = pose_from_angles(45, 10)
    assert np.allclose(
        WorldLocked(pinned).solve(SolverContext(0.0, head), _goal()).position, [1, 2, 3]
    )
    goal = HeadLocked(direction_tan=(0.0, 0.25), distance_m=2.0).solve(
        SolverContext(0.0, head), _goal()
    )
    v = head.apply_inverse(goal.position)
    assert (
        goal.frame == "head"
        and np.linalg.norm(v) == pytest.approx(2.0)
        and v[1] / v[2] == pytest.approx(0.25)
    )


def test_radial_view_pulls_the_goal_into_its_cone() -> None:
    solver = RadialView(max_angle_deg=30, min_distance_m=0.5, max_distance_m=1.5)
    head = pose_from_angles(90.0, 0.0)  # turned right: the old goal is 90° to the left
    goal = solver.solve(SolverContext(0.0, head), _goal((0.0, 0.0, 1.0)))
    assert _angle_from_view_deg(head, goal.position) == pytest.approx(30.0)
    assert np.linalg.norm(goal.position) == pytest.approx(1.0)
    inside = solver.solve(SolverContext(0.0, pose_from_angles(10.0, 0.0)), _goal((0.0, 0.0, 1.0)))
    assert np.allclose(inside.position, [0, 0, 1])  # within the cone: left alone
    far = solver.solve(SolverContext(0.0), _goal((0.0, 0.0, 9.0)))
    assert np.allclose(far.position, [0, 0, 1.5])
    behind = solver.solve(SolverContext(0.0), _goal((0.0, 0.0, -1.0)))
    assert _angle_from_view_deg(Pose(), behind.position) == pytest.approx(30.0)


@settings(max_examples=80, deadline=None)
@given(
    yaws=st.lists(st.floats(-180, 180), min_size=1, max_size=8),
    pitch=st.floats(-60, 60),
    roll=st.floats(-30, 30),
)
def test_radial_view_always_ends_inside_its_cone(
    yaws: list[float], pitch: float, roll: float
) -> None:
    solver = RadialView(max_angle_deg=30)
    goal = _goal()
    head = Pose()
    for yaw in yaws:
        head = pose_from_angles(yaw, pitch, roll, position=np.array([0.1, 0.0, 0.2]))
        goal = solver.solve(SolverContext(0.0, head), goal)
    assert _angle_from_view_deg(head, goal.position) <= 30.0 + 1e-6
    assert 0.5 - 1e-9 <= np.linalg.norm(head.apply_inverse(goal.position)) <= 1.5 + 1e-9


def test_billboard_faces_the_head_and_keeps_upright() -> None:
    head = pose_from_angles(20.0, 5.0, 15.0, position=np.array([0.2, 0.1, 0.0]))
    goal = Billboard().solve(SolverContext(0.0, head), _goal((1.0, -0.5, 2.0)))
    axes = goal.pose.matrix()
    sight = goal.position - head.position
    assert np.allclose(axes[:, 2], sight / np.linalg.norm(sight))  # +z away from the viewer
    head_down = head.matrix()[:, 1]
    assert abs(np.dot(axes[:, 0], head_down)) < 1e-9  # no roll relative to the head
    assert np.dot(axes[:, 1], head_down) > 0.8


def test_constant_angular_size_is_the_same_near_and_far() -> None:
    solver = ConstantAngularSize(size_deg=6.0)
    for d in (1.0, 4.0):
        goal = solver.solve(SolverContext(0.0), _goal((0.0, 0.0, d)))
        assert math.degrees(2 * math.atan(goal.scale / 2 / d)) == pytest.approx(6.0)
    near = solver.solve(SolverContext(0.0), _goal((0.0, 0.0, 1.0))).scale
    far = solver.solve(SolverContext(0.0), _goal((0.0, 0.0, 4.0))).scale
    assert far == pytest.approx(4 * near)


def test_hand_attached_sits_beside_the_landmark() -> None:
    pts = np.zeros((21, 2))
    pts[9] = (0.1, 0.2)
    right = HandInput(pts, depth_m=0.5, handedness="Right")
    goal = HandAttached(offset_m=(-0.07, 0.0, 0.0)).solve(SolverContext(0.0, hand=right), _goal())
    assert np.allclose(goal.position, [0.05 - 0.07, 0.1, 0.5])
    left = HandInput(pts, depth_m=0.5, handedness="Left")
    assert np.allclose(
        HandAttached().solve(SolverContext(0.0, hand=left), _goal()).position,
        [0.05 + 0.07, 0.1, 0.5],
    )
    assert not HandAttached().solve(SolverContext(0.0), _goal()).tracked
    view = ViewGeometry.make(BUILTIN_PROFILES["xreal-one-pro"], 640, 480, 90.0, "left", 2.0)
    lm = np.full((21, 3), 0.5)
    assert np.allclose(HandInput.from_landmarks(lm, view).points_tan, 0.0)


@pytest.mark.parametrize(
    ("target", "angle_deg"),
    [
        ((1.0, 0.0, 1.0), 0.0),
        ((-1.0, 0.0, 1.0), 180.0),
        ((0.0, 1.0, 1.0), 90.0),
        ((0.0, -1.0, 1.0), -90.0),
        ((1.0, 0.0, -1.0), 0.0),
    ],
)
def test_directional_indicator_points_at_the_target(
    target: tuple[float, float, float], angle_deg: float
) -> None:
    ctx = SolverContext(0.0, fov_half_tan=(0.4, 0.25))
    goal = DirectionalIndicator(margin_deg=1.0).solve(ctx, _goal(target))
    assert goal.indicator is not None
    assert math.degrees(goal.indicator.angle_rad) == pytest.approx(angle_deg, abs=1e-6)
    tx, ty = goal.indicator.tan
    assert abs(tx) <= 0.4 and abs(ty) <= 0.25  # on the FOV edge, inset by the margin
    assert max(abs(tx) / 0.4, abs(ty) / 0.25) > 0.9
    np.testing.assert_allclose(np.asarray(goal.position), target)  # the goal itself is untouched


def test_directional_indicator_is_hidden_in_view() -> None:
    ctx = SolverContext(0.0, fov_half_tan=(0.4, 0.25))
    assert DirectionalIndicator().solve(ctx, _goal((0.1, 0.1, 1.0))).indicator is None


def test_rotvec_round_trip() -> None:
    v = np.array([0.3, -0.2, 0.5])
    assert np.allclose(quat_to_rotvec(quat_from_rotvec(v)), v)
