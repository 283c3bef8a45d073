"""Signed-distance-field glyphs packed into one atlas that the renderer uploads.

Each glyph is rendered once, by FreeType, as an 8-bit signed distance field at one base
size (:data:`BASE_PX` px per em, distances out to :data:`SPREAD` px each side of the
outline, 128 on it, higher inside), and the same field draws every display size from
about 9 px to 100 px: the shader turns distance into coverage at the pixel's own scale.
FreeType's bitmap-to-SDF renderer is used (the outline is rasterised at the base size
first, then the distance transform runs on that bitmap): four times faster than its
outline SDF renderer with the same values to within a code or two at this size.

Glyphs are shelf-packed on demand; a full atlas doubles its height (up to
``max_height``) rather than starting over mid-frame, and only when even that is full is
it cleared, between the glyphs of two frames (:meth:`GlyphAtlas.place_many`). Nothing
here touches OpenGL: ``generation`` and :meth:`GlyphAtlas.dirty_rows` tell the renderer
what to upload.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import freetype  # type: ignore[import-untyped]
import numpy as np
import numpy.typing as npt

from hud.errors import HudError
from hud.text.shaping import MISSING_ADVANCE, UNITS_PER_EM, font_path

#: The em size glyph fields are rendered at, px: big enough that a 100 px line is a
#: two-fold magnification (a distance field stays sharp far beyond that), small enough
#: that a Hangul syllable takes about 60×60 texels.
BASE_PX = 48
#: FreeType's default SDF spread: the field reaches this many base px each side of an
#: outline, which is 1.5 px of anti-aliasing range even at 9 px text.
SPREAD = 8
#: Texels between packed glyphs, so bilinear filtering never reads a neighbour.
_GAP = 1
#: The fallback box for characters the font lacks, in em: width, height, stroke.
_BOX = (MISSING_ADVANCE / UNITS_PER_EM - 0.1, 0.72, 0.06)


@dataclass(frozen=True)
class GlyphEntry:
    """Where a glyph's field sits in the atlas (texels) and where it goes relative to
    the pen (base px, y up from the baseline to the bitmap's top edge)."""

    x: int
    y: int
    w: int
    h: int
    left: float
    top: float


class GlyphAtlas:
    """A growing, shelf-packed atlas of distance-field glyphs, one entry per (glyph, bold)."""

    def __init__(self, width: int = 2048, height: int = 256, max_height: int = 4096) -> None:
        if not 0 < height <= max_height:
            raise HudError(f"a glyph atlas height of {height} exceeds its maximum {max_height}")
        self.width = width
        self.max_height = max_height
        self.pixels = np.zeros((height, width), dtype=np.uint8)
        self.entries: dict[tuple[int, bool], GlyphEntry] = {}
        self._shelf_y = self._shelf_h = self._cursor_x = 0
        #: Bumped whenever pixels change, so the renderer knows to upload.
        self.generation = 0
        #: Bumped when the atlas is cleared (every entry given out before is void).
        self.clears = 0
        # (generation, first row, end row) per change since the last clear.
        self._log: list[tuple[int, int, int]] = []

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])

    def get(self, glyph: int, bold: bool = False) -> GlyphEntry:
        """The entry for one glyph, rendering and packing it on first use.

        Glyph 0 (a character the font lacks) is the fallback box, never nothing.
        Raises :class:`AtlasFullError` if it does not fit even at the maximum height.
        """
        key = (int(glyph), bool(bold))
        entry = self.entries.get(key)
        if entry is None:
            field, left, top = _glyph_field(*key)
            entry = self._pack(field, left, top)
            self.entries[key] = entry
        return entry

    def place_many(self, keys: Sequence[tuple[int, bool]]) -> list[GlyphEntry]:
        """Entries for one frame's glyphs, all valid together.

        If the atlas fills at its maximum size part-way, it is cleared and the frame's
        glyphs are placed again in the empty atlas; a frame whose glyphs do not fit even
        there is an error, not garbled text.
        """
        try:
            return [self.get(g, b) for g, b in keys]
        except AtlasFullError:
            self.clear()
        try:
            return [self.get(g, b) for g, b in keys]
        except AtlasFullError:
            raise HudError(
                f"the glyphs of one frame do not fit a {self.width}×{self.max_height} glyph atlas"
            ) from None

    def dirty_rows(self, since_generation: int) -> tuple[int, int] | None:
        """Rows [first, end) changed after ``since_generation``; ``None`` when the whole
        atlas must be uploaded (cleared or grown since, as far as the log can tell)."""
        if since_generation >= self.generation:
            return (0, 0)
        if not self._log or since_generation < self._log[0][0] - 1:
            return None
        changed = self._log[bisect_right(self._log, (since_generation, 1 << 30, 0)) :]
        return (min(c[1] for c in changed), max(c[2] for c in changed))

    def clear(self) -> None:
        """Start over (the atlas is a cache: every glyph can be rendered again)."""
        self.clears += 1
        self.pixels[:] = 0
        self.entries.clear()
        self._shelf_y = self._shelf_h = self._cursor_x = 0
        self.generation += 1
        self._log.clear()

    def _pack(self, field: npt.NDArray[np.uint8], left: float, top: float) -> GlyphEntry:
        h, w = field.shape
        if w + _GAP > self.width:
            raise HudError(f"a glyph {w} texels wide does not fit a {self.width}-wide atlas")
        if self._cursor_x + w + _GAP > self.width:
            self._shelf_y += self._shelf_h + _GAP
            self._cursor_x = self._shelf_h = 0
        while self._shelf_y + h + _GAP > self.height:
            self._grow()
        x, y = self._cursor_x + _GAP, self._shelf_y + _GAP
        self.pixels[y : y + h, x : x + w] = field
        self._cursor_x += w + _GAP
        self._shelf_h = max(self._shelf_h, h)
        self.generation += 1
        self._log.append((self.generation, y, y + h))
        return GlyphEntry(x, y, w, h, left, top)

    def _grow(self) -> None:
        """Double the height, keeping every entry where it is (the renderer reallocates
        its texture, seeing the new size; the log forgets rows it can no longer vouch for)."""
        if self.height >= self.max_height:
            raise AtlasFullError(f"glyph atlas full at {self.width}×{self.height}")
        grown = np.zeros((min(self.max_height, self.height * 2), self.width), np.uint8)
        grown[: self.height] = self.pixels
        self.pixels = grown
        self.generation += 1
        self._log.clear()


