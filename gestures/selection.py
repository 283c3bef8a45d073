"""Gaze selection for apps, with the raw gaze stream kept private by construction.

Where someone looks is sensitive: it reveals interest, attention and, over time,
health and identity. So the system, not an app, owns the gaze stream. The
:class:`GazeRouter` is the only object that receives :class:`~gestures.gaze.GazeSample`
values; an app gets an :class:`AppSession` from :meth:`GazeRouter.connect`, registers
its :class:`Target` rectangles on it, and receives only these events, and only for its
own targets:

* :class:`HoverEnter` / :class:`HoverExit`: the gaze entered or left a target;
* :class:`DwellProgress`: 0..1 while the gaze rests on a dwell-enabled target;
* :class:`Commit`: the target was selected, by dwelling (``method="dwell"``) or by
  looking at it and pinching anywhere (``method="pinch"``, the Vision Pro / Orion
  interaction: the eyes point, the hand clicks).

None of these carries a gaze coordinate. An app that truly needs the raw stream (a
gaze-contingent renderer, an eye-tracking study) must ask with
:meth:`AppSession.subscribe_raw_gaze`, which names a reason, can be refused by the
router's options, and shows up in :attr:`GazeRouter.raw_gaze_apps` so the system can
tell the wearer, like a camera-in-use light.

Pinch commits use the existing pinch events: the target hovered at
:class:`~gestures.events.PinchStart` is latched (the eyes often move on before the
fingers open) and committed at :class:`~gestures.events.PinchEnd`; a
:class:`~gestures.events.PinchCancel` or a dragged pinch commits nothing. Push the router
onto the gesture dispatcher (``dispatcher.push_handlers(router)``) to connect them; its
handlers never consume the events.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from gestures.clock import FrameClock
from gestures.errors import GestureError, check_choice, check_number
from gestures.events import EventDispatcher, PinchCancel, PinchEnd, PinchStart
from gestures.gaze import GazeSample
from gestures.landmarks import Handedness

CommitMethod = Literal["dwell", "pinch"]


class GazePrivacyError(GestureError):
    """An app asked for raw gaze where the router does not allow it."""


# ---------------------------------------------------------------------------- targets


@dataclass(frozen=True)
class Target:
    """An axis-aligned rectangle in display angles: centre and full size, in degrees."""

    id: str
    yaw_deg: float
    pitch_deg: float
    width_deg: float
    height_deg: float
    #: Whether resting the gaze on it selects it (buttons yes; a text field maybe not).
    dwell: bool = True

    def __post_init__(self) -> None:
        if not (self.width_deg > 0 and self.height_deg > 0):
            raise GestureError(f"target {self.id!r} needs a positive width and height")

    def distance(self, yaw_deg: float, pitch_deg: float, margin_deg: float = 0.0) -> float:
        """How far outside the rectangle grown by ``margin_deg`` a point is (0 inside)."""
        dx = max(0.0, abs(yaw_deg - self.yaw_deg) - self.width_deg / 2 - margin_deg)
        dy = max(0.0, abs(pitch_deg - self.pitch_deg) - self.height_deg / 2 - margin_deg)
        return math.hypot(dx, dy)

    def contains(self, yaw_deg: float, pitch_deg: float, margin_deg: float = 0.0) -> bool:
        """Whether the point is inside the rectangle grown by ``margin_deg``."""
        return self.distance(yaw_deg, pitch_deg, margin_deg) == 0.0


def hit_test(
    targets: Iterable[Target], yaw_deg: float, pitch_deg: float, margin_deg: float = 0.0
) -> Target | None:
    """The target under a direction (nearest centre when grown rectangles overlap)."""
    if not math.isfinite(yaw_deg + pitch_deg):
        return None
    hits = [t for t in targets if t.contains(yaw_deg, pitch_deg, margin_deg)]
    if not hits:
        return None
    return min(hits, key=lambda t: math.hypot(t.yaw_deg - yaw_deg, t.pitch_deg - pitch_deg))


# ----------------------------------------------------------------------------- events


@dataclass(frozen=True, kw_only=True)
class SelectionEvent:
    """Base of what an app receives: frame time and which of *its* targets."""

    name: ClassVar[str] = "on_selection"
    timestamp_ms: int
    target_id: str


@dataclass(frozen=True, kw_only=True)
class HoverEnter(SelectionEvent):
    """The gaze entered the target."""

    name: ClassVar[str] = "on_hover_enter"


@dataclass(frozen=True, kw_only=True)
class HoverExit(SelectionEvent):
    """The gaze left the target (or the target was removed, or gaze was lost)."""

    name: ClassVar[str] = "on_hover_exit"


@dataclass(frozen=True, kw_only=True)
class DwellProgress(SelectionEvent):
    """Sent every gaze sample while dwelling, so the app can draw a filling ring."""

    name: ClassVar[str] = "on_dwell_progress"
    progress: float


@dataclass(frozen=True, kw_only=True)
class Commit(SelectionEvent):
    """The target was selected."""

    name: ClassVar[str] = "on_commit"
    method: CommitMethod
    handedness: Handedness | None = None


SELECTION_EVENT_CLASSES: tuple[type[SelectionEvent], ...] = (
    HoverEnter,
    HoverExit,
    DwellProgress,
    Commit,
)


class SelectionDispatcher(EventDispatcher):
    """An :class:`EventDispatcher` for selection events only: there is no raw gaze
    event type here, so no handler can be registered for one by accident."""

    event_types: ClassVar[tuple[str, ...]] = tuple(c.name for c in SELECTION_EVENT_CLASSES)


# ---------------------------------------------------------------------------- routing


@dataclass(frozen=True)
class SelectionOptions:
    """Dwell timing and the hover hysteresis that keeps noisy gaze from flickering."""

    #: Resting this long on a dwell-enabled target commits it.
    dwell_ms: int = 800
    #: A target is entered when the gaze is within this margin of it...
    enter_margin_deg: float = 0.5
    #: ...and left only beyond this one (gaze jitters by about a degree).
    exit_margin_deg: float = 1.5
    #: Invalid samples (a blink) keep the hover this long before it exits.
    lost_grace_ms: int = 150
    #: Commit at pinch ``"end"`` (default, like a click) or at pinch ``"start"``.
    commit_on: Literal["start", "end"] = "end"
    #: Whether a pinch that turned into a drag still commits at its end.
    commit_dragged: bool = False
    #: Whether apps may opt in to raw gaze at all.
    allow_raw_gaze: bool = True

    def __post_init__(self) -> None:
        check_number("SelectionOptions.dwell_ms", self.dwell_ms, low=0, low_open=True)
        check_number("SelectionOptions.lost_grace_ms", self.lost_grace_ms, low=0)
        check_number("SelectionOptions.enter_margin_deg", self.enter_margin_deg, low=0)
        check_number(
            "SelectionOptions.exit_margin_deg", self.exit_margin_deg, low=self.enter_margin_deg
        )
        check_choice("SelectionOptions.commit_on", self.commit_on, ("start", "end"))


class RawGazeSubscription:
    """An app's explicit opt-in to raw gaze samples; :meth:`cancel` ends it."""

    def __init__(
        self, router: GazeRouter, app_id: str, reason: str, handler: Callable[[GazeSample], Any]
    ) -> None:
        self.app_id = app_id
        self.reason = reason
        self._handler = handler
        self._router = router

    def deliver(self, sample: GazeSample) -> None:
        """Called by the router only."""
        self._handler(sample)

    def cancel(self) -> None:
        """Stop receiving raw samples (idempotent)."""
        self._router._unsubscribe(self)


