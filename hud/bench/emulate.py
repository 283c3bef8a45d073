"""The emulator's figures for ``hud bench``: its frame rate, and what a long run costs.

``emulate.<profile>``: the assistant app over the embedded session (a real desk photo
warped to a moving head, its ArUco markers tracked in every camera frame) through the
:class:`~hud.app.app.AppLoop` the emulator's window uses: ``emulate_fps`` with tracking
free-running on its own thread (``threaded=True, lockstep=False``), with ``tracking_fps``
(camera frames tracked per second on that thread) and ``dropped`` (camera frames a newer
one replaced before they were tracked) beside it, and ``emulate_lockstep_fps``, the same
loop waiting for every frame's tracking. The world's frames are made before the clock
starts, as a camera delivers them decoded: the figure is the render loop's.

``emulate.hands``: heavy tracking (MediaPipe hands and markers, as the emulator tracks a
video or a webcam) on the fixture hand video's real frames, free-running, with the
pipeline benchmark's three cards on screen: the render loop's ``render_fps_with_hands``
beside ``tracking_fps_with_hands``, and over the same loop with no tracker at all,
``render_fps_hands_over_none`` (goal close to 1: tracking on its thread does not hold
rendering back). The passes are interleaved in rounds, so a noisy neighbour hurts every
side; the ratios are medians of each round's.

``emulate.answers``: see :mod:`hud.bench.answers`. ``soak`` (:func:`bench_soak`, only on
request): thousands of headless frames with questions asked and dismissed all along;
resident memory and live GL objects late in the run over early in it.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from hud.bench.frames import cycled
from hud.errors import HudError
from hud.io.sources import Frame, FrameSource

#: Frames stepped before the clock starts (shaders compiled, trackers warm).
WARMUP = 5
#: Timed frames per pass at most (the embedded world's 1280×960 frames are kept in
#: memory: 3.7 MB each).
MAX_PASS_FRAMES = 90
ROUNDS = 3
#: The free-running passes over the hand video time this many times more frames.
HANDS_FREE_FACTOR = 3
#: The warm-up lasts until the tracking thread has tracked this many frames (or
#: WARM_LIMIT_S seconds have passed).
WARM_TRACKED = 3
WARM_LIMIT_S = 60.0
#: Fewer timed frames than this is a smoke run: one round, three questions.
SMOKE_FRAMES = 30
#: The soak's schedule (frames): a question every ASK_EVERY frames, a swipe dismissing
#: the newest card every DISMISS_EVERY.
ASK_EVERY = 30
DISMISS_EVERY = 60
SOAK_FIRST = 1000


class _ListSource(FrameSource):
    """Frames already in memory, as a world source."""

    def __init__(self, frames: Sequence[Frame], fps: float) -> None:
        self.frames = list(frames)
        self.fps = fps
        self.description = "frames in memory"

    def __iter__(self) -> Iterator[Frame]:
        yield from self.frames


def embedded_frames(count: int, fps: float = 30.0) -> list[Frame]:
    """The embedded session's first ``count`` camera frames (its world, warped to the
    head's path), made once for every pass."""
    from hud.app.embedded import SceneWorldSource, load_embedded

    with SceneWorldSource(load_embedded().scene, fps, frames=count) as source:
        return list(source)


def hand_frames(count: int) -> list[Frame]:
    """The fixture hand video's first ``count`` frames (640×360, 25 fps)."""
    from hud.bench.pipeline import BENCH_VIDEO
    from hud.io.sources import VideoFileSource

    with VideoFileSource(BENCH_VIDEO, max_frames=count) as source:
        return list(source)


@dataclass(frozen=True)
class LoopPass:
    """One pass of the render loop over a list of frames (after the warm-up)."""

    fps: float
    tracking_fps: float
    frame_ms: float
    frames: int
    tracked: int
    dropped: int


