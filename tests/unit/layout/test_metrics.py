"""Layout metrics on frames whose figures are worked out by hand."""

from __future__ import annotations

import json

import pytest

from hud.errors import OptionsError
from hud.layout.metrics import (
    LayoutMetricsRecorder,
    frame_metrics,
    layout_metrics,
    leader_crossings,
    overlap_area_px2,
)
from hud.layout.placement import CardRequest, LayoutFrame, TemporalLayout

PPD = 10.0


def _frame(t: float, rects: dict, **kw: object) -> LayoutFrame:
    return LayoutFrame(t, rects, **kw)  # type: ignore[arg-type]


def test_overlap_area_in_square_degrees() -> None:
    # a and b overlap 10 × 10 px, b and c 5 × 20 px; a and c are apart: 100 + 100 px².
    rects = {
        "a": (0, 0, 20, 20),
        "b": (10, 10, 40, 40),
        "c": (35, 0, 60, 30),
        "d": (100, 0, 110, 5),
    }
    assert overlap_area_px2(rects.values()) == pytest.approx(200.0)
    assert frame_metrics(_frame(0.0, rects), None, PPD)["overlap_area_deg2"] == pytest.approx(2.0)


def test_leader_crossings_count_pairs_and_not_shared_ends() -> None:
    x = [((0.0, 0.0), (10.0, 10.0)), ((0.0, 10.0), (10.0, 0.0))]  # an X: one crossing
    touching = [((0.0, 0.0), (5.0, 5.0)), ((5.0, 5.0), (10.0, 0.0))]  # a V: none
    apart = [((20.0, 0.0), (30.0, 0.0))]
    assert leader_crossings(x) == 1
    assert leader_crossings(touching) == 0
    assert leader_crossings([*x, *apart, ((0.0, 5.0), (10.0, 5.0))]) == 3


def test_anchor_distance_is_zero_when_touching_and_mean_over_anchored_cards() -> None:
    rects = {"near": (10, 0, 30, 10), "far": (50, 0, 70, 10), "free": (0, 50, 10, 60)}
    anchors = {"near": (0, 0, 10, 10), "far": (0, 0, 30, 10)}  # 0 px and 20 px away
    figures = frame_metrics(_frame(0.0, rects, anchors=anchors), None, PPD)
    assert figures["mean_anchor_distance_deg"] == pytest.approx(1.0)  # (0 + 2°) / 2
    assert frame_metrics(_frame(0.0, rects), None, PPD)["mean_anchor_distance_deg"] is None


def test_motion_in_degrees_per_second_over_cards_in_both_frames() -> None:
    a = _frame(1.0, {"a": (0, 0, 10, 10), "b": (0, 0, 10, 10), "gone": (50, 50, 60, 60)})
    b = _frame(1.5, {"a": (30, 0, 40, 10), "b": (0, 0, 10, 10), "new": (0, 0, 1, 1)})
    # a: 30 px in 0.5 s = 6 °/s at 10 px/°; b still: mean 3 °/s.
    assert frame_metrics(b, a, PPD)["card_motion_dps"] == pytest.approx(3.0)
    assert frame_metrics(a, None, PPD)["card_motion_dps"] is None


def test_a_run_reports_relayouts_per_minute_and_is_plain_json() -> None:
    frames = [
        _frame(0.0, {"a": (0, 0, 10, 10)}),
        _frame(10.0, {"a": (0, 0, 10, 10)}, relayouts=("a",)),
        _frame(20.0, {"a": (10, 0, 20, 10)}, overflow=("b", "c")),
        _frame(30.0, {"a": (10, 0, 20, 10)}, relayouts=("a",)),
    ]
    report = layout_metrics(frames, PPD)
    run = report["run"]
    assert run["frames"] == 4 and run["duration_s"] == 30.0
    assert run["relayouts"] == 2 and run["relayouts_per_min"] == pytest.approx(4.0)
    assert run["overflow_max"] == 2
    # motion: 0, 0.1 °/s (10 px over 10 s), 0 over the three frames that have one.
    assert run["card_motion_dps"] == pytest.approx(0.1 / 3, abs=1e-4)
    assert run["card_motion_dps_max"] == pytest.approx(0.1)
    assert len(report["frames"]) == 4
    assert json.loads(json.dumps(report, allow_nan=False)) == report


def test_the_recorder_measures_a_real_layout_run() -> None:
    layout = TemporalLayout((800, 600))
    recorder = LayoutMetricsRecorder(PPD)
    for k in range(30):
        box = (100.0 + k, 100.0, 140.0 + k, 140.0)
        requests = [CardRequest("a", (200.0, 60.0), box), CardRequest("b", (200, 60), None)]
        recorder.add(layout.place(requests, k / 30))
    run = recorder.report()["run"]
    assert run["overlap_area_deg2_max"] == 0.0 and run["leader_crossings_max"] == 0
    assert run["relayouts"] == 0
    assert run["mean_anchor_distance_deg"] == pytest.approx(0.8)  # the 8 px gap at 10 px/°
    assert run["card_motion_dps"] == pytest.approx(30 / PPD / 2, rel=0.05)  # a moves, b not


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), "10"])
def test_the_recorder_refuses_a_bad_ppd(bad: object) -> None:
    with pytest.raises(OptionsError):
        LayoutMetricsRecorder(bad)  # type: ignore[arg-type]
