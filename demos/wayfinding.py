"""Wayfinding: world-locked arrows and an off-view indicator lead the wearer to a marker.

The target is a real ArUco marker in a real photo (``demos/assets/desk.jpg``, printed
``DICT_6X6_250`` markers on a sheet of paper). The project's marker tracker finds it and
solves its pose (``cv2.solvePnP``) from the printed size, so the distance on the card is
measured, not made up. The printed size, 24 mm, was measured in the photo itself (with
the 62° field of view the demo scenes give it): in the plane the markers' poses define,
the sheet under them is 11.7 × 8.9 marker lengths, an aspect of 1.31 (US Letter, 279 ×
216 mm, is 1.29), which makes a marker 23.8 mm (by the width) or 24.1 mm (by the height)
across.

The wearer's head turns along a scripted path (yaw and pitch keyframes; the photo is
warped by each head rotation, as the world would move). While the target is on the
display, its card sits beside it ("책상 마커 23", "Desk marker 23 · 0.34 m") and three
chevrons drawn on the desk lead to it; they are world-locked: projected from their place
on the desk through the head pose every frame. When the target leaves the display's
field of view (Meta Ray-Ban Display's is 14°), the card goes to the display edge with an
arrow that points toward it, and its text says which way to turn. A pinch (space or the
left button, through `gestures.simulate.InputSimulator` and the real recogniser) or N
picks the next marker.

The app is a `hud.app.app.HudApp`; its world is the photo as seen along the head path,
so it runs the same in the window (the path loops), headless (``--headless --frames N
--out DIR|FILE.mp4``) and in the scripted session, which steps a headless runner with
the path's own clock, writes PNGs (through the glasses, and the display frame itself,
``*-display.png``) and prints what happened. ``--target`` picks the first marker and
``--marker-length`` the printed size.

    python demos/wayfinding.py                                # window if a display is present
    python demos/wayfinding.py --script --out-dir out/wayfinding   # headless, scripted
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

from gestures.events import PinchStart
from gestures.simulate import InputSimulator, SimulatorOptions
from hud.anchors import DirectionalIndicator, Eye, Pose, ViewGeometry, pose_from_angles
from hud.app.animate import warp_world
from hud.app.app import AppFrame, HudApp
from hud.app.runners import HeadlessRunner, RunOptions, WindowRunner
from hud.errors import HudError, OptionsError
from hud.io.images import save_pngs
from hud.io.sources import Frame
from hud.io.video import check_frames_output
from hud.layout import DisplayList, LayoutMetrics
from hud.layout.cards import STATE_COLOURS
from hud.layout.display_list import Line
from hud.layout.geometry import Rect, overlap_area
from hud.layout.timeline import NEAR_M, SceneTimeline
from hud.profiles import DisplayProfile, get_profile
from hud.scene import (
    Card,
    HeadKeyframe,
    HeadPath,
    Scene,
    parse_scene,
    world_pixels,
)
from hud.trackers.markers import CameraIntrinsics, detect_markers, marker_object_points
from hud.trackers.results import TrackedObject

ASSETS = Path(__file__).resolve().parent / "assets"
PHOTO_FOV_H_DEG = 62.0  # the scenes of demos/assets use this FOV for desk.jpg
DICTIONARY = "DICT_6X6_250"
MARKER_LENGTH_M = 0.024  # measured in the photo: see the module docstring
#: The order a pinch walks through the sheet's markers: centre, right, bottom, left, corners.
TARGET_ORDER = (23, 98, 40, 62, 203, 124)
PATH_RGB = STATE_COLOURS["done"]
#: Where on the display (0-1, top-left origin) the head path puts a target it looks at.
AIM_UV = (0.5, 0.5)
#: Chevrons: distances from the target's centre along the desk (m) and their half size.
CHEVRONS_M = (0.021, 0.033, 0.045)
CHEVRON_HALF_M = 0.005
ARROWS = "→↘↓↙←↖↑↗"  # by eighths of a turn from "right", clockwise (display y is down)


@dataclass(frozen=True, eq=False)
class Target:
    """A marker found in the photo: its pose (marker → world; the world frame is the
    camera's when the photo was taken) and printed size."""

    id: int
    pose: Pose
    length_m: float

    @property
    def object_id(self) -> str:
        return f"marker-{self.id}"

    @property
    def position_m(self) -> npt.NDArray[np.float64]:
        return self.pose.position

    @property
    def normal(self) -> npt.NDArray[np.float64]:
        """The marker's face normal (toward the camera): the desk's up at the marker."""
        return self.pose.rotate(np.array([0.0, 0.0, 1.0]))

    @property
    def corners_m(self) -> npt.NDArray[np.float64]:
        """Its four corners in the world (4, 3)."""
        return self.pose.apply(marker_object_points(self.length_m))


def measure_targets(
    photo: npt.NDArray[np.uint8], marker_length_m: float, fov_h_deg: float = PHOTO_FOV_H_DEG
) -> dict[int, Target]:
    """Every marker of the photo with an accepted pose (project tracker, solvePnP)."""
    h, w = photo.shape[:2]
    intrinsics = CameraIntrinsics.from_hfov(w, h, fov_h_deg)
    found = detect_markers(
        photo, DICTIONARY, marker_length_m=marker_length_m, intrinsics=intrinsics
    )
    return {
        m.id: Target(m.id, Pose.from_rvec_tvec(m.rvec, m.tvec), marker_length_m)
        for m in found
        if m.rvec is not None and m.tvec is not None
    }


def chevrons(target: Target) -> list[npt.NDArray[np.float64]]:
    """The path's chevrons on the desk, each (3, 3): tip, then the ends of its two arms.

    They lie on the marker's plane between the wearer and the marker and point at it.
    """
    n = target.normal
    p = target.position_m
    toward = -p - np.dot(-p, n) * n  # toward the wearer, in the plane
    v = toward / np.linalg.norm(toward)
    u = np.cross(n, v)
    a = CHEVRON_HALF_M
    out = []
    for d in CHEVRONS_M:
        c = p + v * d
        out.append(np.stack([c - v * a, c + v * a + u * a * 1.2, c + v * a - u * a * 1.2]))
    return out


def aim(point: npt.NDArray[np.float64], view: ViewGeometry, uv: tuple[float, float]) -> Pose:
    """The head pose (yaw and pitch only) that shows a world ``point`` at display ``uv``."""
    want = (
        (uv[0] * 2 - 1) * view.fov_half_tan[0] + view.fov_center_tan[0],
        (uv[1] * 2 - 1) * view.fov_half_tan[1] + view.fov_center_tan[1],
    )
    yaw = pitch = 0.0
    for _ in range(8):  # a few fixed-point steps: yaw and pitch are nearly independent
        p = pose_from_angles(yaw, pitch).apply_inverse(point)
        yaw += math.degrees(math.atan(p[0] / p[2]) - math.atan(want[0]))
        pitch += math.degrees(math.atan(p[1] / p[2]) - math.atan(want[1]))
    return pose_from_angles(yaw, pitch)


def head_tour(targets: Sequence[Target], view: ViewGeometry) -> tuple[HeadKeyframe, ...]:
    """The scripted head path: looking away to the right, then at the first target, then
    (after the script's pinch) at the second one, and back to the start.

    The first target is off the display to the left at the start; while the head rests
    on it the pinch picks the second, which on a narrow display (Ray-Ban Display's 14°)
    is then off to the right; on a wide one (Orion's 58°) it is already in view.
    """
    first, second = (aim(t.position_m, view, AIM_UV).angles() for t in targets[:2])
    half_fov = math.degrees(math.atan(view.fov_half_tan[0]))
    away = (first.yaw_deg + max(24.0, half_fov + 8.0), first.pitch_deg + 3.0)
    keys = [
        (0.0, away),
        (0.8, away),
        (2.0, (first.yaw_deg, first.pitch_deg)),
        (4.0, (first.yaw_deg, first.pitch_deg)),
        (5.2, (second.yaw_deg, second.pitch_deg)),
        (6.8, (second.yaw_deg, second.pitch_deg)),
        (8.2, away),
    ]
    return tuple(HeadKeyframe(t, yaw, pitch) for t, (yaw, pitch) in keys)


@dataclass(frozen=True)
class WayStatus:
    """What the wearer is shown about the target at one frame."""

    t_ms: int
    target: int
    #: From the head to the marker's centre (m): the marker pose's distance at the photo.
    distance_m: float
    #: The off-view indicator's direction (degrees, 0 = right, 90 = down), None in view.
    indicator_deg: float | None
    #: The marker's centre on the display (px; outside the display when off view).
    marker_px: tuple[float, float]

    @property
    def in_view(self) -> bool:
        return self.indicator_deg is None


class WayfindingApp(HudApp):
    """A card and world-locked chevrons toward a marker; an edge arrow when it is off view."""

    title = "Waveglass — wayfinding"
    hands = None  # the simulator is the hand: no camera to track

    def __init__(
        self,
        base: Scene,
        profile: DisplayProfile,
        targets: Mapping[int, Target],
        first: int = TARGET_ORDER[0],
    ) -> None:
        self.profiles = (profile,)
        super().__init__(base)
        self.base, self.profile, self.targets = base, profile, dict(targets)
        if first not in self.targets:
            raise HudError(f"no marker {first} with a pose in the photo; found {self.found()}")
        self.photo = world_pixels(base)
        h, w = self.photo.shape[:2]
        self.size = (w, h)
        self.view = ViewGeometry.make(
            profile, w, h, base.world.fov_h_deg, "right", base.world.depth_m
        )
        self.order = [first] + [i for i in TARGET_ORDER if i in self.targets and i != first]
        self.target = first
        second = self.order[1] if len(self.order) > 1 else first
        keys = head_tour([self.targets[first], self.targets[second]], self.view)
        self.timeline = SceneTimeline(replace(base, head=HeadPath(keyframes=keys)), self.size)
        self.tour_s = keys[-1].t_s
        fov_v = 2 * math.degrees(
            math.atan(h / w * math.tan(math.radians(base.world.fov_h_deg) / 2))
        )
        self.simulator = InputSimulator(
            SimulatorOptions(window_size=self.size, fov_deg=(base.world.fov_h_deg, fov_v)),
            dispatcher=self.events,  # the recogniser's pinch reaches on_pinch_start
        )
        self.head = Pose.identity()
        self.status: WayStatus | None = None
        #: The display list last drawn (what the layout placed plus the chevrons).
        self.drawn: DisplayList | None = None
        #: The chevrons' lines last drawn (display px).
        self.path_lines: list[Line] = []
        self.log: list[str] = []
        self._last_view: bool | None = None

    def found(self) -> str:
        return ", ".join(str(i) for i in sorted(self.targets)) or "none"

    # -- the world: the photo along the head path -------------------------------------------
    def tour_time(self, t_ms: int) -> float:
        """Seconds into the head path; the window loops it."""
        return (t_ms / 1000.0) % self.tour_s

    def world_frames(self) -> Iterator[Frame]:
        """The photo as the head sees it along the path, at the app's frame rate."""
        for i in itertools.count():
            t_ms = round(i * 1000 / self.fps)
            state = self.timeline.at(self.tour_time(t_ms))
            yield Frame(i, t_ms, warp_world(self.photo, state.homography))

    # -- input ------------------------------------------------------------------------------
    def next_target(self, t_ms: int, how: str) -> None:
        i = self.order.index(self.target)
        self.target = self.order[(i + 1) % len(self.order)]
        self.log.append(f"{t_ms:>6} ms  next target: marker {self.target} (by {how})")

    def on_pinch_start(self, event: PinchStart) -> None:
        self.next_target(event.timestamp_ms, "pinch")

    def on_key_press(self, key: str) -> bool:
        if key.upper() == "N":
            self.next_target(self.status.t_ms if self.status else 0, "key")
            return True
        return self.simulator.key_press(key)

    def on_key_release(self, key: str) -> bool:
        return key.upper() == "N" or self.simulator.key_release(key)

    def on_mouse_press(self, x: float, y: float, button: str) -> bool:
        return self.simulator.mouse_press(button)

    def on_mouse_release(self, x: float, y: float, button: str) -> bool:
        return self.simulator.mouse_release(button)

    # -- per frame --------------------------------------------------------------------------
    def on_frame(self, frame: AppFrame) -> Scene | None:
        """The head pose of the world frame shown, the target as seen from it, its card."""
        self.simulator.tick(frame.timestamp_ms)  # a pinch changes the target
        t_ms = frame.tracked.timestamp_ms  # the world frame's own time
        self.head = self.timeline.head_at(self.tour_time(t_ms))
        target = self.targets[self.target]
        in_head = self.head.apply_inverse(target.position_m)
        indicator = DirectionalIndicator().indicate(
            in_head, self.view.fov_half_tan, self.view.fov_center_tan
        )
        self.status = WayStatus(
            t_ms,
            target.id,
            float(np.linalg.norm(target.position_m - self.head.position)),
            None if indicator is None else math.degrees(indicator.angle_rad),
            self.display_px(target.position_m),
        )
        self._note_view()
        seen = self.seen_object(target)
        objects = () if seen is None else (seen,)
        return replace(self.base, objects=objects, cards=(self.target_card(),))

    def seen_object(self, target: Target) -> TrackedObject | None:
        """The marker as the world frame shows it: the box of its corners (normalised
        world-image coordinates) and its depth; None when it is behind the head."""
        pts = self.head.apply_inverse(target.corners_m)
        if np.any(pts[:, 2] <= NEAR_M):
            return None
        w, h = self.size
        f = self.view.focal_px
        x = (w / 2 + f * pts[:, 0] / pts[:, 2]) / w
        y = (h / 2 + f * pts[:, 1] / pts[:, 2]) / h
        depth = float(self.head.apply_inverse(target.position_m)[2])
        box = (float(x.min()), float(y.min()), float(x.max()), float(y.max()))
        return TrackedObject(target.object_id, f"marker {target.id}", box, depth)

    def target_card(self) -> Card:
        s = self.status
        assert s is not None
        body = f"Desk marker {s.target} · {s.distance_m:.2f} m"
        if s.indicator_deg is not None:
            arrow = ARROWS[round(s.indicator_deg / 45.0) % 8]
            left = math.cos(math.radians(s.indicator_deg)) < 0
            body += f"\n{arrow} " + ("왼쪽 · turn left" if left else "오른쪽 · turn right")
        return Card(
            "target",
            f"책상 마커 {s.target}",
            body,
            anchor=self.targets[s.target].object_id,
            state="info",
        )

    def _note_view(self) -> None:
        s = self.status
        assert s is not None
        if s.in_view != self._last_view:
            self._last_view = s.in_view
            where = (
                "in view"
                if s.indicator_deg is None
                else f"off view, indicator {s.indicator_deg:+.0f}°"
            )
            self.log.append(f"{s.t_ms:>6} ms  marker {s.target} {where}, {s.distance_m:.2f} m")

    # -- the chevrons: world-locked, drawn into the display list ---------------------------
    def display_px(
        self, point: npt.NDArray[np.float64], view: ViewGeometry | None = None
    ) -> tuple[float, float]:
        """A world point on the display (px) from the current head pose (NaN behind it)."""
        v = view or self.view
        p = self.head.apply_inverse(point)
        if p[2] <= NEAR_M:
            return (math.nan, math.nan)
        u, w = v.eye_tan_to_display_uv(p[0] / p[2], p[1] / p[2])
        return (u * self.profile.width_px, w * self.profile.height_px)

    def on_display_list(self, display_list: DisplayList, view: ViewGeometry, eye: Eye) -> None:
        """The path's chevrons join each eye's display list after the layout."""
        self.add_path(display_list, view)

    def add_path(self, dl: DisplayList, view: ViewGeometry) -> None:
        """Append the chevrons toward the current target to one eye's display list."""
        m = LayoutMetrics.for_profile(self.profile)
        cards = list(dl.card_rects.values())
        lines = []
        for tip, a, b in chevrons(self.targets[self.target]):
            pts = np.array([self.display_px(p, view) for p in (tip, a, b)])
            if not np.all(np.isfinite(pts)):
                continue
            (x0, y0), (x1, y1) = pts.min(axis=0) - m.gap / 2, pts.max(axis=0) + m.gap / 2
            if overlap_area((x0, y0, x1, y1), (0, 0, dl.width, dl.height)) <= 0:
                continue  # off the display
            if any(overlap_area((x0, y0, x1, y1), card) > 0 for card in cards):
                continue  # text stays readable: a card hides the chevron it would cover
            (tx, ty) = pts[0]
            for ex, ey in pts[1:]:
                lines.append(Line(tx, ty, ex, ey, m.stroke * 2.5, PATH_RGB))
        dl.lines.extend(lines)
        self.path_lines = lines
        self.drawn = dl

    def on_close(self) -> None:
        if self.log:
            print("\n".join(self.log))


# ---------------------------------------------------------------------------- the session
def base_scene(profile: str) -> Scene:
    return parse_scene(
        {
            "version": 2,
            "profile": profile,
            "world": {"image": "desk.jpg", "fov_h_deg": PHOTO_FOV_H_DEG, "ambient_nits": 150},
        },
        base_dir=ASSETS,
    )


def make_app(
    profile: str = "rayban-display",
    first: int = TARGET_ORDER[0],
    marker_length_m: float = MARKER_LENGTH_M,
) -> WayfindingApp:
    """The app over desk.jpg: its markers found and measured, the head path made."""
    if not (isinstance(marker_length_m, (int, float)) and 0.001 <= marker_length_m <= 1.0):
        raise OptionsError(f"a marker's side must be 1 mm to 1 m, got {marker_length_m!r} m")
    base = base_scene(profile)
    targets = measure_targets(world_pixels(base), float(marker_length_m), base.world.fov_h_deg)
    return WayfindingApp(base, get_profile(profile), targets, first)


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Two PNGs of the scripted session, through the glasses (``path``) and the display
    frame (``display_path``), and what was drawn on the display then."""

    name: str
    path: Path
    display_path: Path
    status: WayStatus
    #: The target card's rectangle (display px), its text lines as drawn.
    card_rect: Rect | None
    card_text: tuple[str, ...]
    #: The chevrons' lines, and every other line drawn (the card's edge arrow among them).
    path_lines: tuple[Line, ...]
    other_lines: tuple[Line, ...]


#: The scripted session: (time in ms, what happens). The head path is :func:`head_tour`.
SCRIPT = (
    (700, "snap 0-target-off-left"),
    (2900, "snap 1-target-in-view"),
    (3000, "pinch"),
    (3900, "snap 2-next-target-off-right"),
    (6500, "snap 3-next-in-view"),
)


def run_script(app: WayfindingApp, out_dir: Path) -> list[Snapshot]:
    """Look away, turn to the first marker, pinch for the next one, turn to it.

    A headless runner stepped along the head path (33 ms frames): the app runs exactly
    as in the window, only the pinch comes from here.
    """
    shots: list[Snapshot] = []
    with HeadlessRunner(app, app.world_frames()) as runner:
        image = runner.step()
        for t_ms, what in SCRIPT:
            while app.status is None or app.status.t_ms < t_ms:
                image = runner.step()
            if what == "pinch":
                app.on_key_press("space")
                for _ in range(5):  # held 170 ms
                    image = runner.step()
                app.on_key_release("space")
                continue
            assert image is not None
            name = what.split()[1]
            shots.append(snapshot(runner, name, image, out_dir))
            print(f"wrote {shots[-1].path} and {shots[-1].display_path.name}")
    return shots


def snapshot(
    runner: HeadlessRunner, name: str, image: npt.NDArray[np.uint8], out_dir: Path
) -> Snapshot:
    app = runner.app
    assert isinstance(app, WayfindingApp) and app.status is not None and app.drawn is not None
    loop = runner.loop
    display = loop.display_pipeline().renderer(loop.world_size()).read_display_codes(app.eye)
    path, display_path = save_pngs(
        [(out_dir / f"{name}.png", image), (out_dir / f"{name}-display.png", display)]
    )
    dl = app.drawn
    rect = dl.card_rects.get("target")
    text: tuple[str, ...] = ()
    if rect is not None:
        text = tuple(
            r.text for r in dl.texts if rect[0] <= r.x <= rect[2] and rect[1] <= r.y <= rect[3]
        )
    path_lines = tuple(app.path_lines)
    others = tuple(line for line in dl.lines if line not in path_lines)
    return Snapshot(name, path, display_path, app.status, rect, text, path_lines, others)


def main(argv: list[str] | None = None) -> int:
    """The scripted session (``--script``, or with no display and no ``--headless``),
    headless frames along the head path, or the window (the path loops)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="rayban-display")
    ap.add_argument("--target", type=int, default=TARGET_ORDER[0], help="the first marker's id")
    ap.add_argument("--marker-length", type=float, default=MARKER_LENGTH_M, metavar="M",
                    help="the printed markers' side in metres")  # fmt: skip
    ap.add_argument("--script", action="store_true", help="the scripted session")
    ap.add_argument("--out-dir", default="out/wayfinding", help="the scripted session's PNGs")
    ap.add_argument("--headless", action="store_true", help="no window: write frames")
    ap.add_argument("--frames", type=int, metavar="N", help="frames to run (then stop)")
    ap.add_argument("--out", metavar="DIR|FILE.mp4", help="headless: where frames go")
    ap.add_argument("--screenshot", metavar="PNG", help="window: save the last frame")
    args = ap.parse_args(argv)
    has_display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    try:
        if args.script or not (has_display or args.headless):
            app = make_app(args.profile, args.target, args.marker_length)
            out = Path(args.out_dir)
            out.mkdir(parents=True, exist_ok=True)
            run_script(app, out)
            return 0
        options = RunOptions(args.headless, args.frames, args.out, args.screenshot)
        if options.headless:
            assert options.out is not None
            check_frames_output(options.out)  # before the markers are measured
        app = make_app(args.profile, args.target, args.marker_length)
        if options.headless:
            assert options.out is not None
            frames = options.frames or round(app.tour_s * app.fps)
            with HeadlessRunner(app, app.world_frames()) as runner:
                count = runner.run(frames, options.out, app.fps)
            print(f"wrote {count} frame(s) to {options.out}")
        else:
            print("space or left button = pinch (next marker), N = next marker; Esc quits")
            count = WindowRunner(app, options, app.world_frames()).run()
            print(f"shown {count} frame(s)")
    except HudError as exc:
        print(f"wayfinding demo: error: {exc.message}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"wayfinding demo: error: cannot use {args.out_dir}: {exc.strerror}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
