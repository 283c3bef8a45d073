"""What the trackers found, as anchors the layout can place cards against.

A card names the object it describes by id. Objects come from the scene (a box the app or
a detector gave) and from markers seen this frame: marker 7 of any dictionary is the
object ``marker-7``, its box the bounding box of its corners. A scene may declare an object
``marker-7`` with its own label; while the marker is seen its box follows the marker, and
when it is not, the declared box stays (so the card does not jump to the head).

Head motion: the latency effect needs the head's angular velocity, which a host that
tracks the head gives as a pose per step; :class:`HeadMotion` differentiates the poses
over the frames' own timestamps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from hud.trackers.results import MarkerResult, TrackedObject


@dataclass(frozen=True)
class HeadPose:
    """The head's orientation at one frame, degrees: yaw right, pitch down, roll clockwise."""

    yaw_deg: float
    pitch_deg: float
    roll_deg: float = 0.0


def marker_object_id(marker: MarkerResult) -> str:
    return f"marker-{marker.id}"


def marker_objects(
    markers: Sequence[MarkerResult], image_size: tuple[int, int]
) -> tuple[TrackedObject, ...]:
    """One object per marker: its corners' bounding box, normalised to the image."""
    w, h = image_size
    out = []
    seen: set[str] = set()
    for marker in markers:
        oid = marker_object_id(marker)
        if oid in seen:  # the same id in two dictionaries: the first (sorted) wins
            continue
        seen.add(oid)
        lo = np.clip(marker.corners.min(axis=0) / (w, h), 0.0, 1.0)
        hi = np.clip(marker.corners.max(axis=0) / (w, h), 0.0, 1.0)
        if hi[0] <= lo[0] or hi[1] <= lo[1]:
            continue  # a marker squeezed to nothing at the image edge
        box = (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))
        depth = float(marker.tvec[2]) if marker.has_pose and marker.tvec is not None else None
        if depth is not None and not 0.1 <= depth <= 1e4:
            depth = None
        out.append(TrackedObject(id=oid, label=f"marker {marker.id}", box=box, depth_m=depth))
    return tuple(out)


def merge_objects(
    declared: Sequence[TrackedObject], tracked: Sequence[TrackedObject]
) -> tuple[TrackedObject, ...]:
    """The scene's objects with the tracked boxes applied, then tracked objects it lacks.

    A declared object keeps its label (the app knows what the marker is on); its box and
    depth follow the tracker while it is seen.
    """
    by_id = {obj.id: obj for obj in tracked}
    merged = []
    for obj in declared:
        seen = by_id.pop(obj.id, None)
        if seen is None:
            merged.append(obj)
        else:
            merged.append(TrackedObject(obj.id, obj.label, seen.box, seen.depth_m or obj.depth_m))
    merged.extend(by_id.values())
    return tuple(merged)


class HeadMotion:
    """Head angular velocity (yaw, pitch in °/s) from successive poses and timestamps."""

    def __init__(self) -> None:
        self._last: tuple[int, HeadPose] | None = None

    def update(self, timestamp_ms: int, pose: HeadPose | None) -> tuple[float, float] | None:
        """The rate since the previous pose, or ``None`` for the first one (or no pose)."""
        if pose is None:
            self._last = None
            return None
        last, self._last = self._last, (timestamp_ms, pose)
        if last is None or timestamp_ms <= last[0]:
            return None
        dt = (timestamp_ms - last[0]) / 1000.0
        dyaw = (pose.yaw_deg - last[1].yaw_deg + 180.0) % 360.0 - 180.0  # across ±180°
        return (dyaw / dt, (pose.pitch_deg - last[1].pitch_deg) / dt)
