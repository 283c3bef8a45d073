"""Distance-field text on the display matches FreeType's own rendering of the same line.

The text is drawn through :class:`DisplayRenderer` on the Ray-Ban Display profile at a cap
height of 0.5° (small text for that display) and compared, thresholded at half coverage,
with FreeType's anti-aliased bitmaps placed at HarfBuzz's pen positions: every inked
pixel of one must lie within 1 px of the other's ink.
"""

from __future__ import annotations

from collections.abc import Iterator

import freetype
import numpy as np
import numpy.typing as npt
import pytest

from hud.layout import DisplayList, TextRun
from hud.profiles import get_profile
from hud.render.display import DisplayRenderer
from hud.render.renderer import HudRenderer
from hud.text import GlyphAtlas, baseline_offset, shape
from hud.text.shaping import UNITS_PER_EM, font_path

pytestmark = pytest.mark.gl

PROFILE = "rayban-display"
X, Y = 20.5, 40.0


@pytest.fixture(scope="module")
def renderer() -> Iterator[HudRenderer]:
    r = HudRenderer(get_profile(PROFILE), None)
    yield r
    r.release()


def cap_height_em(bold: bool = False) -> float:
    """The font's cap height, em: the top of "H" (freetype-py reads no OS/2 table)."""
    face = freetype.Face(str(font_path(bold)))
    face.load_char("H", freetype.FT_LOAD_NO_SCALE)
    return face.glyph.outline.get_bbox().yMax / UNITS_PER_EM


def size_for_cap_deg(deg: float) -> int:
    return round(deg * get_profile(PROFILE).ppd / cap_height_em())


def draw(
    r: HudRenderer | DisplayRenderer, text: str, size: int, bold: bool = False
) -> npt.NDArray[np.float32]:
    """Coverage of ``text`` drawn white on black (linear light is coverage then)."""
    display = r.display if isinstance(r, HudRenderer) else r
    p = display.profile
    run = TextRun(text, X, Y, size, bold, (1.0, 1.0, 1.0))
    dl = DisplayList(p.width_px, p.height_px, texts=[run])
    ctx = r.context if isinstance(r, HudRenderer) else None
    if ctx is not None:
        with ctx.current():
            display.render(dl)
            return display.read()[..., 1]
    display.render(dl)
    return display.read()[..., 1]


def freetype_line(
    text: str, size: int, shape_: tuple[int, int], bold: bool = False
) -> npt.NDArray[np.float64]:
    """FreeType's own anti-aliased rendering (FT_RENDER_MODE_NORMAL, no hinting) of the
    line, each glyph at its HarfBuzz pen position (sub-pixel, as the display draws it)."""
    face = freetype.Face(str(font_path(bold)))
    face.set_char_size(size * 64, 0, 72, 72)
    run = shape(text, size, bold)
    out = np.zeros(shape_, np.float64)
    pen = X
    baseline = round(Y + baseline_offset(size))
    for g, adv, dx, dy in zip(run.glyphs, run.x_advance, run.x_offset, run.y_offset):
        x = pen + float(dx)
        ix = int(np.floor(x))
        face.set_transform(
            freetype.Matrix(0x10000, 0, 0, 0x10000),
            freetype.Vector(int(round((x - ix) * 64)), int(round(float(dy) * 64))),
        )
        face.load_glyph(int(g), freetype.FT_LOAD_NO_HINTING | freetype.FT_LOAD_RENDER)
        slot = face.glyph
        bm = slot.bitmap
        pen += float(adv)
        if bm.width == 0:
            continue
        a = np.array(bm.buffer, np.float64).reshape(bm.rows, bm.pitch)[:, : bm.width] / 255
        top, left = baseline - slot.bitmap_top, ix + slot.bitmap_left
        region = out[top : top + bm.rows, left : left + bm.width]
        region[:] = 1 - (1 - region) * (1 - a)
    return out


