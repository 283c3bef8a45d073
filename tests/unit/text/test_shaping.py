"""HarfBuzz shaping of the bundled font: coverage, kerning, one shaping for all sizes."""

from __future__ import annotations

import freetype
import numpy as np
import pytest

from hud.text import shape, shaping, text_width
from hud.text.shaping import MISSING_ADVANCE, UNITS_PER_EM, font_path

HANGUL = range(0xAC00, 0xD7A3 + 1)


@pytest.mark.parametrize("bold", [False, True])
def test_every_hangul_syllable_has_a_glyph(bold: bool) -> None:
    face = freetype.Face(str(font_path(bold)))
    missing = [f"U+{cp:04X}" for cp in HANGUL if face.get_char_index(cp) == 0]
    assert len(HANGUL) == 11_172
    assert not missing, f"{len(missing)} syllables fall back to the box: {missing[:5]}"


@pytest.mark.parametrize("bold", [False, True])
def test_shaping_finds_hangul_and_latin_glyphs(bold: bool) -> None:
    run = shape("가힣 Hangul 한글", 20, bold)
    assert 0 not in run.glyphs and len(run.glyphs) == 12


def test_kerning_pairs_are_applied() -> None:
    """The font has kern pairs for Latin (GPOS and kern): "AV" is tighter than A + V."""
    assert text_width("AV", 100) < text_width("A", 100) + text_width("V", 100) - 1
    assert text_width("HH", 100) == pytest.approx(2 * text_width("H", 100))


@pytest.mark.parametrize("bold", [False, True])
def test_unkerned_advances_are_the_fonts_own(bold: bool) -> None:
    face = freetype.Face(str(font_path(bold)))
    run = shape("Hxn가", UNITS_PER_EM, bold)
    for glyph, advance in zip(run.glyphs, run.x_advance):
        face.load_glyph(int(glyph), freetype.FT_LOAD_NO_SCALE)
        assert advance == face.glyph.advance.x


def test_every_size_scales_one_shaping(monkeypatch: pytest.MonkeyPatch) -> None:
    shaping.clear_cache()
    calls: list[str] = []
    real = shaping._hb_shape
    monkeypatch.setattr(shaping, "_hb_shape", lambda t, b: calls.append(t) or real(t, b))
    widths = [text_width("Waveglass 안경", s) for s in (9, 20, 40, 100)]
    assert calls == ["Waveglass 안경"]
    assert np.allclose(np.array(widths) / [9, 20, 40, 100], widths[0] / 9)
    run = shape("Waveglass 안경", 40)
    assert run.width == pytest.approx(widths[2]) and float(run.x_advance.sum()) == pytest.approx(
        run.width, abs=1e-3
    )


def test_a_missing_character_is_glyph_0_with_a_box_advance() -> None:
    for ch in ("\U0001f600", "\u0e01"):
        run = shape(f"a{ch}b", UNITS_PER_EM)
        assert run.glyphs[1] == 0 and run.x_advance[1] == MISSING_ADVANCE
        assert list(run.clusters) == [0, 1, 2]


def test_empty_text_is_zero_wide() -> None:
    assert text_width("", 20) == 0.0 and len(shape("", 20).glyphs) == 0


def test_char_offsets_follow_the_shaped_advances() -> None:
    offsets = shaping.char_offsets("AVA", 100)
    assert offsets[-1] == pytest.approx(text_width("AVA", 100))
    assert offsets[1] == pytest.approx(text_width("AV", 100) - text_width("V", 100))


def test_line_metrics() -> None:
    assert shaping.line_height(20) == 26
    # The ascender-to-descender band (1.105 em) is centred in the 1.3 em line box.
    assert shaping.baseline_offset(100) == pytest.approx((130 - 110.5) / 2 + 85)
