"""The cuttable transport under the network source: a scope's cancel shuts down exactly
the connections its thread is using, at once, and never a kept-alive connection that has
gone on to serve someone else's request."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx2
import pytest
from sse_server import Answer, SSEServer, Stall

from hud.answers.transport import CancellableTransport, CancelScope

pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")

PATIENCE_S = 30.0


@pytest.fixture
def server() -> Iterator[SSEServer]:
    with SSEServer() as s:
        yield s


@pytest.fixture
def client() -> Iterator[httpx2.Client]:
    # A timeout past the patience: only a cancel can end a stall before the test gives up.
    with httpx2.Client(transport=CancellableTransport(), timeout=10 * PATIENCE_S) as c:
        yield c


def _read_chat(client: httpx2.Client, server: SSEServer, scope: CancelScope) -> bytes:
    with scope.active():
        response = client.post(f"{server.base_url}/chat/completions", json={"stream": True})
    return response.content


def test_a_cancel_cuts_a_silent_read_and_refuses_more(
    server: SSEServer, client: httpx2.Client
) -> None:
    server.script(Stall())
    scope = CancelScope()
    failure: list[BaseException] = []

    def read() -> None:
        try:
            _read_chat(client, server, scope)
        except httpx2.TransportError as exc:
            failure.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    (received,) = server.wait_for_requests(1)
    scope.cancel()
    assert received.closed.wait(PATIENCE_S)
    reader.join(PATIENCE_S)
    assert not reader.is_alive() and len(failure) == 1
    with pytest.raises(httpx2.TransportError):  # a cancelled scope opens nothing new
        _read_chat(client, server, scope)
    assert len(server.chats()) == 1


def test_a_late_cancel_leaves_a_reused_connection_serving_another_scope(
    server: SSEServer, client: httpx2.Client
) -> None:
    first, second = CancelScope(), CancelScope()
    with first.active():
        assert client.get(f"{server.base_url}/models").status_code == 200  # read whole: kept
    server.script(Answer([f"part {i} " for i in range(20)], delay_s=0.01))
    with (
        second.active(),
        client.stream("POST", f"{server.base_url}/chat/completions", json={}) as response,
    ):
        body = b""
        for i, piece in enumerate(response.iter_bytes()):
            if i == 1:
                first.cancel()  # while the second scope reads the connection the first used
            body += piece
    assert body.endswith(b"data: [DONE]\n\n") and b"part 19" in body
    models, chat = server.requests
    assert models.peer == chat.peer  # one kept-alive connection served both
