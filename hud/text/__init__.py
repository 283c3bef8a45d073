"""Text for the display: Korean and English measured, wrapped and packed into an atlas.

- :mod:`hud.text.shaping`: the bundled OFL font (NanumSquareRound, all 11,172 Hangul
  syllables and Latin), text widths, line heights and line breaking.
- :mod:`hud.text.atlas`: rasterised runs packed into one texture atlas. No GL here.
"""

from hud.text.atlas import AtlasEntry, TextAtlas, rasterize
from hud.text.shaping import font, line_height, text_width, wrap

__all__ = ["AtlasEntry", "TextAtlas", "font", "line_height", "rasterize", "text_width", "wrap"]
