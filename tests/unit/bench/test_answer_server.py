"""The benchmark's loopback server speaks what the real OpenAI-compatible source reads:
its models, and an answer streamed as server-sent events in the scripted chunks."""

from __future__ import annotations

from hud.answers import AnswerRequest
from hud.answers.config import OpenAIAnswerOptions
from hud.answers.openai_source import OpenAIAnswerSource
from hud.bench.answers import ANSWER_CHUNKS, MODEL, LoopbackAnswerServer


def test_the_real_source_streams_the_scripted_answer_from_it() -> None:
    with LoopbackAnswerServer(first_chunk_delay_s=0.01, chunk_gap_s=0.0) as server:
        options = OpenAIAnswerOptions(base_url=server.base_url, max_retries=0)
        with OpenAIAnswerSource(options) as source:
            request = AnswerRequest(question="What is this?", label="printer")
            first = list(source.stream(request))
            second = list(source.stream(request))
            assert source.model == MODEL  # no model configured: the one it lists
    assert first == second == list(ANSWER_CHUNKS)
    assert len(server.arrivals) == len(server.first_sent) == 2
    for arrived, sent in zip(server.arrivals, server.first_sent):
        assert sent > arrived  # the first chunk leaves after the request was read


def test_a_client_gone_mid_answer_leaves_the_server_answering() -> None:
    with LoopbackAnswerServer(first_chunk_delay_s=0.0, chunk_gap_s=0.2) as server:
        options = OpenAIAnswerOptions(base_url=server.base_url, model=MODEL, max_retries=0)
        with OpenAIAnswerSource(options) as source:
            request = AnswerRequest(question="What is this?")
            stream = source.stream(request)
            chunks = iter(stream)
            assert next(chunks) == ANSWER_CHUNKS[0]
            stream.close()  # a dismissed card: the connection is cut mid-answer
            assert list(chunks) == []
            assert list(source.stream(request)) == list(ANSWER_CHUNKS)
    assert len(server.arrivals) == 2
