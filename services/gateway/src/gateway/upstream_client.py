"""The forwarder's HTTP/1.1 client: pooled keep-alive connections on asyncio protocols,
responses parsed by httptools (the parser uvicorn uses on the server side).

Why not aiohttp, which served before: a forwarded request needs none of what a general
client does per request (URL objects, cookie jar, redirects, tracing hooks, a
``ClientResponse`` with its stream reader and multidict of headers, timer contexts), and
the proxy relays bytes as they come. The gateway's py-spy profile put aiohttp at about a
quarter of its CPU per request, and much of the "event loop" share besides was aiohttp's
futures and callbacks (README "Speed", the same-run figures).

What it does:

* one idle list per upstream ``host:port``; a connection goes back to it when its response
  was read to the end and both sides allow keep-alive, and is not reused once idle for
  ``keepalive_seconds`` (below the services' own 5 s, so the gateway never writes on a
  connection a service is closing);
* a request that fails on a *reused* connection before any byte of the answer came back
  (the service closed it as we wrote) is sent once more on a new connection when its body
  can be sent again (none, or read whole); a streamed body is not retried;
* errors: :class:`ConnectFailed` (refused, unreachable, connect timeout),
  :class:`ConnectionDropped` (closed or unparseable before the answer ended),
  :class:`UpstreamTimeout` (no byte for ``read_timeout`` while waiting for one).
"""

from __future__ import annotations

import asyncio
import collections
import ssl as ssl_module
import time
from collections.abc import AsyncIterator
from typing import cast
from urllib.parse import urlsplit

import httptools

HIGH_WATER = 1 << 20  # bytes of a response buffered before reading from the service pauses
MAX_IDLE_PER_UPSTREAM = 256

Headers = list[tuple[bytes, bytes]]
Body = bytes | AsyncIterator[bytes] | None


class UpstreamError(Exception):
    """The service could not be reached or did not answer in full."""


class ConnectFailed(UpstreamError):
    """No connection: refused, unreachable, or the connect timed out."""


class ConnectionDropped(UpstreamError):
    """The connection closed (or the answer could not be parsed) before the answer ended."""


class UpstreamTimeout(UpstreamError, TimeoutError):
    """No byte of the answer for the read timeout."""


class _Connection(asyncio.Protocol):
    """One keep-alive connection and the answer being read on it."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.closed = False
        self.paused = False
        self.reused = False
        self.idle_since = 0.0
        self._can_write: asyncio.Future[None] | None = None
        self._reset()

    def _reset(self) -> None:
        self.status = 0
        self.headers: Headers = []
        self.keep_alive = False
        self.complete = False
        self.received_any = False
        self.chunks: collections.deque[bytes] = collections.deque()
        self.buffered = 0
        self.error: UpstreamError | None = None
        self.head: asyncio.Future[None] = self.loop.create_future()
        self._waiter: asyncio.Future[None] | None = None

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but have its methods.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.received_any = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(ConnectionDropped(f"unparseable answer: {exc}"))
            self.close()

    def eof_received(self) -> bool:
        # The service closed its side: never hand this connection out again (the transport
        # closes it; connection_lost follows).
        self.closed = True
        if self.status and not self.complete and self._ends_at_close():
            self.complete = True
            self._wake()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.status and not self.complete and self._ends_at_close():
            self.complete = True  # an answer of neither length nor chunks ends with its connection
            self._wake()
        if not self.complete:
            self._fail(ConnectionDropped("the service closed the connection"))
        if self._can_write is not None and not self._can_write.done():
            self._can_write.set_result(None)

    def pause_writing(self) -> None:
        self._can_write = self.loop.create_future()

    def resume_writing(self) -> None:
        if self._can_write is not None and not self._can_write.done():
            self._can_write.set_result(None)
        self._can_write = None

    def _ends_at_close(self) -> bool:
        names = {name.lower() for name, _ in self.headers}
        return b"content-length" not in names and b"transfer-encoding" not in names

    # httptools callbacks

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        status = self.parser.get_status_code()
        if 100 <= status < 200:  # an interim answer (100 Continue): the real one follows
            self.headers = []
            return
        self.status = status
        if not self.head.done():
            self.head.set_result(None)

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)
        self.buffered += len(body)
        if self.buffered > HIGH_WATER and self.transport is not None and not self.paused:
            self.paused = True
            self.transport.pause_reading()
        self._wake()

    def on_message_complete(self) -> None:
        if not self.status:  # the end of an interim answer
            return
        self.keep_alive = self.parser.should_keep_alive()
        self.complete = True
        self._wake()

    # used by the client

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def _fail(self, error: UpstreamError) -> None:
        if self.error is None:
            self.error = error
        if not self.head.done():
            self.head.set_exception(error)
            self.head.exception()  # retrieved: nobody may be waiting any more
        self._wake()

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    async def wait(self, future: asyncio.Future[None], timeout: float) -> None:
        """``future`` within ``timeout``; a timeout spoils the connection."""
        if future.done():
            future.result()
            return
        timer = self.loop.call_later(timeout, self._timed_out, future)
        try:
            await future
        finally:
            timer.cancel()

    def _timed_out(self, future: asyncio.Future[None]) -> None:
        if not future.done():
            future.set_exception(UpstreamTimeout("the service did not answer in time"))
        self.close()

    async def drain(self) -> None:
        if self._can_write is not None:
            await self._can_write
        if self.closed:
            raise ConnectionDropped("the service closed the connection")

    async def next_chunk(self, timeout: float) -> bytes | None:
        """The next piece of the body, None at its end."""
        while not self.chunks:
            if self.complete:
                return None
            if self.error is not None:
                raise self.error
            self._waiter = self.loop.create_future()
            await self.wait(self._waiter, timeout)
            self._waiter = None
        chunk = self.chunks.popleft()
        self.buffered -= len(chunk)
        if self.paused and self.buffered <= HIGH_WATER and self.transport is not None:
            self.paused = False
            if not self.closed:
                self.transport.resume_reading()
        return chunk


class UpstreamResponse:
    """The answer's status and raw headers; read the body, then :meth:`release`."""

    def __init__(self, client: UpstreamClient, key: str, connection: _Connection) -> None:
        self._client = client
        self._key = key
        self._connection = connection
        self.status = connection.status
        self.headers = connection.headers
        self._released = False

    @property
    def content_length(self) -> int | None:
        for name, value in self.headers:
            if name.lower() == b"content-length":
                return int(value) if value.isdigit() else None
        return None

    async def read(self) -> bytes:
        chunks = [chunk async for chunk in self.iter_chunks()]
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    async def iter_chunks(self) -> AsyncIterator[bytes]:
        connection = self._connection
        while True:
            chunk = await connection.next_chunk(self._client.read_timeout)
            if chunk is None:
                return
            yield chunk

    def release(self) -> None:
        """Back to the idle list when the answer was read to its end; else closed."""
        if self._released:
            return
        self._released = True
        self._client._release(self._key, self._connection)


