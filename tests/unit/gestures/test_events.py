"""Typed events and the pyglet-style dispatcher (handler stack, True consumes)."""

from __future__ import annotations

import dataclasses

import pytest

from gestures.errors import GestureError
from gestures.events import (
    EVENT_HANDLED,
    EVENT_TYPES,
    EVENT_UNHANDLED,
    AirTap,
    EventDispatcher,
    GestureEvent,
    PinchStart,
    Swipe,
)
from hud.errors import HudError


def _tap() -> AirTap:
    return AirTap(timestamp_ms=10, handedness="Right", x=0.5, y=0.5, duration_ms=120)


def test_events_are_frozen_and_named_like_pyglet_handlers() -> None:
    tap = _tap()
    with pytest.raises(dataclasses.FrozenInstanceError):
        tap.x = 0.1  # type: ignore[misc]
    assert tap.name == "on_air_tap"
    assert len(set(EVENT_TYPES)) == len(EVENT_TYPES)
    assert all(name.startswith("on_") for name in EVENT_TYPES)
    assert isinstance(tap, GestureEvent)


def test_newest_frame_first_and_true_consumes() -> None:
    dispatcher = EventDispatcher()
    calls: list[str] = []

    def base(event: AirTap) -> None:
        calls.append("base")

    def modal(event: AirTap) -> bool:
        calls.append("modal")
        return True

    dispatcher.push_handlers(on_air_tap=base)
    assert dispatcher.dispatch(_tap()) is EVENT_UNHANDLED
    dispatcher.push_handlers(on_air_tap=modal)
    assert dispatcher.dispatch(_tap()) is EVENT_HANDLED
    assert calls == ["base", "modal"]  # the base never saw the consumed tap
    dispatcher.pop_handlers()
    dispatcher.dispatch(_tap())
    assert calls == ["base", "modal", "base"]


def test_unconsumed_events_fall_through_every_frame() -> None:
    dispatcher = EventDispatcher()
    seen: list[str] = []
    dispatcher.push_handlers(on_swipe=lambda e: seen.append("first"))
    dispatcher.push_handlers(on_swipe=lambda e: seen.append("second") and False)
    swipe = Swipe(timestamp_ms=0, handedness="Left", direction="left", distance=2.0, duration_ms=9)
    dispatcher.dispatch(swipe)
    assert seen == ["second", "first"]


def test_objects_functions_decorator_and_default_methods() -> None:
    class Card:
        def __init__(self) -> None:
            self.started: list[PinchStart] = []

        def on_pinch_start(self, event: PinchStart) -> bool:
            self.started.append(event)
            return True

    class Window(EventDispatcher):
        def __init__(self) -> None:
            super().__init__()
            self.defaults = 0

        def on_air_tap(self, event: AirTap) -> None:
            self.defaults += 1

    window = Window()
    card = Card()
    window.push_handlers(card)
    start = PinchStart(timestamp_ms=1, handedness="Right", x=0.1, y=0.2)
    assert window.dispatch(start) is EVENT_HANDLED and card.started == [start]
    window.dispatch(_tap())
    assert window.defaults == 1  # the class's own handler runs last

    taps: list[AirTap] = []

    @window.event
    def on_air_tap(event: AirTap) -> bool:
        taps.append(event)
        return True

    window.dispatch(_tap())
    assert len(taps) == 1 and window.defaults == 1

    window.remove_handlers(card)
    window.dispatch(start)
    assert card.started == [start]


def test_misuse_is_a_clear_error() -> None:
    dispatcher = EventDispatcher()
    with pytest.raises(GestureError):
        dispatcher.pop_handlers()
    with pytest.raises(GestureError, match="on_nonsense"):
        dispatcher.push_handlers(on_nonsense=lambda e: None)
    with pytest.raises(HudError):
        dispatcher.dispatch_event("on_nonsense")
