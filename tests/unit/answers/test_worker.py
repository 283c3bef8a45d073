"""The answer worker: streams on background threads, updates polled in order, exactly one
end per job, cancellation per key that drops late and unpolled updates, and sources that
misbehave (raise anything, yield non-text, ignore a close) without stopping the worker.

The sources here are small protocol implementations with the behaviours under test (a
gate to hold a stream open, a failure of a chosen kind); the network source has its own
tests against a real server."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from hud.answers import (
    AnswerError,
    AnswerRequest,
    AnswerSource,
    AnswerUpdate,
    AnswerWorker,
    OfflineAnswerSource,
    SentCallback,
)
from hud.errors import HudError, OptionsError

pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")

PATIENCE_S = 30.0
SECRET = "sk-wg-WORKER-5c1d9e7f3a"


def _run(worker: AnswerWorker) -> list[AnswerUpdate]:
    updates: list[AnswerUpdate] = []
    while worker.busy():
        got = worker.wait(PATIENCE_S)
        assert got or not worker.busy(), "no update within the patience"
        updates += got
    return updates


def _until(worker: AnswerWorker, kind: str, key: str) -> list[AnswerUpdate]:
    """Wait for an update of ``kind`` for ``key``; everything that came until then."""
    seen: list[AnswerUpdate] = []
    for _ in range(1000):
        seen += worker.wait(PATIENCE_S)
        if any(u.kind == kind and u.key == key for u in seen):
            return seen
    raise AssertionError(f"no {kind} for {key}")


class _Stream:
    """A stream made of a generator function, closed by an event it may ignore."""

    def __init__(self, make: object, request: AnswerRequest) -> None:
        self.closed = threading.Event()
        self._make = make
        self._request = request

    @property
    def sent(self) -> Mapping[str, object] | None:
        return None

    def __iter__(self) -> Iterator[str]:
        return self._make(self._request, self.closed)  # type: ignore[operator, no-any-return]

    def close(self) -> None:
        self.closed.set()


class ScriptedSource:
    """Answers with ``chunks(request, closed)``; records its streams; optionally reports
    a request as sent (twice, to check the worker passes one)."""

    def __init__(self, chunks: object, *, report: bool = False) -> None:
        self.chunks = chunks
        self.report = report
        self.streams: list[_Stream] = []

    @property
    def remote(self) -> bool:
        return self.report

    def stream(self, request: AnswerRequest, *, on_sent: SentCallback | None = None) -> _Stream:
        stream = _Stream(self._with_report(on_sent), request)
        self.streams.append(stream)
        return stream

    def _with_report(self, on_sent: SentCallback | None) -> object:
        def chunks(request: AnswerRequest, closed: threading.Event) -> Iterator[str]:
            if self.report and on_sent is not None:
                on_sent({"host": "example:443", "request_bytes": 10})
                on_sent({"host": "example:443", "request_bytes": 10})
            yield from self.chunks(request, closed)  # type: ignore[operator]

        return chunks


def _words(request: AnswerRequest, closed: threading.Event) -> Iterator[str]:
    for word in request.question.split():
        yield word + " "


def test_offline_answers_stream_then_end_once_with_nothing_sent(tmp_path: Path) -> None:
    knowledge = tmp_path / "k.toml"
    knowledge.write_text(
        '[answers.mug]\nen = "A mug of tea."\nko = "차 한 잔."\n', encoding="utf-8"
    )
    with AnswerWorker(OfflineAnswerSource(knowledge, words_per_chunk=1)) as worker:
        worker.ask("en", AnswerRequest("?", label="mug"))
        worker.ask("ko", AnswerRequest("?", label="mug", language="ko"))
        updates = _run(worker)
        assert not worker.busy() and worker.poll() == []
    for key, text in (("en", "A mug of tea."), ("ko", "차 한 잔.")):
        mine = [u for u in updates if u.key == key]
        assert [u.kind for u in mine] == ["chunk"] * (len(mine) - 1) + ["done"]
        assert "".join(u.text for u in mine) == text
    assert "sent" not in {u.kind for u in updates}


def test_a_reported_request_comes_first_and_once() -> None:
    with AnswerWorker(ScriptedSource(_words, report=True)) as worker:
        worker.ask("k", AnswerRequest("two words"))
        updates = _run(worker)
    assert [u.kind for u in updates] == ["sent", "chunk", "chunk", "done"]
    assert updates[0].sent == {"host": "example:443", "request_bytes": 10}


def _raise_in_iteration(request: AnswerRequest, closed: threading.Event) -> Iterator[str]:
    yield "partial "
    raise RuntimeError(f"boom with {SECRET}\nTraceback (most recent call last): ...")


class _RaisingOnStream:
    remote = False

    def stream(self, request: AnswerRequest, *, on_sent: SentCallback | None = None) -> _Stream:
        raise KeyError(SECRET)


class _SystemExitSource(ScriptedSource):
    def __init__(self) -> None:
        def chunks(request: AnswerRequest, closed: threading.Event) -> Iterator[str]:
            raise SystemExit(3)
            yield ""

        super().__init__(chunks)


def _not_text(request: AnswerRequest, closed: threading.Event) -> Iterator[str]:
    yield b"bytes"  # type: ignore[misc]


def _answer_error(request: AnswerRequest, closed: threading.Event) -> Iterator[str]:
    raise AnswerError("no answer\nabout\x1b[2J this")
    yield ""


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (ScriptedSource(_raise_in_iteration), "the answer source failed (RuntimeError)"),
        (_RaisingOnStream(), "the answer source failed (KeyError)"),
        (_SystemExitSource(), "the answer source failed (SystemExit)"),
        (ScriptedSource(_not_text), "the answer source gave a bytes, not text"),
        (ScriptedSource(_answer_error), "no answer about\\x1b[2J this"),
    ],
    ids=[
        "raises in iteration",
        "raises in stream()",
        "SystemExit",
        "non-text chunk",
        "AnswerError",
    ],
)
def test_a_failing_source_ends_its_job_in_one_error_and_the_worker_goes_on(
    source: AnswerSource, expected: str
) -> None:
    with AnswerWorker(source, max_jobs=1) as worker:
        for attempt in range(2):  # the same thread takes the next job
            worker.ask("k", AnswerRequest("?"))
            updates = _run(worker)
            errors = [u for u in updates if u.kind == "error"]
            assert len(errors) == 1 and updates[-1] is errors[0], (attempt, updates)
            assert errors[0].text == expected
            assert SECRET not in errors[0].text and "\n" not in errors[0].text
    good = AnswerWorker(ScriptedSource(_words), max_jobs=1)
    with good:
        good.ask("k", AnswerRequest("fine now"))
        assert [u.kind for u in _run(good)][-1] == "done"


def _gated(gate: threading.Event, held: dict[str, threading.Event] | None = None) -> object:
    """First word, then hold until the gate opens or the stream is closed (``held`` of
    the question is set then: the first chunk has been handed over); a closed stream
    still yields a late chunk (a source that ignores close), which must be dropped."""

    def chunks(request: AnswerRequest, closed: threading.Event) -> Iterator[str]:
        yield f"{request.question}-1"
        if held is not None:
            held[request.question].set()
        while not (gate.wait(0.01) or closed.is_set()):
            pass
        yield f"{request.question}-late" if closed.is_set() else f"{request.question}-2"

    return chunks


def test_asking_again_under_a_key_cancels_the_first_job_and_drops_its_late_updates() -> None:
    gate = threading.Event()
    source = ScriptedSource(_gated(gate))
    with AnswerWorker(source) as worker:
        worker.ask("card", AnswerRequest("one"))
        assert [u.text for u in _until(worker, "chunk", "card")] == ["one-1"]
        worker.ask("card", AnswerRequest("two"))
        assert source.streams[0].closed.wait(PATIENCE_S)  # the first stream was closed
        gate.set()
        texts = [u.text for u in _run(worker) if u.kind == "chunk"]
    assert texts == ["two-1", "two-2"]  # nothing of "one" after the second ask


def test_cancel_drops_what_arrived_unpolled_and_closes_the_stream() -> None:
    gate = threading.Event()
    held = {"a": threading.Event(), "b": threading.Event()}
    source = ScriptedSource(_gated(gate, held))
    with AnswerWorker(source) as worker:
        worker.ask("a", AnswerRequest("a"))
        worker.ask("b", AnswerRequest("b"))
        assert held["a"].wait(PATIENCE_S) and held["b"].wait(PATIENCE_S)  # "a-1", "b-1" queued
        worker.cancel("a")
        worker.cancel("unknown")  # nothing to do
        (stream_a,) = [s for s in source.streams if s._request.question == "a"]
        assert stream_a.closed.wait(PATIENCE_S)
        gate.set()
        updates = _run(worker)
    assert [(u.key, u.kind, u.text) for u in updates] == [
        ("b", "chunk", "b-1"),
        ("b", "chunk", "b-2"),
        ("b", "done", ""),
    ]


def test_more_jobs_than_threads_wait_their_turn() -> None:
    gate = threading.Event()
    with AnswerWorker(ScriptedSource(_gated(gate)), max_jobs=1) as worker:
        for key in ("x", "y", "z"):
            worker.ask(key, AnswerRequest(key))
        _until(worker, "chunk", "x")
        assert worker.busy()
        gate.set()
        updates = _run(worker)
        assert not worker.busy()
    for key in ("y", "z"):
        assert [u.text for u in updates if u.key == key] == [f"{key}-1", f"{key}-2", ""]


def test_wait_returns_at_once_with_nothing_to_report_and_after_a_timeout() -> None:
    gate = threading.Event()
    with AnswerWorker(ScriptedSource(_gated(gate))) as worker:
        assert worker.wait(None) == [] and worker.poll() == [] and not worker.busy()
        worker.ask("k", AnswerRequest("k"))
        _until(worker, "chunk", "k")
        assert worker.wait(0.01) == []  # held at the gate: the timeout ends the wait
        gate.set()
        assert [u.kind for u in _run(worker)][-1] == "done"


def test_close_cancels_everything_joins_and_is_safe_twice() -> None:
    gate = threading.Event()
    source = ScriptedSource(_gated(gate))
    worker = AnswerWorker(source, max_jobs=2)
    worker.ask("a", AnswerRequest("a"))
    _until(worker, "chunk", "a")
    worker.close()
    worker.close()
    assert source.streams[0].closed.is_set()
    assert not any(t.is_alive() for t in worker._threads)
    assert worker.poll() == [] and not worker.busy()
    with pytest.raises(HudError, match="closed"):
        worker.ask("b", AnswerRequest("b"))


@pytest.mark.parametrize("bad", [0, 65, 2.0, True])
def test_max_jobs_is_checked(bad: object) -> None:
    with pytest.raises(OptionsError):
        AnswerWorker(ScriptedSource(_words), max_jobs=bad)  # type: ignore[arg-type]
