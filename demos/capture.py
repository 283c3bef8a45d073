"""Capture: pinch and hold to take a photo; the LED tells bystanders, their faces are blurred.

On Meta's glasses a long press takes a photo and a white LED on the frame lights so the
people around know. This demo does both the way the toolkit means them to be done:

* **The gesture.** A pinch held longer than :data:`HOLD_MS` (0.6 s) fires the shutter,
  read from the gesture recogniser's ``PinchHold`` events (sent every frame of a held
  pinch with its duration). A short pinch takes nothing: the card that said "hold to
  take a photo" simply goes away.
* **The LED.** From the shutter on, for :data:`LED_MS`, the app sets
  :attr:`hud.app.app.AppLoop.capture`, and the pipeline draws the capture LED over the
  composite after the app's scene (no app can hide it).
* **Privacy.** The photo is the camera frame at the shutter, and it is saved only after
  :class:`hud.privacy.FaceRedactor` has blurred every bystander's face in it, keeping the
  wearer's own hands sharp (their boxes are passed as ``keep``). The glasses-view PNGs of
  the scripted session are redacted the same way before they are written.

The world is the real desk photo (``assets/desk.jpg``) with a bystander: the face of a
real portrait (``assets/bystander.jpg``, MediaPipe's ``business-person`` sample) pasted
into it with a soft edge, since the desk photo has no people. The head sways a little
along ``assets/capture.json``. The wearer's hand is the input simulator's
(:class:`gestures.simulate.InputSimulator`: space or the left button pinches), whose
landmarks go through the real gesture recogniser; its box is the hand kept sharp.

    python demos/capture.py                                  # a window (needs a display)
    python demos/capture.py --script --out-dir out/capture   # headless, scripted
    python demos/capture.py --headless --frames 90 --out out/capture.mp4

The scripted session pinches briefly (nothing is taken), then holds a pinch (one photo),
writes ``photo-1.png``, a glasses-view PNG at each change, ``trace.jsonl`` (per frame:
the events, whether the LED is lit, the cards; for the photo: the faces found, the
regions blurred and the hand boxes kept) and prints what happened. Bad input is one line
on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFilter

from gestures.events import GestureEvent, PinchCancel, PinchEnd, PinchHold, PinchStart
from gestures.simulate import InputSimulator, SimulatedFrame, SimulatorOptions
from gestures.tracker_input import wearer_hand_results
from hud.app.animate import warp_world
from hud.app.app import AppFrame, AppLoop, HudApp
from hud.app.runners import HeadlessRunner, RunOptions, WindowRunner
from hud.errors import HudError, OptionsError
from hud.io.images import load_rgb, save_png
from hud.io.sources import Frame
from hud.io.video import check_frames_output, open_frame_writer
from hud.layout.timeline import SceneTimeline
from hud.privacy import FaceRedactor, hand_boxes
from hud.profiles import get_profile
from hud.scene import Card, Scene, load_scene
from hud.trackers.results import HandResult

ASSETS = Path(__file__).resolve().parent / "assets"
SCENE = ASSETS / "capture.json"
BYSTANDER = ASSETS / "bystander.jpg"
#: A pinch held this long takes a photo (ms).
HOLD_MS = 600
#: How long the LED stays lit from the shutter on (ms).
LED_MS = 800
#: How long the "photo saved" card stays (ms).
SAVED_CARD_MS = 1200
#: The part of the portrait pasted (its pixels): the face with hair, ears and chin.
FACE_CROP = (290, 60, 720, 540)
#: Where the pasted crop goes in the desk photo (its top-left, pixels) and its width.
FACE_AT = (150, 210)
FACE_PASTE_WIDTH = 170
#: Where the simulated hand's wrist rests (normalised image x, y).
HAND_HOME = (0.24, 0.62)
#: The scripted wearer: (ms, key action). A short pinch, then a held one.
SCRIPT = (
    (400, "press"),
    (650, "release"),
    (1300, "press"),
    (2400, "release"),
)
END_MS = 3400


def bystander_photo(desk: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """The desk photo with the portrait's face pasted in, its edge feathered so that no
    hard rectangle is left for a detector to latch on to."""
    with Image.open(BYSTANDER) as im:
        crop = im.convert("RGB").crop(FACE_CROP)
    scale = FACE_PASTE_WIDTH / crop.width
    size = (round(crop.width * scale), round(crop.height * scale))
    patch = crop.resize(size, Image.Resampling.LANCZOS)
    mask = Image.new("L", crop.size, 0)
    ImageDraw.Draw(mask).ellipse((20, 10, crop.width - 20, crop.height - 10), fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(12)).resize(size, Image.Resampling.LANCZOS)
    scene = Image.fromarray(desk)
    scene.paste(patch, FACE_AT, mask)
    return np.asarray(scene).copy()


class BystanderWorld:
    """Camera frames of the bystander photo as the head path moves (like
    :class:`hud.app.embedded.SceneWorldSource`, over the composed photo)."""

    def __init__(self, scene: Scene, fps: float = 30.0) -> None:
        self.scene = scene
        self.fps = fps
        base = Path(scene.base_dir or ASSETS)
        self.photo = bystander_photo(load_rgb(base / str(scene.world.image)))
        h, w = self.photo.shape[:2]
        self.size = (int(w), int(h))
        self.timeline = SceneTimeline(scene, self.size)

    def frame_at(self, t_s: float) -> npt.NDArray[np.uint8]:
        """The camera frame at ``t_s`` (what a photo taken then holds, before redaction)."""
        return warp_world(self.photo, self.timeline.at(t_s).homography)

    def frames(self, loop: bool = False) -> Iterator[Frame]:
        duration = self.timeline.duration_s()
        for i in itertools.count():
            t_ms = round(i * 1000 / self.fps)
            if t_ms > END_MS and not loop:
                return
            t_s = math.fmod(t_ms / 1000.0, duration) if loop and duration > 0 else t_ms / 1000.0
            yield Frame(i, t_ms, self.frame_at(t_s))


class CaptureApp(HudApp):
    """Pinch and hold to take a photo: the LED lights, faces are blurred before saving."""

    title = "Waveglass — capture"
    hands = None  # the simulator is the wearer's hand

    def __init__(
        self,
        scene: Scene,
        world_size: tuple[int, int],
        photos: Path,
        redactor: FaceRedactor,
    ) -> None:
        self.profiles = (scene.profile,)
        super().__init__(replace(scene, cards=()))
        self.base = self.scene
        self.size = world_size
        self.photos = photos
        self.redactor = redactor
        fov_h = scene.world.fov_h_deg
        w, h = world_size
        fov_v = 2 * math.degrees(math.atan(h / w * math.tan(math.radians(fov_h / 2))))
        self.simulator = InputSimulator(
            SimulatorOptions(window_size=world_size, fov_deg=(fov_h, fov_v), home=HAND_HOME),
            dispatcher=self.events,  # the recogniser's events reach on_pinch_* below
        )
        #: The loop running this app (bound by the runner): its ``capture`` lights the LED.
        self.loop: AppLoop | None = None
        self.log: list[str] = []
        self.saved: list[dict[str, Any]] = []
        self.frame_events: list[dict[str, Any]] = []
        self.last_input: SimulatedFrame | None = None
        self._camera: npt.NDArray[np.uint8] | None = None
        self._holding = False
        self._shutter_due = False
        self._fired = False
        self._led_until = -1
        self._card: Card | None = None
        self._card_until: int | None = None
        self._now = 0
        self._dirty = True
        self._printed = 0

    # ------------------------------------------------------------------ the gesture
    def on_pinch_start(self, event: PinchStart) -> None:
        self._holding, self._fired = True, False
        self._show(Card("camera", "Camera", "Hold to take a photo", state="listening"))

    def on_pinch_hold(self, event: PinchHold) -> None:
        if self._holding and not self._fired and event.duration_ms >= HOLD_MS:
            self._fired = self._shutter_due = True

    def on_pinch_end(self, event: PinchEnd) -> None:
        self._released(event.timestamp_ms, event.duration_ms)

    def on_pinch_cancel(self, event: PinchCancel) -> None:
        self._released(event.timestamp_ms, event.duration_ms)

    def _released(self, t_ms: int, duration_ms: int) -> None:
        if self._holding and not self._fired:
            self.log.append(f"{t_ms:>6} ms  short pinch ({duration_ms} ms): no photo")
            self._show(None)
        self._holding = False

    # ------------------------------------------------------------------ the photo
    def keep_boxes(self, tracked: Sequence[HandResult]) -> list[tuple[float, float, float, float]]:
        """The wearer's hands as pixel boxes: the camera's tracked ones (``tracked``) and
        the simulator's (a camera would see that hand in the frame)."""
        wearer = wearer_hand_results(tracked, self.gesture_options.wearer)
        boxes = list(hand_boxes(wearer, self.size))
        w, h = self.size
        simulated = () if self.last_input is None else self.last_input.hands.hands
        for hand in simulated:
            pts = np.asarray(hand.points)[:, :2] * (w, h)
            (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
            mx, my = 0.15 * (x1 - x0), 0.15 * (y1 - y0)  # as hud.privacy.hand_boxes
            boxes.append((float(x0 - mx), float(y0 - my), float(x1 + mx), float(y1 + my)))
        return boxes

    def shutter(self, frame: AppFrame) -> None:
        """Take the photo: this frame's camera image, faces blurred, hands kept."""
        if self._camera is None:
            return
        keep = self.keep_boxes(frame.tracked.hands)
        result = self.redactor.redact(self._camera, keep=keep)
        path = save_png(self.photos / f"photo-{len(self.saved) + 1}.png", result.image)
        self._led_until = frame.timestamp_ms + LED_MS
        record = {
            "path": str(path),
            "t_ms": frame.timestamp_ms,
            "faces": [[round(v, 1) for v in f.box] for f in result.faces],
            "regions": [list(r) for r in result.regions],
            "keep": [[round(v, 1) for v in b] for b in keep],
        }
        self.saved.append(record)
        n = len(result.faces)
        self.log.append(
            f"{frame.timestamp_ms:>6} ms  photo {len(self.saved)} saved: {path} "
            f"({n} face{'' if n == 1 else 's'} blurred, {len(keep)} hand(s) kept sharp)"
        )
        body = f"Photo saved · {n} face{'' if n == 1 else 's'} blurred"
        self._show(Card("camera", "Camera", body, state="done"), frame.timestamp_ms)

    # ------------------------------------------------------------------ per frame
    def _show(self, card: Card | None, now_ms: int | None = None) -> None:
        self._card = card
        self._card_until = None if now_ms is None else now_ms + SAVED_CARD_MS
        self._dirty = True

    def on_frame(self, frame: AppFrame) -> Scene | None:
        self._now = frame.timestamp_ms
        if frame.rgb is not None:
            self._camera = frame.rgb
        self.last_input = self.simulator.tick(frame.timestamp_ms)  # events: on_pinch_*
        self.frame_events = [_event_record(e) for e in self.last_input.events]
        if self._shutter_due:
            self._shutter_due = False
            self.shutter(frame)
        if self._card_until is not None and frame.timestamp_ms >= self._card_until:
            self._show(None)
        if self.loop is not None:
            self.loop.capture = self.capturing
        if self._dirty:
            self._dirty = False
            cards = () if self._card is None else (self._card,)
            return replace(self.base, cards=cards)
        return None

    @property
    def capturing(self) -> bool:
        """The LED is lit: a photo was taken less than :data:`LED_MS` ago."""
        return self._now < self._led_until

    # ------------------------------------------------------------------ input
    def on_key_press(self, key: str) -> bool:
        return self.simulator.key_press(key)

    def on_key_release(self, key: str) -> bool:
        return self.simulator.key_release(key)

    def on_mouse_press(self, x: float, y: float, button: str) -> bool:
        return self.simulator.mouse_press(button)

    def on_mouse_release(self, x: float, y: float, button: str) -> bool:
        return self.simulator.mouse_release(button)

    def print_log(self) -> None:
        """Print what happened since the last call (the scripted session calls it every
        frame, so the lines come in order with the files written)."""
        for line in self.log[self._printed :]:
            print(line)
        self._printed = len(self.log)

    def on_close(self) -> None:
        self.print_log()


def _event_record(event: GestureEvent) -> dict[str, Any]:
    record: dict[str, Any] = {"name": type(event).__name__}
    duration = getattr(event, "duration_ms", None)
    if duration is not None:
        record["duration_ms"] = int(duration)
    return record


class CaptureHeadless(HeadlessRunner):
    """A headless runner whose loop the app may light the LED on."""

    def __init__(self, app: CaptureApp, source: Iterator[Frame]) -> None:
        super().__init__(app, source)
        app.loop = self.loop


class CaptureWindow(WindowRunner):
    """The window, its loop bound to the app (for the LED); a screenshot is saved with
    bystanders' faces blurred, like everything else this demo saves."""

    app: CaptureApp

    def make_loop(self) -> AppLoop:
        loop = super().make_loop()
        self.app.loop = loop
        return loop

    def save_screenshot(self, path: str | Path, image: npt.NDArray[np.uint8] | None) -> None:
        if image is None:
            self.present(self.surface, self.loop)
            image = self.surface.read_screen()
        keep = self.app.keep_boxes(self.loop.tracked.hands)
        super().save_screenshot(path, self.app.redactor.redact(image, keep=keep).image)


# ---------------------------------------------------------------------------- the session
def make_app(
    profile: str, photos: Path, redactor: FaceRedactor
) -> tuple[CaptureApp, BystanderWorld]:
    get_profile(profile)  # an unknown profile says so before anything is loaded
    scene = replace(load_scene(SCENE), profile=profile)
    world = BystanderWorld(scene, scene.animation.fps)
    return CaptureApp(scene, world.size, photos, redactor), world


def run_script(app: CaptureApp, world: BystanderWorld, out_dir: Path) -> list[dict[str, Any]]:
    """A short pinch, then a held one; a glasses-view PNG (faces blurred) whenever the
    card or the LED changes, and of the last frame with the LED lit; ``trace.jsonl``."""
    trace: list[dict[str, Any]] = []
    last: npt.NDArray[np.uint8] | None = None
    script = list(SCRIPT)
    with CaptureHeadless(app, world.frames()) as runner:
        for frame in itertools.count():
            t_ms = round(frame * 1000 / world.fps)
            while script and script[0][0] <= t_ms:
                _, action = script.pop(0)
                (app.on_key_press if action == "press" else app.on_key_release)("space")
            image = runner.step(t_ms)
            if image is None:
                break
            app.print_log()
            record = {
                "frame": frame,
                "t_ms": t_ms,
                "events": app.frame_events,
                "capture": runner.loop.capture,
                "cards": [{"id": c.id, "state": c.state, "text": c.body} for c in app.scene.cards],
                "photos": len(app.saved),
                "photo": app.saved[-1] if app.saved and app.saved[-1]["t_ms"] == t_ms else None,
                "snapshots": [],
            }
            before = trace[-1] if trace else None
            if before is not None and before["capture"] and not record["capture"]:
                assert last is not None
                _snap(app, last, before, out_dir, "led-last")  # the LED's last lit frame
            if before is None or _state(before) != _state(record):
                _snap(app, image, record, out_dir, _what(record))
            trace.append(record)
            last = image
    (out_dir / "trace.jsonl").write_text(
        "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in trace), encoding="utf-8"
    )
    print(f"wrote {out_dir / 'trace.jsonl'}")
    return trace


def _state(record: dict[str, Any]) -> tuple[bool, list[str]]:
    return record["capture"], [c["state"] for c in record["cards"]]


def _what(record: dict[str, Any]) -> str:
    if record["photo"] is not None:
        return "shutter"
    if record["capture"]:
        return "led"
    states = [c["state"] for c in record["cards"]]
    return {"listening": "holding", "done": "saved"}.get(states[0], "card") if states else "idle"


def _snap(
    app: CaptureApp, image: npt.NDArray[np.uint8], record: dict[str, Any], out: Path, what: str
) -> None:
    """A glasses-view PNG, bystanders' faces blurred first (it is saved, like the photo)."""
    tracked = () if app.loop is None else app.loop.tracked.hands
    shown = app.redactor.redact(image, keep=app.keep_boxes(tracked)).image
    name = f"{record['frame']:03d}-{what}"
    record["snapshots"].append(name)
    print(f"wrote {save_png(out / f'{name}.png', shown)}")


def main(argv: list[str] | None = None) -> int:
    """The scripted session (``--script``, or with no display), headless frames, or the
    window (hold space or the left button)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="orion")
    ap.add_argument("--script", action="store_true", help="the scripted session")
    ap.add_argument("--out-dir", default="out/capture", help="the scripted session's files")
    ap.add_argument("--photos", metavar="DIR", help="where photos go (default: the out dir)")
    ap.add_argument("--headless", action="store_true", help="no window: write frames")
    ap.add_argument("--frames", type=int, metavar="N", help="frames to run (then stop)")
    ap.add_argument("--out", metavar="DIR|FILE.mp4", help="headless: where frames go")
    ap.add_argument("--screenshot", metavar="PNG", help="window: save the last frame")
    args = ap.parse_args(argv)
    has_display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    scripted = args.script or not (has_display or args.headless)
    try:
        options = (
            None if scripted else RunOptions(args.headless, args.frames, args.out, args.screenshot)
        )
        if options is not None and options.out is not None:
            check_frames_output(options.out)  # before the world is made
        get_profile(args.profile)  # an unknown profile says so before a folder is made
        out = Path(args.out_dir)
        photos = Path(args.photos) if args.photos else out
        for folder in (out, photos) if scripted else (photos,):
            if folder.exists() and not folder.is_dir():
                raise OptionsError(f"{folder} is not a folder")
            folder.mkdir(parents=True, exist_ok=True)
        with FaceRedactor() as redactor:
            app, world = make_app(args.profile, photos, redactor)
            if options is None:
                run_script(app, world, out)
            elif options.headless:
                count = _run_frames(app, world, options.frames, str(options.out))
                print(f"wrote {count} frame(s) to {options.out}")
            else:
                print("hold space or the left button (0.6 s) to take a photo; Esc quits")
                count = CaptureWindow(app, options, world.frames(loop=True)).run()
                print(f"shown {count} frame(s)")
    except HudError as exc:
        print(f"capture demo: error: {exc.message}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"capture demo: error: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return 0


def _run_frames(app: CaptureApp, world: BystanderWorld, frames: int | None, out: str) -> int:
    """Headless: the scripted pinches' frames into a PNG folder or an MP4 (faces blurred)."""
    writer = open_frame_writer(out, world.fps)
    written = 0
    script = list(SCRIPT)
    with writer, CaptureHeadless(app, world.frames()) as runner:
        while frames is None or written < frames:
            t_ms = round(written * 1000 / world.fps)
            while script and script[0][0] <= t_ms:
                _, action = script.pop(0)
                (app.on_key_press if action == "press" else app.on_key_release)("space")
            image = runner.step(t_ms)
            if image is None:
                break
            keep = app.keep_boxes(runner.loop.tracked.hands)
            writer.write(app.redactor.redact(image, keep=keep).image)
            written += 1
        writer.complete = written > 0
    return written


if __name__ == "__main__":
    raise SystemExit(main())
