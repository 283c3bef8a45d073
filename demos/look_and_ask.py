"""Look and ask: gaze at a marked thing and pinch; the answer streams in, anchored to it.

What AI glasses are for, as a developer builds it on the product's assistant app
(:class:`hud.app.assistant.AssistantApp`). The world is a real photo, ``desk.jpg``: six
printed ArUco markers (``DICT_6X6_250``) on a desk, each tagging a thing of a shared
office. The photo is warped along a gentle head path (``assets/look_and_ask.json``,
through :class:`hud.app.embedded.SceneWorldSource`), and the real ArUco tracker finds
the markers afresh in every frame; each marker becomes a gaze target.

The wearer (``assets/look_and_ask_script.json``) looks at the marker in the middle of the
sheet and pinches: a card anchored to the marker shows ``thinking`` and the answer
streams in from an offline knowledge file (``assets/look_and_ask.toml``; nothing leaves
the machine). They look at another marker and pinch again: the second card stacks
beside the first, never over it. A swipe left dismisses the newest card: it greys out
and leaves.

Input is :class:`gestures.simulate.InputSimulator`'s: the mouse is the gaze, space (or
the left button) pinches, the arrow keys swipe. Its hand's landmarks go through the real
gesture recogniser, so the app sees what it would see with a camera. The Korean
walkthrough of the same demo is ``demos/look_and_ask_ko.py`` (``--lang ko``).

    python demos/look_and_ask.py                                  # a window (needs a display)
    python demos/look_and_ask.py --script --out-dir out/look_and_ask   # headless, scripted
    python demos/look_and_ask.py --headless --frames 90 --out out/look_and_ask.mp4

The scripted session writes a PNG at each step of a card's life, ``trace.jsonl`` (one
line per frame: the gesture events, the cards with their states, anchors and display
rectangles, the text drawn on them) and prints what happened. ``--knowledge`` and
``--input-script`` swap in your own answers and wearer. Bad input is one line on stderr
and exit status 2.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from hud.answers import OfflineAnswerSource
from hud.app.app import AppLoop
from hud.app.assistant import AssistantApp, AssistantOptions
from hud.app.embedded import InputScript, SceneWorldSource, load_script
from hud.app.pipeline import MarkerOptions
from hud.app.runners import HeadlessRunner, RunOptions, WindowRunner
from hud.errors import HudError, OptionsError
from hud.io.images import save_png
from hud.io.sources import Frame
from hud.io.video import check_frames_output, open_frame_writer
from hud.profiles import get_profile
from hud.scene import load_scene

ASSETS = Path(__file__).resolve().parent / "assets"
SCENE = ASSETS / "look_and_ask.json"
SCRIPT = ASSETS / "look_and_ask_script.json"
KNOWLEDGE = {"en": ASSETS / "look_and_ask.toml", "ko": ASSETS / "look_and_ask_ko.toml"}
DICTIONARY = "DICT_6X6_250"
#: How long the scripted session waits for an offline answer before giving up (s).
ANSWER_WAIT_S = 10.0

#: Everything the demo itself says, per language (the cards' texts come from the
#: knowledge file, the question from the script).
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Waveglass — look and ask",
        "demo": "look and ask demo",
        "error": "error",
        "time": "{ms:>6} ms",
        "asked": "{when}  pinch on {obj}: asked {question!r}",
        "answered": "{when}  {title}: {text}",
        "dismissed": "{when}  swipe: {title} dismissed",
        "removed": "{when}  {title} gone",
        "wrote": "wrote {path}",
        "frames": "wrote {count} frame(s) to {out}",
        "shown": "shown {count} frame(s)",
        "keys": "mouse = gaze, space or left button = pinch, arrow keys = swipe; Esc quits",
    },
    "ko": {
        "title": "웨이브글래스 — 보고 묻기",
        "demo": "보고 묻기 데모",
        "error": "오류",
        "time": "{s:5.2f}초",
        "asked": "{when}  {obj}에서 집기: 질문 「{question}」",
        "answered": "{when}  {title}: {text}",
        "dismissed": "{when}  밀어내기: {title} 닫음",
        "removed": "{when}  {title} 사라짐",
        "wrote": "저장함: {path}",
        "frames": "프레임 {count}장 저장함: {out}",
        "shown": "프레임 {count}장 보여 줌",
        "keys": "마우스 = 시선, 스페이스·왼쪽 버튼 = 집기, 화살표 = 밀어내기, Esc = 끝",
    },
}


def marker_name(object_id: str, lang: str) -> str:
    """How the printed lines name a marker ("marker 23", "마커 23")."""
    number = object_id.removeprefix("marker-")
    return f"마커 {number}" if lang == "ko" else f"marker {number}"


class LookAndAskApp(AssistantApp):
    """The assistant app over the desk's markers, with the demo's words."""

    def __init__(self, *args: Any, lang: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.title = WORDS[lang]["title"]


@dataclass
class Demo:
    """The app and its world, made from the demo's files (or the caller's)."""

    app: LookAndAskApp
    world: SceneWorldSource
    lang: str

    def say(self, key: str, **values: object) -> str:
        """A printed line in the demo's language; ``t`` (ms) is shown as ``when``."""
        t = values.pop("t", None)
        if isinstance(t, int):
            values["when"] = WORDS[self.lang]["time"].format(ms=t, s=t / 1000.0)
        return WORDS[self.lang][key].format(**values)


