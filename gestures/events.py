"""Typed gesture events and a pyglet-style dispatcher to deliver them.

Events are frozen dataclasses so a handler cannot change what the next handler sees,
and each carries the timestamp of the frame that produced it (never wall-clock time),
so a replayed recording yields exactly the same events.

:class:`EventDispatcher` follows pyglet's ``pyglet.event.EventDispatcher``: handlers
live on a stack of frames (:meth:`~EventDispatcher.push_handlers` /
:meth:`~EventDispatcher.pop_handlers`); the newest frame is asked first, and a handler
that returns ``True`` (:data:`EVENT_HANDLED`) consumes the event so older frames never
see it. That lets a modal card grab pinches while it is open and hand them back by
popping its frame, without the base UI knowing about it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from gestures.errors import GestureError
from gestures.landmarks import Handedness

EVENT_HANDLED: Literal[True] = True
EVENT_UNHANDLED: None = None

SwipeDirection = Literal["left", "right", "up", "down"]
CircleDirection = Literal["cw", "ccw"]
ThumbSwipeDirection = Literal["forward", "back"]


@dataclass(frozen=True, kw_only=True)
class GestureEvent:
    """Base of every event: which hand, and the frame time it was recognised at."""

    #: Handler method name, pyglet style (``on_pinch_start`` and so on).
    name: ClassVar[str] = "on_gesture"

    timestamp_ms: int
    handedness: Handedness


@dataclass(frozen=True, kw_only=True)
class PoseChanged(GestureEvent):
    """The static pose of a hand changed (see :mod:`gestures.poses` for the labels)."""

    name: ClassVar[str] = "on_pose"
    pose: str
    previous: str
    score: float


@dataclass(frozen=True, kw_only=True)
class PinchStart(GestureEvent):
    """Thumb and index tips met. ``x``, ``y``: the pinch point, normalised image coords."""

    name: ClassVar[str] = "on_pinch_start"
    x: float
    y: float


@dataclass(frozen=True, kw_only=True)
class PinchHold(GestureEvent):
    """Sent every frame while a pinch is held, so a UI can show long-press progress."""

    name: ClassVar[str] = "on_pinch_hold"
    duration_ms: int
    x: float
    y: float


@dataclass(frozen=True, kw_only=True)
class PinchDrag(GestureEvent):
    """A held pinch moved; ``dx``, ``dy`` are from the pinch start, normalised image units.

    Sent every frame once the pinch point has travelled ``drag_distance`` palm sizes.
    """

    name: ClassVar[str] = "on_pinch_drag"
    dx: float
    dy: float
    x: float
    y: float


@dataclass(frozen=True, kw_only=True)
class PinchEnd(GestureEvent):
    """The pinch opened normally. ``dx``, ``dy``: total travel, normalised image units."""

    name: ClassVar[str] = "on_pinch_end"
    duration_ms: int
    dx: float
    dy: float
    dragged: bool


@dataclass(frozen=True, kw_only=True)
class PinchCancel(GestureEvent):
    """The hand vanished mid-pinch: the pinch is over but did *not* end deliberately.

    A UI should undo or abandon whatever the pinch was doing, never treat it as a drop.
    """

    name: ClassVar[str] = "on_pinch_cancel"
    duration_ms: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class AirTap(GestureEvent):
    """A short pinch that did not drag: the glasses' equivalent of a click."""

    name: ClassVar[str] = "on_air_tap"
    x: float
    y: float
    duration_ms: int


@dataclass(frozen=True, kw_only=True)
class Swipe(GestureEvent):
    """A fast straight hand movement. Directions are in the image as given (y down)."""

    name: ClassVar[str] = "on_swipe"
    direction: SwipeDirection
    distance: float  # palm sizes
    duration_ms: int


@dataclass(frozen=True, kw_only=True)
class Circle(GestureEvent):
    """The index fingertip went around a circle; cw/ccw as seen in the image (y down)."""

    name: ClassVar[str] = "on_circle"
    direction: CircleDirection
    turns: float
    #: Mean distance of the fingertip from the circle's centre, palm sizes (0: unknown).
    radius: float = 0.0


@dataclass(frozen=True, kw_only=True)
class ThumbTap(GestureEvent):
    """The thumb tip tapped the side of the index finger and lifted again."""

    name: ClassVar[str] = "on_thumb_tap"
    duration_ms: int


