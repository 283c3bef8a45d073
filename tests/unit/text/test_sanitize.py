"""Untrusted assistant text loses what could hide or reorder what a card shows."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hud.text import sanitize
from hud.text.sanitize import LOOKAHEAD, is_forbidden

C0 = [chr(c) for c in range(0x20) if chr(c) not in "\t\n"]
C1 = [chr(c) for c in range(0x7F, 0xA0)]
BIDI = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
MARKS = ["\u200e", "\u200f", "\u061c"]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u180e"]
SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff"]
TAGS = ["\U000e0001", "\U000e0041", "\U000e007f"]
FORBIDDEN = [*C0, *C1, *BIDI, *MARKS, *ZERO_WIDTH, *SURROGATES, *TAGS]


@pytest.mark.parametrize("ch", FORBIDDEN, ids=lambda c: f"U+{ord(c):04X}")
def test_each_forbidden_character_is_removed(ch: str) -> None:
    assert sanitize(f"a{ch}b") == "ab"
    assert is_forbidden(ch)


def test_a_bidi_override_cannot_reverse_a_url() -> None:
    assert sanitize("visit \u202egro.elpmaxe\u202c now") == "visit gro.elpmaxe now"


def test_tabs_become_spaces_and_newlines_stay() -> None:
    assert sanitize("a\tb\nc\r\nd\u2028e") == "a b\nc\nd\ne"


def test_decomposed_hangul_becomes_syllables() -> None:
    decomposed = unicodedata.normalize("NFD", "한글 답변")
    assert len(decomposed) > 5
    assert sanitize(decomposed) == "한글 답변"
    assert sanitize("\u1112\u200b\u1161\u11ab") == "한"  # joined once the ZWSP is gone


def test_ordinary_text_is_unchanged() -> None:
    text = "Hello, 세계! Price: 3.50 € — “quoted” (ok) 😀"
    assert sanitize(text) == text


def test_max_chars_reads_only_a_prefix() -> None:
    class Huge(str):
        """A string that fails if anything reads past the allowed prefix."""

        def __getitem__(self, key):  # type: ignore[no-untyped-def]
            assert isinstance(key, slice) and key.stop <= 40 * LOOKAHEAD
            return str.__getitem__(self, key)

    out = sanitize(Huge("가" * 1_000_000), max_chars=40)
    assert out == "가" * 40


def test_max_chars_counts_kept_characters() -> None:
    assert sanitize("\u200b" * 8 + "abc", max_chars=3) == "abc"
    # Past the lookahead nothing is read: a head of removed characters shows nothing.
    assert sanitize("\u200b" * 3 * LOOKAHEAD + "abc", max_chars=3) == ""
    assert sanitize("abcdef", max_chars=0) == ""


#: Any code point, with the forbidden ones, Hangul jamo and tabs and newlines made common.
ANY_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(),
        st.sampled_from(FORBIDDEN),
        st.sampled_from("\t\n\u2028\u2029"),
        st.characters(min_codepoint=0x1100, max_codepoint=0x11FF),
    )
)


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT, st.one_of(st.none(), st.integers(0, 50)))
def test_output_is_clean_nfc_and_bounded(text: str, max_chars: int | None) -> None:
    out = sanitize(text, max_chars)
    assert not any(is_forbidden(ch) or ch in FORBIDDEN for ch in out)
    assert unicodedata.is_normalized("NFC", out)
    if max_chars is not None:
        assert len(out) <= max_chars
    assert sanitize(out, max_chars) == out  # idempotent
