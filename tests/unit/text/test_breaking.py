"""Line breaking costs what is shown, not what an assistant sent."""

from __future__ import annotations

from itertools import pairwise

import pytest

from hud.text import shaping, text_width, wrap, wrap_result

SIZE, WIDTH = 20, 300


@pytest.fixture
def shaped_chars(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Characters HarfBuzz shapes from here on (one entry per shaping call)."""
    shaping.clear_cache()
    counts: list[int] = []
    real = shaping._hb_shape

    def counting(text: str, bold: bool) -> shaping._Units:
        counts.append(len(text))
        return real(text, bold)

    monkeypatch.setattr(shaping, "_hb_shape", counting)
    return counts


@pytest.mark.parametrize("n", [10_000, 200_000])
@pytest.mark.parametrize("unit", ["가", "answer ", "https://x.io/" + "a" * 50, "한국어 문장 "])
def test_a_huge_answer_costs_what_its_lines_cost(
    n: int, unit: str, shaped_chars: list[int]
) -> None:
    text = (unit * (n // len(unit) + 1))[:n]
    result = wrap_result(text, SIZE, WIDTH, max_lines=3)
    assert len(result.lines) == 3 and result.truncated and result.lines[-1].endswith("…")
    assert all(text_width(line, SIZE) <= WIDTH for line in result.lines)
    # A 300 px line at 20 px holds at most 75 characters of the bundled font.
    assert len(shaped_chars) < 40, f"{len(shaped_chars)} shaping calls for 3 lines"
    assert sum(shaped_chars) < 1_500, f"{sum(shaped_chars)} characters shaped for 3 lines"


def test_english_breaks_at_spaces() -> None:
    assert wrap("hello world this is a test of wrapping", SIZE, 120) == [
        "hello world",
        "this is a test",
        "of wrapping",
    ]


def test_korean_breaks_between_eojeol() -> None:
    text = "오늘 서울의 날씨는 맑고 기온은 이십삼 도입니다"
    result = wrap_result(text, 24, 200, max_lines=5)
    assert not result.truncated
    assert " ".join(result.lines) == text  # every break was at a space
    assert all(text_width(line, 24) <= 200 for line in result.lines)
    # Greedy: the next eojeol would not have fitted on the line before.
    for a, b in pairwise(result.lines):
        assert text_width(f"{a} {b.split(' ')[0]}", 24) > 200


def test_a_word_longer_than_a_line_breaks_between_syllables() -> None:
    word = "가나다라마바사아자차카타파하" * 3
    result = wrap_result(word, SIZE, 100, max_lines=9)
    assert "".join(result.lines) == word and not result.truncated
    assert all(text_width(line, SIZE) <= 100 for line in result.lines)
    # Each cut is the longest that fits: one more syllable would overflow.
    assert all(text_width(a + b[0], SIZE) > 100 for a, b in pairwise(result.lines))


def test_a_long_word_after_a_short_one_starts_its_own_line() -> None:
    lines = wrap("see https://example.com/a/very/long/path/indeed", SIZE, 150, max_lines=9)
    assert lines[0] == "see" and "".join(lines[1:]) == "https://example.com/a/very/long/path/indeed"


def test_overflow_ends_with_an_ellipsis_and_says_so() -> None:
    result = wrap_result("one two three four five six seven eight nine ten", SIZE, 110, max_lines=2)
    assert result.truncated and len(result.lines) == 2
    assert result.lines[-1].endswith("…") and not result.lines[-1].endswith(" …")
    assert all(text_width(line, SIZE) <= 110 for line in result.lines)


def test_text_that_fits_is_not_truncated() -> None:
    assert wrap_result("짧은 답", SIZE, WIDTH) == wrap_result("짧은 답", SIZE, WIDTH, max_lines=1)
    assert wrap_result("짧은 답", SIZE, WIDTH).lines == ("짧은 답",)
    assert not wrap_result("짧은 답", SIZE, WIDTH).truncated
    # A final newline leaves nothing out.
    assert wrap_result("done\n", SIZE, WIDTH, max_lines=1) == wrap_result("done", SIZE, WIDTH)


def test_newlines_break_lines_and_count_against_the_budget() -> None:
    assert wrap("a\n\nb", SIZE, WIDTH) == ["a", "", "b"]
    result = wrap_result("a\nb\nc", SIZE, WIDTH, max_lines=2)
    assert result.truncated and result.lines == ("a", "b…")


def test_empty_text_is_one_empty_line() -> None:
    assert wrap_result("", SIZE, WIDTH) == wrap_result("", SIZE, WIDTH, max_lines=1)
    assert wrap("", SIZE, WIDTH) == [""]


def test_a_line_narrower_than_one_character_still_advances() -> None:
    lines = wrap("가나다", SIZE, 5, max_lines=9)
    assert lines == ["가", "나", "다"]
