"""All recognisers together, per hand, frame by frame: the object an app holds.

Design after MediaPipe Tasks: one frozen options object made of each recogniser's
frozen options, and a ``process(frame)`` call per video frame with the frame's own
timestamp. Each side (Left, Right) gets its own set of recognisers, so two hands can
pinch independently. While a hand is pinching, its swipe, circle and thumb recognisers
are paused: a pinch-drag is not also a swipe, and the thumb on the index tip is not a
thumb tap.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gestures.clock import FrameClock
from gestures.errors import check_number, check_type
from gestures.events import EventDispatcher, GestureEvent, PoseChanged
from gestures.landmarks import HANDEDNESS, Handedness, HandFrame, HandLandmarks
from gestures.microgestures import ThumbMicrogestureRecognizer, ThumbOptions
from gestures.motion import CircleOptions, CircleRecognizer, SwipeOptions, SwipeRecognizer
from gestures.pinch import PinchOptions, PinchRecognizer, PinchState
from gestures.poses import PoseOptions, classify_pose


@dataclass(frozen=True)
class GestureRecognizerOptions:
    """Options of every recogniser, and which of them run."""

    pose: PoseOptions = field(default_factory=PoseOptions)
    pinch: PinchOptions = field(default_factory=PinchOptions)
    swipe: SwipeOptions = field(default_factory=SwipeOptions)
    circle: CircleOptions = field(default_factory=CircleOptions)
    thumb: ThumbOptions = field(default_factory=ThumbOptions)
    poses_enabled: bool = True
    pinch_enabled: bool = True
    swipe_enabled: bool = True
    circle_enabled: bool = True
    thumb_enabled: bool = True
    #: A pose scoring below this is reported as ``none`` (avoids flicker on doubt).
    min_pose_score: float = 0.5

    def __post_init__(self) -> None:
        check_type("GestureRecognizerOptions.pose", self.pose, PoseOptions)
        check_type("GestureRecognizerOptions.pinch", self.pinch, PinchOptions)
        check_type("GestureRecognizerOptions.swipe", self.swipe, SwipeOptions)
        check_type("GestureRecognizerOptions.circle", self.circle, CircleOptions)
        check_type("GestureRecognizerOptions.thumb", self.thumb, ThumbOptions)
        check_number("GestureRecognizerOptions.min_pose_score", self.min_pose_score, low=0, high=1)


class _HandPipeline:
    """The recognisers of one side."""

    def __init__(self, options: GestureRecognizerOptions) -> None:
        self.options = options
        self.pinch = PinchRecognizer(options.pinch)
        self.swipe = SwipeRecognizer(options.swipe)
        self.circle = CircleRecognizer(options.circle)
        self.thumb = ThumbMicrogestureRecognizer(options.thumb)
        self.pose = "none"

    def update(self, t: int, hand: HandLandmarks | None, side: Handedness) -> list[GestureEvent]:
        opts = self.options
        events: list[GestureEvent] = []
        if opts.pinch_enabled:
            events += self.pinch.update(t, hand)
        if opts.poses_enabled:
            result = classify_pose(hand, opts.pose) if hand is not None else None
            label = "none"
            if result is not None and result.score >= opts.min_pose_score:
                label = result.label
            if label != self.pose:
                score = result.score if result is not None else 0.0
                events.append(
                    PoseChanged(
                        timestamp_ms=t, handedness=side, pose=label, previous=self.pose, score=score
                    )
                )
                self.pose = label
        busy = self.pinch.state is not PinchState.IDLE
        others = (
            (opts.swipe_enabled, self.swipe),
            (opts.circle_enabled, self.circle),
            (opts.thumb_enabled, self.thumb),
        )
        for enabled, recognizer in others:
            if enabled:
                events += recognizer.update(t, None if busy else hand)
        return events

    def reset(self) -> None:
        for recognizer in (self.pinch, self.swipe, self.circle, self.thumb):
            recognizer.reset()
        self.pose = "none"


class GestureRecognizer:
    """Landmark frames in, typed events out (and, optionally, dispatched).

    >>> recognizer = GestureRecognizer()
    >>> events = recognizer.process(HandFrame(timestamp_ms=0, hands=()))

    Raises :class:`~gestures.errors.TimestampOrderError` if a frame is older than the
    previous one; call :meth:`reset` when a new stream starts. If a frame holds two
    hands with the same handedness (trackers sometimes mislabel), the first valid one
    is used.
    """

    def __init__(
        self,
        options: GestureRecognizerOptions | None = None,
        dispatcher: EventDispatcher | None = None,
    ) -> None:
        self.options = options or GestureRecognizerOptions()
        self.dispatcher = dispatcher
        self.clock = FrameClock()
        self._hands = {side: _HandPipeline(self.options) for side in HANDEDNESS}

    def reset(self) -> None:
        """Forget every hand's state and the last timestamp (no events)."""
        self.clock.reset()
        for pipeline in self._hands.values():
            pipeline.reset()

    def pose(self, handedness: Handedness) -> str:
        """The current pose label of that hand (``none`` when unseen)."""
        return self._hands[handedness].pose

    def process(self, frame: HandFrame) -> list[GestureEvent]:
        """Run every recogniser on one frame; return (and dispatch) the events."""
        self.clock.advance(frame.timestamp_ms)
        t = int(frame.timestamp_ms)
        events: list[GestureEvent] = []
        for side, pipeline in self._hands.items():
            events += pipeline.update(t, frame.hand(side), side)
        if self.dispatcher is not None:
            for event in events:
                self.dispatcher.dispatch(event)
        return events
