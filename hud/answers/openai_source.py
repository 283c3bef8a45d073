"""Answers from an OpenAI-compatible chat-completions server, streamed.

OpenAI itself, llama.cpp's server, Ollama and vLLM all speak it: a ``POST
/v1/chat/completions`` with ``stream=True`` answers in server-sent events, a few tokens
each. The official ``openai`` client does the protocol; this module adds what glasses
need of it:

- a short, glanceable answer (one or two sentences) in the wearer's language, about the
  object's crop (sent as a small JPEG, already redacted by the caller);
- per-stream cancellation that closes the connection at once, even while the server is
  silent (:mod:`hud.answers.transport`), so dismissing a card frees its request only;
- failures as one-line :class:`AnswerError`\\ s that name the host, never the key, and
  echo a server's words only quoted and short;
- a report of what went out (:attr:`AnswerStream.sent`), for the app's trace.

Retries are this module's, not the client's (its ``max_retries`` is 0): a request that
failed before any answer text is sent again after a back-off that a cancel cuts short.
"""

from __future__ import annotations

import base64
import threading
import weakref
from collections.abc import Generator, Iterator, Mapping
from typing import Any, cast

import httpx2
import numpy as np
import openai

from hud.answers.config import OpenAIAnswerOptions, resolve_endpoint
from hud.answers.protocol import AnswerError, AnswerRequest, SentCallback
from hud.answers.transport import CancellableTransport, CancelScope
from hud.errors import quote

__all__ = ["OpenAIAnswerOptions", "OpenAIAnswerSource"]

SYSTEM_PROMPT = (
    "You are the assistant of a pair of AI glasses. The wearer asks about what they are "
    "looking at; a photo of it may be attached. Answer in one or two short sentences "
    "that can be read at a glance. No preamble, no lists, no markdown."
)
LANGUAGE_LINES = {"en": "Answer in English.", "ko": "Answer in Korean (한국어로 답하세요)."}
#: The most characters of one answer read: a glance shows far fewer, and a hostile or
#: runaway server cannot grow memory without bound.
MAX_ANSWER_CHARS = 4000
MAX_QUESTION_CHARS = 2000
#: Longest back-off between retries, and the longest Retry-After honoured (seconds).
MAX_BACKOFF_S = 8.0
_RETRY_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
#: What the client raises: its own errors, and (reading an error's body) the transport's.
_CLIENT_ERRORS = (openai.OpenAIError, httpx2.TransportError)


