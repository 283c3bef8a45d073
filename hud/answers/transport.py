"""An HTTP transport whose connections a stream can cut from another thread.

A card's request is cancelled from the frame loop while its stream's thread sits in a
blocking read: the server may be silent (thinking, stalled, gone). Closing a socket from
another thread neither wakes that read nor, on Linux, sends anything to the server while
the read holds it; ``shutdown`` does both. So every connection this transport opens is
wrapped: while a thread reads or writes it inside :meth:`CancelScope.active`, the scope
knows it, and :meth:`CancelScope.cancel` shuts exactly those connections down. A
connection back in the pool (kept alive for the next question) belongs to no scope, so a
late cancel never cuts another card's request. After a cancel, the scope refuses every
new connection or read, so a retry or a next chunk fails at once.

Only public httpx2/httpcore2 API is used: a :class:`httpcore2.ConnectionPool` with a
network backend of its own, behind an :class:`httpx2.BaseTransport`. Proxies from the
environment are not applied (the servers this is for are local or named by URL).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

import httpcore2
import httpx2

#: What the transport tells a scope before a request goes out.
RequestHook = Callable[[httpx2.Request], None]

_local = threading.local()


class CancelScope:
    """One answer stream's hold on the connections its thread is using right now."""

    def __init__(self, on_request: RequestHook | None = None) -> None:
        self.on_request = on_request
        self._lock = threading.Lock()
        self._cancelled = threading.Event()
        self._in_use: set[_CuttableStream] = set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def cancel(self) -> None:
        """Cut the connections in use now; every later connect or read fails (any thread)."""
        with self._lock:
            self._cancelled.set()
            streams = list(self._in_use)
        for stream in streams:
            stream.cut()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds`` (a retry's back-off); True as soon as it is cancelled."""
        return self._cancelled.wait(seconds)

    @contextmanager
    def active(self) -> Iterator[None]:
        """Run a blocking client call (a request, the next chunk) under this scope."""
        previous = getattr(_local, "scope", None)
        _local.scope = self
        try:
            yield
        finally:
            _local.scope = previous

    def _enter(self, stream: _CuttableStream) -> None:
        with self._lock:
            if self._cancelled.is_set():
                raise httpcore2.ReadError("the request was cancelled")
            self._in_use.add(stream)

    def _leave(self, stream: _CuttableStream) -> None:
        with self._lock:
            self._in_use.discard(stream)


def _scope() -> CancelScope | None:
    return getattr(_local, "scope", None)


class _CuttableStream(httpcore2.NetworkStream):
    """A connection that the scope of the thread using it can shut down."""

    def __init__(self, inner: httpcore2.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        scope = _scope()
        if scope is None:
            return self._inner.read(max_bytes, timeout)
        scope._enter(self)
        try:
            return self._inner.read(max_bytes, timeout)
        finally:
            scope._leave(self)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        scope = _scope()
        if scope is None:
            self._inner.write(buffer, timeout)
            return
        scope._enter(self)
        try:
            self._inner.write(buffer, timeout)
        finally:
            scope._leave(self)

    def cut(self) -> None:
        """Shut the socket down: the blocked read returns, the server sees the close."""
        sock = self._inner.get_extra_info("socket")
        if isinstance(sock, socket.socket):
            # The base class's: an SSLSocket's own shutdown also drops its TLS state.
            with suppress(OSError):  # already closed
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore2.NetworkStream:
        return _CuttableStream(self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore2.NetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore2.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore2.NetworkStream:
        scope = _scope()
        if scope is not None and scope.cancelled:
            raise httpcore2.ConnectError("the request was cancelled")
        inner = self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return _CuttableStream(inner)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore2.NetworkStream:
        raise httpcore2.ConnectError("unix sockets are not supported")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


#: httpcore2's errors as httpx2's, the most specific first (the client tells timeouts
#: from other failures by httpx2's classes).
_ERRORS: tuple[tuple[type[Exception], type[httpx2.TransportError]], ...] = (
    (httpcore2.ConnectTimeout, httpx2.ConnectTimeout),
    (httpcore2.ReadTimeout, httpx2.ReadTimeout),
    (httpcore2.WriteTimeout, httpx2.WriteTimeout),
    (httpcore2.PoolTimeout, httpx2.PoolTimeout),
    (httpcore2.TimeoutException, httpx2.TimeoutException),
    (httpcore2.ConnectError, httpx2.ConnectError),
    (httpcore2.ReadError, httpx2.ReadError),
    (httpcore2.WriteError, httpx2.WriteError),
    (httpcore2.NetworkError, httpx2.NetworkError),
    (httpcore2.RemoteProtocolError, httpx2.RemoteProtocolError),
    (httpcore2.LocalProtocolError, httpx2.LocalProtocolError),
    (httpcore2.ProtocolError, httpx2.ProtocolError),
    (httpcore2.UnsupportedProtocol, httpx2.UnsupportedProtocol),
)


@contextmanager
def _mapped_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        for core, mapped in _ERRORS:
            if isinstance(exc, core):
                raise mapped(str(exc)) from exc
        raise


class _Body(httpx2.SyncByteStream):
    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        with _mapped_errors():
            yield from self._stream

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            with _mapped_errors():
                close()


class CancellableTransport(httpx2.BaseTransport):
    """HTTP/1.1 with keep-alive, TLS by httpx2's default context, cuttable per scope."""

    def __init__(self, *, max_connections: int = 16, keepalive_expiry_s: float = 30.0) -> None:
        self._pool = httpcore2.ConnectionPool(
            ssl_context=httpx2.create_ssl_context(),
            max_connections=max_connections,
            max_keepalive_connections=max(1, max_connections // 2),
            keepalive_expiry=keepalive_expiry_s,
            network_backend=_Backend(),
        )

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        scope = _scope()
        if scope is not None and scope.on_request is not None:
            scope.on_request(request)
        core = httpcore2.Request(
            method=request.method,
            url=httpcore2.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _mapped_errors():
            response = self._pool.handle_request(core)
        assert isinstance(response.stream, Iterable)
        return httpx2.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(response.stream),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._pool.close()
