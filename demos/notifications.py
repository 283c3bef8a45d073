"""Glanceable notifications: a head-locked stack triaged with thumb microgestures.

Four notifications (two messages, a calendar entry and a delivery; some in Korean) sit in
a head-locked stack at the top of the display, titles only, so a glance tells what came
in. The thumb does the triage, as with Meta's EMG wristband, with the arm at rest:

- thumb swipe **forward** along the index: the next notification is focused (its outline
  and chip light up), swipe **back**: the previous one;
- thumb **tap** on the side of the index: the focused notification opens (its body
  shows; another tap closes it);
- a **fist**: every notification is cleared and nothing is drawn.

Input comes from `gestures.simulate.InputSimulator`: W / S are the thumb swipes, T the
tap and 2 the fist pose. They move a scripted hand whose landmarks go through the real
gesture recogniser (thumb microgestures, poses, the intent gate), so the app handles the
same `ThumbSwipe`, `ThumbTap` and `PoseChanged` events a camera would give it.

The app is a `hud.app.app.HudApp` run by `hud.app.runners.run_app`: the same class runs
in the window, headless (`--headless --frames N --out DIR|FILE.mp4`) and in the scripted
session, which steps a headless runner with its own timestamps, writes two PNGs after
each gesture (through the glasses, and the display frame itself, ``*-display.png``) and
prints every event with the stack's state after it. The glasses are Meta Orion, whose
input is such a wristband (``--profile`` picks others).

    python demos/notifications.py                  # window if a display is present
    python demos/notifications.py --script --out-dir out/notifications   # headless
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from gestures.events import GestureEvent, PoseChanged, ThumbSwipe, ThumbTap
from gestures.simulate import InputSimulator, SimulatorOptions
from hud.anchors import ViewGeometry
from hud.app.app import AppFrame, HudApp
from hud.app.runners import HeadlessRunner, run_app
from hud.errors import HudError
from hud.io.images import save_pngs
from hud.layout import layout_scene
from hud.layout.geometry import Rect
from hud.profiles import DisplayProfile, get_profile
from hud.scene import Card, Scene, parse_scene, world_pixels

ASSETS = Path(__file__).resolve().parent / "assets"


@dataclass(frozen=True)
class Notification:
    """One notification: a title chip (three words at most) and the body a tap opens."""

    id: str
    icon: str
    title: str
    body: str


NOTIFICATIONS = (
    Notification("standup", "▣", "Standup in 15m", "Design review · Room 4B · 10:30–10:45"),
    Notification("minji", "☎", "민지 · 메시지", "저녁 7시에 강남역에서 볼까? 늦으면 연락 줘"),
    Notification("parcel", "■", "택배 도착 Parcel", "쿠팡: 현관 앞에 두었습니다 · 11:02"),
    Notification(
        "alex", "☎", "Alex: running late", "Train delayed at Seoul Station, there by 7:20"
    ),
)


@dataclass(frozen=True)
class StackState:
    """The stack at one moment: which card is focused, which is open, whether cleared."""

    focus: int
    opened: str | None
    cleared: bool

    def describe(self, items: tuple[Notification, ...]) -> str:
        if self.cleared:
            return "cleared"
        opened = f", opened {self.opened}" if self.opened else ""
        return f"focus {self.focus} ({items[self.focus].id}){opened}"


class NotificationStack:
    """What the gestures do to the stack; plain state, no drawing."""

    def __init__(self, items: tuple[Notification, ...] = NOTIFICATIONS) -> None:
        self.items = items
        self.focus = 0
        self.opened: str | None = None
        self.cleared = False
        #: Bumped whenever a card changes size (one opens or closes): see :meth:`cards`.
        self.generation = 0

    @property
    def state(self) -> StackState:
        return StackState(self.focus, self.opened, self.cleared)

    def move(self, step: int) -> None:
        """Focus the next (+1) or previous (-1) card; the ends stop, they do not wrap
        (a wearer counting swipes without looking lands where expected). Moving closes
        an open card."""
        if not self.cleared:
            self.focus = min(max(self.focus + step, 0), len(self.items) - 1)
            self._set_opened(None)

    def tap(self) -> None:
        """Open the focused card, or close it if it is open."""
        if not self.cleared:
            fid = self.items[self.focus].id
            self._set_opened(None if self.opened == fid else fid)

    def clear(self) -> None:
        self.cleared = True
        self._set_opened(None)

    def _set_opened(self, card_id: str | None) -> None:
        if card_id != self.opened:
            self.opened = card_id
            self.generation += 1

    def card_id(self, item: Notification) -> str:
        """The id its card is drawn under: the notification's, tagged with the generation.

        The temporal layout keeps each card in its place and moves only a card whose
        place became invalid, so a card that grows would be sent elsewhere and the stack
        would lose its order. New ids make it lay the stack out afresh, in order, each
        time a card opens or closes; a focus change keeps the ids (nothing moves).
        """
        return f"{item.id}#{self.generation}"

    def cards(self) -> tuple[Card, ...]:
        """The stack as head-locked cards: the focused one lit, the opened one with its
        body, the rest dimmed to titles."""
        if self.cleared:
            return ()
        out = []
        for i, n in enumerate(self.items):
            opened = n.id == self.opened
            state = "done" if opened else "streaming" if i == self.focus else "dismissed"
            body = n.body if opened else ""
            card_id = self.card_id(n)
            out.append(Card(card_id, n.title, body, state=state, solver="head", icon=n.icon))
        return tuple(out)


class NotificationsApp(HudApp):
    """A head-locked notification stack; thumb swipes, taps and a fist triage it."""

    title = "Waveglass — glanceable notifications"
    hands = None  # the simulator is the hand: no camera to track

    def __init__(self, base: Scene, profile: DisplayProfile, size: tuple[int, int]) -> None:
        self.profiles = (profile,)
        super().__init__(base)
        self.base = base
        self.profile = profile
        self.size = size
        fov_v = 2 * math.degrees(
            math.atan(size[1] / size[0] * math.tan(math.radians(base.world.fov_h_deg / 2)))
        )
        self.simulator = InputSimulator(
            SimulatorOptions(window_size=size, fov_deg=(base.world.fov_h_deg, fov_v)),
            dispatcher=self.events,  # the recogniser's events reach this app's handlers
        )
        self.stack = NotificationStack()
        self.view = ViewGeometry.make(
            profile, size[0], size[1], base.world.fov_h_deg, "right", base.world.depth_m
        )
        #: Every event the recogniser produced, in order.
        self.events_seen: list[GestureEvent] = []
        #: Each event that changed the stack, with the stack's state after it.
        self.history: list[tuple[GestureEvent, StackState]] = []
        self.log: list[str] = []
        #: Where the layout puts each card (display px), for the scene last shown.
        self.card_rects: dict[str, Rect] = {}
        self._dirty = True

    # -- gesture events (from the real recogniser) ---------------------------------------
    def _record(self, event: GestureEvent, what: str) -> None:
        state = self.stack.state
        self.history.append((event, state))
        t = event.timestamp_ms
        self.log.append(f"{t:>6} ms  {what:<20} → {state.describe(self.stack.items)}")
        self._dirty = True

    def on_thumb_swipe(self, event: ThumbSwipe) -> None:
        self.stack.move(1 if event.direction == "forward" else -1)
        self._record(event, f"thumb swipe {event.direction}")

    def on_thumb_tap(self, event: ThumbTap) -> None:
        self.stack.tap()
        self._record(event, "thumb tap")

    def on_pose(self, event: PoseChanged) -> None:
        if event.pose == "fist":
            self.stack.clear()
            self._record(event, "fist")

    # -- scene ----------------------------------------------------------------------------
    def stack_scene(self) -> Scene:
        return replace(self.base, cards=self.stack.cards())

    def layout_rects(self, scene: Scene) -> dict[str, Rect]:
        """The layout's rectangles for ``scene`` (display px) by notification id: where
        the cards are drawn once they settled."""
        dl = layout_scene(scene, self.profile, self.view, self.size)
        return {card_id.split("#")[0]: rect for card_id, rect in dl.card_rects.items()}

    def composite_box(self, rect: Rect) -> tuple[int, int, int, int]:
        """A display rectangle as composite (world image) pixels: x0, y0, x1, y1."""
        w, h = self.profile.width_px, self.profile.height_px
        ax, ay = self.view.display_uv_to_image_px(rect[0] / w, rect[1] / h)
        bx, by = self.view.display_uv_to_image_px(rect[2] / w, rect[3] / h)
        return (int(math.floor(ax)), int(math.floor(ay)), int(math.ceil(bx)), int(math.ceil(by)))

    # -- the app: input and frames ----------------------------------------------------------
    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        # Not Ray-Ban Display by default: its display sits 4° right of and below the line
        # of sight, and the layout puts head-locked cards above it, so it draws them at the
        # display's edge with an arrow (a limit of hud.layout.engine, not of this app).
        parser.add_argument("--profile", default="orion")
        parser.add_argument("--script", action="store_true", help="the scripted session")
        parser.add_argument(
            "--out-dir", default="out/notifications", help="the scripted session's PNGs"
        )

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> NotificationsApp:
        return cls.for_profile(args.profile)

    @classmethod
    def for_profile(cls, name: str) -> NotificationsApp:
        base = base_scene(name)
        h, w = world_pixels(base).shape[:2]
        return cls(base, get_profile(name), (w, h))

    def on_key_press(self, key: str) -> bool:
        return self.simulator.key_press(key)

    def on_key_release(self, key: str) -> bool:
        return self.simulator.key_release(key)

    def on_frame(self, frame: AppFrame) -> Scene | None:
        """The simulated hand moves on to this frame's time (its events come back to the
        handlers above); the stack is drawn again only when it changed."""
        self.events_seen.extend(self.simulator.tick(frame.timestamp_ms).events)
        if self._dirty:
            self._dirty = False
            scene = self.stack_scene()
            self.card_rects = self.layout_rects(scene)
            return scene
        return None

    def on_close(self) -> None:
        if self.log:
            print("\n".join(self.log))


def base_scene(profile: str) -> Scene:
    return parse_scene(
        {
            "version": 2,
            "profile": profile,
            "world": {"image": "desk.jpg", "fov_h_deg": 62, "ambient_nits": 150},
        },
        base_dir=ASSETS,
    )


@dataclass(frozen=True)
class Snapshot:
    """Two PNGs of the scripted session, through the glasses (``path``) and the display
    frame itself (``display_path``), and what the app held when they were written."""

    name: str
    path: Path
    display_path: Path
    state: StackState
    card_rects: dict[str, Rect]


#: The scripted session: (key, PNGs written after it). A key is held 100 ms, then the
#: hand has 0.9 s to settle, longer than the layout's easing (``hud.app.app.SETTLE_MS``).
SCRIPT = (
    ("W", "1-swiped-forward"),
    ("W", "2-swiped-forward-again"),
    ("S", "3-swiped-back"),
    ("T", "4-tapped-open"),
    ("2", "5-fist-cleared"),
)


def run_script(app: NotificationsApp, out_dir: Path) -> list[Snapshot]:
    """Swipe forward twice, back once, tap the focused card open, then clear with a fist.

    A headless runner stepped with the script's own clock (33 ms frames): the app runs
    exactly as in the window, only the keys come from here.
    """
    shots: list[Snapshot] = []
    now = 0  # the scripted clock, ms

    with HeadlessRunner(app) as runner:
        image = runner.step(now)

        def run_for(ms: int) -> None:
            nonlocal now, image
            end = now + ms
            while now < end:
                now += 33
                image = runner.step(now)

        def snap(name: str) -> None:
            assert image is not None
            loop = runner.loop
            display = loop.display_pipeline().renderer(loop.world_size())
            path, display_path = save_pngs(
                [
                    (out_dir / f"{name}.png", image),
                    (out_dir / f"{name}-display.png", display.read_display_codes(app.eye)),
                ]
            )
            shots.append(Snapshot(name, path, display_path, app.stack.state, dict(app.card_rects)))
            print(f"wrote {path} and {display_path.name}")

        run_for(700)  # the scripted hand appears and settles
        snap("0-stack")
        for key, name in SCRIPT:
            press(app, key, run_for)
            snap(name)
    return shots


def press(app: NotificationsApp, key: str, run_for: Callable[[int], None]) -> None:
    """A key held 100 ms, then 900 ms for the gesture to finish and the cards to settle."""
    app.on_key_press(key)
    run_for(100)
    app.on_key_release(key)
    run_for(900)


def main(argv: list[str] | None = None) -> int:
    """The scripted session (``--script``, or when there is no display), else
    :func:`run_app`: the window, or ``--headless``."""
    args_list = sys.argv[1:] if argv is None else list(argv)
    ap = argparse.ArgumentParser(add_help=False)  # --help: run_app's, which lists all
    NotificationsApp.add_arguments(ap)
    args, _ = ap.parse_known_args(args_list)
    has_display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    runner_chosen = bool({"--headless", "-h", "--help"} & set(args_list))
    if args.script or not (has_display or runner_chosen):
        try:
            out = Path(args.out_dir)
            out.mkdir(parents=True, exist_ok=True)
            run_script(NotificationsApp.for_profile(args.profile), out)
        except HudError as exc:
            print(f"notifications demo: error: {exc.message}", file=sys.stderr)
            return 2
        except OSError as exc:
            print(f"notifications demo: error: cannot use {args.out_dir}: {exc.strerror}",
                  file=sys.stderr)  # fmt: skip
            return 2
        return 0
    if not runner_chosen:
        print("W / S thumb swipe forward / back, T thumb tap, 2 fist; Esc quits")
    return run_app(NotificationsApp, args_list, description=__doc__.splitlines()[0])


if __name__ == "__main__":
    raise SystemExit(main())
