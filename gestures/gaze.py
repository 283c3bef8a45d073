"""Gaze as a stream of samples: per-frame estimate, per-user calibration, fixations.

Three stages, each usable alone:

1. :class:`GazeEstimator` turns one frame's 478 face-mesh landmarks into a
   :class:`GazeSample`. The geometry (head axes from the mesh, eye-in-head rotation from
   the iris offset between the eye corners, the eye rotation applied in the head frame
   so that turning the head while looking at one spot keeps the gaze) lives in
   :mod:`gestures.gaze_geometry` and is reused, not repeated, here. What this layer
   adds is what a stream needs: frame timestamps that must not run backwards, a sample
   that says *why* it is invalid (no face, NaN landmarks, degenerate eyes, implausible
   angles) instead of raising mid-stream, and the calibration applied per sample.
2. :class:`GazeCalibrator` runs the classic 9-target routine and fits a second-order
   polynomial from raw gaze angles to display angles by least squares, with a quality
   report (per-target error, leave-one-out error, precision). The uncalibrated geometry
   is only good to 5–10° (see the gaze_geometry docstring); calibration absorbs the
   person's eyeball proportions, the offset between the eye-corner midpoint and the
   straight-ahead iris position, and the camera-to-display mounting.
3. :func:`detect_fixations_ivt` and :func:`detect_fixations_idt` (in
   :mod:`gestures.fixations`, re-exported here): the velocity-threshold
   and dispersion-threshold algorithms as described by Salvucci & Goldberg (2000),
   "Identifying fixations and saccades in eye-tracking protocols", with their
   thresholds as frozen options.

Angles are degrees, yaw positive to the right and pitch positive upwards. Raw angles
are in the face camera's terms (:mod:`gestures.gaze_geometry`); calibrated ones in
the display's, whatever sign convention the calibration targets use.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from gestures import gaze_geometry as gz
from gestures.clock import FrameClock
from gestures.errors import GestureError, check_number
from gestures.gaze_sample import GazeSample, angular_distance_deg
from gestures.landmarks import FloatArray
from hud.errors import OptionsError
from hud.trackers.results import FACE_LANDMARK_COUNT, FaceResult


class CalibrationError(GestureError):
    """A calibration could not be fitted (too few usable targets, degenerate gaze)."""


# ------------------------------------------------------------------------- estimator


@dataclass(frozen=True)
class GazeOptions:
    """Settings of :class:`GazeEstimator`."""

    #: Eye-in-head rotations beyond this are anatomically implausible (the oculomotor
    #: range is about ±45°): such a sample comes from closed eyes or a bad mesh.
    max_eye_deg: float = 40.0
    #: (width, height) used when a face result carries no image size.
    image_size: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        check_number("GazeOptions.max_eye_deg", self.max_eye_deg, low=0, high=90, low_open=True)
        if self.image_size is not None:
            size = self.image_size
            if not (isinstance(size, tuple | list) and len(size) == 2):
                raise OptionsError(f"GazeOptions.image_size must be (width, height), got {size!r}")
            for side in size:
                check_number("GazeOptions.image_size", side, low=1, whole=True)


class GazeEstimator:
    """Face landmarks in, one :class:`GazeSample` per frame out.

    Never raises on bad landmarks (a stream must survive a blink or a lost face); only
    time running backwards raises :class:`~gestures.errors.TimestampOrderError`.
    """

    def __init__(
        self, options: GazeOptions | None = None, calibration: GazeCalibration | None = None
    ) -> None:
        self.options = options or GazeOptions()
        #: Applied to every valid sample; replace it after running a :class:`GazeCalibrator`.
        self.calibration = calibration
        self.clock = FrameClock()

    def reset(self) -> None:
        """Forget the last timestamp (keeps the calibration)."""
        self.clock.reset()

    def process(self, timestamp_ms: int, face: FaceResult | None) -> GazeSample:
        """The gaze of one tracker result (None when no face was found)."""
        if face is None:
            return self.process_landmarks(timestamp_ms, None, self.options.image_size)
        size = face.image_size or self.options.image_size
        return self.process_landmarks(timestamp_ms, face.landmarks, size)

    def process_landmarks(
        self,
        timestamp_ms: int,
        landmarks: ArrayLike | None,
        image_size: tuple[int, int] | None,
    ) -> GazeSample:
        """The gaze of 478 × 3 normalised landmarks from an image of ``image_size``."""
        self.clock.advance(timestamp_ms)
        t = int(timestamp_ms)
        if landmarks is None:
            return GazeSample.invalid(t, "no_face")
        points = np.asarray(landmarks, dtype=np.float64)
        if points.shape != (FACE_LANDMARK_COUNT, 3):
            raise GestureError(f"gaze needs 478 × 3 face landmarks, got shape {points.shape}")
        if image_size is None:
            raise GestureError("gaze needs the image size to undo the aspect ratio")
        if not np.isfinite(points).all():
            return GazeSample.invalid(t, "non_finite")
        try:
            estimate = gz.estimate_gaze(points, image_size)
        except (ValueError, np.linalg.LinAlgError):
            return GazeSample.invalid(t, "degenerate")
        eye = max(abs(estimate.eye_yaw_deg), abs(estimate.eye_pitch_deg))
        if (
            not math.isfinite(estimate.yaw_deg + estimate.pitch_deg)
            or eye > self.options.max_eye_deg
        ):
            return GazeSample.invalid(t, "implausible")
        yaw, pitch = estimate.yaw_deg, estimate.pitch_deg
        if self.calibration is not None:
            yaw, pitch = self.calibration.apply(yaw, pitch)
        return GazeSample(t, yaw, pitch, estimate.yaw_deg, estimate.pitch_deg)


# ----------------------------------------------------------------------- calibration


def nine_point_targets(half_yaw_deg: float = 12.0, half_pitch_deg: float = 8.0) -> FloatArray:
    """The 3 × 3 grid of calibration targets, (9, 2) yaw/pitch, top-left first, row by row."""
    yaws = (-half_yaw_deg, 0.0, half_yaw_deg)
    pitches = (half_pitch_deg, 0.0, -half_pitch_deg)
    return np.array([(y, p) for p in pitches for y in yaws], dtype=np.float64)


def _features(uv: FloatArray, degree: int) -> FloatArray:
    """Polynomial terms ``u^i v^j`` with ``i + j <= degree``, constant first."""
    u, v = uv[:, 0], uv[:, 1]
    terms = [u**i * v ** (d - i) for d in range(degree + 1) for i in range(d, -1, -1)]
    return np.stack(terms, axis=1)


def feature_count(degree: int) -> int:
    """Coefficients per output of a 2-D polynomial of ``degree`` (3 affine, 6 quadratic)."""
    return (degree + 1) * (degree + 2) // 2


@dataclass(frozen=True, eq=False)
class GazeCalibration:
    """A polynomial map from raw gaze angles to display angles.

    Raw angles are centred and scaled before the polynomial so that squares of tens of
    degrees do not swamp the linear terms (a well-conditioned least-squares problem).
    """

    degree: int
    centre: tuple[float, float]
    scale: float
    #: (feature_count(degree), 2): one column per output (yaw, pitch).
    coefficients: FloatArray

    def apply_array(self, raw: ArrayLike) -> FloatArray:
        """Map (N, 2) raw yaw/pitch to (N, 2) display yaw/pitch."""
        pts = np.atleast_2d(np.asarray(raw, dtype=np.float64))
        uv = (pts - np.asarray(self.centre)) / self.scale
        return np.asarray(_features(uv, self.degree) @ self.coefficients)

    def apply(self, raw_yaw_deg: float, raw_pitch_deg: float) -> tuple[float, float]:
        """Map one raw direction to display angles."""
        out = self.apply_array([[raw_yaw_deg, raw_pitch_deg]])[0]
        return float(out[0]), float(out[1])


def fit_calibration(raw: ArrayLike, targets: ArrayLike, degree: int = 2) -> GazeCalibration:
    """Least-squares polynomial from ``raw`` (N, 2) angles to ``targets`` (N, 2).

    Raises :class:`CalibrationError` when there are fewer points than coefficients or
    the raw points cannot separate them (all on a line: the tracker did not see the eyes
    move, so no mapping is identifiable).
    """
    raw_pts = np.asarray(raw, dtype=np.float64).reshape(-1, 2)
    tgt = np.asarray(targets, dtype=np.float64).reshape(-1, 2)
    if raw_pts.shape != tgt.shape:
        raise CalibrationError(f"{len(raw_pts)} raw points for {len(tgt)} targets")
    if degree not in (1, 2, 3):
        raise CalibrationError(f"calibration degree must be 1, 2 or 3, got {degree}")
    needed = feature_count(degree)
    if len(raw_pts) < needed:
        raise CalibrationError(
            f"a degree-{degree} calibration needs {needed} targets, got {len(raw_pts)}"
        )
    centre = raw_pts.mean(axis=0)
    scale = float(np.abs(raw_pts - centre).max())
    if not scale > 1e-9:
        raise CalibrationError("raw gaze did not move between targets")
    design = _features((raw_pts - centre) / scale, degree)
    if np.linalg.matrix_rank(design, tol=1e-6) < needed:
        raise CalibrationError("raw gaze points are degenerate (collinear) for this degree")
    coefficients, *_ = np.linalg.lstsq(design, tgt, rcond=None)
    coefficients.setflags(write=False)
    return GazeCalibration(degree, (float(centre[0]), float(centre[1])), scale, coefficients)


@dataclass(frozen=True)
class CalibrationReport:
    """How good a calibration is, in degrees of visual angle.

    ``errors_deg`` are fitted-vs-target residuals; with 9 points and 6 coefficients per
    axis they flatter the fit, so ``loo_errors_deg`` (each target predicted by a fit
    without it) is the honest accuracy estimate and the one ``grade`` uses.
    ``precision_deg`` is the RMS sample-to-sample distance per target (Holmqvist et al.
    2012), i.e. tracker noise, which no calibration can remove.
    """

    targets: tuple[tuple[float, float], ...]
    errors_deg: tuple[float, ...]
    loo_errors_deg: tuple[float, ...]
    precision_deg: tuple[float, ...]
    dropped: tuple[int, ...]
    grade: Literal["good", "fair", "poor"]

    @property
    def mean_error_deg(self) -> float:
        """Mean fitted error over the targets used."""
        return float(np.mean(self.errors_deg))

    @property
    def max_error_deg(self) -> float:
        """Largest fitted error."""
        return float(np.max(self.errors_deg))

    @property
    def loo_mean_error_deg(self) -> float:
        """Mean leave-one-out error (NaN when too few targets to leave one out)."""
        return float(np.mean(self.loo_errors_deg))

    def summary(self) -> str:
        """One line for a log or a settings screen."""
        known = [p for p in self.precision_deg if math.isfinite(p)]
        precision = f"{sum(known) / len(known):.2f}° RMS-S2S" if known else "unknown"
        return (
            f"calibration {self.grade}: mean {self.mean_error_deg:.2f}°, "
            f"max {self.max_error_deg:.2f}°, leave-one-out {self.loo_mean_error_deg:.2f}°, "
            f"precision {precision}, {len(self.dropped)} target(s) dropped"
        )


@dataclass(frozen=True)
class CalibrationOptions:
    """The calibration routine's timing and acceptance thresholds."""

    #: Display angles to look at, in order (default: :func:`nine_point_targets`).
    targets: tuple[tuple[float, float], ...] = field(
        default_factory=lambda: tuple((float(y), float(p)) for y, p in nine_point_targets())
    )
    #: Samples in the first part of each target are the saccade to it and are ignored.
    settle_ms: int = 500
    #: Then samples are collected this long.
    sample_ms: int = 1000
    #: A target with fewer valid samples than this is dropped (a blink through it).
    min_samples: int = 10
    degree: int = 2
    #: Leave-one-out mean error up to this is ``good``, up to ``fair_error_deg`` ``fair``.
    good_error_deg: float = 1.0
    fair_error_deg: float = 2.0

    def __post_init__(self) -> None:
        check_number("CalibrationOptions.settle_ms", self.settle_ms, low=0)
        check_number("CalibrationOptions.sample_ms", self.sample_ms, low=0, low_open=True)
        check_number("CalibrationOptions.min_samples", self.min_samples, low=1, whole=True)
        check_number("CalibrationOptions.degree", self.degree, low=1, high=3, whole=True)
        check_number("CalibrationOptions.good_error_deg", self.good_error_deg, low=0, low_open=True)
        check_number(
            "CalibrationOptions.fair_error_deg", self.fair_error_deg, low=self.good_error_deg
        )
        needed = feature_count(int(self.degree))
        if len(self.targets) < needed:
            raise OptionsError(
                f"CalibrationOptions.targets: a degree-{self.degree} calibration needs at least "
                f"{needed} targets, got {len(self.targets)}"
            )
        for target in self.targets:
            if len(target) != 2:
                raise OptionsError(
                    f"CalibrationOptions.targets must be (yaw, pitch) pairs, got {target!r}"
                )
            for angle in target:
                check_number("CalibrationOptions.targets", angle)


