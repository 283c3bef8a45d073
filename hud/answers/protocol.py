"""The answer-source protocol: a question about an object in, text chunks out.

A source streams: :meth:`AnswerSource.stream` returns an :class:`AnswerStream` at once,
and iterating it yields chunks as they arrive, so a card can grow while the answer is
still coming (``HudSession.stream_text``). Each stream is cancelled on its own: two cards
may ask at once, and dismissing one calls its stream's :meth:`AnswerStream.close`, which
ends that iteration (and closes that request's connection) and nothing else. Answer text
is untrusted; the layout sanitises it before it is drawn.

A source says whether a request leaves the machine (:attr:`AnswerSource.remote`) and, for
each request that does, what went out (``on_sent`` and :attr:`AnswerStream.sent`: sizes,
host, model, never a credential), for the app's trace and ``hud ask --json``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np
import numpy.typing as npt

from hud.errors import HudError


class AnswerError(HudError):
    """A source could not answer (the card shows its ``error`` state with this line)."""


@dataclass(frozen=True)
class AnswerRequest:
    """What the assistant is asked: the question and the object it is about.

    ``object_id`` is the scene or marker id (``marker-7``), ``label`` what a detector
    calls it, ``box`` its normalised image box; ``language`` is ``"en"`` or ``"ko"``.
    ``image`` is the object's crop of the camera frame (H×W×3 uint8 RGB), already
    redacted by the caller (bystanders' faces blurred); a source that sends images sends
    only this.
    """

    question: str
    object_id: str | None = None
    label: str | None = None
    box: tuple[float, float, float, float] | None = None
    language: str = "en"
    context: Mapping[str, str] = field(default_factory=dict)
    image: npt.NDArray[np.uint8] | None = field(default=None, repr=False, compare=False)
    #: Makes :attr:`image` when the request is about to be sent, on the answer worker's
    #: thread (redacting a whole camera frame costs tens of milliseconds: never on the
    #: frame loop's). Used only while ``image`` is None.
    image_source: Callable[[], npt.NDArray[np.uint8]] | None = field(
        default=None, repr=False, compare=False
    )

    def prepared(self) -> AnswerRequest:
        """This request with its image made (from :attr:`image_source`), ready to send."""
        if self.image is not None or self.image_source is None:
            return self
        return replace(self, image=self.image_source(), image_source=None)


#: Told what a request sent off the machine, once, just before it goes out.
SentCallback = Callable[[Mapping[str, object]], None]


class AnswerStream(Protocol):
    """One answer on its way. Iterate it (once) for the text chunks; an
    :class:`AnswerError` raised while iterating is the answer's failure.

    :meth:`close` may be called from any thread, at any time, any number of times:
    the iteration then ends quietly (no error) at the latest at its next chunk, and a
    network request's connection is closed at once, even while the server is silent.
    """

    @property
    def sent(self) -> Mapping[str, object] | None:
        """What the request sent off the machine, once it did (``None`` until then, and
        always for a local source)."""
        ...

    def __iter__(self) -> Iterator[str]: ...

    def close(self) -> None: ...


class AnswerSource(Protocol):
    """Anything that answers :class:`AnswerRequest` as a stream of text chunks.

    :meth:`stream` returns without blocking (the work happens while the stream is
    iterated) and may be called from several threads, for several requests at once.
    ``on_sent`` is called at most once per stream, on the iterating thread, before the
    request leaves the machine and before the first chunk; a local source never calls it.
    """

    @property
    def remote(self) -> bool:
        """Whether a request leaves the machine (a network source) or not."""
        ...

    def stream(
        self, request: AnswerRequest, *, on_sent: SentCallback | None = None
    ) -> AnswerStream: ...


class ChunkStream:
    """An :class:`AnswerStream` over chunks made on the iterating thread (a local
    source's): :meth:`close` is a flag the iteration checks before each chunk."""

    def __init__(self, chunks: Iterable[str]) -> None:
        self._chunks = chunks
        self._closed = threading.Event()

    @property
    def sent(self) -> Mapping[str, object] | None:
        return None

    def __iter__(self) -> Iterator[str]:
        for chunk in self._chunks:
            if self._closed.is_set():
                return
            yield chunk

    def close(self) -> None:
        self._closed.set()
