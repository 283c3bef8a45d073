"""Demo 1, look and ask, and demo 5, its Korean walkthrough: run as their own commands.

Each scripted session runs once (a module fixture) and the tests read what it produced:
the trace (per frame: the gesture events, the tracked markers, the cards with their
states, anchors, display rectangles and the text drawn on them), the printed lines and
the saved PNGs. The world frame behind a PNG is made again here from the demo's scene
(the same photo along the same head path), so the card's own light can be told apart
from the world's.
"""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from hud.app.assistant import DISMISS_MS
from hud.app.embedded import SceneWorldSource
from hud.scene import load_scene
from hud.text import baseline_offset

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
DEMOS = ROOT / "demos"
ASSETS = DEMOS / "assets"
FONTS = ROOT / "hud" / "text" / "fonts"
MARKERS = {f"marker-{i}" for i in (23, 40, 62, 98, 124, 203)}
HANGUL = re.compile("[\uac00-\ud7a3]")
LATIN = re.compile("[A-Za-z]")

Run = tuple[list[dict[str, Any]], str, Path]


def _run(script: str, out: Path) -> Run:
    r = subprocess.run(
        [sys.executable, str(DEMOS / script), "--script", "--out-dir", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    trace = [json.loads(line) for line in (out / "trace.jsonl").read_text("utf-8").splitlines()]
    return trace, r.stdout, out


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return _run("look_and_ask.py", tmp_path_factory.mktemp("look_and_ask"))


@pytest.fixture(scope="module")
def korean(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return _run("look_and_ask_ko.py", tmp_path_factory.mktemp("look_and_ask_ko"))


def _knowledge(name: str) -> dict[str, Any]:
    return tomllib.loads((ASSETS / name).read_text("utf-8"))["answers"]


def _area(a: list[float], b: list[float]) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(w, 0.0) * max(h, 0.0)


def _gap(a: list[float], b: list[float]) -> float:
    dx = max(a[0] - b[2], b[0] - a[2], 0.0)
    dy = max(a[1] - b[3], b[1] - a[3], 0.0)
    return float(np.hypot(dx, dy))


def _states(lives: list[dict[str, Any]]) -> list[str]:
    return [state for state, _ in itertools.groupby(c["state"] for c in lives)]


def check_flow(trace: list[dict[str, Any]], lang: str, knowledge: dict[str, Any]) -> None:
    """The scripted wearer's flow, from the trace: pinch on marker 23, the answer streams
    into a card anchored to it; pinch on marker 40, a second card stacks beside it without
    overlap; a swipe dismisses the newest card, which then leaves."""
    assert [r["frame"] for r in trace] == list(range(len(trace)))
    assert all({o["id"] for o in r["objects"]} == MARKERS for r in trace)  # tracked each frame

    frames = {name: [r["frame"] for r in trace for e in r["events"] if e["name"] == name]
              for name in ("PinchStart", "PinchEnd", "Swipe")}  # fmt: skip
    starts, ends, swipes = frames["PinchStart"], frames["PinchEnd"], frames["Swipe"]
    assert len(starts) == len(ends) == 2 and starts[0] < ends[0] < starts[1] < ends[1]
    assert len(swipes) == 1 and swipes[0] > ends[1]
    assert [trace[f]["hovered"] for f in ends] == ["marker-23", "marker-40"]

    lives = {cid: [(r, c) for r in trace for c in r["cards"] if c["id"] == cid]
             for cid in ("ask-1", "ask-2")}  # fmt: skip
    assert {c["id"] for r in trace for c in r["cards"]} == {"ask-1", "ask-2"}
    for cid, end, marker in (("ask-1", ends[0], "marker-23"), ("ask-2", ends[1], "marker-40")):
        life = lives[cid]
        assert life[0][0]["frame"] == end  # the pinch's end asks about the looked-at marker
        assert all(c["anchor"] == marker for _, c in life)
        entry = knowledge[marker]
        done = [c for _, c in life if c["state"] == "done"]
        assert done and all(c["title"] == entry["title"] and c["text"] == entry[lang] for c in done)
        for r, c in life:  # drawn beside its marker, never over it
            box = next(o["box"] for o in r["objects"] if o["id"] == marker)
            px = [box[0] * 1280, box[1] * 960, box[2] * 1280, box[3] * 960]
            assert _area(c["world_rect"], px) == 0 and _gap(c["world_rect"], px) < 60
    first = [c for _, c in lives["ask-1"]]
    assert _states(first) == ["thinking", "done"] and lives["ask-1"][-1][0] is trace[-1]

    second = [c for _, c in lives["ask-2"]]
    assert _states(second) == ["thinking", "done", "dismissed"]
    dismissed = [r for r, c in lives["ask-2"] if c["state"] == "dismissed"]
    assert dismissed[0]["frame"] == swipes[0]  # the swipe dismissed the newest card
    gone = trace[dismissed[-1]["frame"] + 1]
    assert all(c["id"] != "ask-2" for r in trace[gone["frame"] :] for c in r["cards"])
    assert DISMISS_MS <= gone["t_ms"] - dismissed[0]["t_ms"] <= DISMISS_MS + 34

    both = [r for r in trace if len(r["cards"]) == 2]
    assert len(both) > 30
    for r in both:  # the layout's display rectangles: stacked, never overlapping
        a, b = (c["rect"] for c in r["cards"])
        assert _area(a, b) == 0


def _snapshot(out: Path, trace: list[dict[str, Any]], name: str) -> tuple[dict, np.ndarray]:
    record = next(r for r in trace if name in r["snapshots"])
    return record, np.asarray(Image.open(out / f"{name}.png").convert("RGB")).astype(np.float64)


def card_light(record: dict[str, Any], png: np.ndarray) -> np.ndarray:
    """The light the display adds to a saved frame: the frame minus the world seen
    through the lens. The world is made again from the scene at the frame's time, and the
    lens's transmission fitted (one gain and offset per channel) away from the cards."""
    world = SceneWorldSource(load_scene(ASSETS / "look_and_ask.json"))
    seen = world.frame_at(record["t_ms"] / 1000.0).astype(np.float64)
    away = np.ones(png.shape[:2], dtype=bool)
    for c in record["cards"]:
        x0, y0, x1, y1 = (round(v) for v in c["world_rect"])
        away[max(0, y0 - 30) : y1 + 30, max(0, x0 - 30) : x1 + 30] = False
    for o in record["objects"]:  # the anchored markers' frames are display light too
        x0, y0, x1, y1 = o["box"]
        away[max(0, round(y0 * 960) - 20) : round(y1 * 960) + 20,
             max(0, round(x0 * 1280) - 20) : round(x1 * 1280) + 20] = False  # fmt: skip
    light = np.empty_like(png)
    for ch in range(3):
        a = np.stack([seen[..., ch][away], np.ones(int(away.sum()))], axis=1)
        (gain, offset), *_ = np.linalg.lstsq(a, png[..., ch][away], rcond=None)
        assert 0.5 < gain <= 1.0  # the lens passes most of the world
        light[..., ch] = png[..., ch] - (gain * seen[..., ch] + offset)
    assert np.abs(light[away]).mean() < 2.0  # away from the cards: only the world
    return light.max(axis=2)


def check_cards_lit(out: Path, trace: list[dict[str, Any]]) -> None:
    """In the PNG where both cards are done, each card's area is lit by the display; in
    the first PNG (no card yet) the same areas are not."""
    name = next(n for r in trace for n in r["snapshots"] if n.endswith("ask-2-done"))
    record, png = _snapshot(out, trace, name)
    assert [c["state"] for c in record["cards"]] == ["done", "done"]
    light = card_light(record, png)
    start, start_png = _snapshot(out, trace, "00-start")
    assert start["cards"] == []
    dark = card_light(start, start_png)
    for c in record["cards"]:
        x0, y0, x1, y1 = (round(v) for v in c["world_rect"])
        assert (light[y0:y1, x0:x1] > 40).mean() > 0.1  # outline and text: lit
        assert (dark[y0:y1, x0:x1] > 40).mean() < 0.005


def test_look_pinch_stack_and_swipe(english: Run) -> None:
    trace, stdout, out = english
    check_flow(trace, "en", _knowledge("look_and_ask.toml"))
    assert trace[0]["question"] == "What is this?"
    said = [line.strip() for line in stdout.splitlines() if not line.startswith("wrote ")]
    assert said == [
        "833 ms  pinch on marker 23: asked 'What is this?'",
        "867 ms  Hot desk 4B: Booked for you until 18:00. The monitor cable is in the top drawer.",
        "2033 ms  pinch on marker 40: asked 'What is this?'",
        "2067 ms  Kitchen: Coffee beans restocked this morning; the dishwasher runs at 17:00.",
        "2933 ms  swipe: Kitchen dismissed",
        "3433 ms  Kitchen gone",
    ]
    names = sorted(p.stem for p in out.glob("*.png"))
    assert names == sorted(n for r in trace for n in r["snapshots"])
    assert [n.split("-", 1)[1] for n in names] == [
        "start", "ask-1-thinking", "ask-1-done", "ask-2-thinking", "ask-2-done",
        "ask-2-dismissed", "ask-2-removed",
    ]  # fmt: skip
    check_cards_lit(out, trace)


# ---------------------------------------------------------------------------- Korean
def _ncc(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum() + 1e-9))


def text_match(light: np.ndarray, card: dict[str, Any], run: dict[str, Any], text: str) -> float:
    """How well ``text``, drawn independently with the bundled font where the layout put
    the run, matches the light in that line of the card (normalised cross-correlation,
    best over a few pixels of shift and a few percent of size: the optics blur and the
    renderer's glyph atlas differ slightly from Pillow's)."""
    rx0, ry0, rx1, _ = card["rect"]
    wx0, wy0, wx1, _ = card["world_rect"]
    s = (wx1 - wx0) / (rx1 - rx0)  # world pixels per display pixel
    base = (run["y"] + baseline_offset(run["size_px"]) - ry0) * s + wy0
    top, bottom = round(base - run["size_px"] * s * 0.95), round(base + run["size_px"] * s * 0.3)
    left, right = round(wx0), round(wx1)
    crop = light[top:bottom, left:right]
    font_file = FONTS / ("NanumSquareRoundB.ttf" if run["bold"] else "NanumSquareRoundR.ttf")
    best = -1.0
    for k in (0.96, 0.98, 1.0, 1.02, 1.04):
        font = ImageFont.truetype(str(font_file), max(1, round(run["size_px"] * s * k)))
        im = Image.new("L", (crop.shape[1], crop.shape[0]), 0)
        at = ((run["x"] - rx0) * s + wx0 - left, base - top)
        ImageDraw.Draw(im).text(at, text, fill=255, font=font, anchor="ls")
        drawn = np.asarray(im.filter(ImageFilter.GaussianBlur(1.0)), dtype=np.float64)
        for dy, dx in itertools.product(range(-3, 4), range(-4, 5)):
            best = max(best, _ncc(crop, np.roll(drawn, (dy, dx), axis=(0, 1))))
    return best


def test_the_korean_walkthrough_says_and_shows_everything_in_korean(korean: Run) -> None:
    trace, stdout, out = korean
    check_flow(trace, "ko", _knowledge("look_and_ask_ko.toml"))
    question = trace[0]["question"]
    assert question == "이게 뭐야?"
    cards = [c for r in trace for c in r["cards"] if c["state"] == "done"]
    for text in {question, *(c["title"] for c in cards), *(c["text"] for c in cards)}:
        assert HANGUL.search(text) and not LATIN.search(text), text
    lines = stdout.splitlines()
    said = [line for line in lines if not line.startswith("저장함: ")]
    assert len(said) == 6 and len(lines) == 6 + 8  # 7 PNGs and the trace
    for line in said:  # the printed lines too: Hangul, and no Latin letter
        assert HANGUL.search(line) and not LATIN.search(line), line
    assert "「이게 뭐야?」" in said[0] and "밀어내기" in said[4]

    # The rendered cards show the Korean texts: every line the layout put on a card
    # matches, in the PNG's pixels, that text drawn independently, and matches it better
    # than the same glyphs in reverse order.
    name = next(n for r in trace for n in r["snapshots"] if n.endswith("ask-2-done"))
    record, png = _snapshot(out, trace, name)
    light = card_light(record, png)
    for card in record["cards"]:
        runs = card["lines"]
        assert "".join(r["text"] for r in runs).replace(" ", "") == (
            card["title"] + card["text"]
        ).replace(" ", "")
        for run in runs:
            assert HANGUL.search(run["text"])
            score = text_match(light, card, run, run["text"])
            assert score > 0.5, (run["text"], score)
            if len(run["text"]) > 8:
                backwards = text_match(light, card, run, run["text"][::-1])
                assert score > backwards + 0.15, (run["text"], score, backwards)
    check_cards_lit(out, trace)


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("script", ["look_and_ask.py", "look_and_ask_ko.py"])
def test_bad_input_is_one_line_and_exit_2(script: str, tmp_path: Path) -> None:
    bad_json = tmp_path / "wearer.json"
    bad_json.write_text('{"actions": [{"t_s": 1, "press": "Q"}]}', encoding="utf-8")
    a_file = tmp_path / "file"
    a_file.write_text("x", encoding="utf-8")
    for args in (
        ["--profile", "nope"],
        ["--knowledge", str(tmp_path / "missing.toml")],
        ["--input-script", str(bad_json)],
        ["--out-dir", str(a_file)],
    ):
        r = subprocess.run(
            [sys.executable, str(DEMOS / script), "--script", *args],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
        )
        assert r.returncode == 2, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
        assert r.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "wearer.json"]
