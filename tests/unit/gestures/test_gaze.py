"""Gaze samples from face landmarks, the 9-target calibration, and I-VT / I-DT fixations."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from gestures import gaze_geometry as gz
from gestures.errors import GestureError, TimestampOrderError
from gestures.gaze import (
    CalibrationError,
    CalibrationOptions,
    GazeCalibrator,
    GazeEstimator,
    GazeSample,
    IDTOptions,
    IVTOptions,
    angular_distance_deg,
    detect_fixations_idt,
    detect_fixations_ivt,
    fit_calibration,
    nine_point_targets,
)
from hud.errors import HudError
from hud.trackers.results import FaceResult

IMAGES = Path(__file__).resolve().parents[2] / "data" / "images"
PHOTO_SIZE = (958, 1358)  # business-person.jpg, (width, height)


@pytest.fixture(scope="module")
def face(expected_face: np.ndarray) -> np.ndarray:
    return expected_face


# ------------------------------------------------------------------------ estimator


def test_estimator_wraps_the_geometry_and_applies_the_calibration(face: np.ndarray) -> None:
    raw = gz.estimate_gaze(face, PHOTO_SIZE)
    sample = GazeEstimator().process(0, FaceResult(face, image_size=PHOTO_SIZE))
    assert sample.valid and sample.status == "ok"
    assert (sample.raw_yaw_deg, sample.raw_pitch_deg) == (raw.yaw_deg, raw.pitch_deg)
    assert abs(sample.yaw_deg) < 10.0 and abs(sample.pitch_deg) < 10.0  # into the lens
    # A calibration that shifts by (+3, -2) degrees is applied to every sample.
    raw_pts = nine_point_targets()
    shift = fit_calibration(raw_pts, raw_pts + np.array([3.0, -2.0]))
    calibrated = GazeEstimator(calibration=shift).process(0, FaceResult(face, PHOTO_SIZE))
    assert calibrated.yaw_deg == pytest.approx(raw.yaw_deg + 3.0, abs=1e-9)
    assert calibrated.pitch_deg == pytest.approx(raw.pitch_deg - 2.0, abs=1e-9)
    assert calibrated.raw_yaw_deg == raw.yaw_deg


def test_head_pose_is_compensated_through_the_estimator(face: np.ndarray) -> None:
    """Turn the head while the eyes counter-rotate to keep looking at the same spot:
    the estimator's gaze stays put although head and eye angles both change."""
    size = PHOTO_SIZE
    scale = np.array([size[0], size[1], size[0]], dtype=np.float64)
    base = GazeEstimator().process_landmarks(0, face, size)
    base_dir = gz.angles_to_direction(base.yaw_deg, base.pitch_deg)
    points = face * scale
    centre = points[:468].mean(axis=0)
    for yaw_turn in (-20.0, 15.0, 25.0):
        a = math.radians(yaw_turn)
        rotation = np.array(
            [[math.cos(a), 0, math.sin(a)], [0, 1, 0], [-math.sin(a), 0, math.cos(a)]]
        )
        turned = (points - centre) @ rotation.T + centre
        axes = gz.head_axes(turned)
        eye_yaw, eye_pitch = gz.direction_angles(axes.T @ base_dir)  # eye-in-head needed
        ratio = gz.EYEBALL_RADIUS_PER_EYE_WIDTH
        for eye in (gz.RIGHT_EYE, gz.LEFT_EYE):
            width = float(np.linalg.norm(turned[eye.outer] - turned[eye.inner]))
            mid = (turned[eye.outer] + turned[eye.inner]) / 2
            dx = math.sin(math.radians(eye_yaw)) * ratio * width
            dy = -math.sin(math.radians(eye_pitch)) * ratio * width
            iris = slice(eye.iris, eye.iris + 5)
            turned[iris] += mid + dx * axes[:, 0] + dy * axes[:, 1] - turned[eye.iris]
        sample = GazeEstimator().process_landmarks(0, turned / scale, size)
        raw = gz.estimate_gaze(turned / scale, size)
        assert sample.valid
        assert abs(raw.head_yaw_deg - (gz.estimate_gaze(face, size).head_yaw_deg - yaw_turn)) < 0.01
        moved = angular_distance_deg(sample.yaw_deg, sample.pitch_deg, base.yaw_deg, base.pitch_deg)
        assert moved < 0.01


