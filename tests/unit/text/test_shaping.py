"""Line breaking costs what is shown, not what an assistant sent."""

from __future__ import annotations

from itertools import pairwise

import pytest

from hud.text import shaping


@pytest.mark.parametrize(
    "text", ["가" * 10_000, "answer " * 2_000, ("https://x.io/" + "a" * 5_000)]
)
def test_a_10000_character_answer_is_cut_with_a_bounded_number_of_measurements(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = 0
    measure = shaping.text_width

    def counting(t: str, size_px: int, bold: bool = False) -> float:
        nonlocal calls
        calls += 1
        return measure(t, size_px, bold)

    monkeypatch.setattr(shaping, "text_width", counting)
    lines = shaping.wrap(text, 20, 300, max_lines=3)
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert all(measure(line, 20) <= 300 for line in lines)
    assert calls < 120, f"{calls} width measurements for 3 lines"


def test_short_text_wraps_at_spaces_and_long_words_between_characters() -> None:
    assert shaping.wrap("hello world this is a test of wrapping", 20, 120) == [
        "hello world",
        "this is a test",
        "of wrapping",
    ]
    lines = shaping.wrap("가나다라마바사아자차카타파하" * 3, 20, 100, max_lines=9)
    assert "".join(lines) == "가나다라마바사아자차카타파하" * 3
    assert all(shaping.text_width(line, 20) <= 100 for line in lines)
    # Each cut is the longest that fits: one more character would overflow.
    assert all(shaping.text_width(a + b[0], 20) > 100 for a, b in pairwise(lines))
