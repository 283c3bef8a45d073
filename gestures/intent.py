"""Input that fires only when the wearer means it: the intent gate and the wearer's hands.

A recogniser that is right on labelled, deliberate gestures still fires on a hand that
reaches, rests or talks: a hand entering the view closed looks like a pinch, an open
hand turning as it reaches draws a circle, a beat while talking is a swipe. On glasses
each of those is an unintended click (the "Midas touch" problem). So every *command
event* passes a gate first. Command events are what an app acts on:
:class:`~gestures.events.PinchStart`, :class:`~gestures.events.AirTap`,
:class:`~gestures.events.Swipe`, :class:`~gestures.events.Circle`,
:class:`~gestures.events.ThumbTap` and :class:`~gestures.events.ThumbSwipe`
(:data:`COMMAND_EVENTS`). A pinch that the gate refuses is dropped whole: no hold, drag,
end or tap follows a refused start.

The gate (:class:`IntentGate`, options :class:`IntentOptions`) asks what people do when
they mean a command and do not do otherwise:

* the tracker is sure of the hand (score at least ``min_score``) and has been for
  ``settle_ms``: no command while a hand is entering the view or the tracker settles;
* a pinch starts from a *ready pose*: thumb and index tips seen apart for ``ready_ms``
  just before they close (a hand that appears already closed is not pinching), with the
  palm turned towards the camera rather than edge-on (where the tips overlap in
  projection) and steady (palm speed under ``max_speed_deg_s``);
* swipes come from an open palm or a pointing hand, circles from a pointing hand, and
  both must be large and fast in degrees of visual angle, not only in palm sizes;
* after one command, a command of another kind waits ``refractory_ms`` (the hand coming
  back from a swipe is not a pinch).

Speeds and extents are in degrees of visual angle, from the camera's horizontal field
of view (``camera_hfov_deg``): palm sizes scale with the hand, but the wearer's sense of
a "big, fast" movement is angular.

Whose hand: :func:`select_wearer_hands` keeps the wearer's hands and drops the rest
(options :class:`WearerOptions`). In an egocentric view (glasses) the wearer's hands are
near, so large in degrees, and their forearm comes from the bottom or the sides of the
image; a bystander's hand is small. In a ``facing`` view (a webcam facing the user) the
user's hands are the largest ones. Time comes from frame timestamps only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

from gestures.errors import check_choice, check_number
from gestures.events import (
    AirTap,
    Circle,
    GestureEvent,
    PinchCancel,
    PinchDrag,
    PinchEnd,
    PinchHold,
    PinchStart,
    Swipe,
    ThumbSwipe,
    ThumbTap,
)
from gestures.landmarks import (
    INDEX_MCP,
    INDEX_TIP,
    MIDDLE_MCP,
    MIDDLE_TIP,
    PALM_LENGTH_PER_WIDTH,
    PINKY_MCP,
    PINKY_TIP,
    RING_TIP,
    THUMB_TIP,
    WRIST,
    HandFrame,
    HandLandmarks,
    palm_centre,
)
from hud.errors import OptionsError

#: The events an app acts on; the false-activation figures count these.
COMMAND_EVENTS: tuple[type[GestureEvent], ...] = (
    PinchStart,
    AirTap,
    Swipe,
    Circle,
    ThumbTap,
    ThumbSwipe,
)
_PINCH_EVENTS = (PinchStart, PinchHold, PinchDrag, PinchEnd, PinchCancel, AirTap)

#: The span a swipe's speed is measured over: a deliberate swipe lasts 150-300 ms.
_SWIPE_SPEED_WINDOW_MS = 200

View = Literal["egocentric", "facing", "all"]
VIEWS: tuple[View, ...] = ("egocentric", "facing", "all")


def degrees_per_image_height(hfov_deg: float, aspect_ratio: float) -> float:
    """Degrees of visual angle per image height near the image centre (pinhole camera).

    The focal length in image heights is ``(aspect / 2) / tan(hfov / 2)``; a small
    length ``d`` there subtends ``d / f`` radians.
    """
    focal = (aspect_ratio / 2.0) / math.tan(math.radians(hfov_deg) / 2.0)
    return math.degrees(1.0 / focal)


def palm_facing(hand: HandLandmarks) -> float:
    """How squarely the palm (or its back) faces the camera: 1 face-on, 0 edge-on.

    The knuckle width, converted to a length (:data:`PALM_LENGTH_PER_WIDTH`), over the
    wrist-to-middle-knuckle length, capped at 1: turning the hand edge-on shrinks the
    width, tilting it forward shrinks the length (which reads as facing, as it is).
    """
    xy = hand.xy
    width = math.dist(xy[INDEX_MCP], xy[PINKY_MCP]) * PALM_LENGTH_PER_WIDTH
    length = math.dist(xy[WRIST], xy[MIDDLE_MCP])
    if length <= 1e-12:
        return 1.0 if width > 0 else 0.0
    return min(1.0, width / length)


@dataclass(frozen=True)
class IntentOptions:
    """Thresholds of :class:`IntentGate` (times in ms, angles in degrees of visual angle).

    Defaults were set on the recordings of ``hud bench``'s ``input_wild`` figures (see
    ``docs/gesture-gates.md``): each is as loose as those allowed while no recording
    without a command raised more than one command a minute.
    """

    #: False: every event passes, as before the gate existed.
    enabled: bool = True
    #: The camera's horizontal field of view, to turn image lengths into angles. 70 is a
    #: typical webcam or phone main camera; glasses cameras are often wider (100+).
    camera_hfov_deg: float = 70.0
    #: The tracker's score for the hand (MediaPipe's handedness score) must be at least
    #: this; MediaPipe scores a settled hand 0.9-0.98 and a hand it is unsure of, or
    #: has just found, below 0.8.
    min_score: float = 0.8
    #: ...and have been, continuously, for this long: a hand entering the view, or one
    #: the tracker has just re-found, raises no command. The first four or five frames
    #: of a new hand are where MediaPipe's landmarks jump most; a user who raises a
    #: hand to pinch takes longer than this to close the fingers.
    settle_ms: int = 150
    #: A pinch must start from a ready pose: tips at least ``ready_distance`` palm sizes
    #: apart (the pinch recogniser's exit distance: clearly open)...
    ready_distance: float = 0.4
    #: ...for at least this long (about three frames at 30 fps)...
    ready_ms: int = 90
    #: ...ending at most this long before the pinch starts (a deliberate pinch closes in
    #: 100-300 ms; a hand first seen closed has no such open spell at all).
    ready_window_ms: int = 500
    #: Palm speed at most this (deg/s, averaged over ``steady_ms`` before the pinch and
    #: thumb gestures): people hold the hand still to click; a reaching or gesticulating
    #: hand moves at 50-200 deg/s.
    max_speed_deg_s: float = 20.0
    #: The window the palm speed is averaged over: tens of ms, a few frames.
    steady_ms: int = 100
    #: The palm must face the camera at least this much (:func:`palm_facing`); seen
    #: edge-on, thumb and index tips overlap in projection while apart.
    min_facing: float = 0.3
    #: While a pinch closes, and during a thumb gesture, the middle, ring and little
    #: fingers stay put: their tips' mean distance from the wrist (palm sizes) changes
    #: by at most this over ``fingers_window_ms``. A hand closing into a fist, or
    #: curling at rest, brings the thumb onto the index too, but moves them all
    #: (an open hand to a fist is about 1 palm size).
    max_fingers_change: float = 0.25
    #: The window of that check, before the tips touch: a closing hand takes 200-600 ms.
    fingers_window_ms: int = 300
    #: Poses a swipe may come from (the pose of the recogniser, held by hysteresis).
    swipe_poses: tuple[str, ...] = ("open_palm", "point")
    #: Poses a circle may come from: it is drawn with the index; an open hand turning
    #: as it reaches towards the camera is not a circle.
    circle_poses: tuple[str, ...] = ("point",)
    #: ...and that pose must have been held this long when the circle completes: people
    #: take the pointing pose, then draw (a circle takes half a second or more); a
    #: point made in passing while talking lasts less.
    circle_pose_ms: int = 800
    #: Poses no thumb microgesture comes from: they are made on a loosely curled hand;
    #: with the fingers spread, a thumb crossing the index is on its way to a pinch or
    #: the hand is closing.
    thumb_blocked_poses: tuple[str, ...] = ("open_palm", "victory")
    #: A swipe must span at least this angle when it is recognised (the swipe
    #: recogniser fires once the palm has gone 1.5 palm sizes: 13-28 degrees for a hand
    #: within reach). A beat while talking, or a far hand's swipe, spans less.
    swipe_min_extent_deg: float = 8.0
    #: ...with the palm moving at least this fast over its last 200 ms (a deliberate
    #: swipe: 50-150 deg/s; the palm drifting as the wearer turns or rests: less).
    swipe_min_speed_deg_s: float = 45.0
    #: A circle's mean radius must be at least this angle. A deliberate circle drawn
    #: with the index is 10-20 cm across at arm's length (radius 6-11 degrees); the
    #: loops of a fingertip beating while the wearer talks, or of tracker jitter, are
    #: a few degrees.
    circle_min_radius_deg: float = 3.0
    #: After a command, one of another kind waits this long: the hand returning from a
    #: swipe or opening after a pinch is not a new command. A repeat of the same kind
    #: (a double tap) is governed by that recogniser's own cooldown and ready pose.
    refractory_ms: int = 300

    def __post_init__(self) -> None:
        check_number(
            "IntentOptions.camera_hfov_deg", self.camera_hfov_deg, low=0, high=180, low_open=True
        )
        check_number("IntentOptions.min_score", self.min_score, low=0, high=1)
        check_number("IntentOptions.max_fingers_change", self.max_fingers_change, low=0)
        names = ("settle_ms", "ready_ms", "ready_window_ms", "steady_ms", "refractory_ms")
        for name in (*names, "fingers_window_ms", "circle_pose_ms"):
            check_number(f"IntentOptions.{name}", getattr(self, name), low=0)
        check_number("IntentOptions.ready_distance", self.ready_distance, low=0)
        check_number("IntentOptions.max_speed_deg_s", self.max_speed_deg_s, low=0, low_open=True)
        check_number("IntentOptions.min_facing", self.min_facing, low=0, high=1)
        for name in ("swipe_min_extent_deg", "swipe_min_speed_deg_s", "circle_min_radius_deg"):
            check_number(f"IntentOptions.{name}", getattr(self, name), low=0)
        for name in ("swipe_poses", "circle_poses", "thumb_blocked_poses"):
            value = getattr(self, name)
            if not isinstance(value, tuple) or not all(isinstance(p, str) for p in value):
                raise OptionsError(f"IntentOptions.{name} must be a tuple of pose names")

    @classmethod
    def off(cls) -> IntentOptions:
        """Every event passes (the recogniser as it was before the gate)."""
        return cls(enabled=False)


class IntentGate:
    """One hand's gate: fed every frame, asked about every command event.

    :meth:`observe` takes the frame's hand (None when unseen) before the recognisers
    run; :meth:`filter` then drops the events the wearer did not mean.
    """

    def __init__(self, options: IntentOptions | None = None) -> None:
        self.options = options or IntentOptions()
        self.reset()

    def reset(self) -> None:
        """Forget the hand's history (no events)."""
        self._present_since: int | None = None
        self._open_since: int | None = None
        self._last_open: int | None = None
        self._trail: list[tuple[int, float, float]] = []  # (t, x deg, y deg) of the palm
        self._fingers: list[tuple[int, float]] = []  # (t, mean tip-wrist distance)
        self._facing = 1.0
        self._deg = 1.0
        self._palm_deg = 0.0  # the hand's palm size in degrees, set by filter()
        self._suppress_pinch = False
        self._last_kind: type[GestureEvent] | None = None
        self._last_command_ms: int | None = None
        self._pose: str | None = None
        self._pose_since = 0

    # -- history -------------------------------------------------------------------------

    def observe(self, t: int, hand: HandLandmarks | None, pinch_distance: float) -> None:
        """Record this frame's hand; ``pinch_distance`` in palm sizes (NaN if unknown)."""
        opts = self.options
        if hand is None or not hand.is_usable or hand.score < opts.min_score:
            self._present_since = None
            self._open_since = self._last_open = None
            self._trail.clear()
            self._fingers.clear()
            return
        if self._present_since is None:
            self._present_since = t
        if pinch_distance > opts.ready_distance:
            if self._open_since is None or self._last_open is None:
                self._open_since = t
            self._last_open = t
        elif self._last_open is not None and t - self._last_open > opts.ready_window_ms:
            self._open_since = self._last_open = None
        self._deg = degrees_per_image_height(opts.camera_hfov_deg, hand.aspect_ratio)
        centre = palm_centre(hand.xy)
        self._trail.append((t, float(centre[0]) * self._deg, float(centre[1]) * self._deg))
        keep = max(opts.steady_ms, _SWIPE_SPEED_WINDOW_MS) + 100
        while self._trail and t - self._trail[0][0] > keep:
            self._trail.pop(0)
        self._facing = palm_facing(hand)
        xy = hand.xy
        reach = sum(math.dist(xy[tip], xy[WRIST]) for tip in (MIDDLE_TIP, RING_TIP, PINKY_TIP))
        self._fingers.append((t, reach / 3.0 / hand.size))
        while self._fingers and t - self._fingers[0][0] > opts.fingers_window_ms + 200:
            self._fingers.pop(0)

    def fingers_change(self, t: int) -> float:
        """How much the middle, ring and little fingers moved (palm sizes, max - min of
        their mean tip-to-wrist distance) over ``fingers_window_ms`` up to ``t``."""
        window = [
            f
            for _, f in (
                s for s in self._fingers if t - self.options.fingers_window_ms <= s[0] <= t
            )
        ]
        return max(window) - min(window) if window else 0.0

    def palm_speed_deg_s(self, t: int, window_ms: int | None = None) -> float:
        """Mean palm speed (deg/s) over the ``window_ms`` (default ``steady_ms``) up to
        ``t``."""
        span = self.options.steady_ms if window_ms is None else window_ms
        window = [s for s in self._trail if t - span <= s[0] <= t]
        if len(window) < 2 or window[-1][0] <= window[0][0]:
            return 0.0
        path = sum(math.dist(a[1:], b[1:]) for a, b in pairwise(window))
        return path * 1000.0 / (window[-1][0] - window[0][0])

    def settled(self, t: int) -> bool:
        """The hand has been tracked surely for ``settle_ms``."""
        since = self._present_since
        return since is not None and t - since >= self.options.settle_ms

    # -- decisions -----------------------------------------------------------------------

    def _refractory(self, t: int, kind: type[GestureEvent]) -> bool:
        last = self._last_command_ms
        if last is None or kind is self._last_kind:
            return False
        return t - last < self.options.refractory_ms

    def _pinch_ok(self, t: int, debounce_ms: int) -> bool:
        opts = self.options
        touched = t - debounce_ms  # the tips met then; look at the hand before it
        ready = (
            self._open_since is not None
            and self._last_open is not None
            and self._last_open - self._open_since >= opts.ready_ms
            and touched - self._last_open <= opts.ready_window_ms
        )
        return (
            ready
            and self.settled(touched)
            and self._facing >= opts.min_facing
            and self.palm_speed_deg_s(touched) <= opts.max_speed_deg_s
            and self.fingers_change(touched) <= opts.max_fingers_change
            and not self._refractory(t, PinchStart)
        )

    def _motion_ok(self, t: int, event: GestureEvent, pose: str | None) -> bool:
        opts = self.options
        if not self.settled(t) or self._refractory(t, type(event)):
            return False
        if isinstance(event, Swipe):
            if pose is not None and pose not in opts.swipe_poses:
                return False
            # The speed of the palm over the swipe's last 200 ms: the recogniser's
            # duration counts from the last rest, so it understates a quick flick.
            extent = event.distance * self._palm_deg
            speed = self.palm_speed_deg_s(t, _SWIPE_SPEED_WINDOW_MS)
            return extent >= opts.swipe_min_extent_deg and speed >= opts.swipe_min_speed_deg_s
        if isinstance(event, Circle):
            if pose is not None and (
                pose not in opts.circle_poses or t - self._pose_since < opts.circle_pose_ms
            ):
                return False
            return event.radius * self._palm_deg >= opts.circle_min_radius_deg
        # Thumb microgestures: a still, settled, curled hand whose other fingers stay put.
        if pose is not None and pose in opts.thumb_blocked_poses:
            return False
        return (
            self.palm_speed_deg_s(t) <= opts.max_speed_deg_s
            and self.fingers_change(t) <= opts.max_fingers_change
        )

    def filter(
        self,
        t: int,
        events: list[GestureEvent],
        hand: HandLandmarks | None,
        pose: str | None,
        debounce_ms: int,
    ) -> list[GestureEvent]:
        """The events of this frame the wearer meant. ``pose``: the hand's held pose
        (None when poses are not recognised: the pose conditions are skipped)."""
        if not self.options.enabled:
            return events
        if hand is not None and hand.is_usable:
            self._palm_deg = hand.size * self._deg
        if pose != self._pose:
            self._pose, self._pose_since = pose, t
        kept: list[GestureEvent] = []
        ended = False
        for event in events:
            if isinstance(event, _PINCH_EVENTS):
                if isinstance(event, PinchStart):
                    self._suppress_pinch = not self._pinch_ok(t, debounce_ms)
                if self._suppress_pinch:
                    ended = ended or isinstance(event, (PinchEnd, PinchCancel))
                    continue  # the refused pinch's tap, in this frame too
                if isinstance(event, PinchStart):
                    self._mark(t, PinchStart)
                elif isinstance(event, (PinchEnd, PinchCancel)):
                    self._mark(t, PinchStart)  # the refractory runs from the release
                kept.append(event)
                continue
            if isinstance(event, (Swipe, Circle, ThumbTap, ThumbSwipe)):
                if not self._motion_ok(t, event, pose):
                    continue
                self._mark(t, type(event))
            kept.append(event)
        if ended:
            self._suppress_pinch = False
        return kept

    def _mark(self, t: int, kind: type[GestureEvent]) -> None:
        self._last_kind = kind
        self._last_command_ms = t


