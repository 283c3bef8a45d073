"""One gaze sample and the angle between two: shared by the estimator and the fixation code."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from gestures.landmarks import FloatArray

GazeStatus = Literal["ok", "no_face", "non_finite", "degenerate", "implausible"]


@dataclass(frozen=True)
class GazeSample:
    """Where the eyes pointed at one frame time.

    ``yaw_deg``/``pitch_deg`` are calibrated when the estimator has a calibration, else
    equal to ``raw_*``. An invalid sample (``status`` not ``ok``) carries NaN angles, so
    it can flow through the same arrays as valid ones: a blink is a gap, not an error.
    """

    timestamp_ms: int
    yaw_deg: float
    pitch_deg: float
    raw_yaw_deg: float
    raw_pitch_deg: float
    status: GazeStatus = "ok"

    @property
    def valid(self) -> bool:
        """True when the angles are usable."""
        return self.status == "ok" and math.isfinite(self.yaw_deg + self.pitch_deg)

    @classmethod
    def invalid(cls, timestamp_ms: int, status: GazeStatus) -> GazeSample:
        """A sample with NaN angles and the reason."""
        nan = float("nan")
        return cls(int(timestamp_ms), nan, nan, nan, nan, status)

    @classmethod
    def at(cls, timestamp_ms: int, yaw_deg: float, pitch_deg: float) -> GazeSample:
        """A valid sample whose raw and calibrated angles are the same (tests, simulation)."""
        yaw, pitch = float(yaw_deg), float(pitch_deg)
        if not math.isfinite(yaw + pitch):
            return cls.invalid(timestamp_ms, "non_finite")
        return cls(int(timestamp_ms), yaw, pitch, yaw, pitch)


def angular_distance_deg(
    yaw1: ArrayLike, pitch1: ArrayLike, yaw2: ArrayLike, pitch2: ArrayLike
) -> FloatArray:
    """Great-circle angle between two gaze directions (NaN in, NaN out).

    Uses the chord form ``2·asin(|a−b|/2)``, accurate for the tiny angles of fixational
    jitter where ``acos`` of a dot product loses all precision.
    """

    def unit(yaw: ArrayLike, pitch: ArrayLike) -> FloatArray:
        y, p = (
            np.radians(np.asarray(yaw, dtype=np.float64)),
            np.radians(np.asarray(pitch, dtype=np.float64)),
        )
        return np.stack([np.sin(y) * np.cos(p), np.sin(p), np.cos(y) * np.cos(p)], axis=-1)

    chord = np.linalg.norm(unit(yaw1, pitch1) - unit(yaw2, pitch2), axis=-1)
    return np.asarray(np.degrees(2.0 * np.arcsin(np.clip(chord / 2.0, 0.0, 1.0))))
