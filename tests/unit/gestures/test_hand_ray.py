"""The shoulder-through-hand ray: geometry, One Euro stabilisation, lag, hit testing."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gestures.errors import TimestampOrderError
from gestures.hand_ray import (
    HandRayCaster,
    HandRayOptions,
    OneEuroFilter,
    OneEuroOptions,
    angles_to_direction,
    direction_angles,
)
from gestures.landmarks import INDEX_MCP, HandFrame, HandLandmarks
from gestures.selection import Target
from gestures.synthetic import ScriptedHand, pose_points, synthetic_hand

FRAME_MS = 16  # about 60 Hz


def _trace(hand: ScriptedHand, frames: int, caster: HandRayCaster | None = None) -> np.ndarray:
    """(t, raw yaw, raw pitch, yaw, pitch) per frame."""
    caster = caster or HandRayCaster()
    rows = []
    for i in range(frames):
        (ray,) = caster.process(hand.tick(i * FRAME_MS))
        rows.append(
            (ray.timestamp_ms, ray.raw_yaw_deg, ray.raw_pitch_deg, ray.yaw_deg, ray.pitch_deg)
        )
    return np.array(rows)


def test_the_ray_goes_from_the_shoulder_through_the_index_knuckle() -> None:
    """An independent pinhole back-projection gives the same direction."""
    options = HandRayOptions(camera_fov_h_deg=80.0)
    hand = synthetic_hand(
        pose_points("open_palm"), centre=(0.7, 0.75), size=0.12, aspect_ratio=4 / 3
    )
    ray = HandRayCaster(options).cast(0, hand)
    assert ray is not None
    focal_px = (640 / 2) / math.tan(math.radians(40.0))  # a 640 × 480 image
    u, v = hand.points[INDEX_MCP, 0] * 640, hand.points[INDEX_MCP, 1] * 480
    palm_px = hand.size * 480
    depth = focal_px * 0.09 / palm_px
    knuckle = np.array([(u - 320) / focal_px * depth, (v - 240) / focal_px * depth, depth])
    expected = knuckle - np.array([0.18, 0.25, -0.05])
    yaw, pitch = direction_angles(expected)
    assert ray.raw_yaw_deg == pytest.approx(yaw, abs=1e-9)
    assert ray.raw_pitch_deg == pytest.approx(pitch, abs=1e-9)
    assert np.allclose(ray.through, knuckle)
    assert np.allclose(angles_to_direction(yaw, pitch), expected / np.linalg.norm(expected))
    # The left hand starts from the left shoulder.
    left = HandRayCaster(options).cast(
        0, synthetic_hand(pose_points("open_palm"), handedness="Left")
    )
    assert left is not None and left.origin[0] == pytest.approx(-0.18)


def test_moving_the_hand_right_and_up_turns_the_ray_right_and_up() -> None:
    caster = HandRayCaster()
    centre = caster.cast(0, synthetic_hand(pose_points("open_palm"), centre=(0.5, 0.6)))
    right = caster.cast(1000, synthetic_hand(pose_points("open_palm"), centre=(0.7, 0.6)))
    up = caster.cast(2000, synthetic_hand(pose_points("open_palm"), centre=(0.7, 0.4)))
    assert centre is not None and right is not None and up is not None
    assert right.raw_yaw_deg > centre.raw_yaw_deg + 5.0
    assert up.raw_pitch_deg > right.raw_pitch_deg + 5.0


def test_pinching_does_not_move_the_ray() -> None:
    """The index knuckle is the anchor so that a click does not jolt the pointer."""
    caster = HandRayCaster()
    open_ray = caster.cast(0, synthetic_hand(pose_points("open_palm"), centre=(0.6, 0.7)))
    pinch_ray = caster.cast(16, synthetic_hand(pose_points("pinch"), centre=(0.6, 0.7)))
    assert open_ray is not None and pinch_ray is not None
    assert pinch_ray.raw_yaw_deg == pytest.approx(open_ray.raw_yaw_deg, abs=0.1)
    assert pinch_ray.raw_pitch_deg == pytest.approx(open_ray.raw_pitch_deg, abs=0.1)


def test_one_euro_removes_jitter_from_a_still_hand() -> None:
    hand = ScriptedHand(position=(0.6, 0.7), size=0.1, noise=0.002, seed=1)
    trace = _trace(hand, 300)[60:]  # after the filter settled
    raw_jitter = float(np.hypot(trace[:, 1].std(), trace[:, 2].std()))
    filtered_jitter = float(np.hypot(trace[:, 3].std(), trace[:, 4].std()))
    print(f"still hand jitter: raw {raw_jitter:.3f}°, filtered {filtered_jitter:.3f}°")
    assert filtered_jitter < raw_jitter / 3.0
    # Unfiltered (a huge cutoff) the jitter stays: the reduction is the filter's doing.
    passthrough = HandRayCaster(HandRayOptions(filter=OneEuroOptions(min_cutoff_hz=1e6)))
    raw_again = _trace(
        ScriptedHand(position=(0.6, 0.7), size=0.1, noise=0.002, seed=1), 300, passthrough
    )
    assert np.allclose(raw_again[60:, 3], raw_again[60:, 1])


def test_lag_while_sweeping_is_bounded_and_a_stop_is_caught_up() -> None:
    hand = ScriptedHand(position=(0.3, 0.7), size=0.1)
    hand.move_to(0.8, 0.7, 1500)
    trace = _trace(hand, 160)
    t, raw, filtered = trace[:, 0], trace[:, 1], trace[:, 3]
    moving = (t >= 300) & (t <= 1400)
    speed = np.gradient(raw, t) * 1000.0  # °/s
    lag_ms = (raw - filtered)[moving] / speed[moving] * 1000.0
    settled = np.abs(raw - filtered)[t >= 1500 + 300]
    print(
        f"sweep at {speed[moving].mean():.1f}°/s: lag {lag_ms.mean():.0f} ms mean, "
        f"{lag_ms.max():.0f} ms max; error 300 ms after stopping {settled.max():.3f}°"
    )
    assert speed[moving].mean() > 15.0
    assert lag_ms.max() < 60.0
    assert settled.max() < 0.5
    # Without the speed term (beta = 0) the same filter lags far more: beta matters.
    slow = HandRayCaster(HandRayOptions(filter=OneEuroOptions(beta=0.0)))
    hand = ScriptedHand(position=(0.3, 0.7), size=0.1)
    hand.move_to(0.8, 0.7, 1500)
    trace = _trace(hand, 160, slow)
    slow_lag = (trace[:, 1] - trace[:, 3])[moving] / speed[moving] * 1000.0
    assert slow_lag.mean() > 2 * lag_ms.mean()


def test_one_euro_filter_basics() -> None:
    f = OneEuroFilter()
    assert f(0, [1.0, 2.0]).tolist() == [1.0, 2.0]  # the first value passes
    assert f(0, [5.0, 5.0]).tolist() == [1.0, 2.0]  # a repeated frame changes nothing
    with pytest.raises(TimestampOrderError):
        f(-1, [0.0, 0.0])
    with pytest.raises(ValueError):
        OneEuroOptions(min_cutoff_hz=0.0)


def test_the_ray_reports_the_target_it_hits() -> None:
    hand = synthetic_hand(pose_points("open_palm"), centre=(0.75, 0.75), size=0.1)
    ray = HandRayCaster().cast(0, hand)
    assert ray is not None
    on = Target("on", ray.yaw_deg, ray.pitch_deg, 3.0, 3.0)
    off = Target("off", ray.yaw_deg + 10.0, ray.pitch_deg, 3.0, 3.0)
    hit = HandRayCaster().cast(0, hand, [off, on])
    assert hit is not None and hit.target_id == "on"
    miss = HandRayCaster().cast(0, hand, [off])
    assert miss is not None and miss.target_id is None


def test_missing_or_nan_hands_give_no_ray_and_reset_the_filter() -> None:
    caster = HandRayCaster()
    good = synthetic_hand(pose_points("open_palm"), centre=(0.3, 0.7))
    nan = HandLandmarks(np.full((21, 2), np.nan))
    assert caster.process(HandFrame(0, (good,)))
    assert caster.process(HandFrame(16, ())) == []
    assert caster.cast(32, nan) is None
    far = synthetic_hand(pose_points("open_palm"), centre=(0.8, 0.7))
    (ray,) = caster.process(HandFrame(48, (far,)))
    assert ray.yaw_deg == ray.raw_yaw_deg  # no glide from where the hand was lost
    with pytest.raises(TimestampOrderError):
        caster.process(HandFrame(40, (far,)))
