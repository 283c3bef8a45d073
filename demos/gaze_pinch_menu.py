"""Gaze + pinch menu: look at an answer, pinch anywhere to pick it (as on Vision Pro / Orion).

The assistant offers three follow-ups as cards on the display. The gaze router tells the
app which of *its* cards is looked at (never where the eyes are), the card under the gaze
lights up, and a pinch commits it. Resting the gaze on a card for 0.8 s (dwell) also
commits it.

Input comes from `gestures.simulate.InputSimulator`: the mouse is the gaze and space (or
the left button) is the pinch. The scripted hand's landmarks go through the real gesture
recogniser, so a camera-driven build sees the same events.

The app is a `hud.app.app.HudApp` run by `hud.app.runners.run_app`: the same class runs in
the window, headless (`--headless --frames N --out DIR|FILE.mp4`) and in the scripted
session, which steps a headless runner with its own timestamps.

    python demos/gaze_pinch_menu.py                 # window if a display is present
    python demos/gaze_pinch_menu.py --script --out-dir out/menu   # headless, scripted
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from dataclasses import replace
from pathlib import Path

from gestures.selection import (
    Commit,
    GazeRouter,
    HoverEnter,
    HoverExit,
    SelectionOptions,
    Target,
)
from gestures.simulate import InputSimulator, SimulatorOptions
from hud.anchors import ViewGeometry
from hud.app.app import AppFrame, HudApp
from hud.app.runners import HeadlessRunner, run_app
from hud.errors import HudError
from hud.io.images import save_png
from hud.layout import layout_scene
from hud.profiles import DisplayProfile, get_profile
from hud.scene import Card, Scene, parse_scene, world_pixels

ASSETS = Path(__file__).resolve().parent / "assets"
CHOICES = (
    ("route", "길 안내 · Directions", "가장 가까운 약국까지 350 m"),
    ("call", "전화 걸기 · Call", "약국: 02-123-4567"),
    ("save", "나중에 · Save for later", "오늘 저녁 알림으로 저장"),
)


class MenuApp(HudApp):
    """Three choice cards; the router's hover and commit events change their states."""

    title = "Waveglass — gaze + pinch menu"
    hands = None  # the simulator is the hand: no camera to track

    def __init__(self, base: Scene, profile: DisplayProfile, size: tuple[int, int]) -> None:
        self.profiles = (profile,)
        super().__init__(base)
        self.base = base
        self.profile = profile
        self.size = size
        self.router = GazeRouter(SelectionOptions(dwell_ms=800))
        self.session = self.router.connect("menu-demo")
        self.session.push_handlers(self)
        fov_v = 2 * math.degrees(
            math.atan(size[1] / size[0] * math.tan(math.radians(base.world.fov_h_deg / 2)))
        )
        self.simulator = InputSimulator(
            SimulatorOptions(window_size=size, fov_deg=(base.world.fov_h_deg, fov_v)),
            router=self.router,
        )
        self.hovered: str | None = None
        self.chosen: str | None = None
        self.log: list[str] = []
        self._dirty = True
        self._place_targets()

    # -- selection events (only for this app's own targets) -----------------------------
    def on_hover_enter(self, event: HoverEnter) -> None:
        self.hovered = event.target_id
        self._dirty = True
        self.log.append(f"{event.timestamp_ms:>6} ms  hover  {event.target_id}")

    def on_hover_exit(self, event: HoverExit) -> None:
        self.hovered = None
        self._dirty = True

    def on_commit(self, event: Commit) -> None:
        self.chosen = event.target_id
        self._dirty = True
        self.log.append(f"{event.timestamp_ms:>6} ms  commit {event.target_id} (by {event.method})")

    # -- scene ------------------------------------------------------------------------
    def menu_scene(self) -> Scene:
        cards = []
        for cid, title, body in CHOICES:
            state = "done" if cid == self.chosen else "info" if cid == self.hovered else "listening"
            cards.append(Card(id=cid, title=title, body=body, state=state))
        return replace(self.base, cards=tuple(cards))

    def _place_targets(self) -> None:
        """Targets where the cards are drawn, in the simulator's gaze angles."""
        w, h = self.size
        view = ViewGeometry.make(
            self.profile, w, h, self.base.world.fov_h_deg, "right", self.base.world.depth_m
        )
        dl = layout_scene(self.menu_scene(), self.profile, view, self.size)
        fov_h, fov_v = self.simulator.options.fov_deg
        for cid, (x0, y0, x1, y1) in dl.card_rects.items():
            ax, ay = view.display_uv_to_image_px(
                x0 / self.profile.width_px, y0 / self.profile.height_px
            )
            bx, by = view.display_uv_to_image_px(
                x1 / self.profile.width_px, y1 / self.profile.height_px
            )
            yaw = ((ax + bx) / 2 / w - 0.5) * fov_h
            pitch = (0.5 - (ay + by) / 2 / h) * fov_v
            self.session.add_target(
                Target(cid, yaw, pitch, (bx - ax) / w * fov_h, (by - ay) / h * fov_v)
            )
        self.centres = {t.id: t for t in self.session.targets}

    # -- the app: input and frames --------------------------------------------------------
    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--profile", default="orion")
        parser.add_argument("--script", action="store_true", help="the scripted session")
        parser.add_argument("--out-dir", default="out/menu", help="the scripted session's PNGs")

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> MenuApp:
        return cls.for_profile(args.profile)

    @classmethod
    def for_profile(cls, name: str) -> MenuApp:
        base = base_scene(name)
        h, w = world_pixels(base).shape[:2]
        return cls(base, get_profile(name), (w, h))

    def on_key_press(self, key: str) -> bool:
        return self.simulator.key_press(key)

    def on_key_release(self, key: str) -> bool:
        return self.simulator.key_release(key)

    def on_mouse_motion(self, x: float, y: float) -> None:
        self.simulator.mouse_move(x, y)

    def on_mouse_press(self, x: float, y: float, button: str) -> bool:
        return self.simulator.mouse_press(button)

    def on_mouse_release(self, x: float, y: float, button: str) -> bool:
        return self.simulator.mouse_release(button)

    def on_mouse_leave(self) -> None:
        self.simulator.mouse_leave()

    def on_frame(self, frame: AppFrame) -> Scene | None:
        """The simulated hand and gaze move on to this frame's time; the menu is drawn
        again only when a card changed state."""
        self.simulator.tick(frame.timestamp_ms)
        if self._dirty:
            self._dirty = False
            return self.menu_scene()
        return None

    def on_close(self) -> None:
        print("\n".join(self.log))

    def window_point(self, target_id: str) -> tuple[float, float]:
        """Window pixel of a card's centre (the inverse of the simulator's gaze mapping)."""
        t = self.centres[target_id]
        fov_h, fov_v = self.simulator.options.fov_deg
        w, h = self.size
        return (t.yaw_deg / fov_h + 0.5) * w, (0.5 - t.pitch_deg / fov_v) * h

    def look_at(self, target_id: str) -> None:
        """Move the simulated gaze (the mouse) to a card's centre."""
        self.on_mouse_motion(*self.window_point(target_id))