class OpenAIAnswerSource:
    """An :class:`~hud.answers.AnswerSource` asking an OpenAI-compatible server.

    Thread-safe: streams of several cards may run at once, each cancelled on its own.
    A context manager; :meth:`close` frees the connections (safe twice).
    """

    remote = True

    def __init__(self, options: OpenAIAnswerOptions | None = None) -> None:
        self.options = options if options is not None else OpenAIAnswerOptions()
        base_url, key = resolve_endpoint(self.options)
        self._key = key
        self._transport = CancellableTransport()
        self._http = httpx2.Client(
            transport=self._transport, follow_redirects=False, trust_env=False
        )
        self._client = openai.OpenAI(
            api_key=key,
            base_url=base_url,
            timeout=self.options.timeout_s,
            max_retries=0,
            http_client=self._http,
        )
        url = self._client.base_url
        port = url.port or (443 if url.scheme == "https" else 80)
        host = f"[{url.host}]" if ":" in url.host else url.host
        #: ``host:port`` of the server: what the trace and messages name.
        self.host = f"{host}:{port}"
        self._model = self.options.model
        self._model_lock = threading.Lock()
        self._streams: weakref.WeakSet[_OpenAIStream] = weakref.WeakSet()
        self._streams_lock = threading.Lock()
        self._closed = False

    @property
    def model(self) -> str | None:
        """The model asked: the configured one, else the one picked (None until then)."""
        return self._model

    def stream(
        self, request: AnswerRequest, *, on_sent: SentCallback | None = None
    ) -> _OpenAIStream:
        """The answer as a stream; nothing is sent before it is iterated."""
        stream = _OpenAIStream(self, request, on_sent)
        with self._streams_lock:
            if self._closed:
                raise AnswerError("the answer source is closed")
            self._streams.add(stream)
        return stream

    def close(self) -> None:
        """Cancel the streams still open (they end quietly) and free the connections."""
        with self._streams_lock:
            self._closed = True
            streams = list(self._streams)
        for stream in streams:
            stream.close()
        self._client.close()

    def __enter__(self) -> OpenAIAnswerSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"OpenAIAnswerSource(host={self.host!r}, model={self._model or 'auto'!r})"

    # ----------------------------------------------------------------- internals
    def _model_for(self, scope: CancelScope) -> str | None:
        """The configured model, else the first the server lists (asked once per source
        while it succeeds); None when cancelled meanwhile."""
        with self._model_lock:
            if self._model is not None:
                return self._model
            failure: AnswerError | None = None
            try:
                with scope.active():
                    page = self._client.models.list()
                ids = [getattr(m, "id", None) for m in (getattr(page, "data", None) or [])]
            except _CLIENT_ERRORS as exc:
                failure = AnswerError(f"{self._failure(exc, False)[0]} (asked for its models)")
                ids = []
            except (ValueError, TypeError, AttributeError):  # a body of the wrong shape
                failure = AnswerError(f"{self.host} sent a malformed list of models")
                ids = []
            if scope.cancelled:
                return None
            if failure is not None:
                raise failure
            if not ids:
                raise AnswerError(f"{self.host} lists no models; set one in the options")
            first = ids[0]
            if not (isinstance(first, str) and 0 < len(first) <= 200 and first.isprintable()):
                raise AnswerError(f"{self.host} lists a model with an unusable name")
            self._model = first
            return first

    def _failure(self, exc: Exception, got_text: bool) -> tuple[str, bool, float | None]:
        """A client error as (one-line message, retryable, Retry-After seconds)."""
        host = self.host
        if isinstance(exc, (openai.APITimeoutError, httpx2.TimeoutException)):
            if got_text:
                return (
                    f"{host} went silent mid-answer (over {self.options.timeout_s:g} s)",
                    False,
                    None,
                )
            return f"{host} did not answer within {self.options.timeout_s:g} s", False, None
        if isinstance(exc, (openai.APIConnectionError, httpx2.TransportError)):
            if got_text:
                return f"the connection to {host} was lost mid-answer", False, None
            if isinstance(exc, httpx2.ConnectError) or isinstance(
                exc.__cause__, httpx2.ConnectError
            ):
                return f"cannot connect to {host}", True, None
            return f"the connection to {host} closed before an answer", True, None
        if isinstance(exc, openai.APIStatusError):
            return self._status_failure(exc)
        if isinstance(exc, openai.APIError):  # an error event inside the stream
            return f"{host} reported an error{self._said(_server_message(exc.body))}", False, None
        return f"the request to {host} failed ({type(exc).__name__})", False, None

    def _status_failure(self, exc: openai.APIStatusError) -> tuple[str, bool, float | None]:
        code = exc.status_code
        if code in (401, 403):  # its words may quote the key back: none are shown
            return f"{self.host} refused the API key ({code})", False, None
        retry_after = _retry_after(exc.response)
        retryable = code in _RETRY_STATUS and (retry_after is None or retry_after <= MAX_BACKOFF_S)
        if code == 429:
            return f"{self.host} is limiting requests (429)", retryable, retry_after
        said = self._said(_server_message(exc.body))
        return f"{self.host} answered {code}{said}", retryable, retry_after

    def _said(self, message: str | None) -> str:
        """A server's own words, fit to echo: the key taken out, quoted, short."""
        if not message:
            return ""
        if len(self._key) >= 4:
            message = message.replace(self._key, "***")
        return f": {quote(message, 60)}"


class _OpenAIStream:
    """One request's :class:`~hud.answers.AnswerStream` (read once)."""

    def __init__(
        self, source: OpenAIAnswerSource, request: AnswerRequest, on_sent: SentCallback | None
    ) -> None:
        self._source = source
        self._request = request
        self._on_sent = on_sent
        self._scope = CancelScope(on_request=self._note_request)
        self._report: dict[str, object] | None = None
        self._sent: Mapping[str, object] | None = None
        self._started = False

    @property
    def sent(self) -> Mapping[str, object] | None:
        return self._sent

    def close(self) -> None:
        self._scope.cancel()

    def __iter__(self) -> Iterator[str]:
        if self._started:
            raise AnswerError("an answer stream is read once")
        self._started = True
        return self._chunks()

    def _chunks(self) -> Iterator[str]:
        source, scope = self._source, self._scope
        model = source._model_for(scope) if not scope.cancelled else None
        if model is None or scope.cancelled:
            return
        messages, image_bytes = build_messages(self._request, source.options)
        self._report = {
            "host": source.host,
            "model": model,
            "question_chars": len(self._request.question[:MAX_QUESTION_CHARS]),
            "image_bytes": image_bytes,
        }
        retries = 0
        while True:
            failure = yield from self._attempt(model, messages)
            if failure is None or scope.cancelled:
                return
            message, retryable, retry_after = failure
            if not retryable or retries >= source.options.max_retries:
                raise AnswerError(message)
            retries += 1
            delay = retry_after if retry_after is not None else 0.5 * 2 ** (retries - 1)
            if scope.wait(min(delay, MAX_BACKOFF_S)):
                return

    def _attempt(
        self, model: str, messages: list[dict[str, Any]]
    ) -> Generator[str, None, tuple[str, bool, float | None] | None]:
        """One request: yields its text; returns its failure, or None when it completed
        or was cancelled."""
        source, scope = self._source, self._scope
        options = source.options
        omit = openai.omit
        try:
            with scope.active():
                stream = source._client.chat.completions.create(
                    model=model,
                    messages=cast(Any, messages),
                    stream=True,
                    max_tokens=omit if options.max_tokens is None else options.max_tokens,
                    temperature=omit if options.temperature is None else options.temperature,
                )
        except _CLIENT_ERRORS as exc:
            return None if scope.cancelled else source._failure(exc, False)
        got_text, finish, chars = False, None, 0
        try:
            events = iter(stream)
            while not scope.cancelled and chars < MAX_ANSWER_CHARS:
                with scope.active():
                    event = next(events, None)
                if event is None:
                    break
                text, reason = _delta(event)
                finish = reason or finish
                if text:
                    got_text, chars = True, chars + len(text)
                    yield text[: max(0, MAX_ANSWER_CHARS - chars + len(text))]
        except _CLIENT_ERRORS as exc:
            return None if scope.cancelled else source._failure(exc, got_text)
        except (ValueError, TypeError, AttributeError):  # not JSON, or JSON of a wrong shape
            return (
                None
                if scope.cancelled
                else (f"{source.host} sent malformed answer data", False, None)
            )
        finally:
            stream.close()
        if scope.cancelled or chars >= MAX_ANSWER_CHARS:
            return None
        if finish is None:
            return "the answer was cut off", False, None
        if finish == "content_filter":
            return f"{source.host} withheld the answer (content filter)", False, None
        if not got_text:  # e.g. a reasoning model that spent its tokens thinking
            return f"{source.host} gave an empty answer ({quote(finish, 20)})", False, None
        return None

    def _note_request(self, request: httpx2.Request) -> None:
        """Called by the transport as the chat request goes out (once reported)."""
        if self._report is None or self._sent is not None or request.method != "POST":
            return
        try:
            size = int(request.headers.get("content-length", "0"))
        except ValueError:
            size = 0
        self._sent = dict(self._report, request_bytes=size)
        if self._on_sent is not None:
            self._on_sent(dict(self._sent))


