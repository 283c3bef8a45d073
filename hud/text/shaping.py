"""Shaping Korean and English with HarfBuzz on the bundled font.

The bundled OFL font NanumSquareRound (Regular and Bold) covers all 11,172 Hangul
syllables and Latin, so answers look the same on every machine. HarfBuzz gives glyph ids,
advances with the font's kerning (GPOS/kern) and offsets.

Shaping is done once per (text, bold) in font units and scaled to each size: HarfBuzz
applies no hinting, so its positions are linear in the size, and a card measured at its
title and body sizes, or drawn at another, shares one shaping. Nothing here touches
OpenGL; :mod:`hud.text.atlas` turns the glyph ids into distance-field bitmaps.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
import uharfbuzz as hb  # type: ignore[import-untyped]
from PIL import ImageFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FILES = {False: "NanumSquareRoundR.ttf", True: "NanumSquareRoundB.ttf"}
#: Font design units per em of the bundled fonts (their ``head.unitsPerEm``).
UNITS_PER_EM = 1000
#: hhea ascender and descender of both bundled weights, in font units.
ASCENDER = 850
DESCENDER = 255
#: Advance given to a character the font lacks (drawn as the fallback box), in font units.
MISSING_ADVANCE = 600


def font_path(bold: bool = False) -> Path:
    return FONT_DIR / FONT_FILES[bool(bold)]


@lru_cache(maxsize=64)
def font(size_px: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """The bundled font for Pillow, for annotations drawn on images (not the display)."""
    return ImageFont.truetype(str(font_path(bold)), size=max(4, int(size_px)))


@lru_cache(maxsize=2)
def _hb_font(bold: bool) -> hb.Font:
    """A HarfBuzz font at its design scale (positions come back in font units)."""
    face = hb.Face(hb.Blob.from_file_path(str(font_path(bold))))
    return hb.Font(face)


@dataclass(frozen=True, eq=False)
class ShapedRun:
    """One shaped line: per glyph its id, the character it starts at and its placement.

    Advances and offsets are in pixels at the size asked for (y offsets up, as in fonts).
    Glyph id 0 is a character the font lacks; it advances like a box and is drawn as one.
    """

    glyphs: npt.NDArray[np.uint32]
    clusters: npt.NDArray[np.int32]
    x_advance: npt.NDArray[np.float32]
    x_offset: npt.NDArray[np.float32]
    y_offset: npt.NDArray[np.float32]
    width: float


@dataclass(frozen=True, eq=False)
class _Units:
    """A shaping in font units, the one every size scales (see the module docstring)."""

    glyphs: npt.NDArray[np.uint32]
    clusters: npt.NDArray[np.int32]
    advances: npt.NDArray[np.int32]
    x_offsets: npt.NDArray[np.int32]
    y_offsets: npt.NDArray[np.int32]
    width: int


def _hb_shape(text: str, bold: bool) -> _Units:
    """Shape ``text`` with HarfBuzz (uncached: every call is real work)."""
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    hb.shape(_hb_font(bold), buf, {})
    infos = buf.glyph_infos or []
    pos = buf.glyph_positions or []  # HarfBuzz gives None for an empty buffer
    glyphs = np.fromiter((i.codepoint for i in infos), np.uint32, len(infos))
    advances = np.fromiter((p.x_advance for p in pos), np.int32, len(pos))
    advances[glyphs == 0] = MISSING_ADVANCE
    return _Units(
        glyphs=glyphs,
        clusters=np.fromiter((i.cluster for i in infos), np.int32, len(infos)),
        advances=advances,
        x_offsets=np.fromiter((p.x_offset for p in pos), np.int32, len(pos)),
        y_offsets=np.fromiter((p.y_offset for p in pos), np.int32, len(pos)),
        width=int(advances.sum()),
    )


#: Shapings kept: a few frames of every card's words and lines. Streaming text makes a
#: new string every frame, so the bound is what keeps a long session's memory flat.
SHAPING_CACHE_SIZE = 2048


@lru_cache(maxsize=SHAPING_CACHE_SIZE)
def _units(text: str, bold: bool) -> _Units:
    return _hb_shape(text, bold)


def clear_cache() -> None:
    """Forget every shaping (tests counting shaping work start from here)."""
    _units.cache_clear()


def shape(text: str, size_px: float, bold: bool = False) -> ShapedRun:
    """Glyphs and their placement for one line of ``text`` at ``size_px`` (px per em)."""
    u = _units(text, bool(bold))
    k = float(size_px) / UNITS_PER_EM
    return ShapedRun(
        glyphs=u.glyphs,
        clusters=u.clusters,
        x_advance=(u.advances * k).astype(np.float32),
        x_offset=(u.x_offsets * k).astype(np.float32),
        y_offset=(u.y_offsets * k).astype(np.float32),
        width=u.width * k,
    )


def text_width(text: str, size_px: float, bold: bool = False) -> float:
    """The advance width of one line of ``text`` in pixels (kerning included)."""
    if not text:
        return 0.0
    return _units(text, bool(bold)).width * float(size_px) / UNITS_PER_EM


def char_offsets(text: str, size_px: float, bold: bool = False) -> npt.NDArray[np.float64]:
    """Where each character of ``text`` starts, shaped as one line: ``len(text) + 1``
    pixel positions (the last is the width). Characters inside one cluster (a ligature,
    a base and its marks) share the cluster's start; a line broken between two
    characters of one cluster measures its first part as the whole cluster."""
    u = _units(text, bool(bold))
    per_char = np.zeros(len(text) + 1, np.float64)
    np.add.at(per_char, u.clusters + 1, u.advances.astype(np.float64))
    return np.cumsum(per_char) * (float(size_px) / UNITS_PER_EM)


def line_height(size_px: float) -> int:
    return int(round(size_px * 1.3))


def baseline_offset(size_px: float) -> float:
    """From the top of a line box (``line_height`` tall) down to its baseline, in px.

    The font's ascender-to-descender band is centred in the box, so the spare leading is
    shared above and below and lines of one size stack evenly.
    """
    band = (ASCENDER + DESCENDER) * float(size_px) / UNITS_PER_EM
    return (line_height(size_px) - band) / 2 + ASCENDER * float(size_px) / UNITS_PER_EM
