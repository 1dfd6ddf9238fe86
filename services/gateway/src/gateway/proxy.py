"""Forwarding: strip client-sent internal headers, add the internal token, stream both ways.

Bodies up to ``max_buffered_body_bytes`` with a Content-Length are read whole
(cheapest for the common small JSON request); anything else streams through
chunk by chunk, so a multi-gigabyte CSV import never sits in gateway memory.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from typing import NamedTuple

from starlette.types import Receive, Scope, Send

from adscale_common.errors import error_response
from adscale_common.internal_auth import INTERNAL_TOKEN_HEADER, Principal, mint_internal_token
from gateway.bodies import body_chunks
from gateway.metrics import UPSTREAM_ERRORS
from gateway.tracing import inject_trace_context
from gateway.upstream_client import (
    ConnectFailed,
    ConnectionDropped,
    UpstreamClient,
    UpstreamTimeout,
)
from gateway.upstreams import UpstreamPools

logger = logging.getLogger(__name__)

HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
        b"host",
        b"content-length",
    }
)
# Anything a client could use to impersonate the gateway's say-so.
INTERNAL_PREFIXES = (b"x-internal-", b"x-adscale-", b"x-user-", b"x-auth-", b"x-plan")
# Bytes are relayed as they come (no decompression), so Content-Length stays valid.
_TRACE_HEADERS = frozenset({b"traceparent", b"tracestate"})
_INTERNAL_TOKEN = INTERNAL_TOKEN_HEADER.lower().encode()
RESPONSE_DROP = (HOP_BY_HOP - {b"content-length"}) | {b"x-request-id", b"server", b"date"}
# Sent twice, they do what they did once (RFC 9110, 9.2.2): a request that lost its
# connection before the answer may go to another instance.
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


class _Failure(NamedTuple):
    """How an instance failed a request: the client's status, the words for the log, the
    ejection and the retry metric, and what the client is told after "<service>"."""

    status: int
    logged: str
    reason: str
    told: str


_CONNECT_FAILED = _Failure(503, "upstream unavailable", "connect failed", "is unavailable")
_DROPPED = _Failure(502, "upstream failed", "connection dropped", "closed the connection")


def client_headers(scope: Scope) -> list[tuple[bytes, bytes]]:
    """Headers to forward: hop-by-hop and internal-looking ones removed."""
    kept: list[tuple[bytes, bytes]] = []
    for name, value in scope["headers"]:
        lname = name.lower()
        if lname in HOP_BY_HOP or lname == b"x-request-id" or lname.startswith(INTERNAL_PREFIXES):
            continue
        kept.append((lname, value))
    return kept


def header_value(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope["headers"]:
        if name.lower() == wanted:
            return str(value.decode("latin-1"))
    return None


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


class Forwarder:
    """Forwards over pooled keep-alive connections (``upstream_client.UpstreamClient``)."""

    def __init__(
        self,
        *,
        client: UpstreamClient,
        upstreams: Mapping[str, str],  # UpstreamPools: the next healthy instance
        internal_key: str,
        max_buffered_body_bytes: int,
    ) -> None:
        self.client = client
        self.upstreams = upstreams
        self.internal_key = internal_key
        self.max_buffered = max_buffered_body_bytes

    async def forward(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        service: str,
        identity: Principal,
        request_id: str,
        extra_response_headers: list[tuple[bytes, bytes]] | None = None,
    ) -> int:
        """Forward the request; return the status sent to the client."""
        token = mint_internal_token(
            self.internal_key,
            user_id=identity.user_id,
            plan=identity.plan,
            auth=identity.auth,
            request_id=request_id,
            session_id=identity.session_id,
        )
        headers = client_headers(scope)
        trace_context: dict[str, str] = {}
        inject_trace_context(trace_context)
        if trace_context:  # replaces what the client sent
            headers = [(k, v) for k, v in headers if k not in _TRACE_HEADERS]
            headers += [(k.encode(), v.encode("latin-1")) for k, v in trace_context.items()]
        headers.append((_INTERNAL_TOKEN, token.encode()))
        headers.append((b"x-request-id", request_id.encode()))
        client_addr = scope.get("client")
        if client_addr:
            headers.append((b"x-forwarded-for", str(client_addr[0]).encode()))

        length = header_value(scope, b"content-length")
        body: bytes | AsyncIterator[bytes] | None
        if scope["method"] in ("GET", "HEAD", "DELETE", "OPTIONS") and not length:
            body = None
        elif length is not None and length.isdigit() and int(length) <= self.max_buffered:
            body = await _read_body(receive)
        else:
            body = body_chunks(receive)

        method: str = scope["method"]
        base = self.upstreams[service]
        target = scope.get("raw_path") or scope["path"].encode()
        query = scope.get("query_string", b"")
        if query:
            target += b"?" + query
        tried: set[str] = set()
        while True:
            try:
                response = await self.client.request(base, method, target, headers, body)
                break
            except UpstreamTimeout:
                logger.warning("upstream timeout", extra={"upstream": service})
                UPSTREAM_ERRORS.labels(service, "504").inc()
                await self._error(scope, receive, send, 504, f"{service} did not answer in time")
                return 504
            except ConnectFailed as exc:
                failure = _CONNECT_FAILED
                error: Exception = exc
                # Refused before a byte went out: any request may go elsewhere (a streamed
                # body is read only once connected).
                again = True
            except ConnectionDropped as exc:
                failure = _DROPPED
                error = exc
                # The instance may have acted on it: only what can safely be sent twice.
                again = method in IDEMPOTENT and (body is None or isinstance(body, bytes))
            logger.warning(
                failure.logged, extra={"upstream": service, "url": base, "error": repr(error)}
            )
            following = (
                self.upstreams.failover(service, base, tried, failure.reason, retry=again)
                if isinstance(self.upstreams, UpstreamPools)
                else None
            )
            if following is not None:
                base = following
                continue
            UPSTREAM_ERRORS.labels(service, str(failure.status)).inc()
            await self._error(scope, receive, send, failure.status, f"{service} {failure.told}")
            return failure.status
        try:
            out_headers = [
                (k.lower(), v) for k, v in response.headers if k.lower() not in RESPONSE_DROP
            ]
            if extra_response_headers:
                out_headers.extend(extra_response_headers)
            await send(
                {"type": "http.response.start", "status": response.status, "headers": out_headers}
            )
            size = response.content_length
            if size is not None and size <= self.max_buffered:
                # The common small JSON answer: one body message, no chunk loop.
                await send({"type": "http.response.body", "body": await response.read()})
                return response.status
            async for chunk in response.iter_chunks():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return response.status
        finally:
            response.release()

    async def _error(
        self, scope: Scope, receive: Receive, send: Send, status: int, message: str
    ) -> None:
        await error_response(scope["path"], status, message)(scope, receive, send)


__all__ = ["Forwarder", "client_headers"]
