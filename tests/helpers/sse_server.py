"""A real OpenAI-compatible HTTP server on 127.0.0.1 for tests: chat completions streamed
as server-sent events, and ``GET /v1/models``, each reply scripted by the test.

    with SSEServer(models=["m1"]) as server:
        server.script(Status(500), Answer(["Hel", "lo."]))   # first request fails, then one works
        ... OpenAIAnswerOptions(base_url=server.base_url) ...
        server.requests[0].json["model"]

Replies are taken in order from the script (then :attr:`SSEServer.default`); a test that
needs a reply per request content sets :attr:`SSEServer.choose`. Every request is
recorded (method, path, headers, body) and knows when the server saw its connection
closed by the client (:attr:`Received.closed`), so a test can wait for a cancel to reach
the wire (an event wait with a generous timeout, never a timed assertion). Responses are
HTTP/1.1, chunked, with keep-alive, as real servers send them.
"""

from __future__ import annotations

import json
import select
import socket
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: How long the server waits at most in a stall or for a release (seconds): only a bound
#: so a broken test cannot hang the run; tests wait on events, far shorter.
STALL_LIMIT_S = 60.0


@dataclass
class Answer:
    """A normal answer: ``chunks`` as content deltas, ``delay_s`` apart, then a chunk with
    ``finish_reason`` (None: no such chunk) and ``data: [DONE]`` (unless ``done`` is off).
    ``split`` sends each event in two writes cut inside its UTF-8 bytes."""

    chunks: Sequence[str]
    delay_s: float = 0.0
    finish_reason: str | None = "stop"
    done: bool = True
    split: bool = False


@dataclass
class Drop:
    """Send ``chunks`` (as :class:`Answer` would), then cut the connection mid-answer."""

    chunks: Sequence[str] = ()


@dataclass
class Stall:
    """Say nothing more until the client goes away: before the response's headers
    (``chunks`` None), or after the headers and ``chunks``."""

    chunks: Sequence[str] | None = None


@dataclass
class Status:
    """An error status with a JSON body ``{"error": {"message": ...}}`` (or ``body``)."""

    code: int
    message: str = "something went wrong"
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Raw:
    """The headers of a stream, then these bytes as they are (malformed events)."""

    data: bytes


Reply = Answer | Drop | Stall | Status | Raw


@dataclass
class Received:
    """One request the server read."""

    method: str
    path: str
    #: Names in lower case.
    headers: dict[str, str]
    body: bytes
    #: The client's (host, port): two requests of one kept-alive connection share it.
    peer: tuple[str, int]
    #: Set when the server saw the connection closed (by the client; by itself only
    #: after a :class:`Drop` or when it stops).
    closed: threading.Event = field(default_factory=threading.Event)

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class SSEServer:
    """The server, on a thread; a context manager (port 0: a free port)."""

    def __init__(self, models: Sequence[str] = ("test-model",), default: Reply | None = None):
        self.models = list(models)
        self.models_status: int | None = None  # set: GET /v1/models answers this code
        self.models_body: bytes | None = None  # set: GET /v1/models answers 200 with this
        self.default: Reply = default or Answer(["Hello", " there."])
        self.choose: Callable[[Received], Reply | None] | None = None
        self.requests: list[Received] = []
        self._script: deque[Reply] = deque()
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._httpd = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def script(self, *replies: Reply) -> None:
        """Queue replies for the next chat requests, in order."""
        with self._changed:
            self._script.extend(replies)

    def chats(self) -> list[Received]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def wait_for_requests(
        self, n: int, path: str = "/chat/completions", timeout: float = 30.0
    ) -> list[Received]:
        """Block until ``n`` requests to ``path`` arrived (or the timeout: then fewer)."""
        with self._changed:
            self._changed.wait_for(lambda: len(self._matching(path)) >= n, timeout)
            return self._matching(path)

    def _matching(self, path: str) -> list[Received]:
        return [r for r in self.requests if r.path.endswith(path)]

    def _record(self, received: Received) -> Reply:
        with self._changed:
            self.requests.append(received)
            self._changed.notify_all()
            chosen = self.choose(received) if self.choose is not None else None
            if chosen is None and received.path.endswith("/chat/completions") and self._script:
                chosen = self._script.popleft()
            return chosen or self.default

    def __enter__(self) -> SSEServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(10)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that went away mid-reply is what several tests do on purpose


