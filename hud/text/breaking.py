"""Line breaking for cards: English at spaces, Korean between eojeol, long words cut.

Korean is written with spaces between words (eojeol), so both languages break at spaces;
a word wider than a line (a long compound, a URL) is broken between characters
(syllables, for Hangul). Text that does not fit the line budget ends with "…" and the
result says it was cut, so a card can show that more exists.

The cost follows what is shown, not what an assistant sent: each line shapes a window of
the text no longer than a line can hold (plus a little), so a 200,000-character answer
costs what its first few lines cost. No newline search, split or copy looks past it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hud.text import shaping

ELLIPSIS = "…"
#: No glyph of the bundled font is narrower than this many em (the narrowest, "i" and
#: punctuation, are about 0.25 em; the space 0.23): a line of ``w`` px at ``size`` holds
#: at most ``w / (MIN_ADVANCE_EM · size)`` characters. The window is widened if a line
#: ever holds more, so this bounds the work, never the result.
MIN_ADVANCE_EM = 0.2


@dataclass(frozen=True)
class WrapResult:
    """The lines to show, and whether text was left out (the last line then ends "…")."""

    lines: tuple[str, ...]
    truncated: bool


def wrap_result(
    text: str, size_px: float, max_width: float, bold: bool = False, max_lines: int = 4
) -> WrapResult:
    """Break ``text`` into at most ``max_lines`` lines no wider than ``max_width`` px.

    ``\\n`` starts a new line. Always at least one line (``""`` for empty text).
    """
    max_lines = max(1, int(max_lines))
    lines: list[str] = []
    pos, n = 0, len(text)
    while True:
        line, pos, para_end = _next_line(text, pos, size_px, max_width, bold)
        lines.append(line)
        if para_end:
            pos += 1  # past the "\n"
        elif pos >= n:
            return WrapResult(tuple(lines), False)
        if len(lines) == max_lines:
            if pos >= n:  # only a final "\n" is left: nothing is cut
                return WrapResult(tuple(lines), False)
            lines[-1] = _with_ellipsis(lines[-1], size_px, max_width, bold)
            return WrapResult(tuple(lines), True)


def _next_line(
    text: str, start: int, size_px: float, max_width: float, bold: bool
) -> tuple[str, int, bool]:
    """The line starting at ``start``: (its text, where the next line starts, whether it
    ended at a "\\n" found at that position)."""
    cap = int(max_width / (MIN_ADVANCE_EM * max(float(size_px), 1.0))) + 2
    while True:
        stop = min(len(text), start + cap)
        newline = text.find("\n", start, stop)
        window = text[start : newline if newline >= 0 else stop]
        offsets = shaping.char_offsets(window, size_px, bold)
        whole = newline >= 0 or stop == len(text)
        if offsets[-1] <= max_width and whole:
            return window, start + len(window), newline >= 0
        if offsets[-1] > max_width or len(window) == 0:
            break
        cap *= 2  # every character narrower than MIN_ADVANCE_EM: look further
    # The longest prefix whose shaped width fits (at least one character).
    fit = max(1, int(np.searchsorted(offsets, max_width, side="right")) - 1)
    space = window.rfind(" ", 0, fit + 1)
    if space > 0 and window[:space].strip(" "):
        line = window[:space].rstrip(" ")
        if shaping.text_width(line, size_px, bold) <= max_width:
            nxt = space
            while nxt < len(window) and window[nxt] == " ":
                nxt += 1
            return line, start + nxt, False
        fit = len(line)
    fit = _exact_fit(window, fit, size_px, max_width, bold)
    return window[:fit], start + fit, False


def _exact_fit(window: str, fit: int, size_px: float, max_width: float, bold: bool) -> int:
    """Correct a cut found in the shaped window to the longest prefix that fits when
    shaped alone (kerning across the cut is gone then): a step or two each way."""
    while fit > 1 and shaping.text_width(window[:fit], size_px, bold) > max_width:
        fit -= 1
    while (
        fit < len(window)
        and window[fit] != " "
        and shaping.text_width(window[: fit + 1], size_px, bold) <= max_width
    ):
        fit += 1
    return fit


def _with_ellipsis(line: str, size_px: float, max_width: float, bold: bool) -> str:
    """``line`` shortened until it and "…" fit; trailing spaces go before the "…"."""
    # Widths grow with the prefix: bisect for the longest prefix that fits with "…".
    if shaping.text_width(line + ELLIPSIS, size_px, bold) <= max_width:
        return line.rstrip(" ") + ELLIPSIS
    lo, hi = 0, len(line)
    while lo < hi - 1:
        mid = (lo + hi) // 2
        if shaping.text_width(line[:mid] + ELLIPSIS, size_px, bold) <= max_width:
            lo = mid
        else:
            hi = mid
    return line[:lo].rstrip(" ") + ELLIPSIS


def wrap(
    text: str, size_px: int, max_width: float, bold: bool = False, max_lines: int = 4
) -> list[str]:
    """Lines of ``text`` no wider than ``max_width`` px (see :func:`wrap_result`)."""
    return list(wrap_result(text, size_px, max_width, bold, max_lines).lines)
