"""Boxes from any external object detector, turned into tracked objects with stable ids.

A detector (YOLO, a cloud vision API, the assistant's own model) reports
``(label, score, box)`` per frame with no memory: the mug is "detection 0" in one frame
and "detection 2" in the next. A HUD card anchored to it must not jump or flicker, so
this adapter

* **validates** what the detector gave (finite numbers, a real box, a score in 0..1)
  and brings boxes to one convention — normalised ``(x0, y0, x1, y1)``, what
  :class:`hud.trackers.results.TrackedObject` holds — from pixels or normalised coordinates and from
  corner (``xyxy``), corner-size (``xywh``) or centre-size (``cxcywh``) layouts;
* **associates** detections with existing tracks by intersection over union (IoU)
  against each track's predicted box (last box plus its recent velocity), greedily from
  the best overlap down, which is deterministic: the same detections give the same ids;
* **keeps** a track through a few missed detections (``max_missed`` frames), so one
  dropped detection does not give the object a new id when it comes back.

Ids are ``label-N`` (``mug-1``, ``mug-2``), counted per label, never reused.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from hud.errors import HudError, OptionsError
from hud.trackers.results import TrackedObject

Box = tuple[float, float, float, float]
BoxFormat = Literal["xyxy", "xywh", "cxcywh"]
Coordinates = Literal["auto", "pixels", "normalized"]
BOX_FORMATS: tuple[BoxFormat, ...] = ("xyxy", "xywh", "cxcywh")


@dataclass(frozen=True)
class Detection:
    """One validated detection: a label, a score in 0..1, a normalised xyxy box."""

    label: str
    score: float
    box: Box


def _xyxy(values: Sequence[float], box_format: BoxFormat) -> Box:
    a, b, c, d = values
    if box_format == "xyxy":
        return (a, b, c, d)
    if box_format == "xywh":
        return (a, b, a + c, b + d)
    return (a - c / 2.0, b - d / 2.0, a + c / 2.0, b + d / 2.0)


def make_detection(
    label: str,
    score: float,
    box: Sequence[float],
    *,
    image_size: tuple[int, int] | None = None,
    coordinates: Coordinates = "auto",
    box_format: BoxFormat = "xyxy",
) -> Detection:
    """Validate one detector output and normalise its box (raises :class:`HudError`).

    ``coordinates="auto"`` takes a box whose numbers are all within 0..1 as normalised
    and anything else as pixels (which then needs ``image_size``, width × height). Name
    the coordinates when a detector can give tiny pixel boxes near the origin. Boxes
    that stick out of the image are clipped to it; one entirely outside is an error.
    """
    if not isinstance(label, str) or not label.strip():
        raise HudError(f"a detection needs a non-empty label, got {label!r}")
    try:
        score_f = float(score)
    except (TypeError, ValueError):
        raise HudError(f"score of {label!r} is not a number: {score!r}") from None
    if not 0.0 <= score_f <= 1.0:
        raise HudError(f"score of {label!r} must be between 0 and 1, got {score!r}")
    if box_format not in BOX_FORMATS:
        raise HudError(f"unknown box format {box_format!r}; valid: {', '.join(BOX_FORMATS)}")
    try:
        values = [float(v) for v in box]
    except (TypeError, ValueError):
        raise HudError(f"box of {label!r} must be 4 numbers, got {box!r}") from None
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise HudError(f"box of {label!r} must be 4 finite numbers, got {box!r}")
    x0, y0, x1, y1 = _xyxy(values, box_format)
    if not (x1 > x0 and y1 > y0):
        raise HudError(f"box of {label!r} has no area ({box_format} {values})")
    if coordinates == "auto":
        coordinates = "normalized" if all(0.0 <= v <= 1.0 for v in values) else "pixels"
    if coordinates == "pixels":
        if image_size is None:
            raise HudError(
                f"box of {label!r} is in pixels (numbers above 1: {values}); "
                "pass the image size to normalise it"
            )
        width, height = image_size
        if width <= 0 or height <= 0:
            raise HudError(f"image size must be positive, got {image_size}")
        x0, x1, y0, y1 = x0 / width, x1 / width, y0 / height, y1 / height
    elif coordinates != "normalized":
        raise HudError(f"coordinates must be auto, pixels or normalized, got {coordinates!r}")
    clipped = (max(0.0, x0), max(0.0, y0), min(1.0, x1), min(1.0, y1))
    if not (clipped[2] > clipped[0] and clipped[3] > clipped[1]):
        raise HudError(f"box of {label!r} lies entirely outside the image: {values}")
    return Detection(label=label.strip(), score=score_f, box=clipped)


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two xyxy boxes (0 when they do not overlap)."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


@dataclass(frozen=True)
class TrackedBox:
    """A tracked object: stable ``id``, latest box and how well it is supported.

    ``hits`` counts the frames it was detected in; ``missed`` the frames since it was
    last detected (0: detected this frame; then ``box`` is the last detected one).
    """

    id: str
    label: str
    score: float
    box: Box
    hits: int = 1
    missed: int = 0
    velocity: Box = (0.0, 0.0, 0.0, 0.0)

    def predicted(self) -> Box:
        """Where the box should be next frame if it keeps moving as it was."""
        steps = self.missed + 1
        return (
            self.box[0] + self.velocity[0] * steps,
            self.box[1] + self.velocity[1] * steps,
            self.box[2] + self.velocity[2] * steps,
            self.box[3] + self.velocity[3] * steps,
        )

    def to_object(self) -> TrackedObject:
        """As a :class:`hud.trackers.results.TrackedObject` (the card anchor type)."""
        return TrackedObject(id=self.id, label=self.label, box=self.box)


def _slug(label: str) -> str:
    return re.sub(r"[^0-9a-zA-Z_]+", "_", label.strip().lower()).strip("_") or "object"


class BoxTracker:
    """Stable ids for detector boxes across frames (see the module docstring).

    ``iou_threshold``: least overlap with a track's predicted box to continue it.
    ``max_missed``: frames a track survives without a detection. ``min_hits``: frames
    a track needs before it is reported (1 reports at once; 2–3 hide one-frame false
    detections). ``match_labels``: only continue a track with a detection of the same
    label.
    """

    def __init__(
        self,
        *,
        iou_threshold: float = 0.3,
        max_missed: int = 5,
        min_hits: int = 1,
        match_labels: bool = True,
        velocity_smoothing: float = 0.5,
    ) -> None:
        if not 0.0 < iou_threshold <= 1.0:
            raise OptionsError(f"iou_threshold must be in (0, 1], got {iou_threshold}")
        if max_missed < 0 or min_hits < 1:
            raise OptionsError(
                f"max_missed must be at least 0 and min_hits at least 1, got {max_missed} "
                f"and {min_hits}"
            )
        if not 0.0 <= velocity_smoothing < 1.0:
            raise OptionsError(f"velocity_smoothing must be in [0, 1), got {velocity_smoothing}")
        self.iou_threshold = iou_threshold
        self.max_missed = max_missed
        self.min_hits = min_hits
        self.match_labels = match_labels
        self.velocity_smoothing = velocity_smoothing
        self._tracks: list[TrackedBox] = []
        self._counters: dict[str, int] = {}

    def reset(self) -> None:
        """Forget every track (ids start again at 1)."""
        self._tracks = []
        self._counters = {}

    def _new_id(self, label: str) -> str:
        slug = _slug(label)
        self._counters[slug] = self._counters.get(slug, 0) + 1
        return f"{slug}-{self._counters[slug]}"

    def update(
        self,
        detections: Iterable[Detection | tuple[str, float, Sequence[float]]],
        *,
        image_size: tuple[int, int] | None = None,
        coordinates: Coordinates = "auto",
        box_format: BoxFormat = "xyxy",
    ) -> list[TrackedBox]:
        """Take one frame's detections; return the reported tracks, oldest first.

        Plain ``(label, score, box)`` tuples are validated with :func:`make_detection`
        (using ``image_size``, ``coordinates`` and ``box_format``); an invalid one raises
        :class:`HudError` naming its position, and the tracks are left unchanged.
        """
        dets: list[Detection] = []
        for index, item in enumerate(detections):
            if isinstance(item, Detection):
                dets.append(item)
                continue
            try:
                label, score, box = item
                dets.append(
                    make_detection(
                        label,
                        score,
                        box,
                        image_size=image_size,
                        coordinates=coordinates,
                        box_format=box_format,
                    )
                )
            except HudError as exc:
                raise HudError(f"detection {index}: {exc.message}") from None
            except (TypeError, ValueError):
                raise HudError(
                    f"detection {index}: expected (label, score, box), got {item!r}"
                ) from None
        pairs = []
        for ti, track in enumerate(self._tracks):
            predicted = track.predicted()
            for di, det in enumerate(dets):
                if self.match_labels and det.label != track.label:
                    continue
                overlap = iou(predicted, det.box)
                if overlap >= self.iou_threshold:
                    pairs.append((-overlap, ti, di))
        pairs.sort()
        matched_tracks: dict[int, int] = {}
        used: set[int] = set()
        for _, ti, di in pairs:
            if ti not in matched_tracks and di not in used:
                matched_tracks[ti] = di
                used.add(di)
        kept: list[TrackedBox] = []
        for ti, track in enumerate(self._tracks):
            if ti in matched_tracks:
                kept.append(self._continue(track, dets[matched_tracks[ti]]))
            elif track.missed + 1 <= self.max_missed:
                kept.append(replace(track, missed=track.missed + 1))
        for di, det in enumerate(dets):
            if di not in used:
                kept.append(TrackedBox(self._new_id(det.label), det.label, det.score, det.box))
        self._tracks = kept
        return self.tracks()

    def _continue(self, track: TrackedBox, det: Detection) -> TrackedBox:
        steps = track.missed + 1
        a = self.velocity_smoothing
        step = tuple((n - o) / steps for n, o in zip(det.box, track.box))
        if track.hits == 1:  # no history yet: the one step seen is the best guess
            velocity = step
        else:
            velocity = tuple(a * v + (1.0 - a) * s for v, s in zip(track.velocity, step))
        return TrackedBox(
            id=track.id,
            label=track.label if self.match_labels else det.label,
            score=det.score,
            box=det.box,
            hits=track.hits + 1,
            missed=0,
            velocity=(velocity[0], velocity[1], velocity[2], velocity[3]),
        )

    def tracks(self) -> list[TrackedBox]:
        """The live tracks with at least ``min_hits`` detections, oldest first."""
        return [t for t in self._tracks if t.hits >= self.min_hits]

    def objects(self) -> tuple[TrackedObject, ...]:
        """The reported tracks as scene objects, for anchoring cards."""
        return tuple(t.to_object() for t in self.tracks())


__all__ = [
    "BOX_FORMATS",
    "BoxTracker",
    "Detection",
    "TrackedBox",
    "iou",
    "make_detection",
]
