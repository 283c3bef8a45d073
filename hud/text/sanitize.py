"""Neutralise untrusted assistant text before it is laid out and drawn.

An answer comes from a model that may repeat what a web page or a prompt injection put
in front of it. Characters that are invisible or reorder what is shown could make a card
say something other than its text: bidi overrides that reverse a URL, zero-width
characters that split or join words, tag characters that hide a message, control
characters that a font draws as boxes. They are removed before layout, ``\\t`` becomes a
space and ``\\n`` stays the line break. The kept text is normalised to NFC, so Hangul
sent as decomposed jamo becomes syllables the font has.

The work follows what can be shown: with ``max_chars`` only the first
``max_chars · LOOKAHEAD`` characters are read, however long the answer.
"""

from __future__ import annotations

import re
import unicodedata

#: How far past ``max_chars`` the input is read, as a multiple: room for removed
#: characters and for NFC composing several into one, without reading a huge answer.
LOOKAHEAD = 4

#: Removed: C0 controls except \t and \n, DEL and C1 controls; the Arabic letter mark and
#: Mongolian vowel separator; zero-width space, joiners and LRM/RLM; bidi embeddings,
#: overrides and isolates; word joiner and invisible operators; deprecated format
#: controls; BOM / zero-width no-break space; interlinear annotation controls; tag
#: characters (invisible ASCII); surrogates (never valid on their own in text).
_REMOVED = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f"
    "\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
    "\ufeff\ufff9-\ufffb\U000e0000-\U000e007f\ud800-\udfff"
)
_REMOVED_RE = re.compile(f"[{_REMOVED}]+")
#: Kept as something visible: a tab is a space; line and paragraph separators break.
_REPLACED = str.maketrans({"\t": " ", "\u2028": "\n", "\u2029": "\n"})


def is_forbidden(ch: str) -> bool:
    """Whether :func:`sanitize` never lets the character ``ch`` through."""
    return bool(_REMOVED_RE.fullmatch(ch)) or ch in "\t\u2028\u2029"


def sanitize(text: str, max_chars: int | None = None) -> str:
    """``text`` without invisible, reordering or control characters, in NFC.

    With ``max_chars`` the result has at most ``max_chars`` characters and only the first
    ``max_chars · LOOKAHEAD`` of ``text`` are read: a result shorter than ``max_chars``
    from a long input means the input's head was mostly removed characters.
    """
    if max_chars is not None:
        max_chars = max(0, int(max_chars))
        text = text[: max_chars * LOOKAHEAD]
    kept = _REMOVED_RE.sub("", text).translate(_REPLACED)
    out = unicodedata.normalize("NFC", kept)
    if max_chars is None:
        return out
    # NFC may lengthen a few characters (composition exclusions decompose): cut again.
    while len(out) > max_chars:
        out = unicodedata.normalize("NFC", out[:max_chars])
    return out
