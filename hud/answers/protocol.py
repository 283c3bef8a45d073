"""The answer-source protocol: a question about an object in, text chunks out.

A source streams: :meth:`AnswerSource.stream` yields chunks as they arrive, so a card can
grow while the answer is still coming (``HudSession.stream_text``). Streams are
cancellable: dismissing a card calls :meth:`AnswerSource.cancel`, and the iterator ends at
its next chunk. Answer text is untrusted; the layout sanitises it before it is drawn.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from hud.errors import HudError


class AnswerError(HudError):
    """A source could not answer (the card shows its ``error`` state with this line)."""


@dataclass(frozen=True)
class AnswerRequest:
    """What the assistant is asked: the question and the object it is about.

    ``object_id`` is the scene or marker id (``marker-7``), ``label`` what a detector
    calls it, ``box`` its normalised image box; ``language`` is ``"en"`` or ``"ko"``.
    """

    question: str
    object_id: str | None = None
    label: str | None = None
    box: tuple[float, float, float, float] | None = None
    language: str = "en"
    context: Mapping[str, str] = field(default_factory=dict)


class AnswerSource(Protocol):
    """Anything that answers :class:`AnswerRequest` as a stream of text chunks."""

    def stream(self, request: AnswerRequest) -> Iterator[str]: ...

    def cancel(self) -> None: ...
