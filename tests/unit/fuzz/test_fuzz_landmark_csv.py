"""Fuzz the landmark CSV readers (``hud eval-poses``, ``hud eval-tracks``): any file is
rows of numbers or one :class:`HudError`, never another exception."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gestures.evaluate import read_kinivi_history, read_kinivi_keypoints
from hud.errors import HudError

CELL = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["", " ", "nan", "inf", "-0", "1e999", "0x10", "1_0", '"1"', "\x00", "٣"]),
    st.text(max_size=8),
)
#: Rows of about the right width (43 for keypoints, 33 for histories), so the fuzzing
#: reaches the numbers and not only the column count.
ROW = st.integers(30, 45).flatmap(lambda n: st.lists(CELL, min_size=n, max_size=n))
CSV = st.lists(ROW, max_size=4).map(lambda rows: "\n".join(",".join(r) for r in rows))


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def _read(path: Path) -> None:
    for reader, points in ((read_kinivi_keypoints, 21), (read_kinivi_history, 16)):
        try:
            ids, values = reader(path)
        except HudError as exc:
            assert "\n" not in exc.message, exc.message
        else:
            assert len(ids) == len(values) and values.shape[1:] == (points, 2)
            assert values.dtype == np.float64


@given(CSV)
def test_any_csv_text_is_rows_or_one_hud_error(folder: Path, text: str) -> None:
    path = folder / "keypoint.csv"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _read(path)


@given(st.binary(max_size=600))
def test_any_bytes_are_rows_or_one_hud_error(folder: Path, data: bytes) -> None:
    path = folder / "keypoint.csv"
    path.write_bytes(data)
    _read(path)
