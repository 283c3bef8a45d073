"""Layout: from a scene to a display list in display pixels.

- :mod:`hud.layout.cards`: card placement in degrees of visual angle (never over another
  card, off the card's own object when there is room, pointing the way when the object is
  off the display, a "+N" badge when the display is full).
- :mod:`hud.layout.display_list`: the display list types the renderer draws.
"""

from hud.layout.cards import STATE_COLOURS, LayoutMetrics, layout_eye, layout_scene
from hud.layout.display_list import RGB, DisplayList, Line, Panel, TextRun

__all__ = [
    "RGB",
    "STATE_COLOURS",
    "DisplayList",
    "LayoutMetrics",
    "Line",
    "Panel",
    "TextRun",
    "layout_eye",
    "layout_scene",
]