def test_missing_nan_or_degenerate_faces_are_invalid_samples_not_crashes(face: np.ndarray) -> None:
    estimator = GazeEstimator()
    nan_face = face.copy()
    nan_face[473] = np.nan  # one iris centre lost
    collapsed = np.zeros_like(face)
    off_eyes = face.copy()  # both irises pushed a whole eye width sideways, out of the eye
    shift = face[gz.RIGHT_EYE.outer] - face[gz.RIGHT_EYE.inner]
    for eye in (gz.RIGHT_EYE, gz.LEFT_EYE):
        off_eyes[eye.iris : eye.iris + 5] += shift
    samples = [
        estimator.process(0, None),
        estimator.process_landmarks(10, nan_face, PHOTO_SIZE),
        estimator.process_landmarks(20, collapsed, PHOTO_SIZE),
        estimator.process_landmarks(30, None, PHOTO_SIZE),
        estimator.process_landmarks(35, off_eyes, PHOTO_SIZE),
    ]
    statuses = [s.status for s in samples]
    assert statuses == ["no_face", "non_finite", "degenerate", "no_face", "implausible"]
    assert not any(s.valid for s in samples)
    assert all(math.isnan(s.yaw_deg) and math.isnan(s.pitch_deg) for s in samples)
    assert estimator.process_landmarks(40, face, PHOTO_SIZE).valid  # and it recovers
    with pytest.raises(GestureError, match="478"):
        estimator.process_landmarks(50, face[:468], PHOTO_SIZE)
    with pytest.raises(GestureError, match="image size"):
        estimator.process(60, FaceResult(face))


def test_timestamps_going_backwards_are_refused() -> None:
    estimator = GazeEstimator()
    estimator.process(100, None)
    with pytest.raises(TimestampOrderError) as info:
        estimator.process(50, None)
    assert isinstance(info.value, HudError)
    calibrator = GazeCalibrator()
    calibrator.add(GazeSample.at(100, 0.0, 0.0))
    with pytest.raises(TimestampOrderError):
        calibrator.add(GazeSample.at(99, 0.0, 0.0))
    backwards = [GazeSample.at(t, 0.0, 0.0) for t in (0, 10, 5)]
    for detect in (detect_fixations_ivt, detect_fixations_idt):
        with pytest.raises(TimestampOrderError, match="backwards"):
            detect(backwards)


def test_real_photo_through_the_face_landmarker_looks_into_the_lens() -> None:
    """The woman in business-person.jpg looks into the lens (sanity bound, not accuracy)."""
    import cv2  # installed with mediapipe (opencv-contrib-python)

    from hud.trackers.faces import FaceLandmarker

    rgb = cv2.cvtColor(cv2.imread(str(IMAGES / "business-person.jpg")), cv2.COLOR_BGR2RGB)
    with FaceLandmarker() as tracker:
        (result,) = tracker.detect(rgb)
    sample = GazeEstimator().process(0, result)
    print(f"real photo gaze: yaw {sample.yaw_deg:.2f}°, pitch {sample.pitch_deg:.2f}°")
    assert sample.valid
    assert math.hypot(sample.yaw_deg, sample.pitch_deg) < 10.0


# ---------------------------------------------------------------------- calibration

# The "true" per-person mapping, raw gaze → display angles: a known 2nd-order polynomial.
_TRUE = np.array(
    [  # coefficients of 1, ry, rp, ry², ry·rp, rp² for display yaw and display pitch
        [2.0, -1.0],
        [1.25, 0.05],
        [0.1, 1.4],
        [0.004, 0.003],
        [-0.003, 0.0],
        [0.0, 0.002],
    ]
)


def _true_display(raw: np.ndarray) -> np.ndarray:
    ry, rp = raw[..., 0], raw[..., 1]
    terms = np.stack([np.ones_like(ry), ry, rp, ry**2, ry * rp, rp**2], axis=-1)
    return np.asarray(terms @ _TRUE)


