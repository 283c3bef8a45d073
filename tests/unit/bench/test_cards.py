"""The Pillow card baseline: the cards it draws and the additive composite it computes."""

from __future__ import annotations

import numpy as np
import pytest

from hud.bench.cards import (
    AdditiveOptics,
    PillowCards,
    bench_pillow_cards20,
    composite_tables,
    demo_cards20,
    glyph_count,
    pillow_cards20,
)
from hud.errors import HudError


def _decode(code: np.ndarray) -> np.ndarray:
    c = code.astype(np.float64) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _encode(lin: np.ndarray) -> np.ndarray:
    x = np.clip(lin, 0.0, 1.0)
    return np.where(x <= 0.0031308, 12.92 * x, 1.055 * x ** (1 / 2.4) - 0.055) * 255.0


def reference(world: np.ndarray, display: np.ndarray, optics: AdditiveOptics) -> np.ndarray:
    """The composite written out in float64, straight from IEC 61966-2-1 (no tables)."""
    lin = optics.transmittance * _decode(world) + optics.gain * _decode(display)
    return _encode(lin)


def test_demo_cards_are_twenty_in_english_and_korean() -> None:
    cards = demo_cards20()
    assert len(cards) == 20 and cards == demo_cards20()
    assert 1300 <= glyph_count(cards) <= 1700
    text = "".join(t + b for t, b in cards)
    assert any("가" <= ch <= "힣" for ch in text) and any(
        ch.isascii() and ch.isalpha() for ch in text
    )
    assert ("커피 머그", cards[1][1]) in cards


def test_every_card_and_glyph_is_drawn_at_full_size() -> None:
    renderer = PillowCards(demo_cards20())
    assert len(renderer.layouts) == 20
    assert renderer.glyphs == glyph_count(demo_cards20())  # no line was cut for room


def test_the_tables_equal_the_float64_composite_for_every_code_pair() -> None:
    optics = AdditiveOptics(transmittance=0.8, gain=1.3)
    pair, world_table = composite_tables(optics)
    w, d = np.divmod(np.arange(65536), 256)
    exact = reference(w, d, optics)
    assert np.abs(pair - exact).max() <= 0.5 + 1e-9  # rounded once, to the nearest code
    assert np.array_equal(world_table, pair[::256])


def test_composite_equals_the_reference_on_a_small_frame() -> None:
    rng = np.random.default_rng(3)
    world = rng.integers(0, 256, (120, 320, 3), dtype=np.uint8)
    optics = AdditiveOptics()
    renderer = PillowCards(demo_cards20()[:4], (320, 120), grid=(2, 2), optics=optics)
    displays = renderer.draw()
    out = renderer.composite(world, displays)
    exact = reference(world, renderer.display_frame(displays), optics)
    assert np.abs(out - exact).max() <= 0.5 + 1e-9
    # The same through the one-call form, on a second world (the buffers are reused).
    world2 = np.ascontiguousarray(world[::-1])
    again = renderer.frame(world2)
    assert np.abs(again - reference(world2, renderer.display_frame(), optics)).max() <= 0.5 + 1e-9


def test_text_is_visible_over_the_world_and_the_world_shows_elsewhere() -> None:
    world = np.full((720, 1280, 3), 128, np.uint8)
    renderer = PillowCards(demo_cards20())
    out = pillow_cards20(world)
    x0, y0, x1, y1 = renderer.layouts[0].rect
    card = out[y0:y1, x0:x1].astype(int)
    assert (card.min(axis=2) > 128 + 60).mean() > 0.02  # bright strokes and text
    gap = out[0, 0].astype(int)  # between cards: the world through the lens, darker
    assert (gap < 128).all() and (gap > 100).all()


def test_cached_runs_draw_what_rasterising_every_frame_draws() -> None:
    cards = demo_cards20()[:6]
    cached = PillowCards(cards, (640, 360), grid=(3, 2)).display_frame()
    raster = PillowCards(cards, (640, 360), grid=(3, 2), cache_runs=False).display_frame()
    assert np.array_equal(cached, raster) and cached.max() == 255


def test_a_world_of_the_wrong_size_is_refused_in_one_line() -> None:
    renderer = PillowCards(demo_cards20()[:2], (200, 100), grid=(2, 1))
    with pytest.raises(HudError, match="200×100 RGB uint8"):
        renderer.frame(np.zeros((100, 200, 4), np.uint8))
    with pytest.raises(HudError, match="holds 2 cards"):
        PillowCards(demo_cards20()[:3], (200, 100), grid=(2, 1))


def test_the_benchmark_reports_a_median_for_the_twenty_cards() -> None:
    result = bench_pillow_cards20(frames=2, warmup=1)
    assert result["cards"] == 20 and 1300 <= result["glyphs"] <= 1700
    assert result["size"] == [1280, 720]
    assert result["pillow_cards20_ms"] > 0 and result["pillow_cards20_raster_ms"] > 0
