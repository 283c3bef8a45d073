from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hud.errors import HudError
from hud.optics.latency import (
    FrameDelayQueue,
    angle_between_deg,
    load_tum,
    registration_error_deg,
    summarize,
)
from hud.profiles import BUILTIN_PROFILES

TRACE = Path(__file__).resolve().parents[2] / "data" / "head_traces" / "head_motion_20s.tum.txt"


def test_queue_releases_frames_after_the_latency() -> None:
    q: FrameDelayQueue[str] = FrameDelayQueue(30.0)
    assert q.get(0.0) is None
    q.push(0.0, "a")
    q.push(11.1, "b")
    q.push(22.2, "c")
    assert q.get(29.9) is None
    assert q.get(30.0) == "a"
    assert q.get(45.0) == "b"  # c is rendered but not yet due
    assert q.get(100.0) == "c"
    assert q.get(200.0) == "c"  # the display keeps showing the last frame


def test_queue_rejects_time_going_backwards() -> None:
    q: FrameDelayQueue[int] = FrameDelayQueue(10.0)
    q.push(5.0, 1)
    with pytest.raises(HudError, match="backwards"):
        q.push(4.0, 2)
    with pytest.raises(HudError):
        FrameDelayQueue(-1.0)


def test_real_head_trace_loads() -> None:
    trace = load_tum(TRACE)
    assert trace.t[0] == 0 and 19.9 < trace.t[-1] <= 20.0
    assert np.allclose(np.linalg.norm(trace.q, axis=1), 1.0)


def test_misregistration_grows_with_latency_on_real_head_motion() -> None:
    trace = load_tum(TRACE)
    zero = registration_error_deg(trace, 0.0, 90.0)
    assert np.allclose(zero, 0.0, atol=1e-3)
    p95 = [
        summarize(registration_error_deg(trace, lat, 90.0))["p95_deg"]
        for lat in (3.0, 13.0, 30.0, 50.0)
    ]
    assert p95 == sorted(p95) and p95[0] < p95[-1]
    # At small latencies the error is ≈ angular speed × latency: compare with the trace's own speed.
    dt = np.diff(trace.t)
    speed = angle_between_deg(trace.q[1:], trace.q[:-1]) / dt  # deg/s
    expected_median = float(np.median(speed)) * 0.013
    got = summarize(registration_error_deg(trace, 13.0, 90.0))["median_deg"]
    assert got == pytest.approx(expected_median, rel=0.35)


def test_profiles_differ_in_drift() -> None:
    trace = load_tum(TRACE)
    xreal = BUILTIN_PROFILES["xreal-one-pro"]
    even = BUILTIN_PROFILES["even-g1"]
    a = summarize(registration_error_deg(trace, xreal.latency_ms, xreal.refresh_hz))
    b = summarize(registration_error_deg(trace, even.latency_ms, even.refresh_hz))
    assert a["p95_deg"] < b["p95_deg"]


def test_bad_trace_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "t.txt"
    bad.write_text("1 2 3\n4 5 6\n")
    with pytest.raises(HudError, match="8 numbers"):
        load_tum(bad)
