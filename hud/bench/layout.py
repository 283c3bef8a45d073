"""``layout100_ms``: the temporal card layout's cost per frame, at 10, 100 and 1000 cards.

Each scene spreads objects over a display grown with the card count (so density, not
display size, is what stays the same: the case the grid-based overlap queries make
O(n log n)), every object drifting a little each frame as a tracked object does. A frame
is :meth:`hud.layout.placement.TemporalLayout.place`; the first frame (a layout from
scratch) is timed apart from the steady frames after it.
"""

from __future__ import annotations

import math
import statistics
import time
from typing import Any

import numpy as np

from hud.layout.placement import CardRequest, PlacementOptions, TemporalLayout

#: A card of the orion profile's size (px), and the room each object gets on the display.
CARD = (200.0, 60.0)
OBJECT = 40.0
CELL = (560.0, 200.0)


def bench_scene(n: int, seed: int = 0) -> tuple[tuple[int, int], list[tuple[float, float]]]:
    """The display size and the object centres of an ``n``-card bench scene."""
    cols = max(1, math.ceil(math.sqrt(n * CELL[1] / CELL[0])))
    rows = math.ceil(n / cols)
    rng = np.random.default_rng(seed)
    jitter = rng.uniform(-0.25, 0.25, size=(n, 2))
    centres = [
        ((i % cols + 0.5 + jitter[i, 0]) * CELL[0], (i // cols + 0.5 + jitter[i, 1]) * CELL[1])
        for i in range(n)
    ]
    return (int(cols * CELL[0]), int(rows * CELL[1])), centres


def _requests(centres: list[tuple[float, float]], t: float) -> list[CardRequest]:
    out = []
    for i, (cx, cy) in enumerate(centres):
        x = cx + 6.0 * math.sin(0.9 * t + i)
        y = cy + 4.0 * math.cos(0.7 * t + i)
        box = (x - OBJECT / 2, y - OBJECT / 2, x + OBJECT / 2, y + OBJECT / 2)
        out.append(CardRequest(f"c{i}", CARD, box, priority=-i))
    return out


def bench_layout(counts: tuple[int, ...] = (10, 100, 1000), frames: int = 20) -> dict[str, Any]:
    """Milliseconds per steady frame (median over ``frames``) and for the first frame, per
    card count; ``layout100_ms`` is the 100-card steady figure."""
    steady: dict[str, float] = {}
    first: dict[str, float] = {}
    overflow: dict[str, int] = {}
    for n in counts:
        size, centres = bench_scene(n)
        layout = TemporalLayout(size, PlacementOptions(gap_px=8.0, margin_px=6.0))
        t0 = time.perf_counter()
        frame = layout.place(_requests(centres, 0.0), 0.0)
        first[str(n)] = round((time.perf_counter() - t0) * 1000.0, 3)
        times = []
        for k in range(1, max(1, frames) + 1):
            reqs = _requests(centres, k / 30.0)
            t0 = time.perf_counter()
            frame = layout.place(reqs, k / 30.0)
            times.append((time.perf_counter() - t0) * 1000.0)
        steady[str(n)] = round(statistics.median(times), 3)
        overflow[str(n)] = len(frame.overflow)
    per_card = {k: round(v / int(k), 5) for k, v in steady.items()}
    return {
        "layout_scaling": steady,
        # ms per card per frame: flat when the cost grows linearly in the card count.
        "layout_ms_per_card": per_card,
        "layout_first_frame_ms": first,
        "layout_overflow": overflow,
        "layout100_ms": steady.get("100"),
        "frames": max(1, frames),
    }
