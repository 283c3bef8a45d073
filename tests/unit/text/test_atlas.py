"""The text atlas hands out entries that stay valid for a whole frame."""

from __future__ import annotations

import pytest

from hud.errors import HudError
from hud.text import TextAtlas, rasterize


def _fits(atlas: TextAtlas, key: tuple[str, int, bool], entry) -> bool:
    """The atlas pixels under ``entry`` are exactly the rasterised text."""
    bitmap = rasterize(*key)[:, : entry.w]
    return bool(
        (atlas.pixels[entry.y : entry.y + entry.h, entry.x : entry.x + entry.w] == bitmap).all()
    )


def test_a_batch_that_fills_the_atlas_is_placed_again_whole() -> None:
    atlas = TextAtlas(256, 64)
    first = [(f"warm {i}", 20, False) for i in range(6)]
    atlas.get_many(first)
    batch = [(f"frame {i}", 20, False) for i in range(6)]
    entries = atlas.get_many(batch)
    assert atlas.clears >= 1  # the old texts had to go...
    for key, entry in zip(batch, entries):
        assert atlas.entries[key] is entry  # ...and every entry of this frame is current
        assert _fits(atlas, key, entry)


def test_a_batch_larger_than_the_atlas_is_an_error() -> None:
    atlas = TextAtlas(128, 32)
    with pytest.raises(HudError, match="do not fit"):
        atlas.get_many([(f"line {i}", 24, False) for i in range(12)])