def run_pass(
    emulator: Any, frames: Sequence[Frame], timed: int, threaded: bool, lockstep: bool
) -> LoopPass:
    """Step ``emulator``'s app as its window does (read back, timings on) over ``timed``
    frames of ``frames`` (cycled), after a warm-up of at least :data:`WARMUP` frames
    that lasts until the tracking thread has tracked :data:`WARM_TRACKED` frames (its
    trackers load on the first)."""
    from hud.app.app import AppLoop

    fps = float(emulator.fps)
    source = cycled(frames, 10**9, fps)
    with AppLoop(
        emulator.app, live=True, threaded=threaded, lockstep=lockstep, timer=time.perf_counter
    ) as loop:
        warm_until = time.perf_counter() + WARM_LIMIT_S
        for i, f in enumerate(source):
            loop.step(f.timestamp_ms, f)
            warm = not threaded or loop.tracked_frames >= WARM_TRACKED
            if i + 1 >= WARMUP and (warm or time.perf_counter() > warm_until):
                break
        tracked0, dropped0 = loop.tracked_frames, loop.dropped_frames
        times = []
        start = time.perf_counter()
        for _, f in zip(range(timed), source):
            t0 = time.perf_counter()
            loop.step(f.timestamp_ms, f)
            times.append(time.perf_counter() - t0)
        wall = time.perf_counter() - start
        tracked, dropped = loop.tracked_frames - tracked0, loop.dropped_frames - dropped0
    return LoopPass(
        fps=len(times) / wall,
        tracking_fps=tracked / wall,
        frame_ms=statistics.median(times) * 1000.0,
        frames=len(times),
        tracked=tracked,
        dropped=dropped,
    )


def _embedded_pass(profile: str, frames: Sequence[Frame], timed: int, lockstep: bool) -> LoopPass:
    from hud.app.emulate import Emulator, EmulatorOptions

    # Nothing is saved, so no face redaction (the window redacts only what it saves).
    with Emulator(EmulatorOptions(profiles=(profile,), redact=False)) as emulator:
        return run_pass(emulator, frames, timed, threaded=True, lockstep=lockstep)


def _hands_pass(profile: str, frames: Sequence[Frame], timed: int, tracking: str) -> LoopPass:
    """``tracking``: ``"free"`` (on its thread), ``"lockstep"`` or ``"none"``."""
    from hud.app.emulate import Emulator, EmulatorOptions

    options = EmulatorOptions(profiles=(profile,), redact=False)
    with Emulator(options, _ListSource(frames, 25.0)) as emulator:
        _show_cards(emulator.app, profile)
        if tracking == "none":
            emulator.app.hands = None  # read by the loop when it makes its trackers
            emulator.app.markers = None
            return run_pass(emulator, frames, timed, threaded=False, lockstep=True)
        lockstep = tracking == "lockstep"
        return run_pass(emulator, frames, timed, threaded=True, lockstep=lockstep)


def _show_cards(app: Any, profile: str) -> None:
    """The pipeline benchmark's three cards (two anchored to objects, one head-locked)
    on the app's scene, so every pass over the video draws the same content."""
    from hud.bench.pipeline import bench_scene

    scene = bench_scene(profile)
    app.base = replace(app.base, objects=scene.objects)  # the app's own objects
    app.scene = replace(app.scene, cards=scene.cards)


def _med(values: list[float], digits: int = 2) -> float:
    return round(statistics.median(values), digits)


