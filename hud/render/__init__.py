"""The render layer: the only part of Waveglass that imports moderngl or pyglet.

- :mod:`hud.render.context`: headless (EGL) and window (pyglet) GL contexts.
- :mod:`hud.render.display`: draws a :class:`hud.layout.DisplayList` into the display's
  framebuffer (the light the microdisplay emits).
- :mod:`hud.render.compositor`: the optics, world + display -> what the eye sees.
- :mod:`hud.render.renderer`: scene in, frames (numpy arrays) out.
"""
