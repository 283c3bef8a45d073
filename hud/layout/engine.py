"""Cards over time: solvers place each card's anchor, the temporal layout places the cards.

:class:`CardLayout` is the layout stage of one eye, kept from frame to frame. Each frame:

1. every card's anchor goes through its own solver chain
   (:class:`hud.anchors.SolverHandler`, MRTK3-style): object-locked cards follow their
   object (smoothed with the One Euro filter, held world-locked for a grace period when
   the track is lost, then faded; snapped when re-acquired), tag-along cards stay within
   a cone of the view, head-locked status items stay put, world-locked ones stay where
   they first appeared; a card whose object is off the display gets an arrow at the edge;
2. the cards' sizes follow their text (a streaming answer grows; its height eases so the
   card grows smoothly and its top edge stays where it was);
3. :class:`hud.layout.placement.TemporalLayout` places them: no overlaps, inside the FOV,
   off the objects, leaders uncrossed, each card kept in its slot unless it must move;
4. the display list is emitted: frames around objects, leaders, arrows, cards.

Time comes from the frames' timestamps (seconds); a layout with no time is one frame from
scratch (``hud render`` of a still scene).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

from hud.anchors import (
    DirectionalIndicator,
    HandAttached,
    HandInput,
    HeadLocked,
    ObjectLocked,
    ObjectObservation,
    Pose,
    RadialView,
    Solver,
    SolverContext,
    SolverHandler,
    SolverHandlerOptions,
    ViewGeometry,
    WorldLocked,
    has_display,
)
from hud.errors import HudError, OptionsError
from hud.layout.cards import (
    STATE_COLOURS,
    CardContent,
    LayoutMetrics,
    Rect,
    card_content,
    emit_arrow,
    emit_brackets,
    emit_card,
    emit_leader,
    emit_overflow_badge,
)
from hud.layout.display_list import DisplayList
from hud.layout.placement import CardRequest, LayoutFrame, PlacementOptions, TemporalLayout
from hud.profiles import DisplayProfile
from hud.scene import Card, Scene


class TrackedHand(Protocol):
    """A tracked hand as layout reads it (:class:`hud.trackers.results.HandResult` is one):
    21 image-normalised landmarks and which hand it is."""

    @property
    def landmarks(self) -> npt.NDArray[np.float64]: ...

    @property
    def handedness(self) -> Literal["Left", "Right"]: ...


#: Where a head-locked status item sits: near the top of the display, in tan units of
#: the FOV's half-height (the centre of the view stays free for the world).
HEAD_LOCKED_V = -0.7


@dataclass(frozen=True)
class CardLayoutOptions:
    """How cards follow their anchors and grow.

    ``grow_s`` (0.12 s) is the time constant of a card's height following its text: long
    enough that a streaming answer does not make the card twitch line by line, short
    enough that the text is never hidden for long. ``body_lines`` is the glance budget.
    """

    anchoring: SolverHandlerOptions = field(default_factory=SolverHandlerOptions)
    grow_s: float = 0.12
    body_lines: int = 3
    #: How much better (as a fraction of its cost) another slot must be before a card
    #: leaves a valid one: 1.0, twice as good. Under head motion every card is re-placed
    #: every frame, and a lower bar trades small gains for visible jumps (measured on the
    #: desk tour: 150 relayouts/min at 0.3, 70 at 1.0).
    hysteresis: float = 1.0

    def __post_init__(self) -> None:
        if not (isinstance(self.grow_s, (int, float)) and 0 <= self.grow_s < 10):
            raise OptionsError(f"grow_s must be between 0 and 10 s, got {self.grow_s!r}")
        if not (isinstance(self.body_lines, int) and 1 <= self.body_lines <= 20):
            raise OptionsError(f"body_lines must be 1-20, got {self.body_lines!r}")


@dataclass
class _CardTrack:
    """What one card keeps between frames."""

    handler: SolverHandler
    height: float = 0.0
    box_tan: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class _Placed:
    card: Card
    content: CardContent
    opacity: float
    anchor: Rect | None  # what the card is placed beside (display px); None: head-locked
    box: Rect | None  # the object on the display, framed by brackets
    arrow: float | None  # direction of an off-display object
    height: float


class CardLayout:
    """One eye's cards, laid out frame after frame (see the module docstring)."""

    def __init__(self, profile: DisplayProfile, options: CardLayoutOptions | None = None) -> None:
        self.profile = profile
        self.options = options or CardLayoutOptions()
        self.metrics = LayoutMetrics.for_profile(profile, self.options.body_lines)
        m = self.metrics
        placement = PlacementOptions(
            gap_px=m.gap, margin_px=m.margin, ppd=profile.ppd, hysteresis=self.options.hysteresis
        )
        self._placement = TemporalLayout((profile.width_px, profile.height_px), placement)
        self._tracks: dict[str, _CardTrack] = {}
        self._t: float | None = None
        #: The last frame's placement (for metrics and tests).
        self.last_frame: LayoutFrame | None = None

    def reset(self) -> None:
        self._tracks.clear()
        self._placement.reset()
        self._t = None
        self.last_frame = None

    # ------------------------------------------------------------------ per frame
    def update(
        self,
        scene: Scene,
        view: ViewGeometry,
        t_s: float | None = None,
        head: Pose | None = None,
        latency_on: bool = True,
        hands: Sequence[TrackedHand] = (),
    ) -> DisplayList:
        """The display list at ``t_s`` (seconds; None: one frame from scratch). ``hands``:
        the wearer's tracked hands, for cards that follow a hand."""
        if t_s is None:
            self.reset()
            t_s = 0.0
        dt = 0.0 if self._t is None else max(0.0, t_s - self._t)
        self._t = t_s
        shown = {c.id for c in scene.cards}
        for gone in [k for k in self._tracks if k not in shown]:
            del self._tracks[gone]
        lag = self._lag_px(scene) if latency_on else (0.0, 0.0)
        hand = self._hand_input(hands, view)
        placed: list[_Placed] = []
        requests: list[CardRequest] = []
        for i, card in enumerate(scene.cards):
            item = self._anchor_card(card, scene, view, t_s, dt, head, lag, hand)
            if item is None:
                continue
            placed.append(item)
            # Earlier cards first, as the scene lists them (the assistant's order).
            requests.append(
                CardRequest(card.id, (item.content.width, item.height), item.anchor, priority=-i)
            )
        frame = self._placement.place(requests, t_s)
        self.last_frame = frame
        return self._emit(placed, frame)

    @staticmethod
    def _hand_input(hands: Sequence[TrackedHand], view: ViewGeometry) -> HandInput | None:
        """The first usable tracked hand as solver input (None: no hand this frame)."""
        for hand in hands:
            try:
                base = HandInput.from_landmarks(hand.landmarks, view)
                return replace(base, handedness=hand.handedness)
            except HudError:
                continue  # a malformed hand: skipped for this frame
        return None

    def _lag_px(self, scene: Scene) -> tuple[float, float]:
        """World-anchored content lags head motion by the motion-to-photon latency."""
        lag_s = self.profile.latency_ms / 1000.0
        rate = scene.viewer.head_rate_dps
        return (rate[0] * lag_s * self.profile.ppd, rate[1] * lag_s * self.profile.ppd)

    def _track(self, card: Card, head: Pose | None) -> _CardTrack:
        track = self._tracks.get(card.id)
        if track is None:
            track = self._tracks[card.id] = _CardTrack(
                SolverHandler(self._chain(card, head), self.options.anchoring)
            )
        return track

    def _chain(self, card: Card, head: Pose | None) -> list[Solver]:
        p = self.profile
        solver = card.solver_name
        if solver == "object":
            return [ObjectLocked(), DirectionalIndicator()]
        if solver == "head":
            # Near the top of the display, wherever the display sits in view (Ray-Ban
            # Display's is 4° right and 4° down of straight ahead).
            half_v = math.tan(math.radians(p.fov_v_deg) / 2)
            ox, oy = p.center_offset_deg
            up = math.degrees(math.atan(HEAD_LOCKED_V * half_v))
            direction = (math.tan(math.radians(ox)), math.tan(math.radians(oy + up)))
            return [HeadLocked(direction_tan=direction, distance_m=1.0)]
        if solver == "hand":
            return [HandAttached()]
        if solver == "world":
            start = (head or Pose.identity()).apply(np.array([0.0, 0.0, 1.5]))
            return [
                WorldLocked(
                    Pose(np.asarray(start, dtype=np.float64), np.array([0.0, 0.0, 0.0, 1.0]))
                ),
                DirectionalIndicator(),
            ]
        # Tag-along: within a cone that keeps the card on the display.
        cone = 0.35 * min(p.fov_h_deg, p.fov_v_deg)
        return [RadialView(max_angle_deg=min(30.0, cone), min_distance_m=1.0, max_distance_m=1.0)]

    def _anchor_card(
        self,
        card: Card,
        scene: Scene,
        view: ViewGeometry,
        t_s: float,
        dt: float,
        head: Pose | None,
        lag: tuple[float, float],
        hand: HandInput | None = None,
    ) -> _Placed | None:
        track = self._track(card, head)
        observation = None
        obj = scene.object_by_id(card.anchor) if card.anchor else None
        if obj is not None:
            obs = ObjectObservation.from_tracked_object(obj, view)
            if obs.is_finite:  # a NaN or infinite box: no observation this frame
                observation = obs
                track.box_tan = obs.box_tan
        ctx = SolverContext.from_view(view, t_s, head, observation, hand)
        state = track.handler.update(t_s, ctx)
        if state.status == "lost" or state.direction_tan is None or state.opacity <= 0.0:
            return None
        content = card_content(card, self.metrics)
        track.height = self._eased_height(track.height, content.height, dt)
        size_tan = track.box_tan if card.solver_name == "object" else None
        box = self._display_box(view, state.direction_tan, size_tan, lag)
        arrow: float | None = None
        if box is None:
            return None
        if not self._on_display(box):
            arrow = self._arrow_angle(box)
            anchor = self._edge_point(arrow)
            box = None
        elif card.solver_name == "object":
            anchor = box
        elif card.solver_name == "head":  # the layout keeps status items at the top
            anchor, box = None, None
        else:  # a point the card sits beside; nothing to frame
            anchor, box = self._point_rect(box), None
        return _Placed(card, content, state.opacity, anchor, box, arrow, track.height)

    def _eased_height(self, current: float, target: float, dt: float) -> float:
        """A card grows toward its text's height (and shrinks at once: no empty panel)."""
        if current <= 0 or target <= current or self.options.grow_s <= 0:
            return target
        k = 1.0 - math.exp(-dt / self.options.grow_s)
        grown = current + (target - current) * k
        return target if target - grown < 0.5 else grown

    def _display_box(
        self,
        view: ViewGeometry,
        centre_tan: tuple[float, float],
        box_tan: tuple[float, float, float, float] | None,
        lag: tuple[float, float],
    ) -> Rect | None:
        """The object's box on the display around the smoothed centre, with its observed size."""
        dw, dh = self.profile.width_px, self.profile.height_px
        hw, hh = (0.0, 0.0)
        if box_tan is not None:
            hw, hh = (box_tan[2] - box_tan[0]) / 2, (box_tan[3] - box_tan[1]) / 2
        u0, v0 = view.eye_tan_to_display_uv(centre_tan[0] - hw, centre_tan[1] - hh)
        u1, v1 = view.eye_tan_to_display_uv(centre_tan[0] + hw, centre_tan[1] + hh)
        box = (u0 * dw + lag[0], v0 * dh + lag[1], u1 * dw + lag[0], v1 * dh + lag[1])
        if not all(math.isfinite(v) for v in box):
            return None
        if box[2] - box[0] < 2:
            cx = (box[0] + box[2]) / 2
            box = (cx - 1, box[1], cx + 1, box[3])
        if box[3] - box[1] < 2:
            cy = (box[1] + box[3]) / 2
            box = (box[0], cy - 1, box[2], cy + 1)
        return box

    def _on_display(self, box: Rect) -> bool:
        return (
            box[2] > 0
            and box[0] < self.profile.width_px
            and box[3] > 0
            and box[1] < self.profile.height_px
        )

    def _arrow_angle(self, box: Rect) -> float:
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        return math.atan2(cy - self.profile.height_px / 2, cx - self.profile.width_px / 2)

    @staticmethod
    def _point_rect(box: Rect) -> Rect:
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        return (cx - 1, cy - 1, cx + 1, cy + 1)

    def _edge_point(self, angle: float) -> Rect:
        """A point at the display's edge in the direction of an off-display object."""
        dw, dh = self.profile.width_px, self.profile.height_px
        m = self.metrics
        ex = min(max(dw / 2 + math.cos(angle) * dw, m.margin), dw - m.margin)
        ey = min(max(dh / 2 + math.sin(angle) * dh, m.margin), dh - m.margin)
        return (ex - 1, ey - 1, ex + 1, ey + 1)

    # ------------------------------------------------------------------ emission
    def _emit(self, placed: list[_Placed], frame: LayoutFrame) -> DisplayList:
        m = self.metrics
        out = DisplayList(self.profile.width_px, self.profile.height_px)
        drawn: list[Rect] = []
        for item in placed:
            rect = frame.rects.get(item.card.id)
            if rect is None:
                continue
            colour = STATE_COLOURS.get(item.card.state, STATE_COLOURS["info"])
            if item.box is not None:
                emit_brackets(out, item.box, colour, m, item.opacity)
                leader = frame.leaders.get(item.card.id)
                if leader is not None:
                    emit_leader(out, leader, colour, m, item.opacity)
            if item.arrow is not None:
                emit_arrow(out, rect, item.arrow, colour, m)
            emit_card(out, item.card, rect, item.content, m, item.opacity)
            drawn.append(rect)
        out.overflow.extend(frame.overflow)
        if out.overflow:
            emit_overflow_badge(out, drawn, m)
        return out


