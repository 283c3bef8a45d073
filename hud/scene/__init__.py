"""The scene: what the glasses should show, as plain data, and how it is read from a file.

- :mod:`hud.scene.model`: the frozen dataclasses (world, objects, cards, viewer, display).
- :mod:`hud.scene.load`: the JSON parser with JSON-path errors, and the world image.
"""

from hud.scene.load import SceneError, load_scene, parse_scene, world_pixels
from hud.scene.model import (
    CARD_STATES,
    SCENE_VERSION,
    Card,
    DisplaySettings,
    Scene,
    Viewer,
    World,
)
from hud.trackers.results import TrackedObject

__all__ = [
    "CARD_STATES",
    "SCENE_VERSION",
    "Card",
    "DisplaySettings",
    "Scene",
    "SceneError",
    "TrackedObject",
    "Viewer",
    "World",
    "load_scene",
    "parse_scene",
    "world_pixels",
]
