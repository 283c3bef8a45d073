"""Dwell and gaze + pinch selection through the GazeRouter, and its privacy boundary."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import pytest

from gestures.errors import GestureError, TimestampOrderError
from gestures.events import EventDispatcher, PinchCancel, PinchEnd, PinchStart
from gestures.gaze import GazeSample
from gestures.recognizer import GestureRecognizer
from gestures.selection import (
    AppSession,
    Commit,
    DwellProgress,
    GazePrivacyError,
    GazeRouter,
    HoverEnter,
    HoverExit,
    SelectionEvent,
    SelectionOptions,
    Target,
    hit_test,
)
from gestures.synthetic import ScriptedHand
from hud.errors import HudError

FRAME_MS = 10
BUTTON = Target("ok", yaw_deg=0.0, pitch_deg=0.0, width_deg=4.0, height_deg=3.0)
OTHER = Target("cancel", yaw_deg=10.0, pitch_deg=0.0, width_deg=4.0, height_deg=3.0)


class Recorder:
    """Catches every selection event an app can receive, plus anything gaze-like."""

    def __init__(self) -> None:
        self.events: list[SelectionEvent] = []

    def on_hover_enter(self, event: SelectionEvent) -> None:
        self.events.append(event)

    def on_hover_exit(self, event: SelectionEvent) -> None:
        self.events.append(event)

    def on_dwell_progress(self, event: SelectionEvent) -> None:
        self.events.append(event)

    def on_commit(self, event: SelectionEvent) -> None:
        self.events.append(event)

    # Names an app might hope for; the router must never call them.
    def on_raw_gaze(self, sample: object) -> None:
        raise AssertionError("raw gaze reached an app that did not opt in")

    def on_gaze(self, sample: object) -> None:
        raise AssertionError("raw gaze reached an app that did not opt in")

    def kinds(self, *types: type) -> list[str]:
        return [type(e).__name__ for e in self.events if not types or isinstance(e, types)]


def _app(router: GazeRouter, name: str, targets: Iterable[Target]) -> tuple[AppSession, Recorder]:
    session = router.connect(name)
    for target in targets:
        session.add_target(target)
    recorder = Recorder()
    session.push_handlers(recorder)
    return session, recorder


def _look(router: GazeRouter, start_ms: int, end_ms: int, yaw: float, pitch: float = 0.0) -> int:
    """Gaze samples every FRAME_MS from start_ms up to (not including) end_ms."""
    for t in range(start_ms, end_ms, FRAME_MS):
        router.process_gaze(GazeSample.at(t, yaw, pitch))
    return end_ms


# ------------------------------------------------------------------------------ dwell


def test_dwell_commits_exactly_once_per_visit_and_resets_on_leaving() -> None:
    router = GazeRouter(SelectionOptions(dwell_ms=800))
    _, app = _app(router, "app", [BUTTON])
    t = _look(router, 0, 200, yaw=20.0)  # elsewhere
    t = _look(router, t, t + 2000, yaw=0.5)  # 2 s on the button: still one commit
    commits = [e for e in app.events if isinstance(e, Commit)]
    assert [(c.method, c.timestamp_ms) for c in commits] == [("dwell", 200 + 800)]
    progress = [e.progress for e in app.events if isinstance(e, DwellProgress)]
    assert progress[0] == 0.0 and progress[-1] == 1.0
    assert progress == sorted(progress) and len(progress) == 81  # stops once committed
    t = _look(router, t, t + 100, yaw=20.0)  # leave ...
    t = _look(router, t, t + 500, yaw=0.0)  # ... come back for less than the dwell ...
    t = _look(router, t, t + 100, yaw=20.0)  # ... and leave again: no commit
    back = t
    t = _look(router, t, t + 900, yaw=0.0)  # a full dwell again: a second commit
    commits = [e for e in app.events if isinstance(e, Commit)]
    assert [c.timestamp_ms for c in commits] == [1000, back + 800]
    assert app.kinds(HoverEnter, HoverExit).count("HoverEnter") == 3
    assert app.kinds(HoverEnter, HoverExit).count("HoverExit") == 2
    restarted = [e for e in app.events if isinstance(e, DwellProgress) and e.timestamp_ms == back]
    assert restarted[0].progress == 0.0  # the second visit started from zero


def test_hover_hysteresis_and_blinks_do_not_flicker() -> None:
    router = GazeRouter(SelectionOptions(enter_margin_deg=0.5, exit_margin_deg=1.5))
    _, app = _app(router, "app", [BUTTON])
    # Jitter around the edge (half-width 2°): 2.3° enters; 3.2° is inside the exit margin.
    for i, yaw in enumerate([5.0, 2.3, 3.2, 2.4, 3.3, 2.2, 3.4]):
        router.process_gaze(GazeSample.at(i * FRAME_MS, yaw, 0.0))
    assert app.kinds(HoverEnter, HoverExit) == ["HoverEnter"]
    # A 100 ms blink keeps the hover; a 300 ms loss of gaze ends it.
    t = 100
    for t in range(100, 200, FRAME_MS):
        router.process_gaze(GazeSample.invalid(t, "no_face"))
    router.process_gaze(GazeSample.at(200, 0.0, 0.0))
    assert app.kinds(HoverEnter, HoverExit) == ["HoverEnter"]
    for t in range(210, 520, FRAME_MS):
        router.process_gaze(GazeSample.invalid(t, "no_face"))
    assert app.kinds(HoverEnter, HoverExit) == ["HoverEnter", "HoverExit"]
    assert router.hovered() is None


def test_non_dwell_targets_and_removed_targets() -> None:
    router = GazeRouter()
    session, app = _app(router, "app", [dataclasses.replace(BUTTON, dwell=False)])
    _look(router, 0, 2000, yaw=0.0)
    assert app.kinds() == ["HoverEnter"]  # no progress, no commit
    session.remove_target("ok")
    router.process_gaze(GazeSample.at(2000, 0.0, 0.0))
    assert app.kinds() == ["HoverEnter", "HoverExit"]


def test_hit_test_picks_the_nearest_of_overlapping_targets() -> None:
    a = Target("a", 0.0, 0.0, 4.0, 4.0)
    b = Target("b", 3.0, 0.0, 4.0, 4.0)
    assert hit_test([a, b], 1.0, 0.0) is a and hit_test([a, b], 2.0, 0.0) is b
    assert hit_test([a, b], 20.0, 0.0) is None and hit_test([a], float("nan"), 0.0) is None
    with pytest.raises(GestureError):
        Target("bad", 0.0, 0.0, 0.0, 1.0)


# ------------------------------------------------------------------------ gaze + pinch


def _pinch(router: GazeRouter, t: int, dragged: bool = False, cancel: bool = False) -> None:
    router.on_pinch_start(PinchStart(timestamp_ms=t, handedness="Right", x=0.5, y=0.5))
    if cancel:
        router.on_pinch_cancel(
            PinchCancel(timestamp_ms=t + 200, handedness="Right", duration_ms=200, reason="lost")
        )
    else:
        end = PinchEnd(
            timestamp_ms=t + 150,
            handedness="Right",
            duration_ms=150,
            dx=0.0,
            dy=0.0,
            dragged=dragged,
        )
        router.on_pinch_end(end)


def test_look_and_pinch_commits_the_hovered_target_and_nothing_otherwise() -> None:
    router = GazeRouter(SelectionOptions(dwell_ms=5000))
    _, app = _app(router, "app", [BUTTON, OTHER])
    _look(router, 0, 100, yaw=-20.0)  # looking at nothing
    _pinch(router, 100)
    assert app.kinds(Commit) == []
    _look(router, 300, 400, yaw=10.0)  # at "cancel"
    _pinch(router, 400)
    commits = [e for e in app.events if isinstance(e, Commit)]
    assert [(c.target_id, c.method, c.handedness, c.timestamp_ms) for c in commits] == [
        ("cancel", "pinch", "Right", 550)
    ]
    # Latched at the start: looking away before the fingers open still commits "ok".
    _look(router, 600, 700, yaw=0.0)
    router.on_pinch_start(PinchStart(timestamp_ms=700, handedness="Right", x=0.5, y=0.5))
    _look(router, 710, 800, yaw=-20.0)
    router.on_pinch_end(
        PinchEnd(timestamp_ms=800, handedness="Right", duration_ms=100, dx=0, dy=0, dragged=False)
    )
    assert [e.target_id for e in app.events if isinstance(e, Commit)] == ["cancel", "ok"]
    # A cancelled or dragged pinch commits nothing.
    _look(router, 810, 900, yaw=0.0)
    _pinch(router, 900, cancel=True)
    _pinch(router, 1200, dragged=True)
    assert len([e for e in app.events if isinstance(e, Commit)]) == 2


def test_gaze_and_pinch_end_to_end_through_the_real_recognizer() -> None:
    """A scripted hand pinches through GestureRecognizer; the router is a handler."""
    router = GazeRouter(SelectionOptions(dwell_ms=10_000))
    _, app = _app(router, "app", [BUTTON])
    gestures = EventDispatcher()
    gestures.push_handlers(router)
    recognizer = GestureRecognizer(dispatcher=gestures)
    hand = ScriptedHand()
    for i in range(30):
        t = i * 33
        if i == 10:
            hand.pinch()
        if i == 15:
            hand.release()
        router.process_gaze(GazeSample.at(t, 0.0, 0.0) if i >= 5 else GazeSample.at(t, 30.0, 0.0))
        recognizer.process(hand.tick(t))
    assert app.kinds(Commit) == ["Commit"]
    (commit,) = [e for e in app.events if isinstance(e, Commit)]
    assert commit.method == "pinch" and commit.target_id == "ok"


def test_a_pinch_commit_answers_the_visit_so_dwell_does_not_fire_too() -> None:
    router = GazeRouter(SelectionOptions(dwell_ms=800))
    _, app = _app(router, "app", [BUTTON])
    _look(router, 0, 300, yaw=0.0)
    _pinch(router, 300)
    _look(router, 460, 2000, yaw=0.0)
    assert [e.method for e in app.events if isinstance(e, Commit)] == ["pinch"]


# ----------------------------------------------------------------------------- privacy


def test_apps_get_only_their_own_targets_events_and_no_raw_gaze() -> None:
    router = GazeRouter(SelectionOptions(dwell_ms=300))
    _, mine = _app(router, "mine", [BUTTON])
    _, other = _app(router, "other", [OTHER])
    _look(router, 0, 500, yaw=0.0)
    _look(router, 500, 1000, yaw=30.0)
    assert other.events == []  # it never saw the gaze on someone else's target
    assert {e.target_id for e in mine.events} == {"ok"}
    assert set(mine.kinds()) == {"HoverEnter", "DwellProgress", "Commit", "HoverExit"}
    allowed = {"timestamp_ms", "target_id", "progress", "method", "handedness"}
    for event in mine.events:
        assert {f.name for f in dataclasses.fields(event)} <= allowed  # no coordinates
    assert router.raw_gaze_apps == ()
    # The app's dispatcher has no raw gaze event type at all.
    with pytest.raises(GestureError, match="unknown event type"):
        router.connect("sneaky").push_handlers(on_raw_gaze=lambda sample: None)


def test_raw_gaze_needs_an_explicit_opt_in_with_a_reason() -> None:
    router = GazeRouter()
    session, _ = _app(router, "study", [BUTTON])
    _, bystander = _app(router, "bystander", [OTHER])
    received: list[GazeSample] = []
    with pytest.raises(GazePrivacyError, match="reason"):
        session.subscribe_raw_gaze(received.append, reason=" ")
    subscription = session.subscribe_raw_gaze(received.append, reason="reading study")
    assert router.raw_gaze_apps == ("study",)
    sent = [GazeSample.at(t, t / 100.0, 1.0) for t in range(0, 200, FRAME_MS)]
    sent.append(GazeSample.invalid(200, "no_face"))
    for sample in sent:
        router.process_gaze(sample)
    assert received == sent  # every sample, valid or not, unchanged
    subscription.cancel()
    router.process_gaze(GazeSample.at(300, 0.0, 0.0))
    assert len(received) == len(sent) and router.raw_gaze_apps == ()
    assert bystander.events == []  # raw gaze went to the subscriber only
    locked = GazeRouter(SelectionOptions(allow_raw_gaze=False)).connect("app")
    with pytest.raises(GazePrivacyError) as info:
        locked.subscribe_raw_gaze(received.append, reason="because")
    assert isinstance(info.value, HudError)


def test_closing_an_app_ends_its_subscription_and_timestamps_must_increase() -> None:
    router = GazeRouter()
    session, _ = _app(router, "app", [BUTTON])
    received: list[GazeSample] = []
    session.subscribe_raw_gaze(received.append, reason="demo")
    session.close()
    router.process_gaze(GazeSample.at(0, 0.0, 0.0))
    assert received == [] and router.raw_gaze_apps == ()
    with pytest.raises(GestureError, match="not connected"):
        session.subscribe_raw_gaze(received.append, reason="demo")
    router.connect("app")  # the id is free again
    router.process_gaze(GazeSample.at(100, 0.0, 0.0))
    with pytest.raises(TimestampOrderError):
        router.process_gaze(GazeSample.at(50, 0.0, 0.0))
