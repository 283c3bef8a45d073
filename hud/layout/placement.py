"""Where cards go, frame after frame: apart, inside the display, off the objects, stable.

:class:`TemporalLayout` is kept from frame to frame. Each frame it is given every card's
size and its object's box on the display (:class:`CardRequest`) and answers where each
card is drawn (:class:`LayoutFrame`). What it guarantees, every frame:

- no two drawn cards overlap or come closer than ``gap_px``, moving or not;
- every drawn card is inside the display, ``margin_px`` from its edges;
- no card covers an object (its own or another card's) or an obstacle where the search
  finds room elsewhere; a card that finds no room at all is listed in ``overflow``.

And what it tries for: leader lines that do not cross (candidates that cross cost more,
and two cards whose leaders still cross swap places when that is free), cards close to
their objects, and stability. A card keeps its *slot* (a position relative to its object:
``right``, ``above-left``, ... or a ``free`` offset found by searching) until the slot
becomes invalid or another one is better by the ``hysteresis`` factor; when it changes
slot it glides there (an exponential approach with a time constant, from the frames'
timestamps) instead of jumping. The glide is an offset from the object, so a card whose
object moves follows it at once: only slot changes are smoothed.

Cost: overlap queries go through a uniform grid (a spatial hash with cells about a card's
size), and crossing checks only look at leaders in nearby cells, so a frame costs about
O(n) queries for n well-spread cards (the sort by priority makes it O(n log n)).
``overlap_tests`` counts the exact rectangle tests, so tests can check the growth.

Time comes only from the timestamps given to :meth:`TemporalLayout.place`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from hud.errors import HudError, OptionsError
from hud.layout.geometry import (
    EPS,
    Leader,
    Point,
    Rect,
    SpatialGrid,
    _finite,
    _leader_box,
    _touches,
    leader_line,
    rect_distance,
    segments_cross,
)

#: Penalties added to a candidate's cost (px). Covering an object is worst, then a leader
#: crossing another, then taking the place an existing card held last frame (which would
#: push it away); distance from the object decides among candidates free of all three.
COVER_COST = 1e6
CROSS_COST = 1e5
EVICT_COST = 3e4
#: Cost (in units of the gap) of each named slot: the right of the object first (reading
#: order, and the object stays visible left of its text), then left, then above and below.
SLOT_PREFERENCE: dict[str, float] = {
    "right": 0.0,
    "left": 1.0,
    "right-mid": 1.5,
    "left-mid": 2.0,
    "above": 2.5,
    "below": 3.0,
    "right-bottom": 3.5,
    "left-bottom": 4.0,
    "above-right": 4.0,
    "above-left": 4.0,
    "below-right": 4.5,
    "below-left": 4.5,
}
#: Cost (gap units) of a position found by searching, on top of its distance.
FREE_PREFERENCE = 5.0
#: How far a searched position may stray from the first valid one before the search gives
#: up looking for one that covers nothing (positions tried, not pixels).
DIRTY_SEARCH = 200


class TimestampError(HudError):
    """Frames were given out of order: layout time must not go backwards."""


class _Bad(Exception):
    """A request that cannot be laid out this frame (non-finite or empty)."""


@dataclass(frozen=True)
class CardRequest:
    """One card to place: its size (display px) and its object's box on the display.

    ``anchor`` None: the card belongs to nothing (a head-locked status item); such cards
    stack from the top centre of the display. A point (a tiny box) is an anchor too: a
    tag-along card's spot, or the display edge towards an off-display object. Higher
    ``priority`` places first, so it gets its preferred slot.
    """

    id: str
    size: tuple[float, float]
    anchor: Rect | None
    priority: float = 0.0


def _check(name: str, value: object, lo: float, hi: float) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not (ok and math.isfinite(float(value)) and lo <= float(value) <= hi):  # type: ignore[arg-type]
        raise OptionsError(f"{name} must be between {lo:g} and {hi:g}, got {value!r}")
    return float(value)  # type: ignore[arg-type]


@dataclass(frozen=True)
class PlacementOptions:
    """How cards are kept apart, inside the display, steady and smooth.

    - ``gap_px`` (8): the least space between two cards and between a card and its object,
      so outlines never touch and a leader line has room.
    - ``margin_px`` (6): cards stay this far inside the display's edges (its corners are
      often dim or rounded).
    - ``hysteresis`` (0.3): a card leaves a valid slot only for one whose cost is lower by
      this factor (30 %) plus one gap, so two nearly equal slots never make it flicker.
    - ``smoothing_s`` (0.12): time constant of a card gliding to a new slot: 95 % of the
      way in three constants (0.36 s), fast enough to follow, slow enough to be seen as a
      move rather than a jump. 0 jumps.
    - ``max_speed_dps`` (None): a cap on gliding speed in degrees per second, if wanted.
    - ``ppd`` (30): the display's pixels per degree, to turn ``max_speed_dps`` into px.
    - ``max_search`` (2000): positions tried when no slot beside the object is free; the
      default covers a whole small display in quarter-card steps.
    - ``dwell_s`` (1.0): after a card changes slot it stays there this long unless the
      slot becomes invalid, so it never flips back and forth between two good slots as
      its neighbours move under head motion (measured on ten cards under a real head
      trace: 240 relayouts/min without it).
    """

    gap_px: float = 8.0
    margin_px: float = 6.0
    hysteresis: float = 0.3
    smoothing_s: float = 0.12
    max_speed_dps: float | None = None
    ppd: float = 30.0
    max_search: int = 2000
    dwell_s: float = 1.0

    def __post_init__(self) -> None:
        _check("gap_px", self.gap_px, 0.0, 1000.0)
        _check("margin_px", self.margin_px, 0.0, 1000.0)
        _check("hysteresis", self.hysteresis, 0.0, 10.0)
        _check("smoothing_s", self.smoothing_s, 0.0, 10.0)
        _check("ppd", self.ppd, 1.0, 1000.0)
        _check("dwell_s", self.dwell_s, 0.0, 60.0)
        if self.max_speed_dps is not None:
            _check("max_speed_dps", self.max_speed_dps, 1e-3, 1e5)
        if not (isinstance(self.max_search, int) and 0 <= self.max_search <= 100_000):
            raise OptionsError(f"max_search must be 0-100000, got {self.max_search!r}")


@dataclass(frozen=True)
class LayoutFrame:
    """Where the cards are this frame. ``rects`` are drawn; ``targets`` are where moving
    cards are going (equal to ``rects`` at rest). ``relayouts``: cards whose slot changed
    (a card's first placement is not one). ``skipped``: requests with a non-finite or
    empty size or anchor, or a repeated id, left out this frame."""

    timestamp_s: float
    rects: dict[str, Rect]
    targets: dict[str, Rect] = field(default_factory=dict)
    anchors: dict[str, Rect] = field(default_factory=dict)
    leaders: dict[str, Leader] = field(default_factory=dict)
    slots: dict[str, str] = field(default_factory=dict)
    overflow: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    relayouts: tuple[str, ...] = ()


# ---------------------------------------------------------------------- geometry
@lru_cache(maxsize=256)
def _search_offsets(sx: int, sy: int, nx: int, ny: int, limit: int) -> np.ndarray:
    """Offsets in (sx, sy) steps, nearest first, at most ``limit`` of them (the origin
    left out): where to look for room when no slot beside the object is free."""
    i, j = np.meshgrid(np.arange(-nx, nx + 1), np.arange(-ny, ny + 1), indexing="ij")
    off = np.stack([i.ravel() * float(sx), j.ravel() * float(sy)], axis=1)
    order = np.lexsort((off[:, 0], off[:, 1], off[:, 0] ** 2 + off[:, 1] ** 2))
    off = off[order][1 : limit + 1]
    off.flags.writeable = False
    return off


# ---------------------------------------------------------------------- state
@dataclass
class _Track:
    """What a card keeps between frames: its slot and where it was drawn, both relative
    to its reference point (its object's centre), so it follows the object."""

    slot: str
    offset: Point  # a "free" slot's card origin from the reference point
    drawn: Point  # the drawn card's origin from the reference point
    ref: Point  # the reference point it was measured from
    anchored: bool
    since_s: float = -math.inf  # when it took this slot


@dataclass(frozen=True)
class _Item:
    req: CardRequest
    w: float
    h: float
    box: Rect  # the anchor; a point at the top centre for a card without one
    ref: Point
    track: _Track | None
    #: Changed slot less than ``dwell_s`` ago: it moves again only if its slot is invalid.
    dwelling: bool = False

    @property
    def id(self) -> str:
        return self.req.id


@dataclass(frozen=True)
class _Choice:
    slot: str
    rect: Rect
    cost: float
    offset: Point = (0.0, 0.0)


def _slot_origin(slot: str, box: Rect, w: float, h: float, g: float) -> Point:
    """A named slot's card origin (top-left) beside ``box``."""
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    side, _, align = slot.partition("-")
    if side in ("right", "left"):
        x = x1 + g if side == "right" else x0 - g - w
        y = {"": y0, "mid": cy - h / 2, "bottom": y1 - h}[align]
        return x, y
    y = y0 - g - h if side == "above" else y1 + g
    x = {"": cx - w / 2, "right": x0, "left": x1 - w}[align]
    return x, y


# ---------------------------------------------------------------------- one frame
class _Pass:
    """One frame's placement: the grids of what is placed, reserved, covered and blocked."""

    def __init__(self, size: Point, o: PlacementOptions, items: list[_Item]) -> None:
        self.dw, self.dh = size
        self.o = o
        self.unit = max(o.gap_px, 4.0)
        cell = sum(max(it.w, it.h) for it in items) / max(len(items), 1) + o.gap_px
        bounds = (-cell, -cell, self.dw + cell, self.dh + cell)
        self.placed, self.leaders = SpatialGrid(cell, bounds), SpatialGrid(cell, bounds)
        self.reserved, self.reserved_leaders = SpatialGrid(cell, bounds), SpatialGrid(cell, bounds)
        self.objects, self.obstacles = SpatialGrid(cell, bounds), SpatialGrid(cell, bounds)
        self.segs: dict[str, Leader] = {}
        self.reserved_segs: dict[str, Leader] = {}
        self.tests = 0
        inner_w, inner_h = self.dw - 2 * o.margin_px, self.dh - 2 * o.margin_px
        self.capacity = (inner_w + o.gap_px) * (inner_h + o.gap_px)
        self.used = 0.0
        #: Sizes of cards the search found no room for this frame.
        self.no_room: list[tuple[float, float]] = []

    # --- queries
    def hits(self, grid: SpatialGrid, rect: Rect, pad: float, exclude: str = "") -> int:
        """How many items of ``grid`` (but ``exclude``) ``rect`` grown by ``pad`` overlaps."""
        grown = (rect[0] - pad, rect[1] - pad, rect[2] + pad, rect[3] + pad)
        n = 0
        for key in grid.near(grown):
            if key != exclude:
                self.tests += 1
                n += _touches(rect, grid.items[key], pad)
        return n

    def crossings(self, seg: Leader, exclude: str) -> int:
        """Leaders (placed or reserved, but ``exclude``'s) that ``seg`` crosses."""
        n, box = 0, _leader_box(seg)
        for grid, segs in ((self.leaders, self.segs), (self.reserved_leaders, self.reserved_segs)):
            for key in grid.near(box):
                if key != exclude:
                    self.tests += 1
                    n += segments_cross(seg, segs[key])
        return n

    def clamp(self, x: float, y: float, w: float, h: float) -> Rect:
        m = self.o.margin_px
        x = float(min(max(x, m), self.dw - m - w))
        y = float(min(max(y, m), self.dh - m - h))
        return (x, y, x + w, y + h)

    def cost(self, it: _Item, rect: Rect, pref: float) -> float | None:
        """A candidate's cost, or None where it would touch a card or an obstacle."""
        if self.hits(self.placed, rect, self.o.gap_px) or self.hits(self.obstacles, rect, 0.0):
            return None
        cost = pref * self.unit + rect_distance(rect, it.box)
        cost += COVER_COST * self.hits(self.objects, rect, 0.0)
        cost += EVICT_COST * self.hits(self.reserved, rect, self.o.gap_px, it.id)
        if it.req.anchor is not None:
            cost += CROSS_COST * self.crossings(leader_line(it.box, rect), it.id)
        return cost

    # --- choosing a place
    def named(self, it: _Item) -> list[tuple[float, str, Rect]]:
        """The slots beside the object, cheapest first by preference and distance alone."""
        slots = SLOT_PREFERENCE if it.req.anchor is not None else {"below": 0.0}
        out = []
        for slot, pref in slots.items():
            x, y = _slot_origin(slot, it.box, it.w, it.h, self.o.gap_px)
            rect = self.clamp(x, y, it.w, it.h)
            out.append((pref * self.unit + rect_distance(rect, it.box), slot, rect))
        out.sort(key=lambda c: c[0])
        return out

    def held_place(self, it: _Item) -> tuple[str, Rect, float, Point] | None:
        """The card's slot from last frame, where its object is now: (slot, rect,
        preference, offset), or None for a new card."""
        t = it.track
        if t is None:
            return None
        slot = t.slot
        if it.req.anchor is None and slot != "below":
            slot = "free"
        if slot == "free":
            x, y, pref = it.ref[0] + t.offset[0], it.ref[1] + t.offset[1], FREE_PREFERENCE
        else:
            x, y = _slot_origin(slot, it.box, it.w, it.h, self.o.gap_px)
            pref = SLOT_PREFERENCE.get(slot, 0.0) if it.req.anchor is not None else 0.0
        return slot, self.clamp(x, y, it.w, it.h), pref, t.offset

    def held(self, it: _Item) -> _Choice | None:
        """The card's slot from last frame, if it is still valid, with its cost."""
        place = self.held_place(it)
        if place is None:
            return None
        slot, rect, pref, offset = place
        cost = self.cost(it, rect, pref)
        return None if cost is None else _Choice(slot, rect, cost, offset)

    def better(self, new: _Choice | None, old: _Choice | None) -> bool:
        if new is None:
            return False
        return old is None or new.cost * (1 + self.o.hysteresis) + self.unit < old.cost

    def choose(self, it: _Item) -> _Choice | None:
        """The card's place this frame: its held slot unless another is clearly better."""
        if it.w > self.dw - 2 * self.o.margin_px or it.h > self.dh - 2 * self.o.margin_px:
            return None
        held = self.held(it)
        if held is not None and it.dwelling and held.cost < COVER_COST:
            return held  # settling after a move, and covering nothing
        cands = self.named(it)
        best: _Choice | None = None
        for base, slot, rect in cands:
            if (best is not None and base >= best.cost) or (
                held is not None and not self.better(_Choice(slot, rect, base), held)
            ):
                break
            if held is not None and slot == held.slot:
                continue
            cost = self.cost(it, rect, SLOT_PREFERENCE.get(slot, 0.0))
            if cost is not None and (best is None or cost < best.cost):
                best = _Choice(slot, rect, cost)
        if min((c.cost for c in (best, held) if c is not None), default=math.inf) >= EVICT_COST:
            found = self.search(it, cands[0][2])
            if found is not None and (best is None or found.cost < best.cost):
                best = found
        return best if self.better(best, held) else held

    def search(self, it: _Item, start: Rect) -> _Choice | None:
        """Room near ``start`` when no slot beside the object is free: positions in
        quarter-card steps, nearest first, until one covers nothing. The positions that
        touch a card or an obstacle are ruled out at once, with numpy."""
        g = self.o.gap_px
        if self.used + (it.w + g) * (it.h + g) > self.capacity + EPS:
            return None  # the display has no room left for a card this size
        if any(it.w >= w and it.h >= h for w, h in self.no_room):
            return None  # a card no larger found no room, and the display only fills up
        xs, ys = self._free_positions(it, start)
        if len(xs) == 0:
            self.no_room.append((it.w, it.h))
        best: _Choice | None = None
        first: int | None = None
        for k in range(len(xs)):
            rect = (float(xs[k]), float(ys[k]), float(xs[k]) + it.w, float(ys[k]) + it.h)
            cost = self.cost(it, rect, FREE_PREFERENCE)
            if cost is None:
                continue
            if best is None or cost < best.cost:
                offset = (rect[0] - it.ref[0], rect[1] - it.ref[1])
                best = _Choice("free", rect, cost, offset)
            if cost < EVICT_COST:
                break
            first = k if first is None else first
            if k - first > DIRTY_SEARCH:
                break
        return best

    def _free_positions(self, it: _Item, start: Rect) -> tuple[np.ndarray, np.ndarray]:
        """Card origins near ``start``, nearest first, that touch no card or obstacle."""
        m = self.o.margin_px
        sx, sy = max(round(it.w / 4), 2), max(round(it.h / 4), 2)
        cap = math.isqrt(max(self.o.max_search, 1)) + 1
        nx, ny = min(math.ceil(self.dw / sx), cap), min(math.ceil(self.dh / sy), cap)
        offsets = _search_offsets(sx, sy, nx, ny, self.o.max_search)
        xs = np.clip(start[0] + offsets[:, 0], m, self.dw - m - it.w)
        ys = np.clip(start[1] + offsets[:, 1], m, self.dh - m - it.h)
        _, first = np.unique(np.round(np.stack([xs, ys], axis=1), 1), axis=0, return_index=True)
        keep = np.sort(first)
        xs, ys = xs[keep], ys[keep]
        window = (float(xs.min()), float(ys.min()), float(xs.max()) + it.w, float(ys.max()) + it.h)
        ok = np.ones(len(xs), dtype=bool)
        for grid, pad in ((self.placed, self.o.gap_px), (self.obstacles, 0.0)):
            keys = grid.near((window[0] - pad, window[1] - pad, window[2] + pad, window[3] + pad))
            if not keys:
                continue
            b = np.array([grid.items[k] for k in keys])
            self.tests += len(keys) * len(xs)
            touch = (
                np.minimum(xs[:, None] + it.w + pad, b[None, :, 2])
                - np.maximum(xs[:, None] - pad, b[None, :, 0])
                > EPS
            ) & (
                np.minimum(ys[:, None] + it.h + pad, b[None, :, 3])
                - np.maximum(ys[:, None] - pad, b[None, :, 1])
                > EPS
            )
            ok &= ~touch.any(axis=1)
        return xs[ok], ys[ok]

    # --- bookkeeping
    def commit(self, it: _Item, rect: Rect) -> None:
        self.release(it.id)
        self.placed.insert(it.id, rect)
        self.used += (it.w + self.o.gap_px) * (it.h + self.o.gap_px)
        if it.req.anchor is not None:
            seg = leader_line(it.box, rect)
            self.segs[it.id] = seg
            self.leaders.insert(it.id, _leader_box(seg))

    def uncommit(self, it: _Item) -> None:
        self.placed.remove(it.id)
        self.leaders.remove(it.id)
        self.segs.pop(it.id, None)
        self.used -= (it.w + self.o.gap_px) * (it.h + self.o.gap_px)

    def reserve(self, it: _Item, rect: Rect) -> None:
        """Last frame's place of a card not placed yet: others avoid taking it."""
        self.reserved.insert(it.id, rect)
        if it.req.anchor is not None:
            seg = leader_line(it.box, rect)
            self.reserved_segs[it.id] = seg
            self.reserved_leaders.insert(it.id, _leader_box(seg))

    def release(self, key: str) -> None:
        self.reserved.remove(key)
        self.reserved_leaders.remove(key)
        self.reserved_segs.pop(key, None)


# ---------------------------------------------------------------------- over time
class TemporalLayout:
    """Cards placed frame after frame on a display of ``display_size`` pixels (see the
    module docstring). Keep one per display and call :meth:`place` once a frame."""

    def __init__(self, display_size: tuple[int, int], options: PlacementOptions | None = None):
        w, h = display_size
        if not (_finite((w, h)) and w > 0 and h > 0):
            raise OptionsError(f"display_size must be two positive numbers, got {display_size!r}")
        self.size: Point = (float(w), float(h))
        self.options = options or PlacementOptions()
        self._tracks: dict[str, _Track] = {}
        self._now = 0.0
        self._t: float | None = None
        #: Exact rectangle and segment tests made by the last frame (for cost tests).
        self.overlap_tests = 0

    def reset(self) -> None:
        """Forget every card and the clock: the next frame is laid out from scratch."""
        self._tracks.clear()
        self._t = None

    def place(
        self,
        requests: Sequence[CardRequest],
        timestamp_s: float,
        obstacles: Iterable[Rect] = (),
    ) -> LayoutFrame:
        """Where each card is drawn at ``timestamp_s`` (seconds, never decreasing).

        ``obstacles``: display rectangles no card may cover (a hand, the gaze point).
        """
        dt = self._advance(timestamp_s)
        self._now = float(timestamp_s)
        items, skipped = self._items(requests)
        solver = _Pass(self.size, self.options, items)
        for i, rect in enumerate(obstacles):
            if _finite(rect) and rect[2] > rect[0] and rect[3] > rect[1]:
                solver.obstacles.insert(f"#{i}", tuple(float(v) for v in rect))  # type: ignore[arg-type]
        choices, overflow = self._choose(solver, items)
        choices = _uncross(solver, items, choices)
        drawn = self._glide(solver, items, choices, dt)
        self.overlap_tests = solver.tests
        return self._frame(timestamp_s, items, choices, drawn, overflow, skipped)

    # --- steps of a frame
    def _advance(self, t: float) -> float:
        if not _finite((t,)):
            raise TimestampError(f"layout timestamps must be finite seconds, got {t!r}")
        if self._t is not None and t < self._t:
            raise TimestampError(f"layout time went backwards: {t:g} s after {self._t:g} s")
        dt = 0.0 if self._t is None else t - self._t
        self._t = float(t)
        return dt

    def _items(self, requests: Sequence[CardRequest]) -> tuple[list[_Item], list[str]]:
        """The requests that can be laid out, highest priority first, and the rest."""
        items: list[_Item] = []
        skipped: list[str] = []
        seen: set[str] = set()
        for req in requests:
            try:
                if req.id in seen:
                    raise _Bad
                seen.add(req.id)
                items.append(self._item(req))
            except (_Bad, TypeError, ValueError, OverflowError):
                skipped.append(str(req.id))
        items.sort(key=lambda it: -it.req.priority if _finite((it.req.priority,)) else 0.0)
        return items, skipped

    def _item(self, req: CardRequest) -> _Item:
        w, h = (float(v) for v in req.size)
        if not (_finite((w, h)) and w > 0 and h > 0):
            raise _Bad
        if req.anchor is None:
            top = self.options.margin_px - self.options.gap_px
            box = (self.size[0] / 2, top, self.size[0] / 2, top)
            ref = (self.size[0] / 2, 0.0)
        else:
            x0, y0, x1, y1 = (float(v) for v in req.anchor)
            if not (_finite((x0, y0, x1, y1)) and x1 >= x0 and y1 >= y0):
                raise _Bad
            box, ref = (x0, y0, x1, y1), ((x0 + x1) / 2, (y0 + y1) / 2)
        track = self._tracks.get(req.id)
        if track is not None and track.anchored != (req.anchor is not None):
            # It gained or lost its object: the same place on the display, as a free slot.
            sx, sy = track.ref[0] - ref[0], track.ref[1] - ref[1]
            off, dr = track.offset, track.drawn
            if track.slot != "free":
                off = dr
            off, dr = (off[0] + sx, off[1] + sy), (dr[0] + sx, dr[1] + sy)
            track = _Track("free", off, dr, ref, req.anchor is not None, track.since_s)
        dwelling = track is not None and self._now - track.since_s < self.options.dwell_s
        return _Item(req, w, h, box, ref, track, dwelling)

    def _choose(self, solver: _Pass, items: list[_Item]) -> tuple[dict[str, _Choice], list[str]]:
        """Greedy, in priority order, each card seeing last frame's places of the rest."""
        for it in items:
            if it.req.anchor is not None:
                solver.objects.insert(it.id, it.box)
            place = solver.held_place(it)
            if place is not None:
                solver.reserve(it, place[1])
        choices: dict[str, _Choice] = {}
        overflow: list[str] = []
        for it in items:
            choice = solver.choose(it)
            if choice is None:
                solver.release(it.id)
                overflow.append(it.id)
                continue
            choices[it.id] = choice
            solver.commit(it, choice.rect)
        return choices, overflow

    def _glide(
        self, solver: _Pass, items: list[_Item], choices: dict[str, _Choice], dt: float
    ) -> dict[str, Rect]:
        """Where each card is drawn: on its way to its target, the offset from its object
        approaching the target's exponentially; at the target where the way would touch
        another card or an obstacle. (A glide may pass over an object: for a fraction of
        a second, which reads better than a jump.)"""
        o = self.options
        k = math.exp(-dt / o.smoothing_s) if o.smoothing_s > 0 else 0.0
        vmax = o.max_speed_dps * o.ppd * dt if o.max_speed_dps is not None else math.inf
        grid = SpatialGrid(solver.placed.cell, solver.placed.bounds)
        for key, chosen in choices.items():
            grid.insert(key, chosen.rect)
        accepted: set[str] = set()
        for it in items:
            choice = choices.get(it.id)
            if choice is None or it.track is None:
                continue
            rect = self._between(solver, it, choice.rect, k, vmax)
            if rect is None:
                continue
            if solver.hits(grid, rect, o.gap_px, it.id) or solver.hits(solver.obstacles, rect, 0):
                _settle(solver, grid, it.id, choices, accepted)
            else:
                grid.insert(it.id, rect)
                accepted.add(it.id)
        return {key: grid.items[key] for key in choices}

    def _between(
        self, solver: _Pass, it: _Item, target: Rect, k: float, vmax: float
    ) -> Rect | None:
        """The card's rect on its way from where it was drawn to ``target``; None at it."""
        assert it.track is not None
        tx, ty = target[0] - it.ref[0], target[1] - it.ref[1]
        px, py = it.track.drawn
        nx, ny = tx + (px - tx) * k, ty + (py - ty) * k
        step = math.hypot(nx - px, ny - py)
        if step > vmax:
            nx, ny = px + (nx - px) * vmax / step, py + (ny - py) * vmax / step
        if math.hypot(nx - tx, ny - ty) < SNAP_PX:
            return None
        rect = solver.clamp(it.ref[0] + nx, it.ref[1] + ny, it.w, it.h)
        return None if math.hypot(rect[0] - target[0], rect[1] - target[1]) < SNAP_PX else rect

    def _frame(
        self,
        t: float,
        items: list[_Item],
        choices: dict[str, _Choice],
        drawn: dict[str, Rect],
        overflow: list[str],
        skipped: list[str],
    ) -> LayoutFrame:
        """The frame's answer, and each placed card's slot kept for the next frame."""
        rects: dict[str, Rect] = {}
        targets: dict[str, Rect] = {}
        anchors: dict[str, Rect] = {}
        leaders: dict[str, Leader] = {}
        slots: dict[str, str] = {}
        relayouts: list[str] = []
        tracks: dict[str, _Track] = {}
        for it in items:
            choice = choices.get(it.id)
            if choice is None:
                continue
            rect = rects[it.id] = drawn[it.id]
            targets[it.id], slots[it.id] = choice.rect, choice.slot
            if it.req.anchor is not None:
                anchors[it.id] = it.box
                leaders[it.id] = leader_line(it.box, rect)
            old = it.track
            since = t if old is None else old.since_s
            if old is not None and (old.slot != choice.slot or old.offset != choice.offset):
                relayouts.append(it.id)
                since = t
            drawn_off = (rect[0] - it.ref[0], rect[1] - it.ref[1])
            anchored = it.req.anchor is not None
            tracks[it.id] = _Track(choice.slot, choice.offset, drawn_off, it.ref, anchored, since)
        for key in skipped:
            if key in self._tracks and key not in tracks:
                tracks[key] = self._tracks[key]  # a glitch keeps the card's slot
        self._tracks = tracks
        return LayoutFrame(
            t,
            rects,
            targets,
            anchors,
            leaders,
            slots,
            tuple(overflow),
            tuple(skipped),
            tuple(relayouts),
        )


#: A card this close to its target (px) is drawn at it: the glide ends.
SNAP_PX = 0.5


def _settle(
    solver: _Pass, grid: SpatialGrid, key: str, choices: dict[str, _Choice], accepted: set[str]
) -> None:
    """Draw ``key`` at its target, and every gliding card that target touches at its own
    (targets never touch one another, so this ends with every card apart)."""
    stack = [key]
    gap = solver.o.gap_px
    while stack:
        k = stack.pop()
        accepted.discard(k)
        rect = choices[k].rect
        grid.insert(k, rect)
        grown = (rect[0] - gap, rect[1] - gap, rect[2] + gap, rect[3] + gap)
        for other in grid.near(grown):
            if other in accepted:
                solver.tests += 1
                if _touches(rect, grid.items[other], gap):
                    accepted.discard(other)
                    stack.append(other)


def _uncross(solver: _Pass, items: list[_Item], choices: dict[str, _Choice]) -> dict[str, _Choice]:
    """Two cards whose leaders cross swap places where that is free (it uncrosses them:
    the swapped pair is shorter, by the triangle inequality)."""
    by_id = {it.id: it for it in items}
    swapped: set[str] = set()
    for it in items:
        seg = solver.segs.get(it.id)
        if seg is None or it.id in swapped:
            continue
        for other in sorted(solver.leaders.near(_leader_box(seg))):
            if other == it.id or other in swapped or other not in solver.segs:
                continue
            solver.tests += 1
            if segments_cross(seg, solver.segs[other]) and _swap(solver, it, by_id[other], choices):
                swapped.update((it.id, other))
                break
    return choices


def _swap(solver: _Pass, a: _Item, b: _Item, choices: dict[str, _Choice]) -> bool:
    """Put ``a`` where ``b`` is and ``b`` where ``a`` is (centred), if it is free, covers
    no more objects and crosses fewer leaders; the cards stay as they were otherwise."""
    ra, rb = choices[a.id].rect, choices[b.id].rect
    na = solver.clamp((rb[0] + rb[2] - a.w) / 2, (rb[1] + rb[3] - a.h) / 2, a.w, a.h)
    nb = solver.clamp((ra[0] + ra[2] - b.w) / 2, (ra[1] + ra[3] - b.h) / 2, b.w, b.h)
    covered = solver.hits(solver.objects, ra, 0.0) + solver.hits(solver.objects, rb, 0.0)
    crossed = solver.crossings(solver.segs[a.id], a.id) + solver.crossings(solver.segs[b.id], b.id)
    solver.uncommit(a)
    solver.uncommit(b)
    g = solver.o.gap_px
    ok = (
        not _touches(na, nb, g)
        and not any(solver.hits(solver.placed, r, g) for r in (na, nb))
        and not any(solver.hits(solver.obstacles, r, 0.0) for r in (na, nb))
        and solver.hits(solver.objects, na, 0.0) + solver.hits(solver.objects, nb, 0.0) <= covered
    )
    if ok:
        sa, sb = leader_line(a.box, na), leader_line(b.box, nb)
        now = 2 * segments_cross(sa, sb) + solver.crossings(sa, a.id) + solver.crossings(sb, b.id)
        ok = now < crossed
    if not ok:
        na, nb = ra, rb
    for it, rect in ((a, na), (b, nb)):
        solver.commit(it, rect)
        if ok:
            offset = (rect[0] - it.ref[0], rect[1] - it.ref[1])
            choices[it.id] = _Choice("free", rect, 0.0, offset)
    return ok
