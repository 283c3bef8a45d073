"""Rasterised text packed into one texture atlas that the renderer uploads.

Nothing here touches OpenGL: the atlas is a numpy image and a table of where each run of
text sits in it; :mod:`hud.render.display` uploads it when its generation changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw

from hud.errors import HudError
from hud.text.shaping import font, line_height


def rasterize(text: str, size_px: int, bold: bool = False) -> npt.NDArray[np.uint8]:
    """Coverage (0-255) of one line of text, height ``line_height(size_px)``."""
    f = font(size_px, bold)
    w = max(1, int(np.ceil(f.getlength(text))) + 2)
    h = line_height(size_px)
    img = Image.new("L", (w, h), 0)
    ascent, descent = f.getmetrics()
    top = (h - (ascent + descent)) // 2
    ImageDraw.Draw(img).text((1, top), text, font=f, fill=255)
    return np.asarray(img, dtype=np.uint8)


@dataclass(frozen=True)
class AtlasEntry:
    x: int
    y: int
    w: int
    h: int


class TextAtlas:
    """A shelf-packed coverage atlas; the same (text, size, bold) is rasterised once."""

    def __init__(self, width: int = 1024, height: int = 1024) -> None:
        self.width = width
        self.height = height
        self.pixels = np.zeros((height, width), dtype=np.uint8)
        self.entries: dict[tuple[str, int, bool], AtlasEntry] = {}
        self._shelf_y = 0
        self._shelf_h = 0
        self._cursor_x = 0
        #: Bumped whenever pixels change, so the renderer knows to re-upload.
        self.generation = 0
        #: Bumped when the atlas fills up and starts over.
        self.clears = 0

    def get(self, text: str, size_px: int, bold: bool = False) -> AtlasEntry:
        key = (text, int(size_px), bold)
        entry = self.entries.get(key)
        if entry is not None:
            return entry
        bitmap = rasterize(text, size_px, bold)
        h, w = bitmap.shape
        w = min(w, self.width)
        if self._cursor_x + w > self.width:
            self._shelf_y += self._shelf_h + 1
            self._cursor_x = 0
            self._shelf_h = 0
        if self._shelf_y + h > self.height:
            self.clear()
        x, y = self._cursor_x, self._shelf_y
        self.pixels[y : y + h, x : x + w] = bitmap[:, :w]
        self._cursor_x += w + 1
        self._shelf_h = max(self._shelf_h, h)
        entry = AtlasEntry(x, y, w, h)
        self.entries[key] = entry
        self.generation += 1
        return entry

    def get_many(self, keys: list[tuple[str, int, bool]]) -> list[AtlasEntry]:
        """Entries for one frame's texts, all valid together.

        :meth:`get` may fill the atlas and start over part-way, which invalidates the
        entries it already gave out; then the whole batch is placed again in the empty
        atlas. A batch that does not fit even there is an error, not garbled text.
        """
        for _attempt in range(2):
            clears = self.clears
            entries = [self.get(*key) for key in keys]
            if self.clears == clears:
                return entries
            self.clear()
        raise HudError(f"the texts of one frame do not fit a {self.width}×{self.height} text atlas")

    def clear(self) -> None:
        """Start over (the atlas is a cache: everything in it can be rasterised again)."""
        self.clears += 1
        self.pixels[:] = 0
        self.entries.clear()
        self._shelf_y = self._shelf_h = self._cursor_x = 0
        self.generation += 1
