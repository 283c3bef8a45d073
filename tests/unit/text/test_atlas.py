"""The glyph atlas: FreeType's distance fields, packed, grown, never garbled mid-frame."""

from __future__ import annotations

import freetype
import numpy as np
import pytest

from hud.errors import HudError
from hud.text import BASE_PX, GlyphAtlas, shape
from hud.text.atlas import GlyphEntry
from hud.text.shaping import font_path


def glyphs(text: str, bold: bool = False) -> list[tuple[int, bool]]:
    return [(int(g), bold) for g in shape(text, BASE_PX, bold).glyphs]


def field(atlas: GlyphAtlas, e: GlyphEntry) -> np.ndarray:
    return atlas.pixels[e.y : e.y + e.h, e.x : e.x + e.w]


def test_entries_hold_freetypes_own_distance_field() -> None:
    atlas = GlyphAtlas(512, 64)
    face = freetype.Face(str(font_path(False)))
    face.set_pixel_sizes(BASE_PX, BASE_PX)
    for key in glyphs("H가"):
        e = atlas.get(*key)
        face.load_glyph(key[0], freetype.FT_LOAD_NO_HINTING)
        face.glyph.render(freetype.FT_RENDER_MODE_NORMAL)
        face.glyph.render(freetype.FT_RENDER_MODE_SDF)
        bm = face.glyph.bitmap
        expected = np.array(bm.buffer, np.uint8).reshape(bm.rows, bm.pitch)[:, : bm.width]
        assert (field(atlas, e) == expected).all()
        assert (e.left, e.top) == (face.glyph.bitmap_left, face.glyph.bitmap_top)
        # 128 is the outline: ink inside, nothing at the padded border.
        assert field(atlas, e).max() > 128 and field(atlas, e)[0].max() < 128


def test_regular_and_bold_are_separate_entries() -> None:
    atlas = GlyphAtlas(512, 64)
    (g,) = glyphs("가")
    regular, bold = atlas.get(g[0], False), atlas.get(g[0], True)
    assert regular != bold and atlas.get(g[0], False) is regular


def test_a_missing_glyph_is_a_visible_hollow_box() -> None:
    atlas = GlyphAtlas(512, 64)
    for bold in (False, True):
        e = atlas.get(0, bold)
        ink = field(atlas, e) >= 128
        assert ink.sum() > 50
        assert not ink[e.h // 2, e.w // 2]  # hollow
        assert ink[:, e.w // 2].sum() >= 2 and ink[e.h // 2, :].sum() >= 2
        assert e.top > 0  # it stands above the baseline


def test_a_space_takes_no_room() -> None:
    atlas = GlyphAtlas(512, 64)
    (space,) = glyphs(" ")
    e = atlas.get(*space)
    assert e.w == e.h == 0


def test_the_atlas_grows_instead_of_clearing_and_keeps_its_entries() -> None:
    atlas = GlyphAtlas(256, 64, max_height=1024)
    first = atlas.place_many(glyphs("가나"))
    kept = [field(atlas, e).copy() for e in first]
    atlas.place_many(glyphs("다라마바사아자차카타파하"))
    assert atlas.height > 64 and atlas.clears == 0
    assert all((field(atlas, e) == k).all() for e, k in zip(first, kept))


def test_dirty_rows_say_what_to_upload() -> None:
    atlas = GlyphAtlas(512, 128)
    assert atlas.dirty_rows(-1) is None  # nothing uploaded yet: all of it
    atlas.place_many(glyphs("가"))
    seen = atlas.generation
    assert atlas.dirty_rows(seen) == (0, 0)
    (e,) = atlas.place_many(glyphs("힣"))
    assert atlas.generation > seen
    y0, y1 = atlas.dirty_rows(seen)  # type: ignore[misc]
    assert y0 <= e.y and e.y + e.h <= y1
    atlas.place_many(glyphs("가힣"))  # known glyphs change nothing
    assert atlas.dirty_rows(atlas.generation) == (0, 0)
    atlas.clear()
    assert atlas.dirty_rows(seen) is None


def test_a_full_atlas_starts_over_between_frames_with_the_whole_frame() -> None:
    atlas = GlyphAtlas(256, 64, max_height=128)
    atlas.place_many(glyphs("가나다라마바"))
    batch = glyphs("아자차카타파")
    entries = atlas.place_many(batch)
    assert atlas.clears == 1
    for key, e in zip(batch, entries):
        assert atlas.entries[key] is e


def test_a_frame_larger_than_the_atlas_is_an_error() -> None:
    atlas = GlyphAtlas(128, 64, max_height=128)
    with pytest.raises(HudError, match="do not fit"):
        atlas.place_many(glyphs("가나다라마바사아자차카타파하"))
