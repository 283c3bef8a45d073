"""Pipeline costs for ``hud bench``: a whole :meth:`HudSession.step` against its stages.

``pipeline_ms`` is the median ``HudSession.step`` over the fixture hand video (640×360,
hands tracked, layout, render and read-back of the display frames, packing and dirty
rectangles). ``pipeline_overhead`` divides it by the sum of the same stages run alone in
the same run, each in its own loop over the same frames (goal ≤ 1.1: the glue between
stages costs nothing). The passes are interleaved, so a noisy neighbour hurts both sides.

``update_bytes_ratio``: the bytes of the dirty rectangles over a full frame when one line
of one card's text changes (goal ≤ 0.1), what a host on a Bluetooth LE link would send.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from hud.app.pipeline import FrameInput, HudPipeline, Tracked
from hud.app.session import HudSession, HudSessionOptions
from hud.io.sources import VideoFileSource
from hud.render.frames import DisplayLink, PixelFormat
from hud.scene import Card, Scene, TrackedObject, World
from hud.trackers.landmarker import quiet_native_logs

BENCH_VIDEO = Path(__file__).resolve().parent / "data" / "hand_video_640x360.mp4"
#: Stages of a step, in order (the keys of ``StepResult.timings_ms``).
STAGES = ("track", "gestures", "anchors", "layout", "render", "output")


def bench_scene(profile: str, size: tuple[int, int] = (640, 360)) -> Scene:
    """Three cards, two anchored to objects in the frame and one head-locked status."""
    objects = (
        TrackedObject("cup", "cup", (0.55, 0.55, 0.68, 0.8)),
        TrackedObject("sign", "sign", (0.2, 0.2, 0.3, 0.32)),
    )
    cards = (
        Card("c1", "머그컵 · Mug", "세라믹, 350 ml", anchor="cup", state="done"),
        Card("c2", "출구 Exit", "2번 출구 → 120 m", anchor="sign", state="info"),
        Card("c3", "듣는 중… Listening", state="listening"),
    )
    world = World(image=None, fov_h_deg=70.0, width=size[0], height=size[1])
    return Scene(profile=profile, world=world, objects=objects, cards=cards)


def load_frames(limit: int) -> list[tuple[int, npt.NDArray[np.uint8]]]:
    with VideoFileSource(BENCH_VIDEO, max_frames=limit) as source:
        return [(f.timestamp_ms, f.rgb) for f in source]


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000.0


def _session_pass(profile: str, frames: list[tuple[int, npt.NDArray[np.uint8]]]) -> list[float]:
    """Wall time of every ``step`` of one fresh session over the frames (seconds)."""
    options = HudSessionOptions(profile=profile, scene=bench_scene(profile))
    times = []
    with HudSession(options) as session:
        for t, rgb in frames:
            start = time.perf_counter()
            session.step(rgb, timestamp_ms=t)
            times.append(time.perf_counter() - start)
    return times[3:]  # the first steps compile shaders and warm MediaPipe up


def _stages_pass(
    profile: str, frames: list[tuple[int, npt.NDArray[np.uint8]]]
) -> dict[str, list[float]]:
    """The same stages, each in its own loop over every frame (seconds per call)."""
    session = HudSession(HudSessionOptions(profile=profile, scene=bench_scene(profile)))
    p: HudPipeline = session.pipeline
    scene = bench_scene(profile, (frames[0][1].shape[1], frames[0][1].shape[0]))
    fmt = session.pixel_format
    out: dict[str, list[float]] = {}
    try:
        tracked: list[Tracked] = []
        out["track"] = _loop(frames, lambda f: tracked.append(p.track(FrameInput(f[0], f[1]))))
        out["gestures"] = _loop(tracked, p.recognise)
        scenes: list[Scene] = []
        out["anchors"] = _loop(tracked, lambda tr: scenes.append(p.anchor(scene, tr)))
        layouts: list[Any] = []
        out["layout"] = _loop(scenes, lambda s: layouts.append(p.layout(s)))
        rendered: list[Any] = []
        work = list(zip(scenes, layouts))
        out["render"] = _loop(work, lambda w: rendered.append(p.render(w[0], w[1])))
        link = DisplayLink(fmt, session.profile.mono_rgb)
        out["output"] = _loop(rendered, lambda r: link.send(r.display))
    finally:
        session.close()
    return {k: v[3:] for k, v in out.items()}


def _loop(items: list[Any], fn: Callable[[Any], object]) -> list[float]:
    times = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        times.append(time.perf_counter() - start)
    return times


def bench_pipeline(profiles: tuple[str, ...], frames: int) -> dict[str, Any]:
    """``pipeline_ms`` and ``pipeline_overhead`` per profile, interleaved over 3 rounds."""
    clip = load_frames(max(8, min(frames, 202)))
    result: dict[str, Any] = {}
    with quiet_native_logs():
        for name in profiles:
            whole: list[float] = []
            parts: dict[str, list[float]] = {s: [] for s in STAGES}
            for _ in range(3):
                whole += _session_pass(name, clip)
                for stage, times in _stages_pass(name, clip).items():
                    parts[stage] += times
            pipeline_ms = _median_ms(whole)
            stage_ms = {s: round(_median_ms(parts[s]), 3) for s in STAGES}
            alone = sum(stage_ms.values())
            result[name] = {
                "pipeline_ms": round(pipeline_ms, 3),
                "stages_alone_ms": stage_ms,
                "pipeline_overhead": round(pipeline_ms / alone, 3) if alone > 0 else None,
                "frames": len(clip),
                "size": [int(clip[0][1].shape[1]), int(clip[0][1].shape[0])],
            }
    return result


def bench_update_bytes(profiles: tuple[str, ...]) -> dict[str, Any]:
    """Bytes sent when one line of one card's text is replaced, over a full frame's bytes."""
    out: dict[str, Any] = {}
    for name in profiles:
        scene = bench_scene(name)
        options = HudSessionOptions(profile=name, scene=scene, track_hands=False)
        with HudSession(options) as session:
            session.step(timestamp_ms=0)
            first = session.scene.cards[0]
            changed = replace(first, body="유리, 420 ml · glass")  # the whole line changes
            session.set_cards((changed, *session.scene.cards[1:]))
            step = session.step(timestamp_ms=33)
            fmt: PixelFormat = step.pixel_format
            prof = session.profile
            full = fmt.frame_bytes(prof.width_px, prof.height_px) * len(step.display)
            sent = sum(step.update_bytes(eye) for eye in step.display)
            out[name] = {
                "pixel_format": fmt.value,
                "update_bytes": sent,
                "frame_bytes": full,
                "update_bytes_ratio": round(sent / full, 4),
            }
    return out
