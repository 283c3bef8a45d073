"""Layout: from a scene to a display list in display pixels.

- :mod:`hud.layout.cards`: a card's typography, content (title chip, glance budget) and
  drawing, sized in degrees of visual angle.
- :mod:`hud.layout.engine`: :class:`CardLayout`, cards over time: solvers anchor them,
  the temporal placement keeps them apart, stable and inside the FOV.
- :mod:`hud.layout.placement`: where cards go (no overlaps, hysteresis, smooth motion).
- :mod:`hud.layout.metrics`: overlap, leader crossings, anchor distance, motion, relayouts.
- :mod:`hud.layout.timeline`: a scene over time (head motion, objects, streamed answers).
- :mod:`hud.layout.lint`: what a wearer would struggle to read.
- :mod:`hud.layout.display_list`: the display list types the renderer draws.
"""

from hud.layout.cards import STATE_COLOURS, LayoutMetrics
from hud.layout.display_list import RGB, DisplayList, Line, Panel, TextRun
from hud.layout.engine import CardLayout, CardLayoutOptions, layout_eye, layout_scene

__all__ = [
    "RGB",
    "STATE_COLOURS",
    "CardLayout",
    "CardLayoutOptions",
    "DisplayList",
    "LayoutMetrics",
    "Line",
    "Panel",
    "TextRun",
    "layout_eye",
    "layout_scene",
]