def dilate(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    p = np.pad(mask, 1)
    h, w = mask.shape
    return np.logical_or.reduce([p[dy : dy + h, dx : dx + w] for dy in range(3) for dx in range(3)])


def mismatch(text: str, size: int, coverage: npt.NDArray[np.float32], bold: bool = False) -> int:
    """Inked pixels (coverage ≥ 50 %) of either image farther than 1 px from the other's."""
    ours = coverage >= 0.5
    theirs = freetype_line(text, size, coverage.shape, bold) >= 0.5
    assert ours.sum() > 20 and theirs.sum() > 20
    return int((ours & ~dilate(theirs)).sum() + (theirs & ~dilate(ours)).sum())


def test_a_half_degree_cap_height_line_matches_freetype(renderer: HudRenderer) -> None:
    size = size_for_cap_deg(0.5)
    assert 25 <= size <= 33  # about 21 px of cap height at 42 px per degree
    for bold in (False, True):
        text = "Hamburgefonstiv AVA Wij 0.5°"
        assert mismatch(text, size, draw(renderer, text, size, bold), bold) == 0


def test_a_hangul_line_matches_freetype_and_is_not_the_fallback_box(
    renderer: HudRenderer,
) -> None:
    size = size_for_cap_deg(0.5)
    text = "안녕하세요 오늘 서울은 맑음, 기온 23도"
    assert 0 not in shape(text, size).glyphs
    assert mismatch(text, size, draw(renderer, text, size)) == 0


@pytest.mark.parametrize(("size", "allowed"), [(9, 3), (100, 0)])
def test_small_and_large_text_stay_within_a_pixel(
    renderer: HudRenderer, size: int, allowed: int
) -> None:
    """One field serves 9 px to 100 px; at 9 px a stray pixel or two at a joint is
    allowed (both renderings are barely a pixel thick there)."""
    text = "Hag 한글 AV"
    assert mismatch(text, size, draw(renderer, text, size)) <= allowed


def test_a_missing_glyph_draws_a_visible_box(renderer: HudRenderer) -> None:
    size = size_for_cap_deg(0.5)
    for ch in ("\U0001f600", "\u0e01"):
        assert list(shape(ch, size).glyphs) == [0]
        coverage = draw(renderer, ch, size)
        ink = coverage >= 0.5
        ys, xs = np.nonzero(ink)
        assert 20 < ink.sum() < 0.5 * (np.ptp(ys) + 1) * (np.ptp(xs) + 1)  # hollow
        assert coverage[(ys.min() + ys.max()) // 2, (xs.min() + xs.max()) // 2] < 0.1


def test_new_glyphs_upload_as_rows_and_a_growing_atlas_reallocates(
    renderer: HudRenderer,
) -> None:
    """A small atlas that must grow twice while frames add glyphs still draws each frame
    right, and a frame of known glyphs uploads nothing."""
    size = size_for_cap_deg(0.5)
    with renderer.context.current():
        display = DisplayRenderer(renderer.ctx, renderer.programs, renderer.profile)
        display.atlas = GlyphAtlas(512, 64, max_height=1024)
        try:
            lines = ["가나다라마바사", "아자차카타파하 ABC", "갈날달랄말발살앙잘찰칼탈팔할"]
            for text in lines:
                assert mismatch(text, size, draw(display, text, size)) == 0
            assert display.atlas.height > 64
            generation = display.atlas.generation
            assert mismatch(lines[0], size, draw(display, lines[0], size)) == 0
            assert display.atlas.generation == generation
            assert display.atlas_texture.size == (512, display.atlas.height)
        finally:
            display.release()


def test_the_returned_rects_cover_every_inked_pixel(renderer: HudRenderer) -> None:
    size = size_for_cap_deg(0.5)
    coverage = draw(renderer, "Wij 한글 gy", size)
    rects = renderer.display.texture.extra.rects
    assert len(rects) == 1
    ys, xs = np.nonzero(coverage > 0)
    x0, y0, x1, y1 = rects[0]
    assert x0 <= xs.min() and xs.max() + 1 <= x1 and y0 <= ys.min() and ys.max() + 1 <= y1


def test_a_frame_with_many_more_glyphs_than_the_last_grows_the_instance_buffer() -> None:
    """The instance buffer grows by orphaning: its old size is read before it is
    released (a release first made the second, bigger frame fail)."""
    r = HudRenderer(get_profile(PROFILE), None)
    try:
        p = r.display.profile
        small = DisplayList(
            p.width_px, p.height_px, texts=[TextRun("ab", X, Y, 16, False, (1, 1, 1))]
        )
        many = [
            TextRun("가나다라마바사 abcdefg" * 3, 4.0, 4.0 + 18 * i, 14, False, (1, 1, 1))
            for i in range(30)
        ]
        big = DisplayList(p.width_px, p.height_px, texts=many)
        with r.context.current():
            r.display.render(small)
            r.display.render(big)
            lit = float(r.display.read()[..., 1].mean())
        assert lit > 0.01  # the big frame was drawn
    finally:
        r.release()
