"""Display frames as bytes for the glasses: packing, unpacking and dirty rectangles.

Property tests (hypothesis): for any frame and any change, the packed bytes unpack to the
levels, and the dirty rectangles cover every changed pixel and nothing when nothing changed.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hud.errors import OptionsError
from hud.profiles import get_profile
from hud.profiles.model import PIXEL_FORMATS
from hud.render.frames import (
    PixelFormat,
    crop_packed,
    default_pixel_format,
    dirty_rects,
    grey_levels,
    pack_frame,
    rect_bytes,
    unpack_grey,
)

GREYS = [PixelFormat.GRAY4, PixelFormat.GRAY2, PixelFormat.GRAY1]


def test_the_profiles_name_the_formats_the_renderer_packs() -> None:
    assert set(PIXEL_FORMATS) == {f.value for f in PixelFormat}
    assert default_pixel_format(get_profile("even-g1")) is PixelFormat.GRAY1
    assert default_pixel_format(get_profile("orion")) is PixelFormat.RGB888
    with pytest.raises(OptionsError, match="rgb565"):
        PixelFormat.parse("rgb565")


def _mono_frame(levels: np.ndarray, mono: tuple[float, float, float]) -> np.ndarray:
    """An sRGB-coded frame of a mono display emitting ``levels`` (0-1, linear)."""
    from hud.optics import linear_to_srgb

    lin = levels[..., None] * np.asarray(mono)
    return np.round(linear_to_srgb(lin) * 255).astype(np.uint8)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 37),
    st.integers(1, 9),
    st.sampled_from(GREYS),
    st.integers(0, 2**31 - 1),
)
def test_packed_grey_unpacks_to_the_quantised_levels(
    width: int, height: int, fmt: PixelFormat, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    mono = (0.15, 1.0, 0.25)
    codes = _mono_frame(rng.random((height, width)), mono)
    packed = pack_frame(codes, fmt, mono)
    assert packed.shape == (height, fmt.row_bytes(width))
    levels = unpack_grey(packed, fmt, width)
    expect = (grey_levels(codes, mono).astype(int) * ((1 << fmt.bits) - 1) + 127) // 255
    assert np.array_equal(levels, expect)


def test_one_bit_frames_are_msb_first_rows_padded_to_bytes() -> None:
    codes = _mono_frame(np.array([[1.0, 0, 0, 0, 0, 0, 0, 0, 1.0, 1.0]]), (1.0, 1.0, 1.0))
    packed = pack_frame(codes, PixelFormat.GRAY1, (1.0, 1.0, 1.0))
    assert packed.tolist() == [[0b1000_0000, 0b1100_0000]]


@settings(max_examples=80, deadline=None)
@given(
    st.integers(8, 64),
    st.integers(4, 48),
    st.sampled_from([PixelFormat.RGB888, *GREYS]),
    st.lists(st.tuples(st.integers(0, 63), st.integers(0, 47)), max_size=12),
    st.integers(0, 2**31 - 1),
)
def test_dirty_rectangles_cover_every_change_and_only_when_there_is_one(
    width: int,
    height: int,
    fmt: PixelFormat,
    points: list[tuple[int, int]],
    seed: int,
) -> None:
    rng = np.random.default_rng(seed)
    mono = (1.0, 1.0, 1.0)
    before = _mono_frame((rng.random((height, width)) > 0.5).astype(float), mono)
    after = before.copy()
    for x, y in points:
        after[y % height, x % width] = 255 - after[y % height, x % width]
    a, b = pack_frame(before, fmt, mono), pack_frame(after, fmt, mono)
    rects = dirty_rects(a, b, fmt, width=width)
    if np.array_equal(a, b):
        assert rects == ()
        return
    la = a if fmt is PixelFormat.RGB888 else unpack_grey(a, fmt, width)
    lb = b if fmt is PixelFormat.RGB888 else unpack_grey(b, fmt, width)
    diff = la != lb
    diff = diff.any(axis=2) if diff.ndim == 3 else diff
    covered = np.zeros((height, width), bool)
    for x0, y0, x1, y1 in rects:
        assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height
        covered[y0:y1, x0:x1] = True
        assert crop_packed(b, (x0, y0, x1, y1), fmt).nbytes == rect_bytes((x0, y0, x1, y1), fmt)
    assert covered[diff].all()
    assert len(rects) <= 8


def test_the_first_frame_and_a_new_size_are_all_dirty() -> None:
    frame = np.zeros((10, 16, 3), np.uint8)
    assert dirty_rects(None, frame) == ((0, 0, 16, 10),)
    assert dirty_rects(np.zeros((4, 4, 3), np.uint8), frame) == ((0, 0, 16, 10),)
    assert dirty_rects(frame, frame) == ()