# ----------------------------------------------------------------------------- wearer


@dataclass(frozen=True)
class WearerOptions:
    """Which hands are the wearer's (:func:`select_wearer_hands`)."""

    #: ``egocentric``: a camera on the wearer's head (glasses); ``facing``: a camera
    #: facing the user (the desktop emulator's webcam, and most videos, such as the
    #: fixture hand video); ``all``: every hand is input. ``facing`` is the default
    #: because in an egocentric view a hand reaching in from the top of the image is
    #: someone else's, and in a video of a person facing the camera it is theirs: on
    #: such input ``egocentric`` would ignore the user. Glasses apps set
    #: ``egocentric``.
    view: View = "facing"
    #: The camera's horizontal field of view (degrees), for the palm's angular size.
    camera_hfov_deg: float = 70.0
    #: Egocentric: the palm (:attr:`HandLandmarks.size`) must span at least this many
    #: degrees. The wearer's palm (about 10 cm) at arm's length (30-65 cm) spans 9-19
    #: degrees; a bystander's across a table (1 m or more) 6 or less. 5 leaves room
    #: for wide cameras and small hands.
    min_palm_deg: float = 5.0
    #: Egocentric: the forearm (middle knuckle to wrist, extended) must point no more
    #: than this far from image down: the wearer's arm comes from below or the sides,
    #: never hangs in from the top of the view.
    max_forearm_deg: float = 120.0
    #: Facing: the palm must span at least this many degrees. A user at a webcam (0.5-1.5
    #: m) shows a palm of 4-11 degrees; someone across the room (3 m) under 2.
    facing_min_palm_deg: float = 3.0
    #: Facing: a hand smaller than this fraction of the largest hand in view is someone
    #: behind the user (nearer hands look larger).
    min_relative_size: float = 0.6
    #: At most this many hands are the wearer's (one of each side, largest first).
    max_hands: int = 2

    def __post_init__(self) -> None:
        check_choice("WearerOptions.view", self.view, VIEWS)
        check_number(
            "WearerOptions.camera_hfov_deg", self.camera_hfov_deg, low=0, high=180, low_open=True
        )
        check_number("WearerOptions.min_palm_deg", self.min_palm_deg, low=0)
        check_number("WearerOptions.facing_min_palm_deg", self.facing_min_palm_deg, low=0)
        check_number("WearerOptions.max_forearm_deg", self.max_forearm_deg, low=0, high=180)
        check_number("WearerOptions.min_relative_size", self.min_relative_size, low=0, high=1)
        check_number("WearerOptions.max_hands", self.max_hands, low=1, whole=True)


