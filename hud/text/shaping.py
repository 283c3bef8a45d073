"""Text for the display: shaping and rasterising Korean and English, packed into an atlas.

Glyphs are rasterised on the CPU by FreeType (through Pillow) from the bundled OFL font
NanumSquareRound, which covers all 11,172 Hangul syllables and Latin, so answers look the
same on every machine. The renderer uploads the atlas once and draws one quad per line of
text; nothing here touches OpenGL.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FILES = {False: "NanumSquareRoundR.ttf", True: "NanumSquareRoundB.ttf"}


@lru_cache(maxsize=64)
def font(size_px: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / FONT_FILES[bold]), size=max(4, int(size_px)))


def text_width(text: str, size_px: int, bold: bool = False) -> float:
    return float(font(size_px, bold).getlength(text))


def line_height(size_px: int) -> int:
    return int(round(size_px * 1.3))


def wrap(
    text: str, size_px: int, max_width: float, bold: bool = False, max_lines: int = 4
) -> list[str]:
    """Break ``text`` into lines no wider than ``max_width`` pixels.

    Breaks at spaces first; a word wider than a line (common in Korean, which is written
    with spaces between words but has long compounds, and in URLs) is broken between
    characters. Overflowing text ends with an ellipsis so nothing is silently cut.

    The cost follows what is shown, not the text's length: breaking stops once the lines
    overflow ``max_lines``, and a long word's cut is found by bisection over a prefix no
    longer than a line can hold, so a 10,000-character answer costs what 4 lines cost.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split(" "):
            if len(lines) > max_lines:
                break
            candidate = word if not current else f"{current} {word}"
            if text_width(candidate, size_px, bold) <= max_width:
                current = candidate
                continue
            if current:
                lines.append(current)
                current = ""
            while len(word) > 1 and len(lines) <= max_lines:
                cut = _longest_fit(word, size_px, bold, max_width)
                if cut == len(word):
                    break
                lines.append(word[:cut])
                word = word[cut:]
            current = word
        lines.append(current)
        if len(lines) > max_lines:
            break
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and text_width(last + "…", size_px, bold) > max_width:
            last = last[:-1]
        lines[-1] = last + "…"
    return lines


def _longest_fit(word: str, size_px: int, bold: bool, max_width: float) -> int:
    """The longest prefix of ``word`` (at least one character) no wider than
    ``max_width``. No glyph of the bundled font is narrower than a fifth of its size, so
    no line holds more than ``max_width / (0.2 · size)`` characters: the search looks no
    further, and widths grow with the prefix, so bisection finds the cut."""
    hi = min(len(word), int(max_width / (0.2 * max(size_px, 1))) + 2)
    if text_width(word[:hi], size_px, bold) <= max_width:
        return hi
    lo = 1
    while lo < hi - 1:
        mid = (lo + hi) // 2
        if text_width(word[:mid], size_px, bold) <= max_width:
            lo = mid
        else:
            hi = mid
    return lo
