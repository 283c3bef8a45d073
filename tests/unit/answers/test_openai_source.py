"""The network answer source against a real loopback server speaking OpenAI's streaming
protocol: answers, every failure as one line, retries, per-stream cancellation that
reaches the wire, model auto-pick, configuration from the environment, and a key that
never shows anywhere but in the Authorization header."""

from __future__ import annotations

import base64
import logging
import socket
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from sse_server import Answer, Drop, Raw, Received, SSEServer, Stall, Status

from hud.answers import (
    AnswerError,
    AnswerRequest,
    AnswerUpdate,
    AnswerWorker,
    OpenAIAnswerOptions,
    load_openai_options,
)
from hud.answers.config import PLACEHOLDER_KEY
from hud.answers.openai_source import OpenAIAnswerSource
from hud.errors import OptionsError

pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")

ROOT = Path(__file__).resolve().parents[3]
PHOTO = ROOT / "tests" / "data" / "images" / "thumbs-up_960x640.jpg"
#: A key distinctive enough that any leak of it is found.
KEY = "sk-wg-TEST-9d3f7a1c5e2b8f40"
#: Generous: the tests wait on events, never on the clock, so a loaded machine only slows them.
PATIENCE_S = 30.0


@pytest.fixture
def server() -> Iterator[SSEServer]:
    with SSEServer(models=["first-model", "second-model"]) as s:
        yield s


def _source(server: SSEServer, **options: object) -> OpenAIAnswerSource:
    settings: dict[str, object] = {
        "base_url": server.base_url,
        "api_key": KEY,
        "model": "test-model",
        "timeout_s": 300.0,  # past the patience: only a cancel can end a stall in time
        "max_retries": 0,
    }
    settings.update(options)
    return OpenAIAnswerSource(OpenAIAnswerOptions(**settings))  # type: ignore[arg-type]


@pytest.fixture
def source(server: SSEServer) -> Iterator[OpenAIAnswerSource]:
    with _source(server) as s:
        yield s


def _run(worker: AnswerWorker) -> list[AnswerUpdate]:
    """Everything the worker reports until no job is left (each wait is bounded)."""
    updates: list[AnswerUpdate] = []
    while worker.busy():
        got = worker.wait(PATIENCE_S)
        assert got or not worker.busy(), "no update within the patience"
        updates += got
    return updates


def _text(updates: list[AnswerUpdate]) -> str:
    return "".join(u.text for u in updates if u.kind == "chunk")


def _assert_key_only_in_authorization(requests: list[Received]) -> None:
    assert requests
    for r in requests:
        assert KEY not in r.body.decode("utf-8") and KEY not in r.path
        holders = {name.lower() for name, value in r.headers.items() if KEY in value}
        assert holders == {"authorization"} and r.headers["authorization"] == f"Bearer {KEY}"


def test_an_answer_streams_in_chunks_and_reports_what_was_sent(
    server: SSEServer, source: OpenAIAnswerSource
) -> None:
    server.script(Answer(["The mug ", "holds 350 ml", "."]))
    with AnswerWorker(source) as worker:
        worker.ask("card-1", AnswerRequest("What is this?", label="mug"))
        updates = _run(worker)
    assert [u.kind for u in updates] == ["sent", "chunk", "chunk", "chunk", "done"]
    assert _text(updates) == "The mug holds 350 ml."
    (chat,) = server.chats()
    sent = updates[0].sent
    assert sent == {
        "host": f"127.0.0.1:{server.port}",
        "model": "test-model",
        "question_chars": len("What is this?"),
        "image_bytes": 0,
        "request_bytes": int(chat.headers["content-length"]),
    }
    body = chat.json
    assert body["stream"] is True and body["model"] == "test-model"
    system, user = body["messages"]
    assert "one or two short sentences" in system["content"] and "English" in system["content"]
    assert user["content"].startswith("What is this?") and "mug" in user["content"]
    _assert_key_only_in_authorization(server.requests)
    assert source.remote is True


def test_korean_answers_round_trip_even_split_inside_a_character(
    server: SSEServer, source: OpenAIAnswerSource
) -> None:
    server.script(Answer(["머그컵이에요", ", 350ml 들어가요."], split=True))
    stream = source.stream(AnswerRequest("이게 뭐야?", label="mug", language="ko"))
    assert "".join(stream) == "머그컵이에요, 350ml 들어가요."
    system = server.chats()[0].json["messages"][0]["content"]
    assert "Korean" in system and "한국어" in system