def palm_deg(hand: HandLandmarks, hfov_deg: float) -> float:
    """The hand's palm size in degrees of visual angle."""
    return hand.size * degrees_per_image_height(hfov_deg, hand.aspect_ratio)


def forearm_deg(hand: HandLandmarks) -> float:
    """Angle (0-180) of the forearm direction (middle knuckle to wrist) from image down."""
    d = hand.xy[WRIST] - hand.xy[MIDDLE_MCP]
    return math.degrees(math.atan2(abs(float(d[0])), float(d[1])))


def select_wearer_hands(
    hands: tuple[HandLandmarks, ...], options: WearerOptions | None = None
) -> tuple[HandLandmarks, ...]:
    """The wearer's hands among ``hands``, largest first, at most one of each side.

    Bystanders' hands are dropped: they raise no events, and a recorder that keeps
    only these hands keeps no bystander's landmarks.
    """
    opts = options or WearerOptions()
    usable = [h for h in hands if h.is_usable]
    if opts.view == "all":
        return tuple(usable)
    if opts.view == "egocentric":
        usable = [
            h
            for h in usable
            if palm_deg(h, opts.camera_hfov_deg) >= opts.min_palm_deg
            and forearm_deg(h) <= opts.max_forearm_deg
        ]
    else:
        usable = [
            h for h in usable if palm_deg(h, opts.camera_hfov_deg) >= opts.facing_min_palm_deg
        ]
    usable.sort(key=lambda h: -h.size)
    if opts.view == "facing" and usable:
        largest = usable[0].size
        usable = [h for h in usable if h.size >= opts.min_relative_size * largest]
    chosen: list[HandLandmarks] = []
    sides: set[str] = set()
    for hand in usable:
        if hand.handedness in sides or len(chosen) >= opts.max_hands:
            continue
        sides.add(hand.handedness)
        chosen.append(hand)
    return tuple(chosen)


def wearer_frame(frame: HandFrame, options: WearerOptions | None = None) -> HandFrame:
    """``frame`` with only the wearer's hands (see :func:`select_wearer_hands`)."""
    return HandFrame(frame.timestamp_ms, select_wearer_hands(frame.hands, options))


def tips_apart(hand: HandLandmarks) -> float:
    """Thumb-tip to index-tip distance in palm sizes (NaN for an unusable hand)."""
    if not hand.is_usable:
        return float("nan")
    return math.dist(hand.xy[THUMB_TIP], hand.xy[INDEX_TIP]) / hand.size