def make_demo(
    lang: str = "en",
    profile: str = "orion",
    knowledge: str | Path | None = None,
    script: str | Path | None = SCRIPT,
    fps: float | None = None,
) -> Demo:
    """The assistant app over the desk photo's head path: markers tracked by the real
    ArUco tracker, answers from the knowledge file, the wearer from ``script`` (``None``:
    only the mouse and keys)."""
    if lang not in WORDS:
        raise OptionsError(f"language must be 'en' or 'ko', got {lang!r}")
    get_profile(profile)  # an unknown profile says so before anything is loaded
    scene = replace(load_scene(SCENE), profile=profile)
    wearer: InputScript | None = None if script is None else load_script(script)
    world = SceneWorldSource(scene, fps)
    h, w = world.world.shape[:2]
    app = LookAndAskApp(
        scene,
        OfflineAnswerSource(knowledge or KNOWLEDGE[lang]),
        (profile,),
        (w, h),
        options=AssistantOptions(language=lang),
        script=wearer,
        markers=MarkerOptions(dictionary=DICTIONARY),
        lang=lang,
    )
    app.fps = world.fps
    return Demo(app, world, lang)


def settle_answers(app: AssistantApp, timeout_s: float = ANSWER_WAIT_S) -> None:
    """An offline answer is complete before the next frame (as the emulator's lockstep
    run does), so every run of the script shows the same frames."""
    answers = app.answers
    while answers.pending:
        if not answers.wait(timeout_s):
            raise HudError(f"no answer arrived within {timeout_s:g} s")


# ---------------------------------------------------------------------------- the trace
def world_rect(
    loop: AppLoop, rect: tuple[float, float, float, float]
) -> tuple[float, float, float, float]:
    """A display-pixel rectangle as world (composite) pixels."""
    view = loop.view_geometry()
    p = loop.profile
    ax, ay = view.display_uv_to_image_px(rect[0] / p.width_px, rect[1] / p.height_px)
    bx, by = view.display_uv_to_image_px(rect[2] / p.width_px, rect[3] / p.height_px)
    return (float(ax), float(ay), float(bx), float(by))


def frame_record(loop: AppLoop, app: AssistantApp, frame: int, t_ms: int) -> dict[str, Any]:
    """One line of the trace: what the wearer did and what the display showed."""
    dl = loop.layouts.get(loop.eye)
    rects = {} if dl is None else dl.card_rects
    cards = []
    for card in app.scene.cards:
        rect = rects.get(card.id)
        lines = []
        if rect is not None and dl is not None:
            lines = [
                {
                    "text": t.text,
                    "x": round(t.x, 2),
                    "y": round(t.y, 2),
                    "size_px": t.size_px,
                    "bold": t.bold,
                }
                for t in dl.texts
                if rect[0] <= t.x <= rect[2] and rect[1] <= t.y <= rect[3]
            ]
        cards.append(
            {
                "id": card.id,
                "state": card.state,
                "title": card.title,
                "text": card.body,
                "anchor": card.anchor,
                "rect": None if rect is None else [round(v, 2) for v in rect],
                "world_rect": None
                if rect is None
                else [round(v, 2) for v in world_rect(loop, rect)],
                "lines": lines,
            }
        )
    events = []
    for event in app.frame_events:
        record: dict[str, Any] = {"name": type(event).__name__}
        for key in ("direction", "duration_ms"):
            if hasattr(event, key):
                record[key] = getattr(event, key)
        events.append(record)
    return {
        "frame": frame,
        "t_ms": t_ms,
        "events": events,
        "cards": cards,
        "objects": [{"id": o.id, "box": [round(v, 5) for v in o.box]} for o in app.objects],
        "hovered": app.hovered,
        "display": None if dl is None else [dl.width, dl.height],
        "question": app.question,
    }