def test_the_crop_goes_as_a_small_jpeg_of_those_pixels(server: SSEServer) -> None:
    photo = np.asarray(Image.open(PHOTO).convert("RGB"))
    crop = np.ascontiguousarray(photo[40:600, 100:900])  # 800 x 560
    with _source(server, image_max_side=512) as source:
        stream = source.stream(AnswerRequest("What gesture?", image=crop))
        assert "".join(stream) == "Hello there."
    content = server.chats()[0].json["messages"][1]["content"]
    assert content[0]["type"] == "text" and content[1]["type"] == "image_url"
    url = content[1]["image_url"]["url"]
    assert url.startswith("data:image/jpeg;base64,")
    jpeg = base64.b64decode(url.split(",", 1)[1])
    sent = cv2.cvtColor(
        cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB
    )
    assert sent.shape == (358, 512, 3)
    expected = cv2.resize(crop, (512, 358), interpolation=cv2.INTER_AREA)
    assert np.abs(sent.astype(int) - expected.astype(int)).mean() < 6  # the crop, in RGB order
    assert stream.sent is not None and stream.sent["image_bytes"] == len(jpeg)
    assert stream.sent["request_bytes"] == int(server.chats()[0].headers["content-length"])


def test_no_image_goes_when_sending_images_is_off(server: SSEServer) -> None:
    crop = np.zeros((40, 40, 3), np.uint8)
    with _source(server, send_image=False) as source:
        stream = source.stream(AnswerRequest("What?", image=crop))
        "".join(stream)
    assert isinstance(server.chats()[0].json["messages"][1]["content"], str)
    assert stream.sent is not None and stream.sent["image_bytes"] == 0


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


#: Each failure, and the words its one-line message must have.
FAILURES = {
    "500 with a JSON error": (
        Status(500, "the model crashed"),
        "answered 500: 'the model crashed'",
    ),
    "401 echoing the key": (
        Status(401, f"Incorrect API key provided: {KEY}"),
        "refused the API key (401)",
    ),
    "hostile 500 text": (Status(500, "x\n\x1b[31m" + KEY + "y" * 500), "answered 500: "),
    "non-JSON 502": (Status(502, body=b"<html>Bad gateway</html>"), "answered 502"),
    "silent before the headers": (Stall(), "did not answer within 1 s"),
    "silent mid-answer": (Stall(["The mug"]), "went silent mid-answer"),
    "dropped mid-answer": (Drop(["The mug "]), "connection to 127.0.0.1"),
    "event that is not JSON": (Raw(b"data: {oops\n\n"), "sent malformed answer data"),
    "choices of a wrong shape": (
        Raw(b'data: {"choices": "nope"}\n\n'),
        "sent malformed answer data",
    ),
    "content that is not text": (
        Raw(b'data: {"choices": [{"delta": {"content": 5}, "finish_reason": null}]}\n\n'),
        "sent malformed answer data",
    ),
    "an error event": (
        Raw(b'data: {"error": {"message": "out of memory"}}\n\n'),
        "reported an error: 'out of memory'",
    ),
    "no finish reason": (Answer(["The mug"], finish_reason=None), "the answer was cut off"),
    "no finish reason, no [DONE]": (Answer(["The mug"], finish_reason=None, done=False), "cut off"),
    "an empty answer": (Answer([]), "gave an empty answer ('stop')"),
    "tokens spent before any text": (
        Answer([], finish_reason="length"),
        "gave an empty answer ('length')",
    ),
}