@dataclass(frozen=True, kw_only=True)
class ThumbSwipe(GestureEvent):
    """The thumb slid along the side of the index: ``forward`` is toward the fingertip."""

    name: ClassVar[str] = "on_thumb_swipe"
    direction: ThumbSwipeDirection
    distance: float  # fraction of the knuckle-to-end-joint length


EVENT_CLASSES: tuple[type[GestureEvent], ...] = (
    PoseChanged,
    PinchStart,
    PinchHold,
    PinchDrag,
    PinchEnd,
    PinchCancel,
    AirTap,
    Swipe,
    Circle,
    ThumbTap,
    ThumbSwipe,
)
EVENT_TYPES: tuple[str, ...] = tuple(cls.name for cls in EVENT_CLASSES)

Handler = Callable[..., Any]


class EventDispatcher:
    """A stack of handler frames; newest first; returning True consumes the event.

    Like pyglet, :meth:`push_handlers` accepts objects (every method named after an
    event type becomes a handler) and keyword arguments (``on_swipe=func``); a
    subclass may define ``on_...`` methods itself, which run last, as the default.
    """

    event_types: ClassVar[tuple[str, ...]] = EVENT_TYPES

    def __init__(self) -> None:
        self._frames: list[dict[str, Handler]] = []

    def _check(self, name: str) -> None:
        if name not in self.event_types:
            raise GestureError(f"unknown event type {name!r}")

    def _frame_from(
        self, objects: tuple[object, ...], handlers: dict[str, Handler]
    ) -> dict[str, Handler]:
        frame: dict[str, Handler] = {}
        for obj in objects:
            func_name = getattr(obj, "__name__", "")
            if callable(obj) and func_name in self.event_types:
                frame[func_name] = obj  # a bare function named after its event
                continue
            for name in self.event_types:
                method = getattr(obj, name, None)
                if callable(method):
                    frame[name] = method
        for name, handler in handlers.items():
            self._check(name)
            frame[name] = handler
        return frame

    def push_handlers(self, *objects: object, **handlers: Handler) -> None:
        """Add a new frame of handlers above all existing ones."""
        self._frames.append(self._frame_from(objects, handlers))

    def set_handlers(self, *objects: object, **handlers: Handler) -> None:
        """Add handlers to the newest frame (creating one if there is none)."""
        if not self._frames:
            self._frames.append({})
        self._frames[-1].update(self._frame_from(objects, handlers))

    def set_handler(self, name: str, handler: Handler) -> None:
        """Set one handler in the newest frame."""
        self.set_handlers(**{name: handler})

    def pop_handlers(self) -> None:
        """Remove the newest frame; an error if there is none, as in pyglet."""
        if not self._frames:
            raise GestureError("pop_handlers: no handlers have been pushed")
        self._frames.pop()

    def remove_handlers(self, *objects: object, **handlers: Handler) -> None:
        """Remove the first frame (newest first) that holds exactly these handlers."""
        wanted = self._frame_from(objects, handlers)
        for index in range(len(self._frames) - 1, -1, -1):
            frame = self._frames[index]
            if all(frame.get(name) == handler for name, handler in wanted.items()):
                for name in wanted:
                    del frame[name]
                if not frame:
                    del self._frames[index]
                return

    def event(self, handler: Handler) -> Handler:
        """Decorator: ``@dispatcher.event`` def on_swipe(event): ..."""
        self.set_handler(handler.__name__, handler)
        return handler

    def dispatch_event(self, name: str, *args: Any) -> bool | None:
        """Call handlers for ``name`` newest first until one returns True.

        Returns :data:`EVENT_HANDLED` if a handler consumed the event, else
        :data:`EVENT_UNHANDLED`. The dispatcher's own ``name`` method, if any, runs last.
        """
        self._check(name)
        for frame in reversed(list(self._frames)):  # a handler may push or pop frames
            handler = frame.get(name)
            if handler is not None and handler(*args) is True:
                return EVENT_HANDLED
        default = getattr(self, name, None)
        if callable(default) and default(*args) is True:
            return EVENT_HANDLED
        return EVENT_UNHANDLED

    def dispatch(self, event: GestureEvent) -> bool | None:
        """Dispatch a typed event to the handlers of its ``name``."""
        return self.dispatch_event(event.name, event)
