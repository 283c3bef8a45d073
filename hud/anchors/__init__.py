"""Anchors: where on the display a thing in the world appears.

:mod:`hud.anchors.view` maps camera-image pixels to eye directions and display pixels for
one profile and eye; layout places cards from there.
"""

from hud.anchors.view import ViewGeometry

__all__ = ["ViewGeometry"]