class Narrator:
    """Turns the cards' changes between frames into the printed lines (at once) and the
    snapshots' names (once the cards have eased to their new size, so a PNG shows the
    card as the wearer reads it, not half grown)."""

    #: The most frames a snapshot waits for the cards to settle.
    MAX_WAIT = 20

    def __init__(self, demo: Demo) -> None:
        self.demo = demo
        self.before: dict[str, dict[str, Any]] = {}
        self.count = 0
        self.waiting: list[str] = []
        self.waited = 0

    def changes(self, record: dict[str, Any]) -> tuple[list[str], list[str], list[str]]:
        """This frame's printed lines, the snapshots to take of the previous frame (a
        change came before they settled) and those to take of this one."""
        lines: list[str] = []
        earlier: list[str] = []
        due: list[str] = []
        now = {c["id"]: c for c in record["cards"]}
        t = record["t_ms"]
        for cid, card in now.items():
            old = self.before.get(cid)
            if old is not None and old["state"] == card["state"]:
                continue
            if card["state"] == "thinking":
                obj = marker_name(card["anchor"] or "?", self.demo.lang)
                lines.append(self.demo.say("asked", t=t, obj=obj, question=record["question"]))
            elif card["state"] in ("done", "error"):
                lines.append(self.demo.say("answered", t=t, title=card["title"], text=card["text"]))
            elif card["state"] == "dismissed":
                lines.append(self.demo.say("dismissed", t=t, title=card["title"]))
            else:
                continue  # streaming: shown, not narrated
            earlier += self._queue(cid, card["state"])
        for cid, old in self.before.items():
            if cid not in now:
                lines.append(self.demo.say("removed", t=t, title=old["title"]))
                earlier += self._queue(cid, "removed")
        settled = all(
            _size(card["rect"]) == _size(self.before.get(cid, {}).get("rect"))
            for cid, card in now.items()
        )
        self.before = now
        self.waited += 1
        if self.waiting and (settled or self.waited >= self.MAX_WAIT):
            due, self.waiting = self.waiting, []
        return lines, earlier, due

    def _queue(self, card_id: str, what: str) -> list[str]:
        """Queue this change's snapshot; one still waiting is taken now instead."""
        self.count += 1
        earlier, self.waiting = self.waiting, [f"{self.count:02d}-{card_id}-{what}"]
        self.waited = 0
        return earlier


def _size(rect: list[float] | None) -> tuple[float, float] | None:
    return None if rect is None else (round(rect[2] - rect[0]), round(rect[3] - rect[1]))


