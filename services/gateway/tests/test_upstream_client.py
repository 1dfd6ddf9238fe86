"""The forwarder's HTTP client against small raw servers, on asyncio's loop and on uvloop
(the one uvicorn runs the gateway on)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
import uvloop

from gateway.upstream_client import (
    ConnectFailed,
    ConnectionDropped,
    UpstreamClient,
    UpstreamTimeout,
)

LOOPS = {"asyncio": asyncio.run, "uvloop": uvloop.run}
Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def client(**overrides: float) -> UpstreamClient:
    settings = {"connect_timeout": 2.0, "read_timeout": 2.0, "keepalive_seconds": 4.0}
    return UpstreamClient(**(settings | overrides))


async def read_request(reader: asyncio.StreamReader) -> tuple[bytes, bytes] | None:
    """The head and body of one request (Content-Length or chunked), None at EOF."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    lower = head.lower()
    if b"content-length: " in lower:
        size = int(lower.split(b"content-length: ")[1].split(b"\r\n")[0])
        return head, await reader.readexactly(size)
    body = b""
    if b"transfer-encoding: chunked" in lower:
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            body += chunk[:-2]
    return head, body


async def serving(handler: Handler) -> tuple[asyncio.Server, str]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"


@asynccontextmanager
async def client_of(handler: Handler) -> AsyncIterator[tuple[UpstreamClient, str]]:
    """A client and the base URL of a server running ``handler``; both closed after."""
    server, base = await serving(handler)
    upstream = client()
    try:
        yield upstream, base
    finally:
        await upstream.close()
        server.close()


async def keep_alive_server(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answers every request on the connection: its port, the body's length, and for
    ``/chunked`` a chunked answer."""
    port = writer.get_extra_info("peername")[1]
    while (request := await read_request(reader)) is not None:
        head, body = request
        if head.startswith(b"GET /chunked"):
            writer.write(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
            for part in (b"one,", b"two,", b"three"):
                writer.write(b"%x\r\n%b\r\n" % (len(part), part))
            writer.write(b"0\r\n\r\n")
        else:
            answer = b"%d %d" % (port, len(body))
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n%b" % (len(answer), answer))
        await writer.drain()
    writer.close()


async def chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


@pytest.mark.parametrize("loop", LOOPS)
def test_keep_alive_bodies_and_chunked_answers(loop: str) -> None:
    async def scenario() -> None:
        async with client_of(keep_alive_server) as (upstream, base):
            ports = set()
            bodies: list[tuple[bytes | AsyncIterator[bytes] | None, int]] = [
                (None, 0),
                (b"x" * 10, 10),
                (chunks(b"ab", b"cde"), 5),
            ]
            for body, length in bodies:
                response = await upstream.request(base, "POST", b"/echo", [], body)
                port, size = (await response.read()).split()
                response.release()
                ports.add(port)
                assert response.status == 200 and int(size) == length
            assert len(ports) == 1  # one connection, kept alive
            response = await upstream.request(base, "GET", b"/chunked", [], None)
            assert response.content_length is None
            assert b"".join([c async for c in response.iter_chunks()]) == b"one,two,three"
            response.release()

    LOOPS[loop](scenario())


@pytest.mark.parametrize("loop", LOOPS)
def test_an_idle_connection_the_service_closed_is_retried_once_on_a_new_one(loop: str) -> None:
    """The service answers one request per connection, then closes it when the next one
    arrives (as uvicorn does when its keep-alive runs out as the request is written)."""

    async def one_per_connection(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
        await writer.drain()
        await read_request(reader)  # the second request: closed unanswered
        writer.close()

    async def scenario() -> None:
        async with client_of(one_per_connection) as (upstream, base):
            for _ in range(3):
                response = await upstream.request(base, "GET", b"/", [], None)
                assert await response.read() == b"ok"
                response.release()
            # A streamed body cannot be sent again: the failure is the caller's to report.
            with pytest.raises(ConnectionDropped):
                await upstream.request(base, "POST", b"/", [], chunks(b"a", b"b"))

    LOOPS[loop](scenario())


@pytest.mark.parametrize("loop", LOOPS)
def test_refused_timed_out_and_dropped(loop: str) -> None:
    async def never_answers(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)

    async def drops_mid_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial")
        await writer.drain()
        writer.close()

    async def scenario() -> None:
        upstream = client(read_timeout=0.3)
        silent, silent_base = await serving(never_answers)
        dropping, dropping_base = await serving(drops_mid_answer)
        closed, closed_base = await serving(never_answers)
        closed.close()
        await closed.wait_closed()
        try:
            with pytest.raises(ConnectFailed):
                await upstream.request(closed_base, "GET", b"/", [], None)
            with pytest.raises(UpstreamTimeout):
                await upstream.request(silent_base, "GET", b"/", [], None)
            response = await upstream.request(dropping_base, "GET", b"/", [], None)
            assert response.content_length == 100
            with pytest.raises(ConnectionDropped):
                await response.read()
            response.release()
        finally:
            await upstream.close()
            silent.close()
            dropping.close()

    LOOPS[loop](scenario())
