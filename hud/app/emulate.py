"""``hud emulate``: the view through a pair of AI glasses, on a desktop.

The world (a webcam, a video, a recorded session, or the embedded default of
:mod:`hud.app.embedded`) runs through the assistant app (:mod:`hud.app.assistant`), the
chosen glasses profile and the full optics. Tracking runs on its own thread beside the
render loop and answers stream in the background, so a slow tracker or a slow server
never stalls a frame; camera frames the tracker had no time for are counted as dropped.

Two runners share one :class:`Emulator`: the window (:meth:`Emulator.run_window`: keys
switch profile, ambient light, effects and overlays, save a screenshot, start and stop a
recording; ``?`` lists them) and headless (:meth:`Emulator.run_headless`: frames or an
MP4, and with a trace, one JSON line per frame with the cards, the events, what was sent
and the stage timings). Whatever is saved (screenshots, MP4 frames, recordings) has
bystanders' faces blurred first, and while frames are saved the capture LED is lit.

This module reads a clock (``time.perf_counter``) for stage timings and window pacing,
like :mod:`hud.app.runners`; the app and the pipeline still take time only from frame
timestamps.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from gestures.events import GestureEvent
from hud.anchors import ViewGeometry
from hud.app.app import AppLoop
from hud.app.assistant import AssistantApp, AssistantOptions
from hud.app.embedded import EMBEDDED_DIR, InputScript, SceneWorldSource, load_embedded
from hud.app.overlays import OVERLAYS, OverlayInput, draw_overlays
from hud.app.pipeline import MarkerOptions
from hud.app.redaction import redact_frame, world_filter
from hud.app.session import card_placements
from hud.errors import HudError, OptionsError
from hud.io.sources import Frame, FrameSource
from hud.io.video import open_frame_writer
from hud.layout.geometry import Rect
from hud.layout.metrics import frame_metrics
from hud.layout.placement import LayoutFrame
from hud.privacy import FaceRedactor
from hud.profiles import DisplayProfile, get_profile
from hud.scene import Scene, World
from hud.trackers.hands import HandLandmarkerOptions
from hud.trackers.landmarker import RunningMode

#: The profiles the emulator cycles through (P), the first shown first.
DEFAULT_PROFILES = ("orion", "rayban-display", "hololens2", "even-g1")
ANSWER_SOURCES = ("offline", "openai")


@dataclass(frozen=True)
class EmulatorOptions:
    """What the emulator shows and how; validated when made (:class:`OptionsError`)."""

    profiles: tuple[str, ...] = DEFAULT_PROFILES
    effects: str | frozenset[str] = "all"
    eye: str = "right"
    #: ``"en"`` or ``"ko"``: the question asked and the answers' language.
    language: str = "en"
    #: ``"offline"`` (a knowledge file; nothing leaves the machine) or ``"openai"`` (an
    #: OpenAI-compatible server, from the environment or a config file).
    answers: str = "offline"
    #: The offline source's knowledge file; ``None``: the embedded session's.
    knowledge: str | Path | None = None
    #: The OpenAI-compatible source's config file (TOML), if any.
    answer_config: str | Path | None = None
    #: Debug overlays shown from the start (see :data:`hud.app.overlays.OVERLAYS`).
    overlays: frozenset[str] = frozenset()
    #: Wait for each camera frame's tracking (every frame tracked, the same output every
    #: run); ``None``: yes headless, no in the window (the frame rate comes first).
    lockstep: bool | None = None
    #: Blur bystanders' faces in everything saved or sent.
    redact: bool = True
    #: Where the gaze comes from: ``"mouse"`` (the pointer; the script in the embedded
    #: session), or ``"camera"``: the wearer's eyes as a camera facing them sees them
    #: (uncalibrated), the mouse while no face is seen.
    gaze: str = "mouse"

    def __post_init__(self) -> None:
        if not self.profiles:
            raise OptionsError("the emulator needs at least one profile")
        for name in self.profiles:
            try:
                get_profile(name)  # an unknown profile says so now
            except HudError as exc:
                raise OptionsError(exc.message) from None
        if self.language not in ("en", "ko"):
            raise OptionsError(f"language must be 'en' or 'ko', got {self.language!r}")
        if self.answers not in ANSWER_SOURCES:
            raise OptionsError(
                f"unknown answer source {self.answers!r} (one of {', '.join(ANSWER_SOURCES)})"
            )
        if self.gaze not in ("mouse", "camera"):
            raise OptionsError(f"gaze must be 'mouse' or 'camera', got {self.gaze!r}")
        unknown = set(self.overlays) - set(OVERLAYS)
        if unknown:
            raise OptionsError(
                f"unknown overlay {sorted(unknown)[0]!r} (one of {', '.join(OVERLAYS)})"
            )


@dataclass
class EmulatorReport:
    """What a run did: frames shown or written, camera frames tracked and dropped."""

    frames: int = 0
    tracked: int = 0
    dropped: int = 0
    asked: int = 0
    saved: list[str] = field(default_factory=list)


class Emulator:
    """The assistant app over a world source, ready to run in a window or headless; a
    context manager (it owns the app, the world source and the answer worker)."""

    def __init__(
        self,
        options: EmulatorOptions | None = None,
        world: FrameSource | None = None,
        fps: float | None = None,
    ) -> None:
        self.options = options = options or EmulatorOptions()
        self.script: InputScript | None = None
        # Offline answers: the user's knowledge file, else the embedded session's (it
        # also knows the printed markers of its photo, wherever the camera sees them).
        knowledge = options.knowledge or EMBEDDED_DIR / "knowledge.toml"
        if world is None and options.gaze == "camera":
            raise OptionsError("gaze from the camera needs a camera, video or session world")
        if world is None:  # the embedded default: a real photo, a scripted wearer
            embedded = load_embedded()
            self.world: FrameSource = SceneWorldSource(embedded.scene, fps)
            self.script = embedded.script
            scene = replace(embedded.scene, profile=options.profiles[0], objects=())
            hands = None  # the photo has no hands: the simulator is the wearer's hand
            markers = MarkerOptions(dictionary="DICT_6X6_250")
            world_objects: SceneWorldSource | None = self.world
        else:
            self.world = world
            scene = Scene(profile=options.profiles[0], world=World(image=None, fov_h_deg=70.0))
            hands = HandLandmarkerOptions(running_mode=RunningMode.VIDEO)
            markers = MarkerOptions(dictionary="auto")
            world_objects = None
        self._frames = iter(self.world)
        self._first = next(self._frames, None)
        if self._first is None:
            raise HudError("the world source gave no frames")
        self.fps = float(fps or getattr(self.world, "fps", None) or 30.0)
        self.redactor = FaceRedactor() if options.redact else None
        source = answer_source(options.answers, knowledge, options.answer_config)
        self.app = AssistantApp(
            scene,
            source,
            options.profiles,
            self._first.size,
            options=AssistantOptions(language=options.language),
            script=self.script,
            world_objects=world_objects,
            hands=hands,
            markers=markers,
            redact=None if self.redactor is None else self.redactor_for_crops,
            gaze_from_faces=options.gaze == "camera",
        )
        self.app.effects = options.effects
        self.app.eye = options.eye
        self.app.fps = self.fps
        self.overlays = set(options.overlays)
        self._last_layout: tuple[AppLoop, LayoutFrame] | None = None
        self._closed = False

    # ------------------------------------------------------------------ frames
    def frames(self) -> Iterator[Frame]:
        """The world's frames, the first one included."""
        if self._first is not None:
            first, self._first = self._first, None
            yield first
        yield from self._frames

    def redactor_for_crops(self, rgb: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
        """A crop about to be sent, with bystanders' faces blurred."""
        assert self.redactor is not None
        return self.redactor.redact(rgb).image

    def finish(self, loop: AppLoop, saved: bool) -> npt.NDArray[np.uint8]:
        """The composite as the wearer (or a file) gets it: faces blurred when it is
        saved, then the overlays switched on."""
        assert loop.composite is not None
        image = loop.composite
        if saved and self.redactor is not None:
            image = redact_frame(self.redactor, loop, image)
        if self.overlays:
            image = draw_overlays(image, frozenset(self.overlays), self.overlay_input(loop))
        return image

    def overlay_input(self, loop: AppLoop) -> OverlayInput:
        hands = [np.asarray(h.landmarks) for h in loop.tracked.hands]
        if self.app.last_input is not None:
            hands += [np.asarray(h.points) for h in self.app.last_input.hands.hands]
        dl = loop.layouts.get(loop.eye)
        view, p = loop.view_geometry(), loop.profile
        rects = {"": (0.0, 0.0, float(p.width_px), float(p.height_px))}  # the display
        rects.update({} if dl is None else dl.card_rects)
        world = _world_rects(view, p, rects)
        fov = world.pop("")
        metrics: dict[str, float] = {}
        if "metrics" in self.overlays:
            metrics = self._layout_metrics(loop)
        return OverlayInput(
            hands=hands,
            gaze_px=self.app.gaze_px(),
            fov_rect=fov,
            objects=self.app.objects,
            cards=world,
            card_anchors={c.id: c.anchor for c in self.app.scene.cards if c.anchor},
            metrics=metrics,
            timings_ms=loop.timings_ms,
            dropped_frames=loop.dropped_frames,
            eyebox=_eyebox_line(loop),
        )

    def _layout_metrics(self, loop: AppLoop) -> dict[str, float]:
        """This frame's layout figures (``hud layout-metrics``'s, live): overlap, leader
        crossings, card → object distance, card motion, relayouts, overflow."""
        frame = loop.display_pipeline().layout_frame(loop.eye)
        if frame is None:
            return {}
        last = self._last_layout if self._last_layout and self._last_layout[0] is loop else None
        figures = frame_metrics(frame, None if last is None else last[1], loop.profile.ppd)
        self._last_layout = (loop, frame)
        keys = (
            *("cards", "overlap_area_deg2", "leader_crossings", "mean_anchor_distance_deg"),
            *("card_motion_dps", "relayouts", "overflow"),
        )
        return {k: float(figures[k]) for k in keys if figures.get(k) is not None}

    # ------------------------------------------------------------------ headless
    def run_headless(
        self,
        frames: int | None,
        out: str | Path,
        trace: str | Path | None = None,
        progress: Callable[[int, int | None], None] | None = None,
    ) -> EmulatorReport:
        """Step the world's frames (``frames`` at most) and write each composite to
        ``out`` (a folder of PNGs or an MP4); with ``trace``, one JSON line per frame."""
        lockstep = True if self.options.lockstep is None else self.options.lockstep
        report = EmulatorReport()
        writer = open_frame_writer(out, self.fps)
        trace_file = _open_trace(trace) if trace is not None else None
        try:
            with (
                writer,
                AppLoop(
                    self.app, live=True, threaded=True, lockstep=lockstep, timer=time.perf_counter
                ) as loop,
            ):
                loop.capture = True  # the frames are being recorded
                if self.redactor is not None:  # ... so the world is redacted, not tracked
                    loop.world_filter = world_filter(self.redactor, loop)
                for frame in self.frames():
                    if frames is not None and report.frames >= frames:
                        break
                    start = time.perf_counter()
                    loop.step(frame.timestamp_ms, frame)
                    if lockstep:
                        self._settle_local_answers()
                    image = self.finish(loop, saved=False)  # the world is redacted
                    loop.timings_ms["frame"] = (time.perf_counter() - start) * 1000.0
                    writer.write(image)
                    report.frames += 1
                    if trace_file is not None:
                        _write_line(trace_file, self.trace_record(loop, frame))
                    if progress is not None:
                        progress(report.frames, frames)
                    if self.app.exit_requested:
                        break
                writer.complete = report.frames > 0
                report.tracked = loop.tracked_frames
                report.dropped = loop.dropped_frames
        finally:
            if trace_file is not None:
                _close_trace(trace_file)
        report.asked = sum(1 for line in self.app.log if " ask " in line)
        if report.frames == 0:
            raise HudError("the world source gave no frames")
        return report

    def _settle_local_answers(self, timeout_s: float = 10.0) -> None:
        """In lockstep, an answer computed on this machine is complete before the next
        frame (so a run is the same every time); a remote one streams as it comes."""
        answers = self.app.answers
        if getattr(answers.worker.source, "remote", True):
            return
        while answers.pending and answers.wait(timeout_s):
            pass

    def trace_record(self, loop: AppLoop, frame: Frame) -> dict[str, Any]:
        """One frame of the trace: the cards (id, state, title, the text shown, where in
        degrees), this frame's events, what was sent (sizes, never a key), timings."""
        profile = loop.profile
        places = {p.id: p for p in card_placements(loop.layouts, profile) if p.eye == loop.eye}
        cards = []
        for card in self.app.scene.cards:
            place = places.get(card.id)
            cards.append(
                {
                    "id": card.id,
                    "state": card.state,
                    "title": card.title,
                    "text": card.body,
                    "anchor": card.anchor,
                    "icon": card.icon,
                    "center_deg": None
                    if place is None
                    else [round(place.center_deg[0], 3), round(place.center_deg[1], 3)],
                }
            )
        sent = [
            {"card": r.card_id, "attempt": r.attempt, **{k: v for k, v in r.sent.items()}}
            for r in self.app.answers.sent_log
        ]
        return {
            "frame": loop.index - 1,
            "t_ms": frame.timestamp_ms,
            "profile": profile.name,
            "cards": cards,
            "events": [_event_record(e) for e in self.app.frame_events],
            "objects": [o.id for o in self.app.objects],
            "hovered": self.app.hovered,
            "gaze_source": self.app.gaze_source,
            "sent": sent,
            "capture": loop.capture,
            "tracked_ms": loop.tracked.timestamp_ms,
            "dropped_frames": loop.dropped_frames,
            "timings_ms": {k: round(v, 3) for k, v in loop.timings_ms.items()},
        }

    # ------------------------------------------------------------------ window
    def sending(self) -> bool:
        """A request is on its way off the machine (the capture LED is lit meanwhile)."""
        return bool(getattr(self.app.answers.worker.source, "remote", False)) and bool(
            self.app.answers.pending
        )

    # ------------------------------------------------------------------ lifetime
    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.app.answers.close()
        self.world.close()
        if self.redactor is not None:
            self.redactor.close()

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---------------------------------------------------------------------------- helpers
def answer_source(kind: str, knowledge: str | Path | None, config: str | Path | None) -> Any:
    """The answer source named ``kind``: offline from ``knowledge``, or an
    OpenAI-compatible server configured by ``config`` and the environment."""
    if kind == "offline":
        from hud.answers import OfflineAnswerSource

        if knowledge is None:
            raise OptionsError("the offline answer source needs a knowledge file")
        return OfflineAnswerSource(knowledge)
    from hud.answers.config import OpenAIAnswerOptions, load_openai_options
    from hud.answers.openai_source import OpenAIAnswerSource

    options = OpenAIAnswerOptions() if config is None else load_openai_options(config)
    return OpenAIAnswerSource(options)


def _world_rects(
    view: ViewGeometry, profile: DisplayProfile, rects: dict[str, Rect]
) -> dict[str, Rect]:
    """Display-pixel rects as composite (world) pixel rects."""
    out = {}
    for key, (x0, y0, x1, y1) in rects.items():
        ax, ay = view.display_uv_to_image_px(x0 / profile.width_px, y0 / profile.height_px)
        bx, by = view.display_uv_to_image_px(x1 / profile.width_px, y1 / profile.height_px)
        out[key] = (float(ax), float(ay), float(bx), float(by))
    return out


def _eyebox_line(loop: AppLoop) -> str:
    """Where the pupil is in the eyebox (the arrows move it in the plain window)."""
    px, py = loop.shown_scene().viewer.pupil_offset_mm
    w, h = loop.profile.eyebox_mm
    return f"pupil {px:+.1f},{py:+.1f} mm in eyebox {w:g}x{h:g} mm"


def _event_record(event: GestureEvent) -> dict[str, Any]:
    record: dict[str, Any] = {"name": type(event).__name__}
    for key in ("direction", "handedness", "method", "target_id"):
        value = getattr(event, key, None)
        if value is not None:
            record[key] = str(value)
    return record


def _open_trace(path: str | Path) -> IO[str]:
    p = Path(path)
    if p.exists():
        raise OptionsError(f"{p} exists; a trace never replaces a file")
    try:
        return p.open("x", encoding="utf-8")
    except OSError as exc:
        raise HudError(f"cannot write the trace {p}: {exc.strerror or exc}") from None


def _write_line(f: IO[str], record: dict[str, Any]) -> None:
    try:
        f.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    except OSError as exc:  # a full disk: one line, not a traceback
        raise HudError(f"cannot write the trace {f.name}: {exc.strerror or exc}") from None


def _close_trace(f: IO[str]) -> None:
    try:
        f.close()
    except OSError as exc:
        raise HudError(f"cannot write the trace {f.name}: {exc.strerror or exc}") from None


__all__ = [
    "ANSWER_SOURCES",
    "DEFAULT_PROFILES",
    "Emulator",
    "EmulatorOptions",
    "EmulatorReport",
    "answer_source",
]
