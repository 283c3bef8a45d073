"""Waveglass: the heads-up display layer of AI glasses, in Python.

The package follows one data flow per frame::

    frame source -> trackers -> gestures / anchors -> layout -> scene -> renderer -> optics

Everything up to the scene is plain Python and numpy (unit-testable without GL);
only :mod:`hud.render` imports moderngl or pyglet.
"""

from hud.errors import HudError

__version__ = "0.1.0"
__all__ = ["HudError", "__version__"]