def _true_raw(display: np.ndarray) -> np.ndarray:
    """Invert the true mapping by Newton's method (what the eye must do to hit a target)."""
    raw = np.zeros_like(display, dtype=np.float64)
    for _ in range(30):
        ry, rp = raw[..., 0], raw[..., 1]
        residual = _true_display(raw) - display
        j = np.empty((*display.shape[:-1], 2, 2))
        j[..., 0, 0] = _TRUE[1, 0] + 2 * _TRUE[3, 0] * ry + _TRUE[4, 0] * rp
        j[..., 0, 1] = _TRUE[2, 0] + _TRUE[4, 0] * ry + 2 * _TRUE[5, 0] * rp
        j[..., 1, 0] = _TRUE[1, 1] + 2 * _TRUE[3, 1] * ry + _TRUE[4, 1] * rp
        j[..., 1, 1] = _TRUE[2, 1] + _TRUE[4, 1] * ry + 2 * _TRUE[5, 1] * rp
        raw = raw - np.linalg.solve(j, residual[..., None])[..., 0]
    return raw


def test_fit_recovers_an_exact_polynomial_mapping() -> None:
    rng = np.random.default_rng(1)
    raw = rng.uniform(-10, 10, (20, 2))
    calibration = fit_calibration(raw, _true_display(raw))
    probe = rng.uniform(-10, 10, (200, 2))
    error = np.abs(calibration.apply_array(probe) - _true_display(probe)).max()
    assert error < 1e-9


