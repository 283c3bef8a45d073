"""The emulator's benchmark figures on a handful of frames: every key there, each of a
sane type and sign. Smoke only: the figures' values are the benchmark's, never a test's."""

from __future__ import annotations

import pytest

from hud.bench.emulate import bench_emulate, bench_soak
from hud.errors import HudError

pytestmark = pytest.mark.gl


def _rate(value: object) -> float:
    assert isinstance(value, float) and value > 0
    return value


def _count(value: object) -> int:
    assert isinstance(value, int) and not isinstance(value, bool) and value >= 0
    return value


def test_the_emulate_section_has_every_figure() -> None:
    out = bench_emulate(("orion",), frames=3, rounds=1, questions=2)
    assert out["size"] == [1280, 960]
    orion = out["orion"]
    for key in ("emulate_fps", "frame_ms", "emulate_lockstep_fps", "lockstep_over_free"):
        _rate(orion[key])
    assert isinstance(orion["tracking_fps"], float) and orion["tracking_fps"] >= 0
    assert _count(orion["dropped"]) <= _count(orion["camera_frames"]) == 3
    hands = out["hands"]
    assert hands["profile"] == "orion" and hands["size"] == [640, 360]
    for key in (
        "render_fps_with_hands",
        "render_fps_without_tracking",
        "render_fps_hands_over_none",
        "lockstep_fps_with_hands",
    ):
        _rate(hands[key])
    assert _count(hands["dropped_with_hands"]) <= _count(hands["camera_frames"])
    answers = out["answers"]
    assert answers["questions"] == 2 and answers["server_delay_ms"] == 50.0
    # Measured from the ask to the frame showing the text: never less than the delay.
    assert answers["answer_measured_ms"] >= 50.0
    for key in ("frame_ms", "ask_blocking_ms", "commit_to_request_ms", "chunk_to_screen_ms"):
        _rate(answers[key])
    assert isinstance(answers["answer_first_chunk_frames"], float)


def test_the_soak_asks_dismisses_and_reads_memory_and_gl_objects() -> None:
    out = bench_soak(24, "rayban-display", ask_every=5, dismiss_every=8)
    assert (out["frames"], out["first_frame"], out["profile"]) == (24, 2, "rayban-display")
    assert out["asked"] >= 4 and out["dismissed"] >= 1 and out["swipes"] == 3
    assert _rate(out["rss_mb_first"]) > 10 and _rate(out["rss_mb_last"]) > 10
    _rate(out["soak_rss_growth"])
    assert _count(out["gl_objects_first"]) > 0 and _count(out["gl_objects_last"]) > 0
    assert out["gl_objects_equal"] == (out["gl_objects_first"] == out["gl_objects_last"])
    assert _count(out["tracked"]) >= 1 and out["rss_mb_by_frame"] == {}


def test_a_soak_needs_two_frames() -> None:
    with pytest.raises(HudError, match="at least 2 frames"):
        bench_soak(1)