class UpstreamClient:
    """Forwards requests to ``http://host:port`` bases over pooled connections."""

    def __init__(
        self,
        *,
        connect_timeout: float,
        read_timeout: float,
        keepalive_seconds: float,
    ) -> None:
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.keepalive_seconds = keepalive_seconds
        self._idle: dict[str, list[_Connection]] = {}
        self._targets: dict[str, tuple[str, int, bytes, bool]] = {}

    def _target(self, base: str) -> tuple[str, int, bytes, bool]:
        target = self._targets.get(base)
        if target is None:
            parts = urlsplit(base)
            tls = parts.scheme == "https"
            host = parts.hostname or "127.0.0.1"
            port = parts.port or (443 if tls else 80)
            target = (host, port, parts.netloc.encode("idna"), tls)
            self._targets[base] = target
        return target

    async def request(
        self, base: str, method: str, target: bytes, headers: Headers, body: Body
    ) -> UpstreamResponse:
        """Send the request (``target``: path and query as sent) and read the answer's
        head; the caller reads the body and releases the response."""
        host, port, host_header, tls = self._target(base)
        key = f"{host}:{port}"
        head = self._head(method, target, host_header, headers, body)
        while True:
            connection = await self._acquire(key, host, port, tls)
            try:
                await self._send(connection, head, body)
                await connection.wait(connection.head, self.read_timeout)
            except ConnectionDropped:
                connection.close()
                replayable = body is None or isinstance(body, bytes)
                if connection.reused and not connection.received_any and replayable:
                    continue  # the service closed an idle connection as we wrote: once more
                raise
            except BaseException:
                connection.close()
                raise
            if method == "HEAD":  # no body follows, whatever Content-Length says
                connection.complete = True
                connection.keep_alive = False
            return UpstreamResponse(self, key, connection)

    @staticmethod
    def _head(method: str, target: bytes, host: bytes, headers: Headers, body: Body) -> bytes:
        lines = [method.encode(), b" ", target, b" HTTP/1.1\r\nhost: ", host, b"\r\n"]
        for name, value in headers:
            lines += (name, b": ", value, b"\r\n")
        if isinstance(body, bytes):
            lines += (b"content-length: ", str(len(body)).encode(), b"\r\n")
        elif body is not None:
            lines.append(b"transfer-encoding: chunked\r\n")
        lines.append(b"\r\n")
        return b"".join(lines)

    @staticmethod
    async def _send(connection: _Connection, head: bytes, body: Body) -> None:
        transport = connection.transport
        if transport is None or transport.is_closing():
            raise ConnectionDropped("the connection is closing")
        if body is None:
            transport.write(head)
        elif isinstance(body, bytes):
            transport.write(head + body)
        else:
            transport.write(head)
            async for chunk in body:
                transport.write(b"%x\r\n%b\r\n" % (len(chunk), chunk))
                await connection.drain()
            transport.write(b"0\r\n\r\n")
        await connection.drain()

    async def _acquire(self, key: str, host: str, port: int, tls: bool) -> _Connection:
        idle = self._idle.get(key)
        if idle:
            now = time.monotonic()
            while idle:
                connection = idle.pop()
                if not connection.closed and now - connection.idle_since < self.keepalive_seconds:
                    connection.reused = True
                    return connection
                connection.close()
        loop = asyncio.get_running_loop()
        connection = _Connection(loop)
        try:
            async with asyncio.timeout(self.connect_timeout):
                await loop.create_connection(
                    lambda: connection,
                    host,
                    port,
                    ssl=ssl_module.create_default_context() if tls else None,
                )
        except (OSError, TimeoutError) as exc:
            raise ConnectFailed(f"{type(exc).__name__}: {exc}") from exc
        return connection

    def _release(self, key: str, connection: _Connection) -> None:
        idle = self._idle.setdefault(key, [])
        if (
            connection.complete
            and connection.keep_alive
            and not connection.closed
            and not connection.chunks
            and len(idle) < MAX_IDLE_PER_UPSTREAM
        ):
            connection.idle_since = time.monotonic()
            connection.reused = False
            connection._reset()
            idle.append(connection)
        else:
            connection.close()

    async def close(self) -> None:
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
        self._idle.clear()


__all__ = [
    "ConnectFailed",
    "ConnectionDropped",
    "UpstreamClient",
    "UpstreamError",
    "UpstreamResponse",
    "UpstreamTimeout",
]