def _calibration_stream(
    options: CalibrationOptions, noise_deg: float, seed: int, frame_ms: int = 16
) -> list[GazeSample]:
    """Raw samples of someone following the targets: saccade, settle, noisy fixation,
    with a 100 ms blink in the middle of every target."""
    rng = np.random.default_rng(seed)
    period = options.settle_ms + options.sample_ms
    raw_targets = _true_raw(np.array(options.targets))
    samples = []
    for t in range(0, period * len(options.targets) + frame_ms, frame_ms):
        index = min(t // period, len(options.targets) - 1)
        phase = t - index * period
        if 650 <= phase < 750:
            samples.append(GazeSample.invalid(t, "non_finite"))
            continue
        if phase < 150 and index > 0:  # the saccade from the previous target
            f = phase / 150
            point = (1 - f) * raw_targets[index - 1] + f * raw_targets[index]
        else:
            point = raw_targets[index] + rng.normal(0.0, noise_deg, 2)
        samples.append(GazeSample.at(t, float(point[0]), float(point[1])))
    return samples


def test_nine_target_calibration_recovers_a_known_mapping_and_reports_it() -> None:
    options = CalibrationOptions()
    calibrator = GazeCalibrator(options)
    shown = []
    for sample in _calibration_stream(options, noise_deg=0.3, seed=2):
        calibrator.add(sample)
        shown.append(calibrator.current_target)
    assert calibrator.finished and shown[-1] is None
    assert [s for s in dict.fromkeys(shown) if s is not None] == list(options.targets)
    calibration, report = calibrator.fit()
    # Validation on a 5 × 5 grid that includes points between the targets.
    grid = np.array([(y, p) for y in np.linspace(-12, 12, 5) for p in np.linspace(-8, 8, 5)])
    mapped = calibration.apply_array(_true_raw(grid))
    validation = angular_distance_deg(mapped[:, 0], mapped[:, 1], grid[:, 0], grid[:, 1])
    print(
        f"calibration: {report.summary()}; validation mean {validation.mean():.3f}°, "
        f"max {validation.max():.3f}°"
    )
    assert report.grade == "good" and report.dropped == ()
    assert report.mean_error_deg < 0.15 and report.loo_mean_error_deg < 0.5
    assert 0.2 < float(np.mean(report.precision_deg)) < 0.8  # √2·√2·0.3° noise, RMS-S2S
    assert validation.max() < 0.3
    # Without calibration the raw angles are off by degrees: the fit did real work.
    uncalibrated = _true_raw(grid)
    assert angular_distance_deg(*uncalibrated.T, *grid.T).mean() > 2.0


def test_a_bad_target_shows_in_the_report_and_too_few_targets_fail() -> None:
    targets = nine_point_targets()
    raw = _true_raw(targets)
    raw[4] += [4.0, 0.0]  # the centre target's samples were taken looking elsewhere
    calibration = fit_calibration(raw, targets)
    from gestures.gaze import calibration_report

    report = calibration_report(calibration, raw, targets)
    assert report.grade == "poor"
    assert int(np.argmax(report.loo_errors_deg)) == 4 and report.loo_errors_deg[4] > 3.0
    assert (
        report.summary().startswith("calibration poor") and "precision unknown" in report.summary()
    )
    with pytest.raises(CalibrationError, match="needs 6"):
        fit_calibration(raw[:5], targets[:5])
    with pytest.raises(CalibrationError, match="degenerate|did not move"):
        fit_calibration(np.full((9, 2), 1.5), targets)
    # A calibrator that saw only blinks cannot fit and says why.
    calibrator = GazeCalibrator()
    for t in range(0, 15000, 20):
        calibrator.add(GazeSample.invalid(t, "non_finite"))
    with pytest.raises(CalibrationError, match="0 of 9 targets"):
        calibrator.fit()


# ------------------------------------------------------------------------- fixations

FIXATIONS = [  # (yaw, pitch, duration ms) of the scripted fixations
    (0.0, 0.0, 300),
    (10.0, 2.0, 250),
    (-5.0, -6.0, 400),
    (-4.0, 6.0, 200),
    (8.0, -3.0, 350),
]


def _scanpath(
    noise_deg: float = 0.05, seed: int = 4
) -> tuple[list[GazeSample], list[tuple[int, int]]]:
    """100 Hz gaze through FIXATIONS with minimum-jerk saccades of main-sequence length
    (2.2 ms/° + 21 ms); returns the samples and each fixation's true (first, last) ms."""
    rng = np.random.default_rng(seed)
    samples: list[GazeSample] = []
    truth = []
    t = 0
    for k, (yaw, pitch, duration) in enumerate(FIXATIONS):
        if k:
            y0, p0, _ = FIXATIONS[k - 1]
            amplitude = math.hypot(yaw - y0, pitch - p0)
            saccade = int(round((2.2 * amplitude + 21) / 10.0)) * 10
            for step in range(10, saccade, 10):
                s = step / saccade
                f = 10 * s**3 - 15 * s**4 + 6 * s**5
                samples.append(GazeSample.at(t + step, y0 + f * (yaw - y0), p0 + f * (pitch - p0)))
            t += saccade
        truth.append((t, t + duration))
        for step in range(0, duration + 1, 10):
            noise = rng.normal(0.0, noise_deg, 2)
            samples.append(GazeSample.at(t + step, yaw + noise[0], pitch + noise[1]))
        t += duration
    return samples, truth


@pytest.mark.parametrize("detector", ["ivt", "idt"])
def test_fixations_are_found_with_their_boundaries(detector: str) -> None:
    samples, truth = _scanpath()
    found = (
        detect_fixations_ivt(samples, IVTOptions())
        if detector == "ivt"
        else detect_fixations_idt(samples, IDTOptions())
    )
    starts = [f.start_ms - s for f, (s, _) in zip(found, truth)]
    ends = [f.end_ms - e for f, (_, e) in zip(found, truth)]
    print(f"{detector}: {len(found)} fixations, start errors {starts} ms, end errors {ends} ms")
    assert len(found) == len(FIXATIONS)
    assert all(abs(d) <= 20 for d in starts + ends)
    for fixation, (yaw, pitch, _) in zip(found, FIXATIONS):
        assert angular_distance_deg(fixation.yaw_deg, fixation.pitch_deg, yaw, pitch) < 0.1


def test_thresholds_matter_and_a_blink_splits_a_fixation() -> None:
    samples, _ = _scanpath()
    # A velocity threshold above saccade speeds merges everything into one "fixation";
    # a dispersion threshold wider than the scan path does the same.
    assert len(detect_fixations_ivt(samples, IVTOptions(velocity_threshold_dps=2000.0))) == 1
    assert len(detect_fixations_idt(samples, IDTOptions(dispersion_threshold_deg=60.0))) == 1
    # Long duration thresholds drop the short fixations (200 and 250 ms).
    assert len(detect_fixations_idt(samples, IDTOptions(duration_threshold_ms=280))) == 3
    assert len(detect_fixations_ivt(samples, IVTOptions(min_duration_ms=280))) == 3
    blinked = [
        GazeSample.invalid(s.timestamp_ms, "no_face") if 800 <= s.timestamp_ms < 880 else s
        for s in samples
    ]  # inside the third fixation (650-1050 ms)
    for found in (detect_fixations_ivt(blinked), detect_fixations_idt(blinked)):
        assert len(found) == len(FIXATIONS) + 1
        assert not any(f.start_ms < 840 < f.end_ms for f in found)
