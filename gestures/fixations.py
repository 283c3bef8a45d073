"""Fixation detection on a gaze stream: I-VT and I-DT (Salvucci & Goldberg 2000).

Salvucci & Goldberg, "Identifying fixations and saccades in eye-tracking protocols"
(ETRA 2000): the velocity-threshold (I-VT) and dispersion-threshold (I-DT) algorithms,
with their thresholds as frozen options. One addition that is not in the paper: nearby
fixations (within a short gap and a small angle, never across a blink) are merged, since
I-DT otherwise splits one long fixation whose noise briefly exceeds the dispersion limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gestures.errors import TimestampOrderError, check_number
from gestures.gaze_sample import GazeSample, angular_distance_deg
from gestures.landmarks import FloatArray


@dataclass(frozen=True)
class Fixation:
    """A run of samples ``start_index``..``end_index`` (inclusive) at one place."""

    start_index: int
    end_index: int
    start_ms: int
    end_ms: int
    yaw_deg: float
    pitch_deg: float

    @property
    def duration_ms(self) -> int:
        """From the first sample's time to the last one's."""
        return self.end_ms - self.start_ms


@dataclass(frozen=True)
class IVTOptions:
    """Velocity-threshold identification (I-VT, Salvucci & Goldberg 2000)."""

    #: Point-to-point angular velocity below which a sample is a fixation point.
    #: 30°/s is the common default (Tobii's I-VT filter); saccades peak at hundreds.
    velocity_threshold_dps: float = 30.0
    #: I-VT itself has no duration rule; groups shorter than this (after merging) are
    #: dropped as the slow ends of saccades rather than reported as fixations.
    min_duration_ms: int = 60
    #: Merge neighbours at most this far apart in time and angle (see :func:`merge_fixations`).
    merge_gap_ms: int = 75
    merge_angle_deg: float = 0.5

    def __post_init__(self) -> None:
        check_number(
            "IVTOptions.velocity_threshold_dps", self.velocity_threshold_dps, low=0, low_open=True
        )
        check_number("IVTOptions.min_duration_ms", self.min_duration_ms, low=0)
        check_number("IVTOptions.merge_gap_ms", self.merge_gap_ms, low=0)
        check_number("IVTOptions.merge_angle_deg", self.merge_angle_deg, low=0)


@dataclass(frozen=True)
class IDTOptions:
    """Dispersion-threshold identification (I-DT, Salvucci & Goldberg 2000)."""

    #: Dispersion ``(max yaw − min yaw) + (max pitch − min pitch)`` of a fixation window.
    dispersion_threshold_deg: float = 1.0
    #: The smallest window, in time (S&G suggest 100–200 ms).
    duration_threshold_ms: int = 100
    #: Merge neighbours at most this far apart in time and angle (see :func:`merge_fixations`).
    merge_gap_ms: int = 75
    merge_angle_deg: float = 0.5

    def __post_init__(self) -> None:
        check_number(
            "IDTOptions.dispersion_threshold_deg",
            self.dispersion_threshold_deg,
            low=0,
            low_open=True,
        )
        check_number("IDTOptions.duration_threshold_ms", self.duration_threshold_ms, low=0)
        check_number("IDTOptions.merge_gap_ms", self.merge_gap_ms, low=0)
        check_number("IDTOptions.merge_angle_deg", self.merge_angle_deg, low=0)


def _as_arrays(samples: Sequence[GazeSample]) -> tuple[np.ndarray, FloatArray, FloatArray]:
    """Timestamps, yaws and pitches (NaN where invalid); refuses time running backwards."""
    t = np.array([s.timestamp_ms for s in samples], dtype=np.int64)
    bad = np.nonzero(np.diff(t) < 0)[0]
    if len(bad):
        raise TimestampOrderError(int(t[bad[0]]), int(t[bad[0] + 1]))
    yaw = np.array([s.yaw_deg if s.valid else np.nan for s in samples], dtype=np.float64)
    pitch = np.array([s.pitch_deg if s.valid else np.nan for s in samples], dtype=np.float64)
    return t, yaw, pitch


def _fixation(t: np.ndarray, yaw: FloatArray, pitch: FloatArray, i: int, j: int) -> Fixation:
    """The fixation over samples i..j, at the centroid of its valid samples."""
    return Fixation(
        i,
        j,
        int(t[i]),
        int(t[j]),
        float(np.nanmean(yaw[i : j + 1])),
        float(np.nanmean(pitch[i : j + 1])),
    )


def merge_fixations(
    fixations: list[Fixation],
    samples: Sequence[GazeSample],
    max_gap_ms: int,
    max_angle_deg: float,
) -> list[Fixation]:
    """Join consecutive fixations separated by a short, small gap.

    Not part of Salvucci & Goldberg's algorithms, but the usual post-processing (Tobii's
    I-VT filter defaults to 75 ms and 0.5°): a noise spike inside a fixation, or the
    last sample of a saccade caught in a dispersion window, otherwise splits one
    fixation in two. Fixations are never merged across an invalid sample: a blink
    means nobody knows where the eyes were.
    """
    if not fixations:
        return []
    return _merge(fixations, *_as_arrays(samples), max_gap_ms, max_angle_deg)


def _merge(
    fixations: list[Fixation],
    t: np.ndarray,
    yaw: np.ndarray,
    pitch: np.ndarray,
    max_gap_ms: float,
    max_angle_deg: float,
) -> list[Fixation]:
    """:func:`merge_fixations` on the sample arrays a detector already has."""
    if not fixations:
        return []
    merged = [fixations[0]]
    for nxt in fixations[1:]:
        cur = merged[-1]
        between = slice(cur.end_index + 1, nxt.start_index)
        close = angular_distance_deg(cur.yaw_deg, cur.pitch_deg, nxt.yaw_deg, nxt.pitch_deg)
        if (
            nxt.start_ms - cur.end_ms <= max_gap_ms
            and float(close) <= max_angle_deg
            and np.isfinite(yaw[between]).all()
        ):
            merged[-1] = _fixation(t, yaw, pitch, cur.start_index, nxt.end_index)
        else:
            merged.append(nxt)
    return merged


def detect_fixations_ivt(
    samples: Sequence[GazeSample], options: IVTOptions | None = None
) -> list[Fixation]:
    """I-VT: label each sample by the velocity from its predecessor, then group.

    The first sample takes the velocity to its successor. Invalid samples (blinks, a
    lost face) have no velocity and split a fixation, as does a repeated timestamp.
    """
    opts = options or IVTOptions()
    t, yaw, pitch = _as_arrays(samples)
    n = len(t)
    if n < 2:
        return []
    step = angular_distance_deg(yaw[:-1], pitch[:-1], yaw[1:], pitch[1:])
    dt = np.diff(t).astype(np.float64) / 1000.0
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = np.where(dt > 0, step / dt, np.nan)
    velocity = np.concatenate([speed[:1], speed])
    fixating = velocity < opts.velocity_threshold_dps  # NaN compares False
    fixations: list[Fixation] = []
    i = 0
    while i < n:
        if not fixating[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and fixating[j + 1]:
            j += 1
        fixations.append(_fixation(t, yaw, pitch, i, j))
        i = j + 1
    merged = _merge(fixations, t, yaw, pitch, opts.merge_gap_ms, opts.merge_angle_deg)
    return [f for f in merged if f.duration_ms >= opts.min_duration_ms]


def detect_fixations_idt(
    samples: Sequence[GazeSample], options: IDTOptions | None = None
) -> list[Fixation]:
    """I-DT: grow a window spanning the duration threshold while its dispersion is low.

    Exactly S&G's loop: a window covering ``duration_threshold_ms`` whose dispersion is
    within the threshold becomes a fixation, extended sample by sample until the next
    one would break the threshold; otherwise the window slides on by one sample.
    Invalid samples cannot be in a fixation window.
    """
    opts = options or IDTOptions()
    t, yaw, pitch = _as_arrays(samples)
    n = len(t)
    valid = np.isfinite(yaw) & np.isfinite(pitch)
    fixations: list[Fixation] = []
    i = 0
    while i < n:
        j = int(np.searchsorted(t, t[i] + opts.duration_threshold_ms, side="left"))
        if j >= n:
            break
        window = slice(i, j + 1)
        if not valid[window].all():
            i += 1
            continue
        lo_y, hi_y = float(yaw[window].min()), float(yaw[window].max())
        lo_p, hi_p = float(pitch[window].min()), float(pitch[window].max())
        if (hi_y - lo_y) + (hi_p - lo_p) > opts.dispersion_threshold_deg:
            i += 1
            continue
        while j + 1 < n and valid[j + 1]:
            ny, np_ = float(yaw[j + 1]), float(pitch[j + 1])
            spread = (max(hi_y, ny) - min(lo_y, ny)) + (max(hi_p, np_) - min(lo_p, np_))
            if spread > opts.dispersion_threshold_deg:
                break
            lo_y, hi_y, lo_p, hi_p = min(lo_y, ny), max(hi_y, ny), min(lo_p, np_), max(hi_p, np_)
            j += 1
        fixations.append(_fixation(t, yaw, pitch, i, j))
        i = j + 1
    return _merge(fixations, t, yaw, pitch, opts.merge_gap_ms, opts.merge_angle_deg)
