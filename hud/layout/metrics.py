"""How clear and steady a card layout is, frame by frame and over a run.

Each figure is in what a wearer perceives (degrees of visual angle, from the display's
pixels per degree), so runs on different displays compare:

- ``overlap_area_deg2``: the summed area where two cards overlap (deg²); should be 0;
- ``leader_crossings``: pairs of leader lines that cross (a wearer then misreads which
  card belongs to which object);
- ``mean_anchor_distance_deg``: how far, on average, an anchored card is from its object's
  box (0 where they touch): far cards are hard to attribute;
- ``card_motion_dps``: the mean speed of card centres between consecutive frames, over
  the cards in both (deg/s): moving text is hard to read;
- ``relayouts``, and over a run ``relayouts_per_min``: cards changing slot.

Undefined figures (no anchored card, a first frame with nothing to compare) are None, so a
report stays plain JSON. Pairwise figures use a sort-and-sweep along x, so a frame of n
spread-out cards costs O(n log n), not O(n²).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from hud.errors import OptionsError
from hud.layout.geometry import Leader, Rect, overlap_area, rect_distance
from hud.layout.geometry import segments_cross as _segments_cross
from hud.layout.placement import LayoutFrame

T = TypeVar("T")
#: Decimals a report keeps: far below what a wearer could see, short enough to read.
DECIMALS = 5


def _sweep(items: Sequence[T], box: Callable[[T], Rect]) -> Iterable[tuple[T, T]]:
    """Pairs whose boxes overlap in x, by sort-and-sweep (boxes touching only in x pass
    on to the exact test of the caller)."""
    order = sorted(items, key=lambda it: box(it)[0])
    active: list[T] = []
    for item in order:
        x0 = box(item)[0]
        active = [a for a in active if box(a)[2] >= x0]
        for other in active:
            yield other, item
        active.append(item)


def overlap_area_px2(rects: Iterable[Rect]) -> float:
    """Summed pairwise overlap area of the rectangles (px²)."""
    return sum(overlap_area(a, b) for a, b in _sweep(list(rects), lambda r: r))


def _seg_box(seg: Leader) -> Rect:
    (x0, y0), (x1, y1) = seg
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def leader_crossings(leaders: Iterable[Leader]) -> int:
    """Pairs of leader lines that cross (touching ends do not count)."""
    segs = list(leaders)
    return sum(_segments_cross(a, b) for a, b in _sweep(segs, _seg_box))


def _centre(r: Rect) -> tuple[float, float]:
    return (r[0] + r[2]) / 2, (r[1] + r[3]) / 2


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), DECIMALS)


def frame_metrics(frame: LayoutFrame, previous: LayoutFrame | None, ppd: float) -> dict[str, Any]:
    """One frame's figures (see the module docstring); ``previous`` gives the motion."""
    distances = [
        rect_distance(frame.rects[k], box) / ppd
        for k, box in frame.anchors.items()
        if k in frame.rects
    ]
    motion: float | None = None
    if previous is not None:
        dt = frame.timestamp_s - previous.timestamp_s
        both = [k for k in frame.rects if k in previous.rects]
        if dt > 0 and both:
            speeds = []
            for k in both:
                (ax, ay), (bx, by) = _centre(previous.rects[k]), _centre(frame.rects[k])
                speeds.append(math.hypot(bx - ax, by - ay) / dt / ppd)
            motion = sum(speeds) / len(speeds)
    return {
        "t_s": _round(frame.timestamp_s),
        "cards": len(frame.rects),
        "overlap_area_deg2": _round(overlap_area_px2(frame.rects.values()) / ppd**2),
        "leader_crossings": leader_crossings(frame.leaders.values()),
        "mean_anchor_distance_deg": _round(sum(distances) / len(distances)) if distances else None,
        "card_motion_dps": _round(motion),
        "relayouts": len(frame.relayouts),
        "overflow": len(frame.overflow),
        "skipped": len(frame.skipped),
    }


def _mean(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return _round(sum(known) / len(known)) if known else None


def _max(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return _round(max(known)) if known else None


def run_metrics(frames: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A run's figures from its frames' (:func:`frame_metrics`): means and worst frames,
    relayouts in all and per minute of the run's time."""
    duration = frames[-1]["t_s"] - frames[0]["t_s"] if frames else 0.0
    relayouts = sum(f["relayouts"] for f in frames)

    def col(key: str) -> list[float | None]:
        return [f[key] for f in frames]

    return {
        "frames": len(frames),
        "duration_s": _round(duration),
        # The run's headline figures (names as in the per-frame records): the mean per
        # frame of the overlap area and of crossing leader pairs; worst frames below.
        "overlap_area_deg2": _mean(col("overlap_area_deg2")) or 0.0,
        "leader_crossings": _mean(col("leader_crossings")) or 0.0,
        "overlap_area_deg2_max": _max(col("overlap_area_deg2")) or 0.0,
        "overlap_area_deg2_mean": _mean(col("overlap_area_deg2")) or 0.0,
        "leader_crossings_max": int(_max(col("leader_crossings")) or 0),
        "leader_crossings_mean": _mean(col("leader_crossings")) or 0.0,
        "mean_anchor_distance_deg": _mean(col("mean_anchor_distance_deg")),
        "card_motion_dps": _mean(col("card_motion_dps")),
        "card_motion_dps_max": _max(col("card_motion_dps")),
        "relayouts": relayouts,
        "relayouts_per_min": _round(relayouts / (duration / 60.0)) if duration > 0 else 0.0,
        "overflow_max": int(_max(col("overflow")) or 0),
        "skipped": sum(f["skipped"] for f in frames),
    }


class LayoutMetricsRecorder:
    """Measures every frame as it comes; :meth:`report` is ``{"run": ..., "frames": [...]}``
    of plain numbers (JSON as it is). Frames come with their own timestamps."""

    def __init__(self, ppd: float) -> None:
        if not (isinstance(ppd, (int, float)) and math.isfinite(ppd) and 0 < ppd <= 1000):
            raise OptionsError(f"ppd must be between 0 and 1000, got {ppd!r}")
        self.ppd = float(ppd)
        self.frames: list[dict[str, Any]] = []
        self._last: LayoutFrame | None = None

    def add(self, frame: LayoutFrame) -> dict[str, Any]:
        """Measure one frame (after the one added before it); its figures."""
        figures = frame_metrics(frame, self._last, self.ppd)
        self.frames.append(figures)
        self._last = frame
        return figures

    def report(self) -> dict[str, Any]:
        return {"run": run_metrics(self.frames), "frames": list(self.frames)}


def layout_metrics(frames: Iterable[LayoutFrame], ppd: float) -> dict[str, Any]:
    """The report of :class:`LayoutMetricsRecorder` over a list of frames."""
    recorder = LayoutMetricsRecorder(ppd)
    for frame in frames:
        recorder.add(frame)
    return recorder.report()
