"""Answer sources: where an assistant's answer text comes from, as a stream of chunks.

- :mod:`hud.answers.protocol`: what a source is given (:class:`AnswerRequest`) and how it
  answers (an iterator of text chunks, cancellable).
- :mod:`hud.answers.offline`: answers from a local knowledge file (TOML or JSON, English
  and Korean), for the emulator's embedded default and for working without a network.
"""

from hud.answers.offline import KnowledgeError, OfflineAnswerSource, load_knowledge
from hud.answers.protocol import AnswerError, AnswerRequest, AnswerSource

__all__ = [
    "AnswerError",
    "AnswerRequest",
    "AnswerSource",
    "KnowledgeError",
    "OfflineAnswerSource",
    "load_knowledge",
]
