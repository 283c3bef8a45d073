"""Geometry of a moving point (a fingertip, the palm): length, turning, classification.

The streaming recognisers in :mod:`gestures.motion` and the offline ``hud eval-tracks``
share these functions, so what is measured on recorded tracks is what runs live.

Sign convention: points are image coordinates with y growing *downward*. In that frame
a positive turning angle is a **clockwise** turn as the image is displayed. A mirrored
(selfie) image shows the user's own motion as the user sees it; an unmirrored camera
facing the user shows it reversed. The kinivi point-history labels were recorded on a
mirrored frame and follow this convention (``Clockwise`` tracks turn positive), so
clockwise there means clockwise from the user's point of view. An egocentric glasses
camera is not mirrored and also sees the user's own direction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from gestures.errors import check_number
from gestures.landmarks import FloatArray, ramp

TrackLabel = Literal["none", "circle_cw", "circle_ccw", "move"]
TRACK_LABELS: tuple[TrackLabel, ...] = ("none", "circle_cw", "circle_ccw", "move")


@dataclass(frozen=True)
class TrackOptions:
    """Thresholds of :func:`classify_track`; lengths in the track's own units.

    The defaults suit tracks in image heights (x scaled by the aspect ratio), about
    half a second long, as in the kinivi point history (16 frames).
    """

    #: A path shorter than this is a hand holding still: ``none``.
    stop_length: float = 0.075
    #: At least this much turning (degrees, half a turn) makes a circle.
    min_turn_deg: float = 180.0
    #: Steps shorter than this fraction of the path are jitter and do not turn.
    min_step_fraction: float = 0.05

    def __post_init__(self) -> None:
        check_number("TrackOptions.stop_length", self.stop_length, low=0)
        check_number("TrackOptions.min_turn_deg", self.min_turn_deg, low=0, low_open=True)
        check_number(
            "TrackOptions.min_step_fraction", self.min_step_fraction, low=0, high=1, high_open=True
        )


@dataclass(frozen=True)
class TrackResult:
    """A track label, a score in [0, 1], and the measurements behind them."""

    label: TrackLabel
    score: float
    length: float
    turn_deg: float


def _clean(points: ArrayLike) -> FloatArray:
    """(N, 2) float points without NaN or infinite rows (a lost frame is skipped)."""
    array = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    return array[np.isfinite(array).all(axis=1)]


def path_length(points: ArrayLike) -> float:
    """Total length of the polyline through ``points``."""
    pts = _clean(points)
    if len(pts) < 2:
        return 0.0
    steps = np.diff(pts, axis=0)
    return float(np.hypot(steps[:, 0], steps[:, 1]).sum())


def turning_deg(points: ArrayLike, min_step_fraction: float = 0.05) -> float:
    """Signed total turning of the path's direction, degrees; positive = clockwise (y down).

    Unlike the winding angle around a centre, this needs no centre and does not jump
    when a straight path passes near one. Steps shorter than ``min_step_fraction`` of
    the total length are dropped first, since the direction of a 1-pixel jitter step is
    noise, and summing such noise over a still hand would invent turns.
    """
    pts = _clean(points)
    if len(pts) < 3:
        return 0.0
    steps = np.diff(pts, axis=0)
    lengths = np.hypot(steps[:, 0], steps[:, 1])
    total = float(lengths.sum())
    if total <= 0.0:
        return 0.0
    steps = steps[lengths >= max(min_step_fraction * total, 1e-12)]
    if len(steps) < 2:
        return 0.0
    a, b = steps[:-1], steps[1:]
    cross = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
    dot = a[:, 0] * b[:, 0] + a[:, 1] * b[:, 1]
    return float(np.degrees(np.arctan2(cross, dot).sum()))


def classify_track(points: ArrayLike, options: TrackOptions | None = None) -> TrackResult:
    """Stop (``none``), ``move``, ``circle_cw`` or ``circle_ccw`` for one short track.

    Still versus moving is path length; circle versus move is how much the direction
    turned in total (a circle turns one way, a move goes roughly straight or wobbles
    both ways); the sign of the turn is the circle's direction.
    """
    opts = options or TrackOptions()
    length = path_length(points)
    turn = turning_deg(points, opts.min_step_fraction)
    moving = ramp(length, opts.stop_length, opts.stop_length / 3.0)
    if length < opts.stop_length:
        return TrackResult("none", 1.0 - moving, length, turn)
    circular = ramp(abs(turn), opts.min_turn_deg, opts.min_turn_deg / 4.0)
    if abs(turn) >= opts.min_turn_deg:
        label: TrackLabel = "circle_cw" if turn > 0 else "circle_ccw"
        return TrackResult(label, min(moving, circular), length, turn)
    return TrackResult("move", min(moving, 1.0 - circular), length, turn)
