"""Answers from a local knowledge file, in English and Korean, with no network.

A knowledge file is TOML or JSON: a table ``answers`` whose keys are object ids (``marker-7``)
or labels (``mug``), each with the answer per language and an optional title::

    [answers."marker-23"]
    title = "Parcel"
    title_ko = "택배"      # optional: the title in one language
    en = "Delivered today at 11:02."
    ko = "오늘 11:02 도착."

The answer is streamed a few words at a time, as a network source would stream it, so
the whole card life (thinking, streaming, done) works offline. Files come from users and
downloads: they are size-limited and every failure is one :class:`KnowledgeError` line
that names the file and the key, never their contents.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hud.answers.protocol import AnswerError, AnswerRequest, ChunkStream, SentCallback
from hud.errors import HudError, OptionsError, check_regular_file, quote

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

#: Largest knowledge file read (bytes): far more than any set of glanceable answers.
MAX_FILE_BYTES = 4 * 1024 * 1024
#: Longest answer kept per entry (characters); the card shows a few lines of it anyway.
MAX_ANSWER_CHARS = 4000
LANGUAGES = ("en", "ko")


class KnowledgeError(HudError, ValueError):
    """A knowledge file that cannot be read or has an entry that is wrong."""


@dataclass(frozen=True)
class KnowledgeEntry:
    title: str
    texts: Mapping[str, str]
    #: The title per language (``title_ko = "..."`` in the file), where it differs.
    titles: Mapping[str, str] = field(default_factory=dict)

    def title_in(self, language: str) -> str:
        """The title in ``language`` when the file gives one, else :attr:`title`."""
        return self.titles.get(language, self.title)


def load_knowledge(path: str | Path) -> dict[str, KnowledgeEntry]:
    """Read a TOML or JSON knowledge file into entries keyed by id or label (lower case)."""
    p = Path(path)
    check_regular_file(p, "knowledge file")
    try:
        if p.stat().st_size > MAX_FILE_BYTES:
            raise KnowledgeError(f"{p}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
        raw = p.read_bytes()
    except FileNotFoundError:
        raise KnowledgeError(f"knowledge file not found: {p}") from None
    except OSError as exc:
        raise KnowledgeError(f"cannot read knowledge file {p}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
        data = json.loads(text) if p.suffix.lower() == ".json" else tomllib.loads(text)
    except UnicodeDecodeError:
        raise KnowledgeError(f"{p}: not UTF-8 text") from None
    except (ValueError, RecursionError) as exc:
        kind = "JSON" if p.suffix.lower() == ".json" else "TOML"
        raise KnowledgeError(f"{p}: not valid {kind} ({type(exc).__name__})") from None
    return _entries(data, p)


def _entries(data: Any, p: Path) -> dict[str, KnowledgeEntry]:
    if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
        raise KnowledgeError(f"{p}: needs a table 'answers' of entries keyed by object id or label")
    out: dict[str, KnowledgeEntry] = {}
    for key, entry in data["answers"].items():
        where = f"{p}: answers.{quote(key)}"
        if not isinstance(entry, dict):
            raise KnowledgeError(f"{where}: expected a table with 'en' and/or 'ko'")
        texts = {lang: entry[lang] for lang in LANGUAGES if lang in entry}
        if not texts or not all(isinstance(t, str) for t in texts.values()):
            raise KnowledgeError(f"{where}: needs an answer text in 'en' or 'ko'")
        title = entry.get("title", str(key))
        titles = {lang: entry[f"title_{lang}"] for lang in LANGUAGES if f"title_{lang}" in entry}
        for name, value in (("title", title), *((f"title_{k}", v) for k, v in titles.items())):
            if not isinstance(value, str):
                raise KnowledgeError(f"{where}.{name}: expected text")
        texts = {lang: t[:MAX_ANSWER_CHARS] for lang, t in texts.items()}
        titles = {lang: t[:80] for lang, t in titles.items()}
        out[str(key).strip().lower()] = KnowledgeEntry(title[:80], texts, titles)
    return out


class OfflineAnswerSource:
    """An :class:`hud.answers.AnswerSource` answering from a knowledge file.

    The object is looked up by id first, then by label; the answer comes in the request's
    language, else the other one. ``words_per_chunk`` sets how it streams. Nothing leaves
    the machine (:attr:`remote` is False, no stream reports a request).
    """

    remote = False

    def __init__(
        self, knowledge: str | Path | Mapping[str, KnowledgeEntry], words_per_chunk: int = 3
    ) -> None:
        if not (isinstance(words_per_chunk, int) and 1 <= words_per_chunk <= 1000):
            raise OptionsError(f"words_per_chunk must be 1-1000, got {words_per_chunk!r}")
        self.entries = (
            dict(knowledge) if isinstance(knowledge, Mapping) else load_knowledge(knowledge)
        )
        self.words_per_chunk = words_per_chunk

    def lookup(self, request: AnswerRequest) -> KnowledgeEntry:
        for key in (request.object_id, request.label):
            if key and key.strip().lower() in self.entries:
                return self.entries[key.strip().lower()]
        what = request.label or request.object_id or "this"
        raise AnswerError(f"no answer about {quote(what)} in the knowledge file")

    def stream(self, request: AnswerRequest, *, on_sent: SentCallback | None = None) -> ChunkStream:
        """The answer a few words at a time; ends early once the stream is closed. An
        unknown object is an :class:`AnswerError` when the stream is read."""
        return ChunkStream(self._chunks(request))

    def _chunks(self, request: AnswerRequest) -> Iterator[str]:
        entry = self.lookup(request)
        lang = request.language if request.language in entry.texts else next(iter(entry.texts))
        words = entry.texts[lang].split(" ")
        n = self.words_per_chunk
        for i in range(0, len(words), n):
            tail = " " if i + n < len(words) else ""
            yield " ".join(words[i : i + n]) + tail