def run_script(demo: Demo, out_dir: Path) -> list[dict[str, Any]]:
    """Play the scripted wearer over the head path; write a PNG at each step of a card's
    life and ``trace.jsonl``; return the trace.

    A headless runner steps the world's frames (marker tracking in step with each one)
    with their own timestamps: the app runs exactly as in the window, only the input
    comes from the script.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    trace: list[dict[str, Any]] = []
    narrator = Narrator(demo)
    last: npt.NDArray[np.uint8] | None = None  # the previous frame's picture
    with HeadlessRunner(demo.app, demo.world) as runner:
        for frame in itertools.count():
            image = runner.step()
            if image is None:
                break
            t_ms = runner.loop.tracked.timestamp_ms  # this frame's (tracked in step)
            record = frame_record(runner.loop, demo.app, frame, t_ms)
            lines, earlier, shots = narrator.changes(record)
            if frame == 0:
                shots = ["00-start"]
            if earlier:
                trace[-1]["snapshots"] += earlier
            record["snapshots"] = shots
            for name in earlier:
                assert last is not None  # a snapshot waits only after a first frame
                print(demo.say("wrote", path=save_png(out_dir / f"{name}.png", last)))
            for line in lines:
                print(line)
            for name in shots:
                print(demo.say("wrote", path=save_png(out_dir / f"{name}.png", image)))
            last = image
            trace.append(record)
            settle_answers(demo.app)
    write_trace(out_dir / "trace.jsonl", trace)
    print(demo.say("wrote", path=out_dir / "trace.jsonl"))
    return trace


def write_trace(path: Path, records: list[dict[str, Any]]) -> None:
    """The trace, written beside its place and renamed (never half a file)."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    os.replace(tmp, path)


# ---------------------------------------------------------------------------- the runs
def run_frames(demo: Demo, frames: int | None, out: str) -> int:
    """Headless: the scripted wearer's frames into a PNG folder or an MP4."""
    writer = open_frame_writer(out, demo.world.fps)
    written = 0
    with writer, HeadlessRunner(demo.app, demo.world) as runner:
        while frames is None or written < frames:
            image = runner.step()
            if image is None:
                break
            writer.write(image)
            written += 1
            settle_answers(demo.app)
        writer.complete = written > 0
    return written


def looping(world: SceneWorldSource) -> Iterator[Frame]:
    """The world's head path over and over (the window runs until closed)."""
    duration_s = world.timeline.duration_s()
    for i in itertools.count():
        t_ms = round(i * 1000 / world.fps)
        t_s = math.fmod(t_ms / 1000.0, duration_s) if duration_s > 0 else 0.0
        rgb: npt.NDArray[np.uint8] = world.frame_at(t_s)
        yield Frame(i, t_ms, rgb)


def main(argv: list[str] | None = None, lang: str | None = None) -> int:
    """The scripted session (``--script``, or with no display), headless frames, or the
    window (interactive; ``--play`` plays the scripted wearer there too)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", choices=tuple(WORDS), default=lang or "en")
    ap.add_argument("--profile", default="orion")
    ap.add_argument("--knowledge", metavar="FILE", help="the answers (TOML or JSON)")
    ap.add_argument("--input-script", metavar="FILE", default=str(SCRIPT),
                    help="the scripted wearer (JSON)")  # fmt: skip
    ap.add_argument("--script", action="store_true", help="the scripted session")
    ap.add_argument("--out-dir", default="out/look_and_ask", help="the scripted session's files")
    ap.add_argument("--play", action="store_true", help="window: play the scripted wearer")
    ap.add_argument("--headless", action="store_true", help="no window: write frames")
    ap.add_argument("--frames", type=int, metavar="N", help="frames to run (then stop)")
    ap.add_argument("--out", metavar="DIR|FILE.mp4", help="headless: where frames go")
    ap.add_argument("--screenshot", metavar="PNG", help="window: save the last frame")
    args = ap.parse_args(argv)
    words = WORDS[args.lang]
    has_display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    try:
        if args.script or not (has_display or args.headless):
            out = Path(args.out_dir)
            if out.exists() and not out.is_dir():
                raise OptionsError(f"{out} is not a folder")
            demo = make_demo(args.lang, args.profile, args.knowledge, args.input_script)
            run_script(demo, out)
            return 0
        options = RunOptions(args.headless, args.frames, args.out, args.screenshot)
        if options.out is not None:
            check_frames_output(options.out)  # before the world is made
        script = args.input_script if (options.headless or args.play) else None
        demo = make_demo(args.lang, args.profile, args.knowledge, script)
        if options.headless:
            assert options.out is not None
            count = run_frames(demo, options.frames, str(options.out))
            print(demo.say("frames", count=count, out=options.out))
        else:
            print(demo.say("keys"))
            count = WindowRunner(demo.app, options, looping(demo.world)).run()
            print(demo.say("shown", count=count))
    except HudError as exc:
        print(f"{words['demo']}: {words['error']}: {exc.message}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"{words['demo']}: {words['error']}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
