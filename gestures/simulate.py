"""Keyboard and mouse stand-ins for hands and eyes, for desktops without a camera.

The mouse is the gaze: its position in the window maps linearly to display angles, and
it leaving the window is a lost gaze. Keys drive a :class:`~gestures.synthetic.ScriptedHand`:

=====================  ===============================================
key                    hand
=====================  ===============================================
space (or left mouse)  pinch while held
arrow keys             a fast swipe that way, then a slow return
W / S                  thumb swipe forward / back along the index
T                      thumb tap on the side of the index
1 … 7                  pose: open palm, fist, point, victory,
                       thumbs up, thumbs down, relaxed
H                      hide / show the hand
=====================  ===============================================

Nothing here fabricates events. Every tick the scripted hand's landmarks go through
the real :class:`~gestures.recognizer.GestureRecognizer`, so an app sees exactly the
event types, order and timing rules it will see with a camera (a pinch is debounced, a
swipe has its cooldown, a pinch pauses the thumb recogniser), and a bug in a
recogniser shows up in the simulator too. Time comes from the timestamps passed to
:meth:`InputSimulator.tick`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gestures.errors import check_choice, check_number, check_type
from gestures.events import EventDispatcher, GestureEvent
from gestures.gaze import GazeSample
from gestures.landmarks import HANDEDNESS, Handedness, HandFrame
from gestures.recognizer import GestureRecognizer, GestureRecognizerOptions
from gestures.selection import GazeRouter
from gestures.synthetic import ScriptedHand
from hud.errors import OptionsError

#: Digit keys to poses, in the order of the module table.
POSE_KEYS: dict[str, str] = {
    "1": "open_palm",
    "2": "fist",
    "3": "point",
    "4": "victory",
    "5": "thumbs_up",
    "6": "thumbs_down",
    "7": "relaxed",
}
SWIPE_KEYS: dict[str, tuple[float, float]] = {
    "left": (-1.0, 0.0),
    "right": (1.0, 0.0),
    "up": (0.0, -1.0),
    "down": (0.0, 1.0),
}


def key_name(key: str) -> str:
    """Normalise a key name: ``"SPACE"``, pyglet's ``"_1"`` and ``"NUM_1"`` all work."""
    name = key.strip().lower()
    if name.startswith("num_"):
        name = name[4:]
    return name.lstrip("_") or name


@dataclass(frozen=True)
class SimulatorOptions:
    """How the window maps to the display and how the scripted hand moves."""

    #: Window size in pixels; the mouse position within it is the gaze.
    window_size: tuple[int, int] = (1280, 720)
    #: Display field of view the window spans, degrees (horizontal, vertical).
    fov_deg: tuple[float, float] = (30.0, 17.0)
    #: pyglet reports mouse y from the bottom; most toolkits from the top.
    mouse_y_up: bool = False
    handedness: Handedness = "Right"
    #: Where the wrist rests, normalised image coordinates, and the palm size there.
    home: tuple[float, float] = (0.6, 0.65)
    hand_size: float = 0.1
    #: A swipe travels this many palm sizes in ``swipe_ms``, then returns slowly
    #: enough (``return_ms``) not to be a swipe back.
    swipe_palms: float = 2.2
    swipe_ms: int = 200
    return_ms: int = 1200
    pinch_keys: tuple[str, ...] = ("space",)
    recognizer: GestureRecognizerOptions = field(default_factory=GestureRecognizerOptions)

    def __post_init__(self) -> None:
        for name, pair in (("window_size", self.window_size), ("fov_deg", self.fov_deg)):
            if len(pair) != 2:
                raise OptionsError(f"SimulatorOptions.{name} must be two numbers, got {pair!r}")
            for value in pair:
                check_number(f"SimulatorOptions.{name}", value, low=0, low_open=True)
        check_choice("SimulatorOptions.handedness", self.handedness, HANDEDNESS)
        if len(self.home) != 2:
            raise OptionsError(f"SimulatorOptions.home must be (x, y), got {self.home!r}")
        for value in self.home:
            check_number("SimulatorOptions.home", value, low=0, high=1)
        check_number("SimulatorOptions.hand_size", self.hand_size, low=0, low_open=True)
        check_number("SimulatorOptions.swipe_palms", self.swipe_palms, low=0, low_open=True)
        check_number("SimulatorOptions.swipe_ms", self.swipe_ms, low=0, low_open=True)
        check_number("SimulatorOptions.return_ms", self.return_ms, low=0, low_open=True)
        check_type("SimulatorOptions.recognizer", self.recognizer, GestureRecognizerOptions)