def _chunk_event(content: str | None, finish: str | None = None) -> bytes:
    delta = {} if content is None else {"role": "assistant", "content": content}
    event = {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "test-model",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return b"data: " + json.dumps(event, ensure_ascii=False).encode("utf-8") + b"\n\n"


def _handler_for(server: SSEServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def handle(self) -> None:
            self.mine: list[Received] = []
            try:
                super().handle()
            finally:  # the connection is over: its requests see it closed
                for received in self.mine:
                    received.closed.set()

        def do_GET(self) -> None:
            received = self._received()
            server._record(received)
            if not self.path.endswith("/models"):
                self._json(404, {"error": {"message": "no such path"}})
            elif server.models_body is not None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(server.models_body)))
                self.end_headers()
                self.wfile.write(server.models_body)
            elif server.models_status is not None:
                self._json(server.models_status, {"error": {"message": "models are off"}})
            else:
                data = [
                    {"id": m, "object": "model", "created": 0, "owned_by": "test"}
                    for m in server.models
                ]
                self._json(200, {"object": "list", "data": data})

        def do_POST(self) -> None:
            received = self._received()
            reply = server._record(received)
            try:
                self._reply(reply, received)
            except (BrokenPipeError, ConnectionResetError):
                received.closed.set()
                self.close_connection = True

        def _received(self) -> Received:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {name.lower(): value for name, value in self.headers.items()}
            peer = (str(self.client_address[0]), int(self.client_address[1]))
            received = Received(self.command, self.path, headers, body, peer)
            self.mine.append(received)
            return received

        def _json(self, code: int, doc: object, headers: dict[str, str] | None = None) -> None:
            body = json.dumps(doc).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _reply(self, reply: Reply, received: Received) -> None:
            if isinstance(reply, Status):
                if reply.body is not None:
                    self.send_response(reply.code)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                else:
                    self._json(reply.code, {"error": {"message": reply.message}}, reply.headers)
                return
            if isinstance(reply, Stall) and reply.chunks is None:
                self._stall(received)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            if isinstance(reply, Raw):
                self._send(reply.data)
                self._end()
            elif isinstance(reply, Answer):
                self._answer(reply)
            elif isinstance(reply, Drop):
                for text in reply.chunks:
                    self._send(_chunk_event(text))
                self.wfile.flush()
                self.close_connection = True  # no last chunk: the body is cut off
                self.connection.shutdown(socket.SHUT_RDWR)
            else:  # a stall after some chunks
                for text in reply.chunks or ():
                    self._send(_chunk_event(text))
                self._stall(received)

        def _answer(self, reply: Answer) -> None:
            for text in reply.chunks:
                if reply.delay_s and server._stop.wait(reply.delay_s):
                    return
                event = _chunk_event(text)
                if reply.split:  # cut inside the event's UTF-8 bytes (a Hangul syllable's)
                    cut = next((i for i, b in enumerate(event) if b >= 0xC0), len(event) // 2) + 1
                    self._send(event[:cut])
                    server._stop.wait(0.01)
                    self._send(event[cut:])
                else:
                    self._send(event)
            if reply.finish_reason is not None:
                self._send(_chunk_event(None, reply.finish_reason))
            if reply.done:
                self._send(b"data: [DONE]\n\n")
            self._end()

        def _send(self, data: bytes) -> None:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

        def _end(self) -> None:
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()

        def _stall(self, received: Received) -> None:
            """Wait, silent, until the client closes (then mark it) or the server stops."""
            self.close_connection = True
            sock = self.connection
            waited = 0.0
            while not server._stop.is_set() and waited < STALL_LIMIT_S:
                readable, _, _ = select.select([sock], [], [], 0.05)
                waited += 0.05
                if readable:
                    try:
                        data = sock.recv(4096, socket.MSG_PEEK)
                    except OSError:
                        data = b""
                    if not data:
                        received.closed.set()
                        return
                    sock.recv(len(data))  # anything the client sent meanwhile

    return Handler