def base_scene(profile: str) -> Scene:
    return parse_scene(
        {
            "version": 1,
            "profile": profile,
            "world": {"image": "desk.jpg", "fov_h_deg": 62, "ambient_nits": 150},
        },
        base_dir=ASSETS,
    )


def run_script(app: MenuApp, out_dir: Path) -> list[str]:
    """Look at 'call', pinch; then rest the gaze on 'save' until dwell picks it.

    A headless runner stepped with the script's own clock (33 ms frames): the app runs
    exactly as in the window, only the input comes from here.
    """
    written = []
    now = 0  # the scripted clock, ms

    with HeadlessRunner(app) as runner:
        image = runner.step(now)

        def snap(name: str) -> None:
            assert image is not None
            written.append(str(save_png(out_dir / f"{name}.png", image)))
            print(f"wrote {written[-1]}")

        def run_for(ms: int) -> None:
            nonlocal now, image
            end = now + ms
            while now < end:
                now += 33
                image = runner.step(now)

        snap("0-menu")
        app.look_at("call")
        run_for(400)
        snap("1-looking-at-call")
        app.on_key_press("space")
        run_for(170)
        app.on_key_release("space")
        run_for(170)
        snap("2-pinched-call")
        app.look_at("save")
        run_for(1170)
        snap("3-dwelled-on-save")
    return written


def main(argv: list[str] | None = None) -> int:
    """The scripted session (``--script``, or when there is no display), else
    :func:`run_app`: the window, or ``--headless``."""
    args_list = sys.argv[1:] if argv is None else list(argv)
    ap = argparse.ArgumentParser(add_help=False)  # --help: run_app's, which lists all
    MenuApp.add_arguments(ap)
    args, _ = ap.parse_known_args(args_list)
    has_display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    runner_chosen = bool({"--headless", "-h", "--help"} & set(args_list))
    if args.script or not (has_display or runner_chosen):
        try:
            out = Path(args.out_dir)
            out.mkdir(parents=True, exist_ok=True)
            run_script(MenuApp.for_profile(args.profile), out)
        except HudError as exc:
            print(f"menu demo: error: {exc.message}", file=sys.stderr)
            return 2
        return 0
    if not runner_chosen:
        print("mouse = gaze, space or left button = pinch; Esc quits")
    return run_app(MenuApp, args_list, description=__doc__.splitlines()[0])


if __name__ == "__main__":
    raise SystemExit(main())
