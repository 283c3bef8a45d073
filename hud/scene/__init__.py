"""The scene: what the glasses should show, as plain data, and how it is read from a file.

- :mod:`hud.scene.model`: the frozen dataclasses (world, objects, cards, viewer, display).
- :mod:`hud.scene.load`: the JSON parser with JSON-path errors, and the world image.
- :mod:`hud.scene.timeline`: what a card shows at a time (its streamed text and state).
"""

from hud.scene.load import SceneError, load_scene, parse_scene, world_pixels
from hud.scene.model import (
    CARD_SOLVERS,
    CARD_STATES,
    SCENE_VERSION,
    Animation,
    Card,
    DisplaySettings,
    HeadKeyframe,
    HeadPath,
    ObjectPose,
    PosedObject,
    Scene,
    StreamChunk,
    Viewer,
    World,
)
from hud.scene.timeline import card_at, cards_at
from hud.trackers.results import TrackedObject

__all__ = [
    "CARD_SOLVERS",
    "CARD_STATES",
    "SCENE_VERSION",
    "Animation",
    "Card",
    "DisplaySettings",
    "HeadKeyframe",
    "HeadPath",
    "ObjectPose",
    "PosedObject",
    "Scene",
    "SceneError",
    "StreamChunk",
    "TrackedObject",
    "Viewer",
    "World",
    "card_at",
    "cards_at",
    "load_scene",
    "parse_scene",
    "world_pixels",
]
