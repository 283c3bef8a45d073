"""Landmark containers and the shared normalisation geometry."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from gestures.errors import LandmarkError
from gestures.landmarks import (
    HANDEDNESS,
    MIDDLE_MCP,
    NUM_LANDMARKS,
    WRIST,
    HandFrame,
    HandLandmarks,
    normalise,
    palm_size,
)
from gestures.synthetic import place, pose_points
from hud.errors import HudError


def test_two_d_input_gets_zero_depth_and_everything_is_read_only() -> None:
    hand = HandLandmarks(place(pose_points("open_palm")))
    assert hand.points.shape == (NUM_LANDMARKS, 3) and not hand.has_depth
    assert np.all(hand.points[:, 2] == 0.0)
    with pytest.raises(ValueError):
        hand.points[0, 0] = 1.0
    with pytest.raises(ValueError):
        hand.xy[0, 0] = 1.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        hand.handedness = "Left"  # type: ignore[misc]
    assert HandLandmarks(np.zeros((21, 3))).has_depth


def test_bad_landmarks_are_a_hud_error() -> None:
    with pytest.raises(LandmarkError):
        HandLandmarks(np.zeros((20, 2)))
    with pytest.raises(HudError):
        HandLandmarks(np.zeros((21, 2)), handedness="left")  # type: ignore[arg-type]
    with pytest.raises(LandmarkError):
        HandLandmarks(np.zeros((21, 2)), aspect_ratio=0.0)


def test_xy_undoes_the_image_aspect_ratio() -> None:
    square = place(pose_points("fist"))
    wide = place(pose_points("fist"), aspect_ratio=16 / 9)
    a = HandLandmarks(square).xy
    b = HandLandmarks(wide, aspect_ratio=16 / 9).xy
    assert np.allclose(a - a[WRIST], b - b[WRIST])


def test_frames_pick_a_valid_hand_per_side() -> None:
    good = HandLandmarks(place(pose_points("fist")), handedness="Left")
    broken_points = place(pose_points("fist"))
    broken_points[3] = np.nan
    broken = HandLandmarks(broken_points, handedness="Right")
    frame = HandFrame(timestamp_ms=5, hands=(broken, good))
    assert not broken.is_valid and good.is_valid
    assert frame.hand("Left") is good
    assert frame.hand("Right") is None


def test_normalise_removes_position_scale_rotation_and_side() -> None:
    points = pose_points("victory")
    reference = normalise(points)
    assert np.allclose(reference[WRIST], 0.0)
    assert palm_size(reference) == pytest.approx(1.0)
    assert reference[MIDDLE_MCP, 0] == pytest.approx(0.0, abs=1e-12)
    assert reference[MIDDLE_MCP, 1] < 0  # fingers up
    for angle in (33.0, 180.0, 271.0):
        for side in HANDEDNESS:
            image = place(points, (0.3, 0.8), size=0.07, rotation_deg=angle, handedness=side)
            assert np.allclose(normalise(image, side), reference, atol=1e-9)
    with pytest.raises(LandmarkError):
        normalise(np.zeros((21, 2)))
