"""Text for the display: Korean and English sanitised, shaped, broken into lines, drawn.

- :mod:`hud.text.sanitize`: untrusted assistant text made safe to show (controls, bidi
  overrides and invisible characters removed, NFC).
- :mod:`hud.text.shaping`: the bundled OFL font (NanumSquareRound, all 11,172 Hangul
  syllables and Latin) shaped by HarfBuzz: glyphs, kerned advances, widths, line metrics.
- :mod:`hud.text.breaking`: lines for a card (spaces, then between characters; "…").
- :mod:`hud.text.atlas`: signed-distance-field glyphs packed into one atlas. No GL here.
"""

from hud.text.atlas import BASE_PX, SPREAD, GlyphAtlas, GlyphEntry
from hud.text.breaking import WrapResult, wrap, wrap_result
from hud.text.sanitize import sanitize
from hud.text.shaping import (
    ShapedRun,
    baseline_offset,
    font,
    line_height,
    shape,
    text_width,
)

__all__ = [
    "BASE_PX",
    "SPREAD",
    "GlyphAtlas",
    "GlyphEntry",
    "ShapedRun",
    "WrapResult",
    "baseline_offset",
    "font",
    "line_height",
    "sanitize",
    "shape",
    "text_width",
    "wrap",
    "wrap_result",
]
