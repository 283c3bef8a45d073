"""The scene: what the glasses should show, as plain data.

A scene names a display profile, the world the wearer looks at (an image with its field of
view and how bright the surroundings are), the objects tracked in it and the answer cards
the assistant wants to show. It holds no GL types: the renderer is a function of it.

:func:`parse_scene` validates a JSON document and reports the JSON path of the first bad
field (``$.cards[0].anchor``), because a user editing a scene by hand needs to know where.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hud.trackers.results import TrackedObject

SCENE_VERSION = 1
CARD_STATES = ("done", "thinking", "listening", "info", "warning", "error")


@dataclass(frozen=True)
class World:
    """The view through the glasses: an image and the photometry of the surroundings."""

    image: str | None
    #: Horizontal field of view of the world image; maps image pixels to visual angles.
    fov_h_deg: float = 70.0
    #: Luminance of a diffuse white surface in the surroundings (cd/m²): ~100 indoors,
    #: ~10,000 in direct sun.
    ambient_nits: float = 250.0
    #: Distance of the world for the binocular approximation (one plane), metres.
    depth_m: float = 3.0
    #: Solid colour (sRGB 0-1) used when no image is given; width/height then set the size.
    color: tuple[float, float, float] = (0.5, 0.5, 0.5)
    width: int = 1280
    height: int = 720


@dataclass(frozen=True)
class Card:
    """One answer from the assistant, optionally anchored to a tracked object."""

    id: str
    title: str
    body: str = ""
    anchor: str | None = None
    state: str = "done"


@dataclass(frozen=True)
class Viewer:
    """Where the wearer's eye and head are: pupil offset in the eyebox and head motion."""

    pupil_offset_mm: tuple[float, float] = (0.0, 0.0)
    #: Head angular velocity (yaw right, pitch down) in degrees per second; with the latency
    #: effect on, world-anchored content lags by velocity × motion-to-photon latency.
    head_rate_dps: tuple[float, float] = (0.0, 0.0)


@dataclass(frozen=True)
class DisplaySettings:
    #: Fraction of peak luminance, or None for automatic (ambient-light-sensor) brightness.
    brightness: float | None = None


@dataclass(frozen=True)
class Scene:
    profile: str
    world: World
    objects: tuple[TrackedObject, ...] = ()
    cards: tuple[Card, ...] = ()
    viewer: Viewer = field(default_factory=Viewer)
    display: DisplaySettings = field(default_factory=DisplaySettings)
    #: Folder that relative paths (world image, profile files) are resolved against.
    base_dir: str = "."
    version: int = SCENE_VERSION

    def object_by_id(self, oid: str) -> TrackedObject | None:
        for obj in self.objects:
            if obj.id == oid:
                return obj
        return None

    def resolve(self, path: str) -> Path:
        p = Path(path)
        return p if p.is_absolute() else Path(self.base_dir) / p


# --- parsing -------------------------------------------------------------------------
