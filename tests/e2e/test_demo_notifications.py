"""The notifications demo: thumb microgestures and a fist triage a head-locked stack.

The scripted session runs in this process (a headless runner with the script's clock), so
the test reads what the app held after each gesture: the recogniser's events, the stack's
state and the layout's card rectangles; then the pixels of the PNGs it wrote.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from gestures.events import PoseChanged, ThumbSwipe, ThumbTap

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "demos"))

from notifications import NotificationsApp, StackState, run_script  # noqa: E402

IDS = ("standup", "minji", "parcel", "alex")


def _png(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB")).astype(int)


def test_thumb_swipes_tap_and_fist_triage_the_stack(tmp_path: Path) -> None:
    app = NotificationsApp.for_profile("orion")
    shots = run_script(app, tmp_path)

    # The recogniser's own events, in order: every command the script gave, nothing more.
    commands = [
        e
        for e in app.events_seen
        if isinstance(e, (ThumbSwipe, ThumbTap))
        or (isinstance(e, PoseChanged) and e.pose == "fist")
    ]
    kinds = [(type(e).__name__, getattr(e, "direction", getattr(e, "pose", ""))) for e in commands]
    assert kinds == [
        ("ThumbSwipe", "forward"),
        ("ThumbSwipe", "forward"),
        ("ThumbSwipe", "back"),
        ("ThumbTap", ""),
        ("PoseChanged", "fist"),
    ]
    # Each of them changed the stack, in that order, to the state the gesture means.
    assert [event for event, _ in app.history] == commands
    assert [state for _, state in app.history] == [
        StackState(focus=1, opened=None, cleared=False),
        StackState(focus=2, opened=None, cleared=False),
        StackState(focus=1, opened=None, cleared=False),
        StackState(focus=1, opened="minji", cleared=False),
        StackState(focus=1, opened=None, cleared=True),
    ]
    assert [s.state.focus for s in shots] == [0, 1, 2, 1, 1, 1]

    # The layout: every card of the stack drawn, top to bottom in stack order, none
    # overlapping another; the opened card is taller by its body; after the fist, none.
    for shot in shots[:-1]:
        rects = shot.card_rects
        assert tuple(rects) == IDS
        tops = [rects[i][1] for i in IDS]
        assert tops == sorted(tops)
        for a, b in itertools.combinations(rects.values(), 2):
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    assert shots[-1].card_rects == {}
    closed, opened = shots[3].card_rects["minji"], shots[4].card_rects["minji"]
    body_h = (opened[3] - opened[1]) - (closed[3] - closed[1])
    assert body_h > 10

    # Pixels. The display frames: light only inside the layout's card rectangles, the
    # opened card's body rows lit, and after the fist a black (empty) display.
    displays = [_png(s.display_path) for s in shots]
    for shot, frame in zip(shots[:-1], displays[:-1]):
        lit = frame.max(axis=2) > 40
        inside = np.zeros_like(lit)
        for x0, y0, x1, y1 in shot.card_rects.values():
            inside[int(y0) - 2 : int(y1) + 3, int(x0) - 2 : int(x1) + 3] = True
        assert lit.any() and not (lit & ~inside).any(), shot.name
    # The body: the rows the card grew by, inside its outline (6 px: Orion's padding).
    x0, y1 = int(opened[0]) + 6, int(opened[3]) - 4
    x1, y0 = int(opened[2]) - 6, int(opened[3] - body_h)
    text = displays[4][y0:y1, x0:x1].max(axis=2) > 150
    assert text.sum() > 300 and text.any(axis=0).sum() > 0.5 * (x1 - x0)  # a line of text
    assert displays[-1].max() == 0

    # Through the glasses: the body's light adds to the world (the cleared frame is the
    # world alone), and the focused card's outline turned from grey to cyan.
    composites = [_png(s.path) for s in shots]
    bx0, by0, bx1, by1 = app.composite_box((x0, y0, x1, y1))
    gain = composites[4][by0:by1, bx0:bx1] - composites[-1][by0:by1, bx0:bx1]
    assert gain.sum(axis=2).max() > 150 and gain.min() >= -2
    focused = shots[2].card_rects["parcel"]
    fx0, fy0, fx1, _ = (int(v) for v in focused)
    edge = displays[2][fy0 : fy0 + 3, fx0 + 10 : fx1 - 10]  # the top outline
    greyed = displays[1][fy0 : fy0 + 3, fx0 + 10 : fx1 - 10]
    assert edge[..., 2].max() > edge[..., 0].max() + 40  # blue-green, not grey
    assert abs(int(greyed[..., 2].max()) - int(greyed[..., 0].max())) < 30


def test_bad_profile_is_one_line_and_exit_2(tmp_path: Path) -> None:
    r = subprocess.run(
        [
            sys.executable,
            str(ROOT / "demos" / "notifications.py"),
            "--script",
            "--profile",
            "no-such-glasses",
            "--out-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2
    assert r.stderr.startswith("notifications demo: error: ")
    assert len(r.stderr.strip().splitlines()) == 1
    assert not list(tmp_path.iterdir())  # nothing written
