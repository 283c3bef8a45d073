"""All recognisers together, per hand, frame by frame: the object an app holds.

Design after MediaPipe Tasks: one frozen options object made of each recogniser's
frozen options, and a ``process(frame)`` call per video frame with the frame's own
timestamp. Each side (Left, Right) gets its own set of recognisers, so two hands can
pinch independently. While a hand is pinching, its swipe, circle and thumb recognisers
are paused: a pinch-drag is not also a swipe, and the thumb on the index tip is not a
thumb tap.

Before the recognisers, only the wearer's hands are kept
(:func:`gestures.intent.select_wearer_hands`, ``wearer``); after them, the intent gate
(:class:`gestures.intent.IntentGate`, ``intent``) drops the command events the wearer
did not mean, and poses are held by hysteresis (:mod:`gestures.pose_filter`,
``pose_smoothing``). :meth:`GestureRecognizerOptions.ungated` turns all three off: the
recognisers exactly as they were before those existed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gestures.clock import FrameClock
from gestures.errors import check_number, check_type
from gestures.events import EventDispatcher, GestureEvent, PoseChanged
from gestures.intent import IntentGate, IntentOptions, WearerOptions, select_wearer_hands
from gestures.landmarks import HANDEDNESS, Handedness, HandFrame, HandLandmarks
from gestures.microgestures import ThumbMicrogestureRecognizer, ThumbOptions
from gestures.motion import CircleOptions, CircleRecognizer, SwipeOptions, SwipeRecognizer
from gestures.pinch import PinchOptions, PinchRecognizer, PinchState, pinch_distance
from gestures.pose_filter import PoseFilter, PoseSmoothingOptions
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
    #: Which command events the wearer meant (see :mod:`gestures.intent`).
    intent: IntentOptions = field(default_factory=IntentOptions)
    #: Whose hands are input; the rest are ignored.
    wearer: WearerOptions = field(default_factory=WearerOptions)
    #: How poses are held over time (hysteresis and the motion prior).
    pose_smoothing: PoseSmoothingOptions = field(default_factory=PoseSmoothingOptions)

    def __post_init__(self) -> None:
        check_type("GestureRecognizerOptions.pose", self.pose, PoseOptions)
        check_type("GestureRecognizerOptions.pinch", self.pinch, PinchOptions)
        check_type("GestureRecognizerOptions.swipe", self.swipe, SwipeOptions)
        check_type("GestureRecognizerOptions.circle", self.circle, CircleOptions)
        check_type("GestureRecognizerOptions.thumb", self.thumb, ThumbOptions)
        check_number("GestureRecognizerOptions.min_pose_score", self.min_pose_score, low=0, high=1)
        check_type("GestureRecognizerOptions.intent", self.intent, IntentOptions)
        check_type("GestureRecognizerOptions.wearer", self.wearer, WearerOptions)
        check_type(
            "GestureRecognizerOptions.pose_smoothing", self.pose_smoothing, PoseSmoothingOptions
        )

    @classmethod
    def ungated(cls) -> GestureRecognizerOptions:
        """Every hand is input, every event passes, poses frame by frame: the
        recognisers as they were before the intent gate (for comparisons)."""
        return cls(
            intent=IntentOptions.off(),
            wearer=WearerOptions(view="all"),
            pose_smoothing=PoseSmoothingOptions.off(),
        )


class _HandPipeline:
    """The recognisers of one side."""

    def __init__(self, options: GestureRecognizerOptions) -> None:
        self.options = options
        self.pinch = PinchRecognizer(options.pinch)
        self.swipe = SwipeRecognizer(options.swipe)
        self.circle = CircleRecognizer(options.circle)
        self.thumb = ThumbMicrogestureRecognizer(options.thumb)
        self.gate = IntentGate(options.intent)
        self.poses = PoseFilter(options.pose_smoothing)
        self.pose = "none"

    def update(self, t: int, hand: HandLandmarks | None, side: Handedness) -> list[GestureEvent]:
        opts = self.options
        if hand is not None and not hand.is_usable:
            hand = None
        distance = pinch_distance(hand) if hand is not None else float("nan")
        self.gate.observe(t, hand, distance)
        events: list[GestureEvent] = []
        if opts.pinch_enabled:
            events += self.pinch.update(t, hand)
        if opts.poses_enabled:
            result = classify_pose(hand, opts.pose) if hand is not None else None
            label = "none"
            if result is not None and result.score >= opts.min_pose_score:
                label = result.label
            score = result.score if result is not None else 0.0
            speed = self.gate.palm_speed_deg_s(t) if hand is not None else 0.0
            held = self.poses.update(t, None if result is None else label, score, speed)
            if held != self.pose:
                events.append(
                    PoseChanged(
                        timestamp_ms=t,
                        handedness=side,
                        pose=held,
                        previous=self.pose,
                        score=self.poses.score if result is not None else 0.0,
                    )
                )
                self.pose = held
        busy = self.pinch.state is not PinchState.IDLE
        others = (
            (opts.swipe_enabled, self.swipe),
            (opts.circle_enabled, self.circle),
            (opts.thumb_enabled, self.thumb),
        )
        for enabled, recognizer in others:
            if enabled:
                events += recognizer.update(t, None if busy else hand)
        pose = self.pose if opts.poses_enabled else None
        return self.gate.filter(t, events, hand, pose, opts.pinch.debounce_ms)

    def reset(self) -> None:
        for recognizer in (self.pinch, self.swipe, self.circle, self.thumb):
            recognizer.reset()
        self.gate.reset()
        self.poses.reset()
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
        wearer = HandFrame(t, select_wearer_hands(frame.hands, self.options.wearer))
        for side, pipeline in self._hands.items():
            events += pipeline.update(t, wearer.hand(side), side)
        if self.dispatcher is not None:
            for event in events:
                self.dispatcher.dispatch(event)
        return events
