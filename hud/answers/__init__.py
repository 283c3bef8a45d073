"""Answer sources: where an assistant's answer text comes from, as a stream of chunks.

- :mod:`hud.answers.protocol`: what a source is given (:class:`AnswerRequest`) and how it
  answers (an :class:`AnswerStream` of text chunks, each cancellable on its own).
- :mod:`hud.answers.offline`: answers from a local knowledge file (TOML or JSON, English
  and Korean), for the emulator's embedded default and for working without a network.
- :mod:`hud.answers.openai_source`: answers from an OpenAI-compatible server (OpenAI,
  llama.cpp, Ollama, vLLM), configured by :mod:`hud.answers.config`; loaded on first use
  (the client is a heavy import).
- :mod:`hud.answers.worker`: streams run on background threads, polled by a frame loop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hud.answers.config import AnswerConfigError, OpenAIAnswerOptions, load_openai_options
from hud.answers.offline import KnowledgeError, OfflineAnswerSource, load_knowledge
from hud.answers.protocol import (
    AnswerError,
    AnswerRequest,
    AnswerSource,
    AnswerStream,
    ChunkStream,
    SentCallback,
)
from hud.answers.worker import AnswerUpdate, AnswerWorker

if TYPE_CHECKING:
    from hud.answers.openai_source import OpenAIAnswerSource

__all__ = [
    "AnswerConfigError",
    "AnswerError",
    "AnswerRequest",
    "AnswerSource",
    "AnswerStream",
    "AnswerUpdate",
    "AnswerWorker",
    "ChunkStream",
    "KnowledgeError",
    "OfflineAnswerSource",
    "OpenAIAnswerOptions",
    "OpenAIAnswerSource",
    "SentCallback",
    "load_knowledge",
    "load_openai_options",
]


def __getattr__(name: str) -> Any:
    if name == "OpenAIAnswerSource":  # imports the openai client: only when used
        from hud.answers.openai_source import OpenAIAnswerSource

        globals()[name] = OpenAIAnswerSource
        return OpenAIAnswerSource
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
