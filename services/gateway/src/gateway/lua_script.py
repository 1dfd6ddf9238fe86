"""One Lua script called on a Redis connection of its own: the rate limiter's round trip.

redis-py's asyncio client spent about 100 us of CPU per call here (connection pool
checkout, command packing, its stream parser, the ``Script`` wrapper), against about 13 us
for the same ``EVALSHA`` written and read on one asyncio stream (in-process, sequential,
same Redis; README "Speed"). The limiter makes at most one call at a time, so one
connection serves it and no pool is needed.

The script is called by ``EVALSHA``; a Redis that does not know it (restarted, flushed)
answers ``NOSCRIPT`` and the call is repeated with ``EVAL``, which also caches it. Any
failure (refused, timed out, closed, an error reply) drops the connection and raises a
``redis.exceptions.RedisError`` (or ``OSError``/``TimeoutError``), which the limiter
turns into fail-open; the next call connects again. A connection Redis closed while idle
(a restart, ``CLIENT KILL``) is noticed by the next call, which retries once on a new one
(incrementing counters is not repeated: nothing ran on the closed connection).
"""

from __future__ import annotations

import asyncio
import hashlib
import ssl as ssl_module

from redis.asyncio import Redis
from redis.asyncio.connection import Connection, SSLConnection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

Reply = int | bytes | str | list["Reply"] | None


def command(*parts: bytes) -> bytes:
    """A command in RESP (an array of bulk strings)."""
    return b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%b\r\n" % (len(p), p) for p in parts)


class LuaScript:
    """``await script(keys, args)`` runs the script and returns its reply."""

    def __init__(
        self,
        source: str,
        *,
        host: str,
        port: int,
        db: int = 0,
        username: str | None = None,
        password: str | None = None,
        tls: bool = False,
        timeout: float = 1.0,
        connect_timeout: float = 1.0,
    ) -> None:
        self.source = source.encode()
        # Redis names scripts by SHA-1 (EVALSHA): an identifier, not a security use.
        self.sha = hashlib.sha1(self.source, usedforsecurity=False).hexdigest().encode()
        self.host, self.port, self.db = host, port, db
        self.username, self.password, self.tls = username, password, tls
        self.timeout, self.connect_timeout = timeout, connect_timeout
        self._stream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        self._lock = asyncio.Lock()

    @classmethod
    def on(cls, redis: Redis, source: str) -> LuaScript:
        """The script on the server ``redis`` (a redis-py client) talks to, with its
        address, database, credentials and timeouts."""
        pool = redis.connection_pool
        if not issubclass(pool.connection_class, Connection):
            raise ValueError("the rate limiter needs Redis over TCP (redis:// or rediss://)")
        kw = pool.connection_kwargs
        return cls(
            source,
            host=kw.get("host", "localhost"),
            port=int(kw.get("port", 6379)),
            db=int(kw.get("db", 0) or 0),
            username=kw.get("username"),
            password=kw.get("password"),
            tls=issubclass(pool.connection_class, SSLConnection),
            timeout=kw.get("socket_timeout") or 1.0,
            connect_timeout=kw.get("socket_connect_timeout") or 1.0,
        )

    async def __call__(self, keys: list[str], args: list[int]) -> Reply:
        tail = [str(len(keys)).encode(), *(k.encode() for k in keys)]
        tail += [str(a).encode() for a in args]
        async with self._lock:
            try:
                async with asyncio.timeout(self.timeout):
                    reply = await self._run(tail)
            except BaseException:
                self.close()
                raise
        if isinstance(reply, ResponseError):
            raise reply
        return reply

    async def _run(self, tail: list[bytes]) -> Reply | ResponseError:
        reused = self._stream is not None
        try:
            reply = await self._call(command(b"EVALSHA", self.sha, *tail))
        except (RedisConnectionError, ConnectionError):
            if not reused:
                raise
            # Redis closed the idle connection (restart, timeout, CLIENT KILL): once more.
            self.close()
            reply = await self._call(command(b"EVALSHA", self.sha, *tail))
        if isinstance(reply, ResponseError) and str(reply).startswith("NOSCRIPT"):
            reply = await self._call(command(b"EVAL", self.source, *tail))
        return reply

    async def _call(self, request: bytes) -> Reply | ResponseError:
        reader, writer = self._stream or await self._connect()
        writer.write(request)
        try:
            return await _read(reader)
        except asyncio.IncompleteReadError as exc:
            raise RedisConnectionError("Redis closed the connection") from exc

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        try:
            async with asyncio.timeout(self.connect_timeout):
                stream = await asyncio.open_connection(
                    self.host,
                    self.port,
                    ssl=ssl_module.create_default_context() if self.tls else None,
                )
        except OSError as exc:
            raise RedisConnectionError(f"cannot reach Redis: {exc!r}") from exc
        self._stream = stream
        setup: list[bytes] = []
        if self.password:
            credentials = [self.password.encode()]
            if self.username:
                credentials.insert(0, self.username.encode())
            setup.append(command(b"AUTH", *credentials))
        if self.db:
            setup.append(command(b"SELECT", str(self.db).encode()))
        for request in setup:
            reply = await self._call(request)
            if isinstance(reply, ResponseError):
                raise reply
        return stream

    def close(self) -> None:
        if self._stream is not None:
            self._stream[1].close()
            self._stream = None


async def _read(reader: asyncio.StreamReader) -> Reply | ResponseError:
    line = await reader.readuntil(b"\r\n")
    kind, rest = line[:1], line[1:-2]
    if kind == b":":
        return int(rest)
    if kind == b"*":
        count = int(rest)
        return None if count < 0 else [await _read_value(reader) for _ in range(count)]
    if kind == b"$":
        size = int(rest)
        return None if size < 0 else (await reader.readexactly(size + 2))[:-2]
    if kind == b"+":
        return rest.decode()
    if kind == b"-":
        return ResponseError(rest.decode(errors="replace"))
    raise RedisConnectionError(f"unexpected reply from Redis: {line[:40]!r}")


async def _read_value(reader: asyncio.StreamReader) -> Reply:
    value = await _read(reader)
    if isinstance(value, ResponseError):
        raise value
    return value


__all__ = ["LuaScript", "command"]
