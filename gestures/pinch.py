"""Pinch as a state machine: start, hold, drag, end, air tap, cancel.

A pinch is measured as the thumb-tip to index-tip distance in palm sizes, so it does
not depend on how far the hand is from the camera. Two things keep it from chattering
when the fingers hover near touching:

* hysteresis: the pinch starts below ``enter_distance`` but only ends above the larger
  ``exit_distance``;
* debounce: a crossing must persist for ``debounce_ms`` of frame time before it counts.

Every pinch therefore produces exactly one :class:`~gestures.events.PinchStart` and
exactly one :class:`~gestures.events.PinchEnd` or
:class:`~gestures.events.PinchCancel`. A hand that disappears (or turns to NaN) for
longer than ``lost_grace_ms`` cancels the pinch rather than leaving it stuck.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from gestures.clock import FrameClock
from gestures.errors import check_number
from gestures.events import (
    AirTap,
    GestureEvent,
    PinchCancel,
    PinchDrag,
    PinchEnd,
    PinchHold,
    PinchStart,
)
from gestures.landmarks import INDEX_TIP, THUMB_TIP, Handedness, HandLandmarks
from hud.errors import OptionsError


@dataclass(frozen=True)
class PinchOptions:
    """Thresholds of :class:`PinchRecognizer` (distances in palm sizes, times in ms)."""

    #: Tips closer than this start a pinch.
    enter_distance: float = 0.25
    #: Tips farther than this end it; must exceed ``enter_distance`` (the hysteresis).
    exit_distance: float = 0.4
    #: A start or end must persist this long to count.
    debounce_ms: int = 30
    #: A pinch shorter than this that did not drag is also an air tap.
    tap_max_ms: int = 300
    #: Travel of the pinch point (palm sizes) that turns the pinch into a drag.
    drag_distance: float = 0.3
    #: How long the hand may be missing before a held pinch is cancelled.
    lost_grace_ms: int = 100

    def __post_init__(self) -> None:
        check_number("PinchOptions.enter_distance", self.enter_distance, low=0, low_open=True)
        check_number("PinchOptions.exit_distance", self.exit_distance)
        if not self.enter_distance < self.exit_distance:
            raise OptionsError(
                "PinchOptions needs 0 < enter_distance < exit_distance, got "
                f"{self.enter_distance} and {self.exit_distance}"
            )
        for name in ("debounce_ms", "tap_max_ms", "lost_grace_ms"):
            check_number(f"PinchOptions.{name}", getattr(self, name), low=0)
        check_number("PinchOptions.drag_distance", self.drag_distance, low=0, low_open=True)


class PinchState(enum.Enum):
    """Where the state machine is; the two pending states are the debounce."""

    IDLE = "idle"
    STARTING = "starting"
    PINCHED = "pinched"
    RELEASING = "releasing"


def pinch_distance(hand: HandLandmarks) -> float:
    """Thumb-tip to index-tip distance in palm sizes (NaN for an unusable hand)."""
    size = hand.size
    if not size > 1e-9:  # also catches NaN
        return float("nan")
    tip = hand.xy[THUMB_TIP] - hand.xy[INDEX_TIP]
    return math.hypot(float(tip[0]), float(tip[1])) / size


class PinchRecognizer:
    """Feed it one hand (or None) per frame; it returns the events that frame caused."""

    def __init__(self, options: PinchOptions | None = None) -> None:
        self.options = options or PinchOptions()
        self.clock = FrameClock()
        self.reset()

    def reset(self) -> None:
        """Forget any pinch in progress (no events) and the last timestamp."""
        self.clock.reset()
        self.state = PinchState.IDLE
        self._pending_ms = 0  # when the pending start or release was first seen
        self._start_ms = 0
        self._start_point = (0.0, 0.0)
        self._last_seen_ms = 0
        self._dragged = False
        self._last_point = (0.0, 0.0)
        self._handedness: Handedness = "Right"

    @property
    def is_pinched(self) -> bool:
        """True from the PinchStart until its end or cancel."""
        return self.state in (PinchState.PINCHED, PinchState.RELEASING)

    def update(self, timestamp_ms: int, hand: HandLandmarks | None) -> list[GestureEvent]:
        """Advance to ``timestamp_ms`` with this frame's hand (None when it is not seen).

        Raises :class:`~gestures.errors.TimestampOrderError` if time went backwards.
        """
        self.clock.advance(timestamp_ms)
        t = int(timestamp_ms)
        if hand is None or not hand.is_usable:
            return self._lost(t)
        ratio = pinch_distance(hand)
        self._handedness = hand.handedness
        self._last_seen_ms = t
        point = _pinch_point(hand)
        opts = self.options
        if self.state is PinchState.IDLE:
            if ratio < opts.enter_distance:
                self.state, self._pending_ms = PinchState.STARTING, t
                return self._confirm_start(t, point)
            return []
        if self.state is PinchState.STARTING:
            if ratio > opts.exit_distance:
                self.state = PinchState.IDLE  # a touch too brief to count
                return []
            return self._confirm_start(t, point)
        if self.state is PinchState.PINCHED:
            if ratio > opts.exit_distance:  # opening: the point no longer tracks the pinch
                self.state, self._pending_ms = PinchState.RELEASING, t
                return self._confirm_end(t, ratio)
            return self._track(t, point, hand)
        # RELEASING: back under the enter threshold means the release was chatter.
        if ratio < opts.enter_distance:
            self.state = PinchState.PINCHED
            return self._track(t, point, hand)
        return self._confirm_end(t, ratio)

    def _confirm_start(self, t: int, point: tuple[float, float]) -> list[GestureEvent]:
        if t - self._pending_ms < self.options.debounce_ms:
            return []
        self.state = PinchState.PINCHED
        self._start_ms = self._pending_ms  # the pinch began when the tips first met
        self._start_point = self._last_point = point
        self._dragged = False
        return [PinchStart(timestamp_ms=t, handedness=self._handedness, x=point[0], y=point[1])]

    def _confirm_end(self, t: int, ratio: float) -> list[GestureEvent]:
        if t - self._pending_ms < self.options.debounce_ms or ratio < self.options.enter_distance:
            return []
        return self._finish(t)

    def _finish(self, t: int) -> list[GestureEvent]:
        """PinchEnd (and AirTap for a short, still pinch); back to idle."""
        self.state = PinchState.IDLE
        duration = self._pending_ms - self._start_ms  # the pinch ended when it opened
        dx = self._last_point[0] - self._start_point[0]
        dy = self._last_point[1] - self._start_point[1]
        hand = self._handedness
        events: list[GestureEvent] = [
            PinchEnd(
                timestamp_ms=t,
                handedness=hand,
                duration_ms=duration,
                dx=dx,
                dy=dy,
                dragged=self._dragged,
            )
        ]
        if not self._dragged and duration <= self.options.tap_max_ms:
            x, y = self._start_point
            events.append(AirTap(timestamp_ms=t, handedness=hand, x=x, y=y, duration_ms=duration))
        return events

    def _track(self, t: int, point: tuple[float, float], hand: HandLandmarks) -> list[GestureEvent]:
        """Hold and drag events for a frame in which the pinch is (still) held."""
        self._last_point = point
        dx, dy = point[0] - self._start_point[0], point[1] - self._start_point[1]
        handedness = self._handedness
        events: list[GestureEvent] = []
        if t > self._start_ms:
            events.append(
                PinchHold(
                    timestamp_ms=t,
                    handedness=handedness,
                    duration_ms=t - self._start_ms,
                    x=point[0],
                    y=point[1],
                )
            )
        if not self._dragged:
            travel = math.hypot(dx * hand.aspect_ratio, dy) / hand.size
            self._dragged = travel >= self.options.drag_distance
        if self._dragged:
            events.append(
                PinchDrag(
                    timestamp_ms=t, handedness=handedness, dx=dx, dy=dy, x=point[0], y=point[1]
                )
            )
        return events

    def _lost(self, t: int) -> list[GestureEvent]:
        """No usable hand this frame: drop a pending start, cancel a stale pinch.

        A pinch already seen opening ends normally: the user let go, then the hand left.
        """
        if self.state is PinchState.STARTING:
            self.state = PinchState.IDLE
            return []
        if self.state is PinchState.RELEASING:
            return self._finish(t)
        if not self.is_pinched or t - self._last_seen_ms <= self.options.lost_grace_ms:
            return []
        self.state = PinchState.IDLE
        return [
            PinchCancel(
                timestamp_ms=t,
                handedness=self._handedness,
                duration_ms=self._last_seen_ms - self._start_ms,
                reason="hand lost",
            )
        ]


def _pinch_point(hand: HandLandmarks) -> tuple[float, float]:
    """Midpoint of thumb and index tips, normalised image coordinates."""
    p = (hand.points[THUMB_TIP, :2] + hand.points[INDEX_TIP, :2]) / 2.0
    return float(p[0]), float(p[1])
