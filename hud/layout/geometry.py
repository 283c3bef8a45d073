"""Rectangle and segment geometry for card placement, and the spatial grid that keeps
overlap queries near-linear. Display pixels, origin top-left; rectangles are
``(x0, y0, x1, y1)``."""

from __future__ import annotations

import math
from collections.abc import Iterable

Rect = tuple[float, float, float, float]
Point = tuple[float, float]
Leader = tuple[Point, Point]

EPS = 1e-6


def overlap_area(a: Rect, b: Rect) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(w, 0.0) * max(h, 0.0)


def _touches(a: Rect, b: Rect, pad: float) -> bool:
    """Whether ``a`` grown by ``pad`` on every side overlaps ``b`` (by more than EPS)."""
    return (
        min(a[2] + pad, b[2]) - max(a[0] - pad, b[0]) > EPS
        and min(a[3] + pad, b[3]) - max(a[1] - pad, b[1]) > EPS
    )


def rect_distance(a: Rect, b: Rect) -> float:
    """Distance between two rectangles (0 when they touch or overlap)."""
    dx = max(a[0] - b[2], b[0] - a[2], 0.0)
    dy = max(a[1] - b[3], b[1] - a[3], 0.0)
    return math.hypot(dx, dy)


def leader_line(box: Rect, card: Rect) -> Leader:
    """The line from the object's edge to the card's edge: from the box point nearest the
    card's centre to the card point nearest that (zero length when they touch)."""
    bx = min(max((card[0] + card[2]) / 2, box[0]), box[2])
    by = min(max((card[1] + card[3]) / 2, box[1]), box[3])
    return (bx, by), (min(max(bx, card[0]), card[2]), min(max(by, card[1]), card[3]))


def _orient(a: Point, b: Point, c: Point) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def segments_cross(p: Leader, q: Leader) -> bool:
    """Whether two segments cross properly (touching ends or collinear runs do not count:
    two leaders from one spot are not a crossing a wearer would notice)."""
    d1, d2 = _orient(q[0], q[1], p[0]), _orient(q[0], q[1], p[1])
    d3, d4 = _orient(p[0], p[1], q[0]), _orient(p[0], p[1], q[1])
    return d1 * d2 < -EPS and d3 * d4 < -EPS


def _leader_box(seg: Leader) -> Rect:
    (x0, y0), (x1, y1) = seg
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _finite(values: Iterable[float]) -> bool:
    try:
        return all(math.isfinite(float(v)) for v in values)
    except (TypeError, ValueError):
        return False


class SpatialGrid:
    """A uniform grid over the display: each item is listed in every cell it touches, so
    a query looks only at items near it. Items outside ``bounds`` are never stored (they
    cannot touch a card, which is always inside)."""

    def __init__(self, cell: float, bounds: Rect) -> None:
        self.cell = max(cell, 1.0)
        self.bounds = bounds
        self.items: dict[str, Rect] = {}
        self._cells: dict[tuple[int, int], set[str]] = {}
        self._where: dict[str, list[tuple[int, int]]] = {}

    def _range(self, r: Rect) -> list[tuple[int, int]]:
        b, c = self.bounds, self.cell
        x0, y0, x1, y1 = max(r[0], b[0]), max(r[1], b[1]), min(r[2], b[2]), min(r[3], b[3])
        if x0 > x1 or y0 > y1:
            return []
        i0, i1 = int((x0 - b[0]) // c), int((x1 - b[0]) // c)
        j0, j1 = int((y0 - b[1]) // c), int((y1 - b[1]) // c)
        return [(i, j) for i in range(i0, i1 + 1) for j in range(j0, j1 + 1)]

    def insert(self, key: str, rect: Rect) -> None:
        self.remove(key)
        cells = self._range(rect)
        if not cells:
            return
        self.items[key] = rect
        self._where[key] = cells
        for cell in cells:
            self._cells.setdefault(cell, set()).add(key)

    def remove(self, key: str) -> None:
        for cell in self._where.pop(key, ()):
            self._cells[cell].discard(key)
        self.items.pop(key, None)

    def near(self, rect: Rect) -> set[str]:
        """Keys of items in the cells ``rect`` touches (a superset of those it overlaps)."""
        found: set[str] = set()
        for cell in self._range(rect):
            found.update(self._cells.get(cell, ()))
        return found
