"""Anchors: where on the display a thing in the world appears.

:mod:`hud.anchors.view` maps camera-image pixels to eye directions and display pixels for
one profile and eye; :mod:`hud.anchors.tracked` turns what the trackers found (markers,
head poses) into objects and head motion; layout places cards from there.
"""

from hud.anchors.tracked import HeadMotion, HeadPose, marker_objects, merge_objects
from hud.anchors.view import Eye, ViewGeometry, display_eyes, has_display

__all__ = [
    "Eye",
    "HeadMotion",
    "HeadPose",
    "ViewGeometry",
    "display_eyes",
    "has_display",
    "marker_objects",
    "merge_objects",
]
