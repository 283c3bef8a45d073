"""The assistant app of ``hud emulate``: look at a thing, pinch, and the answer appears on it.

What AI glasses are for, as one :class:`~hud.app.app.HudApp`:

* The objects are what the world offers this frame: markers the tracker found in the
  camera frame (``marker-23``) and the scene's own labelled objects. Each becomes a gaze
  target; the gaze router tells the app which one is looked at, never where the eyes are.
* Looking at one and pinching (a real hand through the gesture recogniser, or the
  simulator's: space or the left button) commits it: an answer card anchored to the object
  starts ``thinking`` while the question goes to the answer source in the background
  (:class:`~hud.app.answering.CardAnswers`), then streams in. Looking at another and
  pinching again stacks a second card; the layout keeps them apart.
* A swipe (a hand flick, or the arrow keys) dismisses the newest card, which cancels its
  request if it is still coming.

Input comes from the camera's hands when there is a camera, and always from the keyboard
and mouse simulator (:class:`gestures.simulate.InputSimulator`: the mouse is the gaze),
so the same app runs on a desk with a webcam, with no camera, and scripted
(:class:`~hud.app.embedded.InputScript`) in tests and ``make demo``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np
import numpy.typing as npt

from gestures.events import GestureEvent, Swipe
from gestures.gaze import GazeEstimator
from gestures.selection import Commit, GazeRouter, HoverEnter, HoverExit, SelectionOptions, Target
from gestures.simulate import InputSimulator, SimulatedFrame, SimulatorOptions, key_name
from hud.anchors import marker_objects, merge_objects
from hud.answers import AnswerSource
from hud.app.answering import CardAnswers, Redactor
from hud.app.app import AppFrame, HudApp
from hud.app.embedded import InputScript, ScriptAction
from hud.app.pipeline import MarkerOptions
from hud.errors import OptionsError
from hud.profiles import DisplayProfile
from hud.scene import Card, Scene, TrackedObject
from hud.trackers.faces import FaceLandmarkerOptions
from hud.trackers.hands import HandLandmarkerOptions
from hud.trackers.landmarker import RunningMode

#: How long a dismissed card stays (greyed) before it leaves the scene (ms).
DISMISS_MS = 500
#: A target's margin around its object's box (degrees): boxes of small things are hard
#: to hold the gaze inside.
TARGET_MARGIN_DEG = 0.8


@dataclass(frozen=True)
class AssistantOptions:
    """How the assistant app asks and shows; validated when made."""

    #: ``"en"`` or ``"ko"``: the question asked and the answers' language.
    language: str = "en"
    #: The question a pinch asks, per language (a script's own replaces it).
    question: tuple[tuple[str, str], ...] = (("en", "What is this?"), ("ko", "이게 뭐야?"))
    #: Cards shown at once; a new question past this dismisses the oldest.
    max_cards: int = 3

    def __post_init__(self) -> None:
        if self.language not in ("en", "ko"):
            raise OptionsError(f"language must be 'en' or 'ko', got {self.language!r}")
        if not 1 <= self.max_cards <= 8:
            raise OptionsError(f"max_cards must be 1 to 8, got {self.max_cards}")

    def question_for(self, language: str) -> str:
        return dict(self.question).get(language) or dict(self.question).get("en", "?")


class AssistantApp(HudApp):
    """Gaze (or point) at an object and pinch: an answer card streams in, anchored to it."""

    title = "Waveglass — assistant"

    def __init__(
        self,
        scene: Scene,
        source: AnswerSource,
        profiles: Sequence[str | DisplayProfile],
        world_size: tuple[int, int],
        *,
        options: AssistantOptions | None = None,
        script: InputScript | None = None,
        world_objects: WorldObjects | None = None,
        hands: HandLandmarkerOptions | None = None,
        markers: MarkerOptions | None = None,
        redact: Redactor | None = None,
        gaze_from_faces: bool = False,
    ) -> None:
        """``gaze_from_faces``: the camera also sees the wearer's face (a webcam facing
        them), and where the eyes point is the gaze (MediaPipe's iris landmarks through
        :class:`gestures.gaze.GazeEstimator`, uncalibrated); the mouse stands in while no
        face is seen."""
        self.profiles = tuple(profiles)
        self.hands = hands
        self.markers = markers
        if gaze_from_faces:
            self.faces = FaceLandmarkerOptions(running_mode=RunningMode.VIDEO)
        super().__init__(scene)
        self.options = options or AssistantOptions()
        self.base = scene
        self.size = (int(world_size[0]), int(world_size[1]))
        self.script = script
        self.world_objects = world_objects
        lang = self.options.language
        self.question = (script.question.get(lang) if script else None) or (
            self.options.question_for(lang)
        )
        self.answers = CardAnswers(source, language=lang, redact=redact)
        self.router = GazeRouter(SelectionOptions(dwell_ms=800))
        self.selection = self.router.connect("assistant")
        self.selection.push_handlers(self)
        fov_h = scene.world.fov_h_deg
        self.fov = (fov_h, _vertical_fov(fov_h, self.size))
        self.gaze = GazeEstimator() if gaze_from_faces else None
        self.simulator = InputSimulator(
            SimulatorOptions(window_size=self.size, fov_deg=self.fov),
            dispatcher=self.events,
            router=None if self.gaze else self.router,  # else fed here, face or mouse
        )
        #: What the app did, in order (the trace and the tests read it).
        self.log: list[str] = []
        self.hovered: str | None = None
        self.objects: tuple[TrackedObject, ...] = ()
        self._looking: str | None = None  # the script's gaze target (an object id)
        self._gaze_ms = -1  # the camera frame whose face gave the last gaze
        #: Where the gaze came from last: ``"face"`` (the camera), ``"mouse"`` or None.
        self.gaze_source: str | None = None
        self._script_t = -1.0
        self._count = 0
        self._camera: npt.NDArray[np.uint8] | None = None
        self._dirty = True
        #: This frame's gesture events (the camera's and the simulator's) and the last
        #: simulated input (its hand is drawn by the emulator's hands overlay).
        self.frame_events: list[GestureEvent] = []
        if hands is not None:  # a camera's hands are the input; the simulated one waits
            self.simulator.hand.hide()
        self.last_input: SimulatedFrame | None = None

    # ------------------------------------------------------------------ selection
    def on_hover_enter(self, event: HoverEnter) -> None:
        self.hovered = event.target_id

    def on_hover_exit(self, event: HoverExit) -> None:
        if self.hovered == event.target_id:
            self.hovered = None

    def on_commit(self, event: Commit) -> None:
        """Look + pinch on an object: ask about it."""
        if event.method == "pinch":
            self.ask(event.target_id, event.timestamp_ms)

    def on_swipe(self, event: Swipe) -> None:
        """A swipe dismisses the newest card still shown."""
        live = [c for c in self.scene.cards if c.state != "dismissed"]
        if live:
            self.dismiss(live[-1].id, event.timestamp_ms)

    # ------------------------------------------------------------------ cards
    def ask(self, object_id: str, timestamp_ms: int) -> Card:
        """A new card about ``object_id``, asked in the background."""
        obj = next((o for o in self.objects if o.id == object_id), None)
        if obj is None:
            raise OptionsError(f"no object {object_id!r} in view")
        live = [c for c in self.scene.cards if c.state != "dismissed"]
        if len(live) >= self.options.max_cards:
            self.dismiss(live[0].id, timestamp_ms)
        self._count += 1
        card = Card(id=f"ask-{self._count}", title=_title(obj), anchor=obj.id)
        scene = self._with_objects(self.scene)
        request = self.answers.request_for(card, scene, self.question, self._camera)
        card = replace(card, title=self.answers.known_title(request) or card.title)
        card = self.answers.ask(card, request)
        self.scene = replace(scene, cards=(*self.scene.cards, card))
        self.log.append(f"{timestamp_ms} ask {card.id} {obj.id}")
        self._dirty = True
        return card

    def dismiss(self, card_id: str, timestamp_ms: int) -> None:
        """Grey the card out (its request is cancelled) and drop it shortly after."""
        self.scene = replace(
            self.scene,
            cards=tuple(
                replace(c, state="dismissed") if c.id == card_id else c for c in self.scene.cards
            ),
        )
        self.scheduler.schedule_once(self._drop, DISMISS_MS, card_id)
        self.log.append(f"{timestamp_ms} dismiss {card_id}")
        self._dirty = True

    def _drop(self, _now_ms: int, _elapsed_ms: int, card_id: str) -> None:
        self.scene = replace(
            self.scene, cards=tuple(c for c in self.scene.cards if c.id != card_id)
        )
        self._dirty = True

    # ------------------------------------------------------------------ input
    def on_key_press(self, key: str) -> bool:
        if key_name(key) != "h":
            self._show_simulated_hand()
        return self.simulator.key_press(key)

    def _show_simulated_hand(self) -> None:
        """With a camera the simulated hand stays out of view (the camera's hands are
        the input) until a key or the mouse button uses it."""
        self.simulator.hand.show()

    def on_key_release(self, key: str) -> bool:
        return self.simulator.key_release(key)

    def on_mouse_motion(self, x: float, y: float) -> None:
        self._looking = None  # a real pointer takes over from the script
        self.simulator.mouse_move(x, y)

    def on_mouse_press(self, x: float, y: float, button: str) -> bool:
        if button == "left":
            self._show_simulated_hand()
        return self.simulator.mouse_press(button)

    def on_mouse_release(self, x: float, y: float, button: str) -> bool:
        return self.simulator.mouse_release(button)

    def on_mouse_leave(self) -> None:
        self.simulator.mouse_leave()

    def gaze_px(self) -> tuple[float, float] | None:
        """Where the simulated gaze is, in world pixels (for the emulator's overlay; the
        app itself only gets hover and commit events)."""
        angles = self.simulator.gaze_angles()
        if angles is None:
            return None
        yaw, pitch = angles
        w, h = self.size
        return (yaw / self.fov[0] + 0.5) * w, (0.5 - pitch / self.fov[1]) * h

    # ------------------------------------------------------------------ per frame
    def on_frame(self, frame: AppFrame) -> Scene | None:
        if frame.rgb is not None:
            self._camera = frame.rgb
        self.objects = self._objects_now(frame)
        self._update_targets()
        if self.script is not None:
            self._play(frame.timestamp_ms)
        for event in frame.events:  # the camera's hands: their pinches commit too
            self.router.process_gesture(event)
        self.frame_events = list(frame.events)
        self.last_input = self.simulator.tick(frame.timestamp_ms)
        self.frame_events += self.last_input.events
        if self.gaze is not None:
            self._route_face_gaze(frame, self.last_input)
        scene = self._with_objects(self.scene)
        updated = self.answers.apply(scene)
        if updated is not None:
            self._dirty = True
            scene = updated
        self.scene = scene
        if self.world_objects is not None or self._dirty or frame.rgb is not None:
            self._dirty = False
            return scene
        return None

    def _route_face_gaze(self, frame: AppFrame, simulated: SimulatedFrame) -> None:
        """The camera's view of the wearer's eyes is the gaze while a face is seen (the
        largest one: the wearer's, nearest the camera); the mouse's otherwise."""
        assert self.gaze is not None
        faces = frame.tracked.faces
        sample = simulated.gaze
        if faces and frame.tracked.timestamp_ms > self._gaze_ms:
            self._gaze_ms = frame.tracked.timestamp_ms
            face = max(faces, key=lambda f: float(np.ptp(np.asarray(f.landmarks)[:, 0])))
            seen = self.gaze.process(self._gaze_ms, face)
            if seen.valid:
                sample = replace(seen, timestamp_ms=frame.timestamp_ms)
                self.gaze_source = "face"
            else:
                self.gaze_source = "mouse" if sample.valid else None
        self.router.process_gaze(sample)
        for event in simulated.events:
            self.router.process_gesture(event)

    def _objects_now(self, frame: AppFrame) -> tuple[TrackedObject, ...]:
        """The scene's own objects (moved with the head, for a scripted world) and the
        markers the tracker found in the latest camera frame."""
        own = self.base.objects
        if self.world_objects is not None:
            own = self.world_objects.objects_at(frame.timestamp_ms / 1000.0)
        size = frame.tracked.image_size
        if frame.tracked.markers and size is not None:
            return merge_objects(own, marker_objects(frame.tracked.markers, size))
        return tuple(own)

    def _with_objects(self, scene: Scene) -> Scene:
        return replace(scene, objects=self.objects)

    def _update_targets(self) -> None:
        """One gaze target per object in view, in the simulator's gaze angles."""
        wanted = {o.id: o for o in self.objects}
        for target in self.selection.targets:
            if target.id not in wanted:
                self.selection.remove_target(target.id)
        for obj in self.objects:
            self.selection.add_target(self._target(obj))

    def _target(self, obj: TrackedObject) -> Target:
        x0, y0, x1, y1 = obj.box
        fov_h, fov_v = self.fov
        return Target(
            obj.id,
            ((x0 + x1) / 2 - 0.5) * fov_h,
            (0.5 - (y0 + y1) / 2) * fov_v,
            max((x1 - x0) * fov_h, 0.1) + 2 * TARGET_MARGIN_DEG,
            max((y1 - y0) * fov_v, 0.1) + 2 * TARGET_MARGIN_DEG,
            dwell=False,  # looking alone never asks: only a pinch does
        )

    def _play(self, timestamp_ms: int) -> None:
        """The script's actions due by this frame, then the scripted gaze."""
        assert self.script is not None
        now = timestamp_ms / 1000.0
        for action in self.script.due(self._script_t, now):
            self._do(action)
        self._script_t = now
        if self._looking:
            obj = next((o for o in self.objects if o.id == self._looking), None)
            if obj is not None:
                x0, y0, x1, y1 = obj.box
                w, h = self.size
                self.simulator.mouse_move((x0 + x1) / 2 * w, (y0 + y1) / 2 * h)

    def _do(self, action: ScriptAction) -> None:
        if action.look is not None:
            self._looking = action.look or None
            if not action.look:
                self.simulator.mouse_leave()
        elif action.press is not None:
            self.simulator.key_press(action.press)
        elif action.release is not None:
            self.simulator.key_release(action.release)

    def on_close(self) -> None:
        self.answers.close()


class WorldObjects(Protocol):
    """Where a scripted world's own objects are at a time (a
    :class:`~hud.app.embedded.SceneWorldSource` is one)."""

    def objects_at(self, t_s: float) -> tuple[TrackedObject, ...]: ...


def _vertical_fov(fov_h_deg: float, size: tuple[int, int]) -> float:
    w, h = size
    return 2 * math.degrees(math.atan(h / w * math.tan(math.radians(fov_h_deg / 2))))


def _title(obj: TrackedObject) -> str:
    return obj.label[:1].upper() + obj.label[1:] if obj.label else obj.id


__all__ = ["DISMISS_MS", "AssistantApp", "AssistantOptions", "WorldObjects"]