@pytest.mark.parametrize("name", sorted(FAILURES))
def test_each_failure_is_one_error_line_then_a_retry_completes(
    server: SSEServer, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    reply, expected = FAILURES[name]
    server.script(reply, Answer(["It is ", "a mug."]))
    timeout_s = 1.0 if isinstance(reply, Stall) else 300.0  # short only where it is waited out
    with _source(server, timeout_s=timeout_s) as source, AnswerWorker(source) as worker:
        worker.ask("card", AnswerRequest("What is this?"))
        failed = _run(worker)
        errors = [u for u in failed if u.kind == "error"]
        assert (
            len(errors) == 1 and failed[-1] is errors[0] and "done" not in {u.kind for u in failed}
        )
        message = errors[0].text
        assert expected in message, message
        assert "\n" not in message and "\x1b" not in message and len(message) < 160
        assert "Traceback" not in message and "Error code" not in message
        worker.ask("card", AnswerRequest("What is this?"))  # the retry, under the same key
        retried = _run(worker)
        assert [u.kind for u in retried][-1] == "done" and _text(retried) == "It is a mug."
        texts = [repr(u) for u in failed + retried] + [repr(source), repr(source.options)]
    assert all(KEY not in t for t in texts)
    assert KEY not in caplog.text
    _assert_key_only_in_authorization(server.requests)


def test_an_unreachable_server_is_one_line_and_names_the_host() -> None:
    port = _closed_port()
    options = OpenAIAnswerOptions(
        base_url=f"http://127.0.0.1:{port}/v1", api_key=KEY, model="m", max_retries=0
    )
    with OpenAIAnswerSource(options) as source, pytest.raises(AnswerError) as info:
        "".join(source.stream(AnswerRequest("?")))
    assert info.value.message == f"cannot connect to 127.0.0.1:{port}"


def test_a_failure_carries_no_trace_of_the_key(server: SSEServer) -> None:
    server.script(Status(401, f"bad key {KEY}"))
    with _source(server) as source:
        stream = source.stream(AnswerRequest("?"))
        with pytest.raises(AnswerError) as info:
            list(stream)
    err = info.value
    assert (
        err.__cause__ is None and err.__context__ is None
    )  # no client error (with headers) inside
    whole = "".join(traceback.format_exception(err))
    assert KEY not in whole and KEY not in repr(err) and KEY not in repr(stream.sent)


def test_the_source_retries_a_failure_before_any_text(server: SSEServer) -> None:
    server.script(Status(503, headers={"Retry-After": "0"}), Answer(["Second ", "time."]))
    with _source(server, max_retries=1) as source:
        sent: list[object] = []
        stream = source.stream(AnswerRequest("?"), on_sent=sent.append)
        assert "".join(stream) == "Second time."
    assert len(server.chats()) == 2 and len(sent) == 1  # sent is reported once per stream


def test_a_client_error_is_not_retried(server: SSEServer) -> None:
    server.script(Status(400, "bad request"), Answer(["never"]))
    with _source(server, max_retries=3) as source, pytest.raises(AnswerError, match="answered 400"):
        list(source.stream(AnswerRequest("?")))
    assert len(server.chats()) == 1


def test_a_cancel_cuts_a_retry_back_off_short(server: SSEServer) -> None:
    server.script(Status(503, headers={"Retry-After": "7"}), Answer(["never"]))
    with _source(server, max_retries=1) as source:
        stream = source.stream(AnswerRequest("?"))
        out: list[str] = []
        reader = threading.Thread(target=lambda: out.extend(stream))
        reader.start()
        server.wait_for_requests(1)
        stream.close()
        reader.join(PATIENCE_S)
        assert not reader.is_alive() and out == []
    assert len(server.chats()) == 1


@pytest.mark.parametrize(
    "reply", [Stall(), Stall(["The mug "])], ids=["before headers", "mid-answer"]
)
def test_cancel_closes_the_connection_while_the_server_is_silent(
    server: SSEServer, source: OpenAIAnswerSource, reply: Stall
) -> None:
    server.script(reply)
    with AnswerWorker(source) as worker:
        worker.ask("card", AnswerRequest("?"))
        (received,) = server.wait_for_requests(1)
        if reply.chunks:
            while "chunk" not in {u.kind for u in worker.wait(PATIENCE_S)}:
                pass
        worker.cancel("card")
        assert received.closed.wait(PATIENCE_S), "the server never saw the connection closed"
        assert worker.poll() == [] and not worker.busy()
        worker.ask("card", AnswerRequest("again?"))  # the worker and the source still work
        assert _text(_run(worker)) == "Hello there."


def test_dismissing_one_card_cancels_only_its_request(
    server: SSEServer, source: OpenAIAnswerSource
) -> None:
    server.choose = lambda r: (
        Stall() if "stall" in r.body.decode() else Answer(list("slow answer"), delay_s=0.02)
    )
    with AnswerWorker(source) as worker:
        worker.ask("a", AnswerRequest("stall please"))
        worker.ask("b", AnswerRequest("answer please"))
        stalled = next(r for r in server.wait_for_requests(2) if b"stall" in r.body)
        worker.cancel("a")
        assert stalled.closed.wait(PATIENCE_S)
        updates = _run(worker)
    assert {u.key for u in updates} == {"b"}  # nothing more of "a", not even unpolled updates
    assert updates[-1].kind == "done" and _text(updates) == "slow answer"


def test_closing_a_finished_stream_late_leaves_the_next_one_alone(
    server: SSEServer, source: OpenAIAnswerSource
) -> None:
    first = source.stream(AnswerRequest("one"))
    assert "".join(first) == "Hello there."
    second = source.stream(AnswerRequest("two"))
    chunks = iter(second)
    head = next(chunks)
    first.close()  # long finished: nothing of its own is left to cut
    assert head + "".join(chunks) == "Hello there."


def test_without_a_model_the_first_listed_one_is_used_and_asked_for_once(server: SSEServer) -> None:
    with _source(server, model=None) as source:
        assert source.model is None
        for _ in range(2):
            "".join(source.stream(AnswerRequest("?")))
        assert source.model == "first-model"
    assert [r.json["model"] for r in server.chats()] == ["first-model", "first-model"]
    assert len([r for r in server.requests if r.path.endswith("/models")]) == 1


def test_a_server_listing_no_models_or_failing_to_is_one_line(server: SSEServer) -> None:
    server.models = []
    with _source(server, model=None) as source:
        with pytest.raises(AnswerError, match="lists no models"):
            list(source.stream(AnswerRequest("?")))
        server.models_status = 500
        with pytest.raises(AnswerError, match="answered 500.*asked for its models"):
            list(source.stream(AnswerRequest("?")))
        server.models_status, server.models_body = None, b"[1, 2]"
        with pytest.raises(AnswerError, match="sent a malformed list of models"):
            list(source.stream(AnswerRequest("?")))
        server.models_body, server.models = None, ["late-model"]
        assert "".join(source.stream(AnswerRequest("?"))) == "Hello there."  # not cached
    assert server.chats()[-1].json["model"] == "late-model"


def test_endpoint_and_key_come_from_the_clients_environment_variables(
    server: SSEServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with OpenAIAnswerSource(OpenAIAnswerOptions(model="m")) as source:
        assert "".join(source.stream(AnswerRequest("?"))) == "Hello there."
        assert source.host == f"127.0.0.1:{server.port}" and KEY not in repr(source)
    _assert_key_only_in_authorization(server.requests)


def test_a_local_server_needs_no_key(server: SSEServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with OpenAIAnswerSource(OpenAIAnswerOptions(base_url=server.base_url, model="m")) as source:
        assert "".join(source.stream(AnswerRequest("?"))) == "Hello there."
    assert server.chats()[0].headers["authorization"] == f"Bearer {PLACEHOLDER_KEY}"


def test_a_config_file_names_the_endpoint_and_the_keys_variable(
    server: SSEServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "waveglass.toml"
    config.write_text(
        f'[openai]\nbase_url = "{server.base_url}"\nmodel = "local-vlm"\napi_key_env = "WG_TEST_KEY"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("OPENAI_API_KEY", "sk-not-this-one")
    monkeypatch.setenv("WG_TEST_KEY", KEY)
    with OpenAIAnswerSource(load_openai_options(config)) as source:
        assert "".join(source.stream(AnswerRequest("?"))) == "Hello there."
    assert server.chats()[0].json["model"] == "local-vlm"
    _assert_key_only_in_authorization(server.requests)
    monkeypatch.delenv("WG_TEST_KEY")
    with pytest.raises(OptionsError, match="WG_TEST_KEY"):
        OpenAIAnswerSource(load_openai_options(config))


def test_closing_the_source_ends_its_open_streams_quietly(server: SSEServer) -> None:
    server.script(Stall())
    source = _source(server)
    stream = source.stream(AnswerRequest("?"))
    out: list[str] = []
    reader = threading.Thread(target=lambda: out.extend(stream))
    reader.start()
    (received,) = server.wait_for_requests(1)
    source.close()
    assert received.closed.wait(PATIENCE_S)
    reader.join(PATIENCE_S)
    assert not reader.is_alive() and out == []


def test_a_closed_source_refuses_new_streams(server: SSEServer) -> None:
    source = _source(server)
    source.close()
    source.close()
    with pytest.raises(AnswerError, match="closed"):
        source.stream(AnswerRequest("?"))