def bench_emulate(
    profiles: Sequence[str],
    frames: int,
    rounds: int | None = None,
    questions: int | None = None,
) -> dict[str, Any]:
    """The ``emulate`` section: per profile, the hands case (at the first profile) and
    the answer latency, over ``frames`` timed frames per pass (at most 90), in
    ``rounds`` interleaved rounds, ``questions`` asked. By default a full run does
    :data:`ROUNDS` rounds and 7 questions, a smoke run (under 30 frames) one and 3."""
    from hud.bench.answers import bench_answer_latency
    from hud.trackers.landmarker import quiet_native_logs

    smoke = frames < SMOKE_FRAMES
    rounds = rounds if rounds is not None else (1 if smoke else ROUNDS)
    questions = questions if questions is not None else (3 if smoke else 7)
    if not profiles or frames < 1 or rounds < 1:
        raise HudError("the emulator benchmark needs a profile, a frame and a round")
    n = min(frames, MAX_PASS_FRAMES)
    world = embedded_frames(n + WARMUP)
    video = hand_frames(n + WARMUP)
    runs: dict[str, dict[str, list[LoopPass]]] = {p: {"free": [], "lockstep": []} for p in profiles}
    hands: dict[str, list[LoopPass]] = {"free": [], "lockstep": [], "none": []}
    with quiet_native_logs():
        for _ in range(rounds):
            for name in profiles:
                for mode in ("free", "lockstep"):
                    runs[name][mode].append(_embedded_pass(name, world, n, mode == "lockstep"))
            for mode in ("free", "none", "lockstep"):
                # The free loops run fast over small frames: long enough to count the
                # tracker's frames, too.
                timed = n if mode == "lockstep" else HANDS_FREE_FACTOR * n
                hands[mode].append(_hands_pass(profiles[0], video, timed, mode))
        out: dict[str, Any] = {
            "world": "embedded session",
            "size": [int(world[0].rgb.shape[1]), int(world[0].rgb.shape[0])],
        }
        for name in profiles:
            free, lock = runs[name]["free"], runs[name]["lockstep"]
            out[name] = {
                "emulate_fps": _med([r.fps for r in free]),
                "tracking_fps": _med([r.tracking_fps for r in free]),
                "frame_ms": _med([r.frame_ms for r in free], 3),
                "dropped": sum(r.dropped for r in free),
                "camera_frames": sum(r.frames for r in free),
                "emulate_lockstep_fps": _med([r.fps for r in lock]),
                "lockstep_over_free": _med([b.fps / a.fps for a, b in zip(free, lock)], 3),
            }
        out["hands"] = _hands_figures(profiles[0], video, hands)
        out["answers"] = bench_answer_latency(profiles[0], world, questions)
    return out


def _hands_figures(
    profile: str, video: Sequence[Frame], hands: dict[str, list[LoopPass]]
) -> dict[str, Any]:
    free, none, lock = hands["free"], hands["none"], hands["lockstep"]
    return {
        "profile": profile,
        "size": [int(video[0].rgb.shape[1]), int(video[0].rgb.shape[0])],
        "render_fps_with_hands": _med([r.fps for r in free]),
        "tracking_fps_with_hands": _med([r.tracking_fps for r in free]),
        "dropped_with_hands": sum(r.dropped for r in free),
        "camera_frames": sum(r.frames for r in free),
        "render_fps_without_tracking": _med([r.fps for r in none]),
        "render_fps_hands_over_none": _med([a.fps / b.fps for a, b in zip(free, none)], 3),
        "lockstep_fps_with_hands": _med([r.fps for r in lock]),
    }


# ---------------------------------------------------------------------------- the soak
def rss_mb() -> float | None:
    """Resident memory of this process now (MiB), from ``/proc/self/status``; ``None``
    where there is none (only Linux has it, and peak figures would hide a shrink)."""
    try:
        text = Path("/proc/self/status").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return None


class _LoopedWorld:
    """The embedded world played over and over: frames and the scene's own objects at
    the time modulo the session's length (the loop's clock keeps rising)."""

    def __init__(self, source: Any) -> None:
        self.source = source
        self.period_s = max(1.0, source.timeline.duration_s())

    def objects_at(self, t_s: float) -> Any:
        return self.source.objects_at(t_s % self.period_s)

    def frame_at(self, t_s: float) -> npt.NDArray[np.uint8]:
        return np.asarray(self.source.frame_at(t_s % self.period_s))


def _memory(loop: Any) -> tuple[float | None, int]:
    gc.collect()  # cycles are garbage, not growth
    return rss_mb(), loop.display_pipeline().gl_objects()