class GazeCalibrator:
    """The 9-target routine, driven by the gaze samples' own timestamps.

    Show :attr:`current_target` (None when done), feed every sample to :meth:`add`, and
    call :meth:`fit` once :attr:`finished`. Target ``i`` is shown from
    ``t0 + i·(settle_ms + sample_ms)``, where ``t0`` is the first sample's time; the
    robust (median) raw direction of its collected samples is its calibration point.
    """

    def __init__(self, options: CalibrationOptions | None = None) -> None:
        self.options = options or CalibrationOptions()
        self.clock = FrameClock()
        self._t0: int | None = None
        self._samples: list[list[tuple[float, float]]] = [[] for _ in self.options.targets]
        self._index = 0

    @property
    def current_target(self) -> tuple[float, float] | None:
        """The target to show now, or None when the routine is over."""
        if self._index >= len(self.options.targets):
            return None
        return self.options.targets[self._index]

    @property
    def finished(self) -> bool:
        """True once every target's collection window has passed."""
        return self._index >= len(self.options.targets)

    def add(self, sample: GazeSample) -> None:
        """Feed one sample; its timestamp advances the routine."""
        self.clock.advance(sample.timestamp_ms)
        if self._t0 is None:
            self._t0 = sample.timestamp_ms
        opts = self.options
        period = opts.settle_ms + opts.sample_ms
        elapsed = sample.timestamp_ms - self._t0
        self._index = min(elapsed // period, len(opts.targets))
        if self.finished:
            return
        in_window = elapsed - self._index * period >= opts.settle_ms
        raw = (sample.raw_yaw_deg, sample.raw_pitch_deg)
        if in_window and sample.valid and math.isfinite(raw[0] + raw[1]):
            self._samples[self._index].append(raw)

    def fit(self) -> tuple[GazeCalibration, CalibrationReport]:
        """Fit the mapping from what was collected; raises :class:`CalibrationError`."""
        opts = self.options
        keep = [i for i, s in enumerate(self._samples) if len(s) >= opts.min_samples]
        dropped = tuple(i for i in range(len(self._samples)) if i not in keep)
        if len(keep) < feature_count(opts.degree):
            raise CalibrationError(
                f"only {len(keep)} of {len(self._samples)} targets got {opts.min_samples} "
                f"valid samples; a degree-{opts.degree} fit needs {feature_count(opts.degree)}"
            )
        raw = np.array([np.median(np.array(self._samples[i]), axis=0) for i in keep])
        targets = np.array([opts.targets[i] for i in keep], dtype=np.float64)
        calibration = fit_calibration(raw, targets, opts.degree)
        precision = [_rms_s2s(np.array(self._samples[i])) for i in keep]
        report = calibration_report(calibration, raw, targets, opts, dropped, precision)
        return calibration, report


def _rms_s2s(samples: FloatArray) -> float:
    """RMS of successive sample-to-sample angles (NaN for fewer than two samples)."""
    if len(samples) < 2:
        return float("nan")
    steps = angular_distance_deg(samples[:-1, 0], samples[:-1, 1], samples[1:, 0], samples[1:, 1])
    return float(np.sqrt(np.mean(steps**2)))


def calibration_report(
    calibration: GazeCalibration,
    raw: ArrayLike,
    targets: ArrayLike,
    options: CalibrationOptions | None = None,
    dropped: Sequence[int] = (),
    precision_deg: Sequence[float] | None = None,
) -> CalibrationReport:
    """Residual and leave-one-out errors of ``calibration`` on its own points.

    ``dropped`` and ``precision_deg`` (per kept target) are passed through to the report.
    """
    opts = options or CalibrationOptions()
    raw_pts = np.asarray(raw, dtype=np.float64).reshape(-1, 2)
    tgt = np.asarray(targets, dtype=np.float64).reshape(-1, 2)
    fitted = calibration.apply_array(raw_pts)
    errors = angular_distance_deg(fitted[:, 0], fitted[:, 1], tgt[:, 0], tgt[:, 1])
    loo = np.full(len(tgt), np.nan)
    if len(tgt) > feature_count(calibration.degree):
        for i in range(len(tgt)):
            rest = np.arange(len(tgt)) != i
            try:
                partial = fit_calibration(raw_pts[rest], tgt[rest], calibration.degree)
            except CalibrationError:
                continue
            guess = partial.apply_array(raw_pts[i : i + 1])[0]
            loo[i] = angular_distance_deg(guess[0], guess[1], tgt[i, 0], tgt[i, 1])
    judged = float(np.mean(loo)) if np.isfinite(loo).all() else float(np.mean(errors))
    grade: Literal["good", "fair", "poor"] = "poor"
    if judged <= opts.good_error_deg:
        grade = "good"
    elif judged <= opts.fair_error_deg:
        grade = "fair"
    return CalibrationReport(
        targets=tuple((float(a), float(b)) for a, b in tgt),
        errors_deg=tuple(float(e) for e in errors),
        loo_errors_deg=tuple(float(e) for e in loo),
        precision_deg=tuple(
            float(p) for p in (precision_deg if precision_deg is not None else [np.nan] * len(tgt))
        ),
        dropped=tuple(dropped),
        grade=grade,
    )


# Fixation detection lives in gestures.fixations; these names stay importable from here.
from gestures.fixations import (  # noqa: E402
    Fixation,
    IDTOptions,
    IVTOptions,
    detect_fixations_idt,
    detect_fixations_ivt,
    merge_fixations,
)

__all__ = [
    "CalibrationError",
    "CalibrationOptions",
    "CalibrationReport",
    "Fixation",
    "GazeCalibration",
    "GazeCalibrator",
    "GazeEstimator",
    "GazeOptions",
    "GazeSample",
    "IDTOptions",
    "IVTOptions",
    "angular_distance_deg",
    "calibration_report",
    "detect_fixations_idt",
    "detect_fixations_ivt",
    "feature_count",
    "fit_calibration",
    "merge_fixations",
    "nine_point_targets",
]