class AtlasFullError(HudError):
    """The atlas has no room left at its maximum size (caught by ``place_many``)."""


@lru_cache(maxsize=2)
def _face(bold: bool) -> freetype.Face:
    face = freetype.Face(str(font_path(bold)))
    face.set_pixel_sizes(BASE_PX, BASE_PX)
    return face


def _glyph_field(glyph: int, bold: bool) -> tuple[npt.NDArray[np.uint8], float, float]:
    """A glyph's distance field and its bitmap's offset from the pen (left, top; base px).

    A glyph without an outline (a space) is an empty field; glyph 0 is the fallback box.
    """
    if glyph == 0:
        return _fallback_box()
    face = _face(bold)
    face.load_glyph(glyph, freetype.FT_LOAD_NO_HINTING)
    slot = face.glyph
    if slot.outline.n_contours <= 0:
        return np.zeros((0, 0), np.uint8), 0.0, 0.0
    slot.render(freetype.FT_RENDER_MODE_NORMAL)
    slot.render(freetype.FT_RENDER_MODE_SDF)
    bm = slot.bitmap
    if bm.width == 0 or bm.rows == 0:
        return np.zeros((0, 0), np.uint8), 0.0, 0.0
    rows = np.frombuffer(bytes(bm.buffer), np.uint8).reshape(bm.rows, abs(bm.pitch))
    return rows[:, : bm.width].copy(), float(slot.bitmap_left), float(slot.bitmap_top)


@lru_cache(maxsize=1)
def _fallback_box() -> tuple[npt.NDArray[np.uint8], float, float]:
    """A hollow rectangle's distance field, drawn for characters the font lacks: a box
    is visibly "something here that cannot be shown", where nothing would hide it."""
    em = BASE_PX
    bw, bh, stroke = (v * em for v in _BOX)
    side_bearing = 0.05 * em  # the box is centred in its advance (MISSING_ADVANCE)
    w = int(np.ceil(bw)) + 2 * SPREAD
    h = int(np.ceil(bh)) + 2 * SPREAD
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64) + 0.5
    # Signed distance to the box's centre line (rounded rectangle), minus half a stroke.
    cx, cy = w / 2, h / 2
    hx, hy = (bw - stroke) / 2, (bh - stroke) / 2
    qx, qy = np.abs(xs - cx) - hx, np.abs(ys - cy) - hy
    outside = np.hypot(np.maximum(qx, 0), np.maximum(qy, 0)) + np.minimum(np.maximum(qx, qy), 0)
    inside = stroke / 2 - np.abs(outside)  # > 0 on the stroke
    field = np.clip(np.round(128 + inside * (128 / SPREAD)), 0, 255).astype(np.uint8)
    field.setflags(write=False)
    # The box stands on the baseline, ``side_bearing`` right of the pen.
    return field, side_bearing - (w - bw) / 2, bh + (h - bh) / 2