def build_messages(
    request: AnswerRequest, options: OpenAIAnswerOptions
) -> tuple[list[dict[str, Any]], int]:
    """The chat messages for a request, and the size of the JPEG attached (0: none)."""
    language = request.language if request.language in LANGUAGE_LINES else "en"
    system = f"{options.system_prompt or SYSTEM_PROMPT} {LANGUAGE_LINES[language]}"
    lines = [request.question[:MAX_QUESTION_CHARS]]
    if request.label:
        lines.append(f"The object: {request.label[:200]}")
    for key, value in list(request.context.items())[:8]:
        lines.append(f"{str(key)[:60]}: {str(value)[:200]}")
    text = "\n".join(lines)
    if request.image is None or not options.send_image:
        return [{"role": "system", "content": system}, {"role": "user", "content": text}], 0
    jpeg = encode_jpeg(request.image, options.image_max_side, options.jpeg_quality)
    url = "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")
    content = [{"type": "text", "text": text}, {"type": "image_url", "image_url": {"url": url}}]
    return [{"role": "system", "content": system}, {"role": "user", "content": content}], len(jpeg)


def encode_jpeg(image: object, max_side: int, quality: int) -> bytes:
    """An RGB crop as a JPEG whose long side is at most ``max_side`` pixels."""
    import cv2  # only when an image is sent

    a = np.asarray(image)
    if a.ndim != 3 or a.shape[2] != 3 or a.dtype != np.uint8 or min(a.shape[:2]) < 1:
        raise AnswerError("the request's image must be an H×W×3 uint8 RGB array")
    h, w = a.shape[:2]
    scale = max_side / max(h, w)
    if scale < 1.0:
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        a = cv2.resize(a, size, interpolation=cv2.INTER_AREA)
    bgr = cv2.cvtColor(np.ascontiguousarray(a), cv2.COLOR_RGB2BGR)
    ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise AnswerError("the request's image could not be encoded as JPEG")
    return bytes(buf.tobytes())


def _delta(event: object) -> tuple[str, str | None]:
    """The text and finish reason of one chunk event; ValueError when it has neither
    shape nor sense (the client builds events without validating them)."""
    try:
        choices = getattr(event, "choices", None)
        if choices is None or not isinstance(choices, list):
            raise ValueError("no choices")
        if not choices:
            return "", None  # e.g. a last event that carries only usage
        choice = choices[0]
        content = getattr(getattr(choice, "delta", None), "content", None)
        reason = getattr(choice, "finish_reason", None)
    except (AttributeError, TypeError, IndexError, KeyError) as exc:
        raise ValueError("bad chunk") from exc
    if not (content is None or isinstance(content, str)):
        raise ValueError("content is not text")
    if not (reason is None or isinstance(reason, str)):
        raise ValueError("finish_reason is not text")
    return content or "", reason


def _server_message(body: object) -> str | None:
    """The ``error.message`` (or plain text) a server answered with, if any."""
    error = body.get("error", body) if isinstance(body, dict) else body
    message = error.get("message") if isinstance(error, dict) else error
    if isinstance(message, str) and message.strip():
        return message.strip()
    return None


def _retry_after(response: httpx2.Response) -> float | None:
    try:
        value = float(response.headers.get("retry-after", ""))
    except (TypeError, ValueError):
        return None
    return value if 0 <= value < 1e6 else None