class AppSession:
    """What an app holds: its targets and a dispatcher of its own selection events.

    It has no method that returns gaze; see the module docstring.
    """

    def __init__(self, router: GazeRouter, app_id: str) -> None:
        self.app_id = app_id
        self.dispatcher = SelectionDispatcher()
        self._router = router
        self._targets: dict[str, Target] = {}

    @property
    def targets(self) -> tuple[Target, ...]:
        """This app's registered targets."""
        return tuple(self._targets.values())

    def add_target(self, target: Target) -> None:
        """Register (or move/resize, when the id exists) one target."""
        self._targets[target.id] = target

    def remove_target(self, target_id: str) -> None:
        """Unregister a target; a hover on it ends with :class:`HoverExit` next sample."""
        self._targets.pop(target_id, None)

    def push_handlers(self, *objects: object, **handlers: Callable[..., Any]) -> None:
        """Shorthand for ``self.dispatcher.push_handlers``."""
        self.dispatcher.push_handlers(*objects, **handlers)

    def subscribe_raw_gaze(
        self, handler: Callable[[GazeSample], Any], reason: str
    ) -> RawGazeSubscription:
        """Opt in to every raw :class:`GazeSample`; ``reason`` is shown to the wearer.

        Raises :class:`GazePrivacyError` when the router forbids raw gaze.
        """
        return self._router._subscribe(self, handler, reason)

    def close(self) -> None:
        """Disconnect: targets and any raw-gaze subscription go away."""
        self._router._disconnect(self)


