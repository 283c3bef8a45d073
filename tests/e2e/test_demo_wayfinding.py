"""The wayfinding demo: a measured marker, an off-view indicator and world-locked chevrons.

The scripted session runs in this process (a headless runner stepped along the demo's
head path), so the test reads what was drawn at each PNG: the display list (the target
card's rectangle and text, the chevrons, the edge arrow) and the app's status; then the
PNGs' pixels. The marker's distance is measured again here, from the photo, with the
project's marker tracker.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from hud.io.images import load_rgb
from hud.layout.display_list import Line
from hud.trackers.markers import CameraIntrinsics, detect_markers

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "demos"))

from wayfinding import MARKER_LENGTH_M, Snapshot, make_app, run_script  # noqa: E402

W = H = 600  # Meta Ray-Ban Display's panel


def _measured_distances() -> dict[int, float]:
    photo = load_rgb(ROOT / "demos" / "assets" / "desk.jpg")
    h, w = photo.shape[:2]
    cam = CameraIntrinsics.from_hfov(w, h, 62.0)
    found = detect_markers(photo, "DICT_6X6_250", marker_length_m=MARKER_LENGTH_M, intrinsics=cam)
    return {m.id: float(np.linalg.norm(m.tvec)) for m in found if m.tvec is not None}


def _shown_distance(shot: Snapshot) -> tuple[int, float]:
    text = " ".join(shot.card_text)
    found = re.search(r"Desk marker (\d+) · (\d+\.\d+) m", text)
    assert found, text
    return int(found[1]), float(found[2])


def _edge_arrow(shot: Snapshot) -> list[Line]:
    """The card's edge arrow: the layout's lines that lie inside the card."""
    assert shot.card_rect is not None
    x0, y0, x1, y1 = shot.card_rect
    return [
        ln
        for ln in shot.other_lines
        if all(x0 <= x <= x1 and y0 <= y <= y1 for x, y in ((ln.x0, ln.y0), (ln.x1, ln.y1)))
    ]


def _pointing(lines: list[Line]) -> tuple[float, float]:
    """Where a chevron points: from its arms' ends to the tip they share."""
    tip = np.array([lines[0].x0, lines[0].y0])
    assert all(np.allclose((ln.x0, ln.y0), tip) for ln in lines)
    ends = np.array([(ln.x1, ln.y1) for ln in lines]).mean(axis=0)
    dx, dy = tip - ends
    return float(dx), float(dy)


def _png(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB")).astype(int)


def test_wayfinding_to_measured_markers(tmp_path: Path) -> None:
    measured = _measured_distances()
    assert {23, 98} <= set(measured) and all(0.2 < d < 0.6 for d in measured.values())

    app = make_app("rayban-display")
    off_left, in_view, off_right, next_in_view = run_script(app, tmp_path)
    assert any("next target: marker 98 (by pinch)" in line for line in app.log)

    # The distance on the card is the marker pose's (the head turns in place).
    for shot, target in ((off_left, 23), (in_view, 23), (off_right, 98), (next_in_view, 98)):
        assert shot.status.target == target
        shown_id, shown_m = _shown_distance(shot)
        assert shown_id == target
        assert abs(shown_m - measured[target]) <= 0.01
        assert abs(shot.status.distance_m - measured[target]) < 1e-6

    # Off the display: the indicator points the way to turn, the card waits at that edge
    # with the layout's arrow pointing the same way, and its text says so.
    for shot, sign, words in (
        (off_left, -1, "왼쪽 · turn left"),
        (off_right, 1, "오른쪽 · turn right"),
    ):
        s = shot.status
        assert not s.in_view and s.indicator_deg is not None
        assert sign * math.cos(math.radians(s.indicator_deg)) > 0.5
        assert sign * (s.marker_px[0] - W / 2) > W / 2  # beyond that side of the display
        assert shot.card_rect is not None
        edge = shot.card_rect[0] if sign < 0 else W - shot.card_rect[2]
        assert edge < 40
        arrow = _edge_arrow(shot)
        assert len(arrow) == 2 and sign * _pointing(arrow)[0] > 0
        assert any(words in line for line in shot.card_text)

    # In view: no indicator, no edge arrow; the card sits beside its marker and the
    # chevrons on the desk point at the marker, the nearest first.
    for shot in (in_view, next_in_view):
        s = shot.status
        assert s.in_view and _edge_arrow(shot) == []
        mx, my = s.marker_px
        assert 0 < mx < W and 0 < my < H
        x0, y0, x1, y1 = shot.card_rect or (0, 0, 0, 0)
        gap = math.hypot(max(x0 - mx, 0, mx - x1), max(y0 - my, 0, my - y1))
        assert 20 < gap < 140  # beside the marker (its box is ~110 px), not on it
        lines = list(shot.path_lines)
        assert len(lines) >= 4 and len(lines) % 2 == 0
        chevrons = [lines[i : i + 2] for i in range(0, len(lines), 2)]
        tips = []
        for chevron in chevrons:
            dx, dy = _pointing(chevron)
            tip = np.array([chevron[0].x0, chevron[0].y0])
            to_marker = np.array([mx, my]) - tip
            assert np.dot((dx, dy), to_marker) > 0.8 * math.hypot(dx, dy) * np.linalg.norm(
                to_marker
            )
            tips.append(float(np.linalg.norm(to_marker)))
        assert tips == sorted(tips)

    # Pixels: the chevrons are lit on the display frame, and through the glasses they
    # add green light to the desk (the arrow's pixels against the desk around them).
    display = _png(in_view.display_path)
    composite = _png(in_view.path)
    for ln in in_view.path_lines:
        px, py = (ln.x0 + ln.x1) / 2, (ln.y0 + ln.y1) / 2
        r, g, _ = display[round(py), round(px)]
        assert g > 180 and g > r + 80, (px, py)
        cx, cy = app.view.display_uv_to_image_px(px / W, py / H)
        near = composite[round(cy) - 1 : round(cy) + 2, round(cx) - 1 : round(cx) + 2]
        ring = composite[round(cy) - 12 : round(cy) + 13, round(cx) - 12 : round(cx) + 13]
        lift = (near[..., 1] - near[..., 0]).max() - np.median(ring[..., 1] - ring[..., 0])
        assert lift > 25, (cx, cy, lift)
    # Off view, the marker's chevrons are off the display too: none is drawn.
    assert off_left.path_lines == off_right.path_lines == ()


def test_an_unknown_marker_is_one_line_and_exit_2(tmp_path: Path) -> None:
    r = subprocess.run(
        [
            sys.executable,
            str(ROOT / "demos" / "wayfinding.py"),
            "--script",
            "--target",
            "7",
            "--out-dir",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2
    assert r.stderr == (
        "wayfinding demo: error: no marker 7 with a pose in the photo; "
        "found 23, 40, 62, 98, 124, 203\n"
    )
    assert not (tmp_path / "out").exists()
