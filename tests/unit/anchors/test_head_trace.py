"""TUM head trajectories: parsing, interpolation, axes, and a real trace replayed."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from hud.anchors import HeadTraceError, HeadTrajectory, Pose, parse_tum, pose_from_angles, read_tum
from hud.errors import HudError

TRACE = (
    Path(__file__).resolve().parents[2]
    / "data"
    / "head_traces"
    / "real_world_head_movement_example_0.tum.txt"
)

GOOD = """# t tx ty tz qx qy qz qw
0.0 0 0 0 0 0 0 1
1.0 1 2 3 0 0.7071068 0 0.7071068

2.0 2 4 6 0 1 0 0
"""


def test_parses_and_interpolates_with_clamping() -> None:
    tr = parse_tum(GOOD)
    assert len(tr) == 3 and tr.duration_s == 2.0
    mid = tr.pose_at(0.5)
    assert np.allclose(mid.position, [0.5, 1, 1.5])
    assert mid.angles().yaw_deg == pytest.approx(45.0)  # slerp halfway to 90°
    assert np.allclose(tr.pose_at(-5).position, 0) and np.allclose(
        tr.pose_at(9).position, [2, 4, 6]
    )
    assert abs(tr.pose_at(9).angles().yaw_deg) == pytest.approx(180.0)


def test_non_unit_quaternions_are_normalised() -> None:
    tr = parse_tum("0 0 0 0 0 0 0 2\n1 0 0 0 0 0 3 3\n")
    assert np.allclose(np.linalg.norm(tr.quaternions, axis=1), 1.0)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "no poses"),
        ("# only a comment\n", "no poses"),
        ("0 0 0 0 0 0 0 1\n1 0 0 0 0 0 1\n", "line 2: expected 8 numbers"),
        ("0 0 0 0 0 0 0 1\n# c\n1 0 x 0 0 0 0 1\n", "line 3: not a number"),
        ("0 0 0 0 0 0 0 1\n1 0 nan 0 0 0 0 1\n", "line 2: NaN"),
        ("0 0 0 0 0 0 0 1\n1 0 inf 0 0 0 0 1\n", "line 2: NaN or infinite"),
        ("0 0 0 0 0 0 0 1\n0 0 0 0 0 0 0 1\n", "line 2: time"),
        ("1 0 0 0 0 0 0 1\n0.5 0 0 0 0 0 0 1\n", "line 2: time"),
        ("0 0 0 0 0 0 0 1\n1 0 0 0 0 0 0 0\n", "line 2: zero quaternion"),
    ],
)
def test_bad_files_name_the_line(text: str, match: str) -> None:
    with pytest.raises(HeadTraceError, match=match) as info:
        parse_tum(text, "t.txt")
    assert isinstance(info.value, HudError) and "\n" not in str(info.value)


def test_missing_file_is_a_hud_error(tmp_path: Path) -> None:
    with pytest.raises(HudError, match="not found"):
        read_tum(tmp_path / "missing.txt")


def test_real_trace_reads_whole_and_is_y_up() -> None:
    raw = read_tum(TRACE)
    assert len(raw) == 13479 and 112 < raw.duration_s < 113
    # The axis argument of head_trace's docstring: body y stays along world y (up).
    body_y = np.array(
        [Pose(p, q).matrix()[:, 1] for p, q in zip(raw.positions[::50], raw.quaternions[::50])]
    )
    assert body_y[:, 1].mean() > 0.95


def test_head_convention_turns_y_up_into_y_down() -> None:
    raw = parse_tum("0 1 2 3 0 0 0 1\n1 1 2 3 0.1 0.2 0.3 0.9\n")
    conv = raw.in_head_convention()
    assert np.allclose(conv.positions[0], [-1, -2, 3])
    flip = np.diag([-1.0, -1.0, 1.0])
    for a, b in zip(raw.quaternions, conv.quaternions):
        ra, rb = Pose(rotation=a).matrix(), Pose(rotation=b).matrix()
        assert np.allclose(rb, flip @ ra @ flip)


def test_relative_to_start_begins_straight_ahead() -> None:
    tr = HeadTrajectory.from_tum(TRACE).relative_to_start()
    first = tr.pose_at(0.0)
    assert np.allclose(first.position, 0) and np.allclose(first.matrix(), np.eye(3))
    later = HeadTrajectory.from_tum(TRACE).relative_to(30.0)
    assert later.times_s[0] == 0.0 and later.duration_s == pytest.approx(
        tr.duration_s - 30.0, abs=0.01
    )
    assert np.allclose(later.pose_at(0.0).matrix(), np.eye(3))
    level = HeadTrajectory.from_tum(TRACE).relative_to_start(yaw_only=True)
    assert level.head_pose_at(0.0).yaw_deg == pytest.approx(0.0, abs=1e-9)
    assert abs(level.head_pose_at(0.0).pitch_deg) < 20  # a person looking roughly level


def test_angles_round_trip() -> None:
    for yaw, pitch, roll in [(20, 0, 0), (-35, 10, 5), (170, -40, -20)]:
        a = pose_from_angles(yaw, pitch, roll).angles()
        assert (a.yaw_deg, a.pitch_deg, a.roll_deg) == pytest.approx((yaw, pitch, roll))
    # yaw right turns the forward axis toward +x, pitch down toward +y (the head frame's)
    assert pose_from_angles(30, 0).matrix()[:, 2] == pytest.approx([0.5, 0, math.sqrt(3) / 2])
    assert pose_from_angles(0, 30).matrix()[:, 2][1] == pytest.approx(0.5)


def test_angular_velocity_matches_yaw_rate() -> None:
    times = np.linspace(0, 1, 11)
    quats = np.array([pose_from_angles(90 * t, 0).rotation for t in times])
    tr = HeadTrajectory(times, np.zeros((11, 3)), quats)
    w = tr.angular_velocity_at(0.55)
    assert w == pytest.approx([0, math.radians(90), 0], abs=1e-9)  # about the head's y (down)
    assert tr.yaw_pitch_rate_deg_at(0.55) == pytest.approx((90.0, 0.0))
    assert np.allclose(tr.angular_velocity_at(5.0), 0)


def test_world_locked_point_moves_against_real_head_rotation() -> None:
    """Replay the real trace: a point fixed straight ahead at the start appears where the
    head's rotation says, e.g. 20° left after the head turned 20° right."""
    tr = HeadTrajectory.from_tum(TRACE).relative_to_start(yaw_only=True)
    start = tr.pose_at(0.0)
    point = start.apply(np.array([0.0, 0.0, 100.0]))  # far away: translation hardly matters
    checked = 0
    for t in np.arange(0.0, tr.duration_s, 0.5):
        head = tr.pose_at(float(t))
        seen = head.apply_inverse(point)
        expected = head.matrix().T @ (start.matrix()[:, 2])
        cos = np.dot(seen / np.linalg.norm(seen), expected)
        assert cos > math.cos(math.radians(0.5))
        angles = head.angles()
        if abs(angles.pitch_deg) < 3 and abs(angles.roll_deg) < 3 and abs(angles.yaw_deg) < 60:
            seen_yaw = math.degrees(math.atan2(seen[0], seen[2]))
            assert seen_yaw == pytest.approx(-angles.yaw_deg, abs=1.0)  # turn right → appears left
            checked += 1
    assert checked > 20
    # A pure 20° yaw to the right: the point straight ahead is 20° to the left.
    turned = pose_from_angles(20.0, 0.0)
    seen = turned.apply_inverse(np.array([0.0, 0.0, 2.0]))
    assert math.degrees(math.atan2(seen[0], seen[2])) == pytest.approx(-20.0)


def test_a_missing_or_binary_trace_is_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(HeadTraceError, match="head trace not found"):
        read_tum(tmp_path / "none.tum")
    binary = tmp_path / "b.tum"
    binary.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(HeadTraceError, match="not a text file"):
        read_tum(binary)