class GazeRouter:
    """Owns the raw gaze stream; turns it into per-app selection events.

    System code calls :meth:`process_gaze` with every sample and feeds pinch events
    (as a handler object on the gesture dispatcher, or via :meth:`process_gesture`).
    """

    def __init__(self, options: SelectionOptions | None = None) -> None:
        self.options = options or SelectionOptions()
        self.clock = FrameClock()
        self._apps: dict[str, AppSession] = {}
        self._raw: list[RawGazeSubscription] = []
        self._hover: tuple[AppSession, Target] | None = None
        self._hover_since = 0
        self._dwell_done = False
        self._last_valid_ms: int | None = None
        self._latched: dict[Handedness, tuple[AppSession, str]] = {}

    # -- apps ---------------------------------------------------------------------------

    def connect(self, app_id: str) -> AppSession:
        """A new session for ``app_id`` (an error if that app is already connected)."""
        if app_id in self._apps:
            raise GestureError(f"app {app_id!r} is already connected")
        session = AppSession(self, app_id)
        self._apps[app_id] = session
        return session

    @property
    def raw_gaze_apps(self) -> tuple[str, ...]:
        """Apps currently receiving raw gaze, for a privacy indicator."""
        return tuple(dict.fromkeys(s.app_id for s in self._raw))

    def _subscribe(
        self, session: AppSession, handler: Callable[[GazeSample], Any], reason: str
    ) -> RawGazeSubscription:
        if not self.options.allow_raw_gaze:
            raise GazePrivacyError(
                f"raw gaze is not available to apps (asked by {session.app_id!r})"
            )
        if not reason.strip():
            raise GazePrivacyError("subscribing to raw gaze needs a reason to show the wearer")
        if self._apps.get(session.app_id) is not session:
            raise GestureError(f"app {session.app_id!r} is not connected")
        subscription = RawGazeSubscription(self, session.app_id, reason, handler)
        self._raw.append(subscription)
        return subscription

    def _unsubscribe(self, subscription: RawGazeSubscription) -> None:
        if subscription in self._raw:
            self._raw.remove(subscription)

    def _disconnect(self, session: AppSession) -> None:
        self._apps.pop(session.app_id, None)
        self._raw = [s for s in self._raw if s.app_id != session.app_id]
        if self._hover is not None and self._hover[0] is session:
            self._hover = None
        self._latched = {h: v for h, v in self._latched.items() if v[0] is not session}

    def _send(self, session: AppSession, event: SelectionEvent) -> None:
        session.dispatcher.dispatch_event(event.name, event)

    # -- gaze ---------------------------------------------------------------------------

    def hovered(self) -> tuple[str, str] | None:
        """(app id, target id) under the gaze, for system UI (never given to apps)."""
        return None if self._hover is None else (self._hover[0].app_id, self._hover[1].id)

    def _find(self, yaw: float, pitch: float) -> tuple[AppSession, Target] | None:
        """Keep the current target within the exit margin; else hit-test everything."""
        opts = self.options
        if self._hover is not None:
            session, target = self._hover
            current = session._targets.get(target.id)
            if current is not None and current.contains(yaw, pitch, opts.exit_margin_deg):
                return session, current
        owners = {id(t): s for s in self._apps.values() for t in s._targets.values()}
        every = [t for s in self._apps.values() for t in s._targets.values()]
        hit = hit_test(every, yaw, pitch, opts.enter_margin_deg)
        return None if hit is None else (owners[id(hit)], hit)

    def process_gaze(self, sample: GazeSample) -> None:
        """Advance hover and dwell with one sample; deliver raw gaze to opted-in apps."""
        self.clock.advance(sample.timestamp_ms)
        t = int(sample.timestamp_ms)
        for subscription in list(self._raw):
            subscription.deliver(sample)
        if sample.valid:
            self._last_valid_ms = t
            found = self._find(sample.yaw_deg, sample.pitch_deg)
        else:
            recent = self._last_valid_ms is not None and (
                t - self._last_valid_ms <= self.options.lost_grace_ms
            )
            found = self._hover if recent else None
            if found is not None and found[1].id not in found[0]._targets:
                found = None
        self._move_hover(t, found)
        self._advance_dwell(t, sample.valid)

    def _move_hover(self, t: int, found: tuple[AppSession, Target] | None) -> None:
        old = self._hover
        same = (
            old is not None
            and found is not None
            and old[0] is found[0]
            and old[1].id == found[1].id
        )
        if same:
            self._hover = found  # keep the newest geometry
            return
        if old is not None:
            self._send(old[0], HoverExit(timestamp_ms=t, target_id=old[1].id))
        self._hover = found
        self._hover_since, self._dwell_done = t, False
        if found is not None:
            self._send(found[0], HoverEnter(timestamp_ms=t, target_id=found[1].id))

    def _advance_dwell(self, t: int, valid: bool) -> None:
        if self._hover is None or self._dwell_done or not valid:
            return
        session, target = self._hover
        if not target.dwell:
            return
        progress = min(1.0, (t - self._hover_since) / self.options.dwell_ms)
        self._send(session, DwellProgress(timestamp_ms=t, target_id=target.id, progress=progress))
        if progress >= 1.0:
            self._dwell_done = True
            self._send(session, Commit(timestamp_ms=t, target_id=target.id, method="dwell"))

    # -- pinch --------------------------------------------------------------------------

    def _commit_pinch(self, session: AppSession, target_id: str, t: int, hand: Handedness) -> None:
        if self._apps.get(session.app_id) is not session or target_id not in session._targets:
            return  # the app or the target went away during the pinch
        if self._hover is not None and self._hover[1].id == target_id:
            self._dwell_done = True  # this visit has been answered: no dwell commit after
        event = Commit(timestamp_ms=t, target_id=target_id, method="pinch", handedness=hand)
        self._send(session, event)

    def on_pinch_start(self, event: PinchStart) -> None:
        """Latch the hovered target (or commit it now when ``commit_on="start"``)."""
        self._latched.pop(event.handedness, None)
        if self._hover is None:
            return
        session, target = self._hover
        if self.options.commit_on == "start":
            self._commit_pinch(session, target.id, event.timestamp_ms, event.handedness)
        else:
            self._latched[event.handedness] = (session, target.id)

    def on_pinch_end(self, event: PinchEnd) -> None:
        """Commit the target latched at the pinch's start (unless it was a drag)."""
        latched = self._latched.pop(event.handedness, None)
        if latched is None or (event.dragged and not self.options.commit_dragged):
            return
        self._commit_pinch(latched[0], latched[1], event.timestamp_ms, event.handedness)

    def on_pinch_cancel(self, event: PinchCancel) -> None:
        """A lost hand selects nothing."""
        self._latched.pop(event.handedness, None)

    def process_gesture(self, event: object) -> None:
        """Feed any gesture event; only the pinch events matter here."""
        if isinstance(event, PinchStart):
            self.on_pinch_start(event)
        elif isinstance(event, PinchEnd):
            self.on_pinch_end(event)
        elif isinstance(event, PinchCancel):
            self.on_pinch_cancel(event)