@dataclass(frozen=True)
class SimulatedFrame:
    """What one tick produced: the hand frame, the gaze sample and the gesture events."""

    timestamp_ms: int
    hands: HandFrame
    gaze: GazeSample
    events: tuple[GestureEvent, ...]


class InputSimulator:
    """Translate keyboard and mouse calls into hand frames, gaze samples and events.

    ``dispatcher`` receives the recogniser's events (as with a camera). ``router``, if
    given, is fed each gaze sample and then the frame's gesture events, so gaze
    selection works end to end; do not also push it onto ``dispatcher``.
    """

    def __init__(
        self,
        options: SimulatorOptions | None = None,
        dispatcher: EventDispatcher | None = None,
        router: GazeRouter | None = None,
    ) -> None:
        self.options = options or SimulatorOptions()
        opts = self.options
        self.hand = ScriptedHand(
            handedness=opts.handedness, position=opts.home, size=opts.hand_size
        )
        self.recognizer = GestureRecognizer(opts.recognizer, dispatcher)
        self.router = router
        self._mouse: tuple[float, float] | None = None
        self._pinch_sources: set[str] = set()

    # -- mouse --------------------------------------------------------------------------

    def mouse_move(self, x: float, y: float) -> None:
        """The pointer moved to window pixel ``(x, y)``; outside the window loses gaze."""
        width, height = self.options.window_size
        if not (0 <= x <= width and 0 <= y <= height):
            self._mouse = None
            return
        self._mouse = (float(x), float(y))

    def mouse_leave(self) -> None:
        """The pointer left the window: the gaze is lost until it comes back."""
        self._mouse = None

    def mouse_press(self, button: str = "left") -> bool:
        """The left button pinches, like space. Returns whether the button is used."""
        return self._pinch_down(f"mouse:{button}") if button == "left" else False

    def mouse_release(self, button: str = "left") -> bool:
        """Release the pinch held by the left button."""
        return self._pinch_up(f"mouse:{button}") if button == "left" else False

    def gaze_angles(self) -> tuple[float, float] | None:
        """Display (yaw, pitch) degrees under the pointer, or None when it is outside."""
        if self._mouse is None:
            return None
        (width, height), (fov_h, fov_v) = self.options.window_size, self.options.fov_deg
        fx, fy = self._mouse[0] / width, self._mouse[1] / height
        if self.options.mouse_y_up:
            fy = 1.0 - fy
        return (fx - 0.5) * fov_h, (0.5 - fy) * fov_v

    # -- keys ---------------------------------------------------------------------------

    def _pinch_down(self, source: str) -> bool:
        self._pinch_sources.add(source)
        self.hand.pinch()
        return True

    def _pinch_up(self, source: str) -> bool:
        self._pinch_sources.discard(source)
        if not self._pinch_sources:
            self.hand.release()
        return True

    def key_press(self, key: str) -> bool:
        """Start what ``key`` does; returns False for a key the simulator does not use."""
        name = key_name(key)
        opts = self.options
        hand = self.hand
        if name in opts.pinch_keys:
            return self._pinch_down(f"key:{name}")
        if name in SWIPE_KEYS:
            dx, dy = SWIPE_KEYS[name]
            reach = opts.swipe_palms * opts.hand_size
            home_x, home_y = opts.home
            hand.move_to(home_x + dx * reach, home_y + dy * reach, opts.swipe_ms)
            hand.move_to(home_x, home_y, opts.return_ms)
            return True
        if name in ("w", "s"):
            hand.thumb_swipe("forward" if name == "w" else "back")
            return True
        if name == "t":
            hand.thumb_tap()
            return True
        if name in POSE_KEYS:
            hand.set_pose(POSE_KEYS[name])
            return True
        if name == "h":
            if hand.visible:
                hand.hide()
            else:
                hand.show()
            return True
        return False

    def key_release(self, key: str) -> bool:
        """End what ``key`` holds (only pinch keys hold); False for unused keys."""
        name = key_name(key)
        if name in self.options.pinch_keys:
            return self._pinch_up(f"key:{name}")
        return name in SWIPE_KEYS or name in POSE_KEYS or name in ("w", "s", "t", "h")

    # -- time ---------------------------------------------------------------------------

    def tick(self, timestamp_ms: int) -> SimulatedFrame:
        """Advance to ``timestamp_ms``: one hand frame through the real recogniser."""
        t = int(timestamp_ms)
        frame = self.hand.tick(t)
        angles = self.gaze_angles()
        gaze = GazeSample.invalid(t, "no_face") if angles is None else GazeSample.at(t, *angles)
        if self.router is not None:
            self.router.process_gaze(gaze)
        events = self.recognizer.process(frame)
        if self.router is not None:
            for event in events:
                self.router.process_gesture(event)
        return SimulatedFrame(t, frame, gaze, tuple(events))