# ---------------------------------------------------------------------- one frame
def layout_eye(
    scene: Scene,
    profile: DisplayProfile,
    eye: str,
    world_size: tuple[int, int],
    parallax: bool = False,
    latency_on: bool = True,
) -> DisplayList:
    """One eye's display list over a world of ``world_size`` pixels, from scratch (an
    empty list for an eye without a display). ``parallax``: half of a stereo pair."""
    if not has_display(profile, eye):
        return DisplayList(profile.width_px, profile.height_px)
    view = scene_view(scene, profile, eye, world_size, parallax)
    return layout_scene(scene, profile, view, world_size, latency_on=latency_on)


def scene_view(
    scene: Scene,
    profile: DisplayProfile,
    eye: str,
    world_size: tuple[int, int],
    parallax: bool = False,
) -> ViewGeometry:
    """One eye's view of the scene's world over a grid of ``world_size`` pixels."""
    w, h = world_size
    return ViewGeometry.make(
        profile, w, h, scene.world.fov_h_deg, str(eye), scene.world.depth_m, parallax=parallax
    )


def layout_scene(
    scene: Scene,
    profile: DisplayProfile,
    view: ViewGeometry,
    world_size: tuple[int, int],
    latency_on: bool = True,
) -> DisplayList:
    """The scene's cards on one eye's display, as a first frame (no history)."""
    del world_size  # the view carries the world's size
    return CardLayout(profile).update(scene, view, None, latency_on=latency_on)
