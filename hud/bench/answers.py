"""How long a pinch waits for its answer on screen, beyond what the server itself takes.

``answer_first_chunk_ms``: the emulator's assistant app asks about an object
(:meth:`AssistantApp.ask`, what a look + pinch commits) through its real answer path (the
:class:`~hud.answers.openai_source.OpenAIAnswerSource`, the
:class:`~hud.answers.worker.AnswerWorker` and :class:`~hud.app.answering.CardAnswers`,
the crop redacted and sent as a JPEG) to :class:`LoopbackAnswerServer`, an
OpenAI-compatible server on 127.0.0.1 whose first chunk leaves a known delay after the
request arrived. The figure is the time from the ask to the end of the render of the
first frame whose card shows text, less that delay: what the app adds (building and
sending the request, reading the stream, handing the chunk to the frame loop, the frame
that shows it). ``answer_first_chunk_frames`` divides it by the median frame time of the
same run (goal ≤ 1 frame).

The server is the benchmark's own, deliberately minimal (the standard library's
``http.server``, loopback only): chat completions streamed as server-sent events over
HTTP/1.1 with keep-alive, and ``GET /v1/models``.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from hud.bench.frames import cycled
from hud.errors import HudError
from hud.io.sources import Frame

#: The model the loopback server names (and the bench configures, so no models request
#: comes between a pinch and its question).
MODEL = "bench-model"
#: The answer streamed, chunk by chunk (what a small model's first tokens look like).
ANSWER_CHUNKS = ("A shared", " printer", " on the third", " floor.")
#: Wall-clock seconds a question may take before the bench gives up on it.
QUESTION_TIMEOUT_S = 20.0
#: Frames run before the first question (shaders compiled, the tracking thread warm).
WARMUP_FRAMES = 5


class LoopbackAnswerServer:
    """An OpenAI-compatible server on 127.0.0.1 (a free port), on threads of its own.

    Each chat request is answered with :data:`ANSWER_CHUNKS`, the first one
    ``first_chunk_delay_s`` after the request was read, the others ``chunk_gap_s`` apart.
    :attr:`arrivals` and :attr:`first_sent` hold, per chat request in order, the
    ``time.perf_counter()`` at which it was read and at which its first chunk was
    written (the bench runs in the same process, so the clocks agree). A context manager.
    """

    def __init__(
        self,
        first_chunk_delay_s: float = 0.05,
        chunks: Sequence[str] = ANSWER_CHUNKS,
        chunk_gap_s: float = 0.005,
    ) -> None:
        self.first_chunk_delay_s = first_chunk_delay_s
        self.chunks = tuple(chunks)
        self.chunk_gap_s = chunk_gap_s
        self.arrivals: list[float] = []
        self.first_sent: list[float] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self._httpd = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def close(self) -> None:
        self.stopping.set()
        if self._thread.is_alive():
            self._httpd.shutdown()
            self._thread.join(10)
        self._httpd.server_close()

    def __enter__(self) -> LoopbackAnswerServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client closing its kept-alive connection at the end is no error


def _event(content: str | None, finish: str | None = None) -> bytes:
    delta = {} if content is None else {"role": "assistant", "content": content}
    doc = {
        "id": "chatcmpl-bench",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return b"data: " + json.dumps(doc).encode("utf-8") + b"\n\n"


def _handler_for(server: LoopbackAnswerServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # small events go out at once, as real servers send

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            if self.path.endswith("/models"):
                self._json(200, {"object": "list", "data": [{"id": MODEL, "object": "model"}]})
            else:
                self._json(404, {"error": {"message": "no such path"}})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            if not self.path.endswith("/chat/completions"):
                self._json(404, {"error": {"message": "no such path"}})
                return
            with server.lock:
                server.arrivals.append(time.perf_counter())
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                self._stream()
            except OSError:  # the client went away (a cancelled card)
                self.close_connection = True

        def _stream(self) -> None:
            if server.stopping.wait(server.first_chunk_delay_s):
                return
            for i, text in enumerate(server.chunks):
                if i and server.stopping.wait(server.chunk_gap_s):
                    return
                self._send(_event(text))
                if i == 0:
                    with server.lock:
                        server.first_sent.append(time.perf_counter())
            self._send(_event(None, "stop"))
            self._send(b"data: [DONE]\n\n")
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()

        def _send(self, data: bytes) -> None:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

        def _json(self, code: int, doc: object) -> None:
            body = json.dumps(doc).encode("utf-8")
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def _config(folder: Path, base_url: str) -> Path:
    """The answer source's config file (TOML), pointing at the loopback server."""
    path = folder / "answers.toml"
    path.write_text(
        f'[openai]\nbase_url = "{base_url}"\nmodel = "{MODEL}"\n'
        "max_retries = 0\ntimeout_s = 10.0\n",
        encoding="utf-8",
    )
    return path


