"""Tracking beside the render loop: the thread tracks real frames, drops stale ones when
it falls behind, waits in lockstep, and a tracker failure reaches the loop's thread."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from hud.app.embedded import SceneWorldSource, load_embedded
from hud.app.pipeline import FrameInput, HudPipeline, HudPipelineOptions, MarkerOptions, Tracked
from hud.app.tracking import TrackingThread
from hud.errors import HudError


def _marker_pipeline() -> HudPipeline:
    return HudPipeline(None, HudPipelineOptions(hands=None, markers=MarkerOptions("DICT_6X6_250")))


def test_lockstep_tracks_every_frame_in_order() -> None:
    frames = list(SceneWorldSource(load_embedded().scene, fps=1))[:4]
    with _marker_pipeline() as pipeline, TrackingThread(pipeline, lockstep=True) as thread:
        for f in frames:
            thread.submit(FrameInput(timestamp_ms=f.timestamp_ms, rgb=f.rgb))
            done = thread.collect()
            assert [d.tracked.timestamp_ms for d in done] == [f.timestamp_ms]
            assert sorted(m.id for m in done[0].tracked.markers) == [23, 40, 62, 98, 124, 203]
        assert thread.tracked_count == 4 and thread.dropped == 0


class _Gated(HudPipeline):
    """A pipeline whose tracking waits for the test to let each frame through."""

    def __init__(self) -> None:
        super().__init__(None, HudPipelineOptions(hands=None))
        self.gate = threading.Semaphore(0)
        self.started = threading.Event()

    def track(self, frame: FrameInput) -> Tracked:
        self.started.set()
        assert self.gate.acquire(timeout=30)
        return super().track(frame)


def test_a_busy_tracker_drops_the_stale_frame_not_the_newest() -> None:
    pipeline = _Gated()
    with pipeline, TrackingThread(pipeline, lockstep=False) as thread:
        thread.submit(FrameInput(timestamp_ms=0))
        assert pipeline.started.wait(30)  # frame 0 is being tracked
        for t in (33, 66, 100):  # the loop goes on rendering; frames keep coming
            thread.submit(FrameInput(timestamp_ms=t))
        assert thread.dropped == 2  # 33 and 66 were replaced before they were tracked
        pipeline.gate.release()
        pipeline.gate.release()
        got: list[int] = []
        for _ in range(200):
            got += [d.tracked.timestamp_ms for d in thread.collect()]
            if len(got) == 2:
                break
            threading.Event().wait(0.01)
        assert got == [0, 100]
        assert thread.idle()


class _Broken(HudPipeline):
    def track(self, frame: FrameInput) -> Tracked:
        raise RuntimeError("the camera driver went away")


def test_a_tracker_failure_reaches_the_loop_as_one_line() -> None:
    pipeline = _Broken(None, HudPipelineOptions(hands=None))
    with pipeline, TrackingThread(pipeline, lockstep=True) as thread:
        with pytest.raises(HudError, match="tracking failed: RuntimeError: the camera driver"):
            thread.submit(FrameInput(timestamp_ms=0, rgb=np.zeros((8, 8, 3), np.uint8)))
        with pytest.raises(HudError):
            thread.collect()
