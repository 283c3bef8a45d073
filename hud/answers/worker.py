"""Answer streams run on background threads, so rendering never waits on a network.

The frame loop asks (:meth:`AnswerWorker.ask`) under a key of its own (a card id) and
collects what arrived since the last frame (:meth:`AnswerWorker.poll`, which never
blocks); a command without a frame loop blocks on :meth:`AnswerWorker.wait` instead.
Each job reports, in order: ``sent`` (what went off the machine, only for a source that
reports a request), ``chunk`` (answer text, as it streams) and exactly one ``done`` or
``error`` (a one-line message). A cancelled job reports nothing more, not even what had
arrived but was not polled yet, and its stream is closed, which for a network source
closes its connection at once.

A source that raises anything, not only :class:`AnswerError`, ends its job in ``error``
and leaves the worker running; the message of an unexpected exception is not shown (it
may hold a traceback's worth of detail or a credential), only its type. The worker reads
no clock: its waits are on a condition, with the caller's timeout.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field

from hud.answers.protocol import AnswerRequest, AnswerSource, AnswerStream
from hud.errors import HudError, OptionsError, escape_controls

#: The longest error message passed on (characters); one line either way.
MAX_MESSAGE_CHARS = 300
#: Seconds :meth:`AnswerWorker.close` waits for each thread to finish (a source that
#: ignores ``close`` cannot hold the app past this; the threads are daemons).
JOIN_TIMEOUT_S = 5.0
KINDS = ("sent", "chunk", "done", "error")


@dataclass(frozen=True)
class AnswerUpdate:
    """One thing that arrived for a job: its key (the caller's, e.g. a card id) and kind."""

    key: str  # the caller's key (a card id)
    kind: str  # "sent" | "chunk" | "done" | "error"
    text: str = ""  # the chunk ("chunk") or the one-line message ("error")
    #: only for "sent": what went out (sizes, host, model; never the key)
    sent: Mapping[str, object] = field(default_factory=dict)


class _Job:
    __slots__ = ("cancelled", "ended", "key", "request", "sent", "stream")

    def __init__(self, key: str, request: AnswerRequest) -> None:
        self.key = key
        self.request = request
        self.cancelled = False
        self.ended = False  # its "done" or "error" was posted
        self.sent = False
        self.stream: AnswerStream | None = None


class AnswerWorker:
    """Runs a source's streams on up to ``max_jobs`` threads (started as needed).

    A context manager; :meth:`close` cancels everything. The source stays the caller's
    to close, after the worker.
    """

    def __init__(self, source: AnswerSource, *, max_jobs: int = 4) -> None:
        if isinstance(max_jobs, bool) or not isinstance(max_jobs, int) or not 1 <= max_jobs <= 64:
            raise OptionsError(f"max_jobs must be a whole number from 1 to 64, got {max_jobs!r}")
        self.source = source
        self.max_jobs = max_jobs
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._updates: deque[tuple[_Job, AnswerUpdate]] = deque()
        #: Jobs asked and not cancelled whose final update has not been polled yet.
        self._jobs: dict[str, _Job] = {}
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._closed = False

    # ------------------------------------------------------------------ the caller's side
    def ask(self, key: str, request: AnswerRequest) -> None:
        """Start a job under ``key``; one already there is cancelled first (its late
        updates are dropped)."""
        if not isinstance(key, str):
            raise OptionsError(f"an answer key must be text, got {type(key).__name__}")
        self.cancel(key)
        job = _Job(key, request)
        with self._lock:
            if self._closed:
                raise HudError("the answer worker is closed")
            self._jobs[key] = job
            if len(self._threads) < self.max_jobs:
                thread = threading.Thread(
                    target=self._serve, name=f"answer-worker-{len(self._threads)}", daemon=True
                )
                self._threads.append(thread)
                thread.start()
        self._queue.put(job)

    def cancel(self, key: str) -> None:
        """No more updates for ``key``; its stream is closed (a no-op for an unknown key)."""
        with self._lock:
            job = self._jobs.pop(key, None)
            if job is None:
                return
            self._drop(job)
            stream = job.stream
        if stream is not None:
            _close_quietly(stream)

    def poll(self) -> list[AnswerUpdate]:
        """What arrived since the last poll, in order; never blocks."""
        with self._lock:
            return self._drain()

    def wait(self, timeout_s: float | None = None) -> list[AnswerUpdate]:
        """Block until at least one update arrives (or ``timeout_s`` passes), then return
        like :meth:`poll`. Returns ``[]`` at once when no job is left to report."""
        with self._arrived:
            self._arrived.wait_for(lambda: bool(self._updates) or not self._jobs, timeout_s)
            return self._drain()

    def busy(self) -> bool:
        """A job is running or queued, or its final update is not polled yet (so a
        caller loops ``while worker.busy(): worker.wait(...)`` and misses nothing)."""
        with self._lock:
            return bool(self._jobs)

    def close(self) -> None:
        """Cancel every job and join the threads; safe to call twice."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            jobs = list(self._jobs.values())
            self._jobs.clear()
            for job in jobs:
                job.cancelled = True
            self._updates.clear()
            self._arrived.notify_all()
            threads = list(self._threads)
        for job in jobs:
            if job.stream is not None:
                _close_quietly(job.stream)
        for _ in threads:
            self._queue.put(None)
        for thread in threads:
            thread.join(JOIN_TIMEOUT_S)

    def __enter__(self) -> AnswerWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ the threads' side
    def _serve(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            if not job.cancelled:
                self._run(job)

    def _run(self, job: _Job) -> None:
        stream: AnswerStream | None = None
        try:
            request = job.request.prepared()  # the crop is made here, off the frame loop
            stream = self.source.stream(request, on_sent=lambda sent: self._sent(job, sent))
            with self._lock:
                job.stream = stream
                cancelled = job.cancelled
            if cancelled:
                return
            for chunk in stream:
                if job.cancelled:
                    return
                if not isinstance(chunk, str):
                    raise HudError(f"the answer source gave a {type(chunk).__name__}, not text")
                if chunk:
                    self._post(job, AnswerUpdate(job.key, "chunk", chunk))
            self._post(job, AnswerUpdate(job.key, "done"))
        except HudError as exc:
            self._post(job, AnswerUpdate(job.key, "error", _one_line(str(exc))))
        except BaseException as exc:  # a source's bug must not end the worker's thread
            message = f"the answer source failed ({type(exc).__name__})"
            self._post(job, AnswerUpdate(job.key, "error", message))
        finally:
            if stream is not None:
                _close_quietly(stream)

    def _sent(self, job: _Job, sent: Mapping[str, object]) -> None:
        if not job.sent:
            job.sent = True
            self._post(job, AnswerUpdate(job.key, "sent", sent=dict(sent)))

    def _post(self, job: _Job, update: AnswerUpdate) -> None:
        with self._arrived:
            if job.cancelled or job.ended:
                return
            job.ended = update.kind in ("done", "error")
            self._updates.append((job, update))
            self._arrived.notify_all()

    def _drain(self) -> list[AnswerUpdate]:
        out = []
        while self._updates:
            job, update = self._updates.popleft()
            out.append(update)
            if update.kind in ("done", "error") and self._jobs.get(job.key) is job:
                del self._jobs[job.key]
        return out

    def _drop(self, job: _Job) -> None:
        """Mark a job cancelled and forget what it posted but nobody polled (lock held)."""
        job.cancelled = True
        if any(j is job for j, _ in self._updates):
            self._updates = deque((j, u) for j, u in self._updates if j is not job)


def _one_line(message: str) -> str:
    text = escape_controls(" ".join(str(message).split()))
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 3] + "..."


def _close_quietly(stream: AnswerStream) -> None:
    with suppress(Exception):  # a source's close failing must not stop a cancel
        stream.close()