class _Stepper:
    """Steps an :class:`AppLoop` over recorded world frames, cycled with rising times,
    and keeps each step's wall time."""

    def __init__(self, loop: Any, frames: Sequence[Frame], fps: float) -> None:
        self.loop = loop
        self.source = cycled(frames, 10**9, fps)
        self.t_ms = 0
        self.times_s: list[float] = []

    def step(self) -> float:
        """One frame; the time it finished (``time.perf_counter``)."""
        frame = next(self.source)
        self.t_ms = frame.timestamp_ms
        start = time.perf_counter()
        self.loop.step(self.t_ms, frame)
        end = time.perf_counter()
        self.times_s.append(end - start)
        return end


def _card(app: Any, card_id: str) -> Any:
    return next((c for c in app.scene.cards if c.id == card_id), None)


def _ask_once(app: Any, stepper: _Stepper, number: int) -> tuple[float, float, float]:
    """Ask about an object in view; (the time asked, the time the ask returned to the
    frame loop, the time its first text was on screen). Waits for the answer to finish
    and dismisses it, so questions do not overlap."""
    objects = app.objects
    if not objects:
        raise HudError("the emulator's world shows no object to ask about")
    asked = time.perf_counter()
    card = app.ask(objects[number % len(objects)].id, stepper.t_ms)
    returned = time.perf_counter()
    shown_at: float | None = None
    while True:
        end = stepper.step()
        now = _card(app, card.id)
        if now is None or now.state == "error" or end - asked > QUESTION_TIMEOUT_S:
            why = "no answer in time" if now is None or now.state != "error" else now.body
            raise HudError(f"the loopback answer did not arrive: {why}")
        if shown_at is None and now.body:
            shown_at = end
        if now.state == "done":
            break
    if shown_at is None:
        raise HudError("the loopback answer finished without any text")
    app.dismiss(card.id, stepper.t_ms)
    stepper.step()
    return asked, returned, shown_at


def _median_ms(seconds: Iterable[float]) -> float:
    return round(statistics.median(seconds) * 1000.0, 3)


def bench_answer_latency(
    profile: str, frames: Sequence[Frame], questions: int = 7, delay_ms: float = 50.0
) -> dict[str, Any]:
    """``answer_first_chunk_ms`` (median over ``questions``, after one warm-up question
    that opens the connection) and what it is made of, at ``profile``, the render loop
    free-running with tracking on its own thread (as in the window) over ``frames``
    (the embedded session's world), faces redacted in what is sent (the default).

    Beside it: ``ask_blocking_ms``, how long :meth:`AssistantApp.ask` held the frame
    loop (it cuts and redacts the crop); ``commit_to_request_ms``, from the ask to the
    request read by the server; ``chunk_to_screen_ms``, from the first chunk written by
    the server to the end of the frame showing it."""
    from hud.app.app import AppLoop
    from hud.app.emulate import Emulator, EmulatorOptions

    if questions < 1 or not frames:
        raise HudError("the answer benchmark needs at least one question and one frame")
    with (
        LoopbackAnswerServer(delay_ms / 1000.0) as server,
        tempfile.TemporaryDirectory(prefix="hud-bench-") as tmp,
    ):
        options = EmulatorOptions(
            profiles=(profile,), answers="openai", answer_config=_config(Path(tmp), server.base_url)
        )
        with Emulator(options) as emulator:
            app = emulator.app
            app.script = None  # the bench asks, not the scripted wearer
            with AppLoop(
                app, live=True, threaded=True, lockstep=False, timer=time.perf_counter
            ) as loop:
                stepper = _Stepper(loop, frames, emulator.fps)
                for _ in range(WARMUP_FRAMES):
                    stepper.step()
                stepper.times_s.clear()
                runs = [_ask_once(app, stepper, q) for q in range(questions + 1)]
    runs, arrivals, first_sent = runs[1:], server.arrivals[1:], server.first_sent[1:]
    measured = [(shown - asked) * 1000.0 for asked, _, shown in runs]
    added = statistics.median(m - delay_ms for m in measured)
    frame_ms = statistics.median(stepper.times_s) * 1000.0
    return {
        "profile": profile,
        "questions": len(runs),
        "server_delay_ms": delay_ms,
        "answer_measured_ms": round(statistics.median(measured), 3),
        "answer_first_chunk_ms": round(added, 3),
        "frame_ms": round(frame_ms, 3),
        "answer_first_chunk_frames": round(added / frame_ms, 3),
        "ask_blocking_ms": _median_ms(r[1] - r[0] for r in runs),
        "commit_to_request_ms": _median_ms(a - r[0] for a, r in zip(arrivals, runs)),
        "chunk_to_screen_ms": _median_ms(r[2] - s for s, r in zip(first_sent, runs)),
    }