class _Soak:
    """The soak's wearer: a question every ``ask_every`` frames about the next object in
    view, a swipe (through the app's event dispatcher) every ``dismiss_every``."""

    def __init__(self, emulator: Any, ask_every: int, dismiss_every: int) -> None:
        self.emulator, self.app = emulator, emulator.app
        self.world = _LoopedWorld(emulator.world)
        self.app.world_objects = self.world  # the scene's objects loop with the frames
        self.ask_every, self.dismiss_every = ask_every, dismiss_every
        self.swipes = 0

    def frame(self, loop: Any, i: int) -> None:
        from gestures.events import Swipe

        app = self.app
        t_ms = round(i * 1000 / self.emulator.fps)
        if i and i % self.ask_every == 0 and app.objects:
            app.ask(app.objects[(i // self.ask_every) % len(app.objects)].id, t_ms)
        if i % self.dismiss_every == self.dismiss_every * 3 // 4:
            swipe = Swipe(timestamp_ms=t_ms, handedness="Right", direction="left",
                          distance=2.2, duration_ms=220)  # fmt: skip
            app.events.dispatch(swipe)
            self.swipes += 1
        loop.step(t_ms, Frame(i, t_ms, self.world.frame_at(t_ms / 1000.0)))
        self.emulator.finish(loop, saved=False)

    def counts(self) -> dict[str, int]:
        log = self.app.log
        return {
            "asked": sum(1 for line in log if " ask " in line),
            "dismissed": sum(1 for line in log if " dismiss " in line),
            "swipes": self.swipes,
        }


def bench_soak(
    frames: int = 10_000,
    profile: str = "orion",
    ask_every: int = ASK_EVERY,
    dismiss_every: int = DISMISS_EVERY,
) -> dict[str, Any]:
    """``soak_rss_growth`` (resident memory at the last frame over frame 1,000; goal ≤
    1.05) and the live GL objects at both (goal: equal), over ``frames`` headless
    frames of the emulator's loop as its window runs it (tracking free-running on its
    thread, the composite read back and finished as shown, nothing saved, so faces are
    redacted only in the crops questions send: redacting every composite would double
    the soak's time and exercise nothing new). Early is frame 1,000, or a tenth of a
    shorter run. The embedded world loops; a question is asked every ``ask_every``
    frames and a swipe dismisses the newest card every ``dismiss_every`` (so up to three
    cards stack and the app dismisses the oldest itself now and then)."""
    from hud.app.app import AppLoop
    from hud.app.emulate import Emulator, EmulatorOptions
    from hud.trackers.landmarker import quiet_native_logs

    if frames < 2 or ask_every < 1 or dismiss_every < 1:
        raise HudError(f"a soak needs at least 2 frames and a schedule, got {frames} frames")
    first = min(SOAK_FIRST, max(1, frames // 10))
    marks: dict[str, float | None] = {}
    early: tuple[float | None, int] = (None, 0)
    start = time.perf_counter()
    with quiet_native_logs(), Emulator(EmulatorOptions(profiles=(profile,))) as emulator:
        soak = _Soak(emulator, ask_every, dismiss_every)
        timer = time.perf_counter
        with AppLoop(soak.app, live=True, threaded=True, lockstep=False, timer=timer) as loop:
            for i in range(frames):
                soak.frame(loop, i)
                if i + 1 == first:
                    early = _memory(loop)
                if (i + 1) % 1000 == 0:
                    marks[str(i + 1)] = _round(rss_mb())
            late = _memory(loop)
            tracked, dropped = loop.tracked_frames, loop.dropped_frames
    seconds = time.perf_counter() - start
    growth = None if early[0] is None or late[0] is None else late[0] / early[0]
    return {
        "profile": profile,
        "frames": frames,
        "first_frame": first,
        "rss_mb_first": _round(early[0]),
        "rss_mb_last": _round(late[0]),
        "soak_rss_growth": None if growth is None else round(growth, 4),
        "gl_objects_first": early[1],
        "gl_objects_last": late[1],
        "gl_objects_equal": early[1] == late[1],
        **soak.counts(),
        "tracked": tracked,
        "dropped": dropped,
        "rss_mb_by_frame": marks,
        "seconds": round(seconds, 1),
        "fps": round(frames / seconds, 2),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
