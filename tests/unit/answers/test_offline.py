"""The offline answer source: a knowledge file in, streamed English or Korean answers out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hud.answers import (
    AnswerError,
    AnswerRequest,
    KnowledgeError,
    OfflineAnswerSource,
    load_knowledge,
)
from hud.errors import HudError, OptionsError

TOML = """
[answers."marker-23"]
title = "Parcel"
en = "Delivered today at 11:02 from the corner shop."
ko = "오늘 11:02 도착, 동네 가게에서 보냄."

[answers.Mug]
en = "A ceramic mug, 350 ml."
"""


def _file(tmp_path: Path, text: str, name: str = "k.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_answers_stream_in_chunks_that_add_up_to_the_answer(tmp_path: Path) -> None:
    source = OfflineAnswerSource(_file(tmp_path, TOML), words_per_chunk=2)
    chunks = list(source.stream(AnswerRequest("What is this?", object_id="marker-23")))
    assert len(chunks) > 2
    assert "".join(chunks) == "Delivered today at 11:02 from the corner shop."
    ko = "".join(source.stream(AnswerRequest("뭐야?", object_id="marker-23", language="ko")))
    assert ko == "오늘 11:02 도착, 동네 가게에서 보냄."


def test_lookup_by_label_and_fallback_language(tmp_path: Path) -> None:
    source = OfflineAnswerSource(_file(tmp_path, TOML))
    text = "".join(source.stream(AnswerRequest("?", label="mug", language="ko")))
    assert text == "A ceramic mug, 350 ml."  # only English known: English it is
    assert source.lookup(AnswerRequest("?", object_id="MARKER-23")).title == "Parcel"


def test_an_unknown_object_is_an_answer_error(tmp_path: Path) -> None:
    source = OfflineAnswerSource(_file(tmp_path, TOML))
    with pytest.raises(AnswerError) as err:
        list(source.stream(AnswerRequest("?", label="lamp\x1b[2J")))
    assert "\x1b" not in str(err.value) and "\n" not in str(err.value)


def test_closing_a_stream_ends_it_at_the_next_chunk_and_only_it(tmp_path: Path) -> None:
    source = OfflineAnswerSource(_file(tmp_path, TOML), words_per_chunk=1)
    assert source.remote is False
    request = AnswerRequest("?", object_id="marker-23")
    stream, other = source.stream(request), source.stream(request)
    chunks = iter(stream)
    first = next(chunks)
    stream.close()
    assert first and list(chunks) == []
    assert "".join(other) == "Delivered today at 11:02 from the corner shop."  # its own
    assert stream.sent is None  # nothing left the machine


def test_json_knowledge_files_read_the_same(tmp_path: Path) -> None:
    doc = {"answers": {"mug": {"en": "Mug.", "ko": "머그."}}}
    entries = load_knowledge(_file(tmp_path, json.dumps(doc, ensure_ascii=False), "k.json"))
    assert entries["mug"].texts == {"en": "Mug.", "ko": "머그."}


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ("not = [toml", "k.toml", "not valid TOML"),
        ("{", "k.json", "not valid JSON"),
        ("[other]\nx = 1\n", "k.toml", "needs a table 'answers'"),
        ('[answers.mug]\nfr = "Tasse"\n', "k.toml", "needs an answer text"),
        ("[answers.mug]\nen = 3\n", "k.toml", "needs an answer text"),
        ('answers = {mug = "x"}\n', "k.toml", "expected a table"),
        ("[" * 100_000 + "]" * 100_000, "k.json", "not valid JSON"),
    ],
)
def test_bad_knowledge_files_are_one_line_errors(
    tmp_path: Path, text: str, name: str, expected: str
) -> None:
    with pytest.raises(KnowledgeError) as err:
        load_knowledge(_file(tmp_path, text, name))
    message = str(err.value)
    assert expected in message and "\n" not in message and isinstance(err.value, HudError)


def test_missing_non_utf8_and_bad_options(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="not found"):
        load_knowledge(tmp_path / "none.toml")
    bad = tmp_path / "b.toml"
    bad.write_bytes(b"\xff\xfe[answers]")
    with pytest.raises(KnowledgeError, match="not UTF-8"):
        load_knowledge(bad)
    with pytest.raises(OptionsError):
        OfflineAnswerSource({}, words_per_chunk=0)


def test_a_title_may_be_given_per_language(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from hud.answers.offline import KnowledgeError, load_knowledge

    path = tmp_path / "kb.toml"
    path.write_text(
        '[answers.keys]\ntitle = "Keys"\ntitle_ko = "차 열쇠"\nen = "Here."\nko = "여기."\n'
        '[answers.mug]\nen = "A mug."\n',
        encoding="utf-8",
    )
    entries = load_knowledge(path)
    assert entries["keys"].title_in("ko") == "차 열쇠" and entries["keys"].title_in("en") == "Keys"
    assert entries["mug"].title_in("ko") == "mug"  # no title at all: the key
    path.write_text('[answers.keys]\ntitle_ko = 3\nen = "Here."\n', encoding="utf-8")
    with pytest.raises(KnowledgeError, match="title_ko: expected text"):
        load_knowledge(path)
