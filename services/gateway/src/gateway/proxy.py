"""Forwarding: strip client-sent internal headers, add the internal token, stream both ways.

Bodies up to ``max_buffered_body_bytes`` with a Content-Length are read whole
(cheapest for the common small JSON request); anything else streams through
chunk by chunk, so a multi-gigabyte CSV import never sits in gateway memory.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping

import aiohttp
from multidict import CIMultiDict
from opentelemetry.instrumentation.aiohttp_client import AioHttpClientInstrumentor
from starlette.types import Receive, Scope, Send
from yarl import URL

from adscale_common.errors import error_response
from adscale_common.internal_auth import INTERNAL_TOKEN_HEADER, Principal, mint_internal_token
from gateway.bodies import body_chunks
from gateway.metrics import UPSTREAM_ERRORS
from gateway.tracing import inject_trace_context
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
RESPONSE_DROP = (HOP_BY_HOP - {b"content-length"}) | {b"x-request-id", b"server", b"date"}


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
    """Forwards over one pooled aiohttp session.

    aiohttp rather than httpx here: measured on this 2-core machine against a
    trivial upstream, httpx served ~430 req/s at 50 concurrent requests and
    aiohttp ~12,900 (see bench/gateway.py), and the forwarder is the gateway's
    hot path.
    """

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession,
        upstreams: Mapping[str, str],  # UpstreamPools: the next healthy instance
        internal_key: str,
        max_buffered_body_bytes: int,
        timeout: aiohttp.ClientTimeout,
    ) -> None:
        # The gateway's server span is the service's parent (``inject_trace_context``): no
        # client span per forwarded request from the aiohttp instrumentation.
        AioHttpClientInstrumentor.uninstrument_session(session)
        self.session = session
        self.upstreams = upstreams
        self.internal_key = internal_key
        self.max_buffered = max_buffered_body_bytes
        self.timeout = timeout

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
        )
        headers = CIMultiDict(
            (k.decode("latin-1"), v.decode("latin-1")) for k, v in client_headers(scope)
        )
        headers[INTERNAL_TOKEN_HEADER] = token
        headers["X-Request-ID"] = request_id
        inject_trace_context(headers)
        client_addr = scope.get("client")
        if client_addr:
            headers["X-Forwarded-For"] = str(client_addr[0])

        length = header_value(scope, b"content-length")
        body: bytes | AsyncIterator[bytes] | None
        if scope["method"] in ("GET", "HEAD", "DELETE", "OPTIONS") and not length:
            body = None
        elif length is not None and length.isdigit() and int(length) <= self.max_buffered:
            body = await _read_body(receive)
        else:
            body = body_chunks(receive)

        base = self.upstreams[service]
        url = base + scope.get("raw_path", scope["path"].encode()).decode("latin-1")
        query = scope.get("query_string", b"")
        if query:
            url += "?" + query.decode("latin-1")
        started = False
        try:
            async with self.session.request(
                scope["method"],
                URL(url, encoded=True),
                headers=headers,
                data=body,
                allow_redirects=False,
                timeout=self.timeout,
                skip_auto_headers=("User-Agent", "Accept-Encoding", "Content-Type"),
            ) as response:
                out_headers = [
                    (k.lower(), v)
                    for k, v in response.raw_headers
                    if k.lower() not in RESPONSE_DROP
                ]
                if extra_response_headers:
                    out_headers.extend(extra_response_headers)
                await send(
                    {
                        "type": "http.response.start",
                        "status": response.status,
                        "headers": out_headers,
                    }
                )
                started = True
                size = response.content_length
                if size is not None and size <= self.max_buffered:
                    # The common small JSON answer: one body message, no chunk loop.
                    body_bytes = await response.read()
                    await send({"type": "http.response.body", "body": body_bytes})
                    return response.status
                async for chunk in response.content.iter_any():
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return response.status
        except (TimeoutError, aiohttp.ServerTimeoutError):
            if started:
                raise
            logger.warning("upstream timeout", extra={"upstream": service})
            UPSTREAM_ERRORS.labels(service, "504").inc()
            await self._error(scope, receive, send, 504, f"{service} did not answer in time")
            return 504
        except aiohttp.ClientConnectorError as exc:
            logger.warning("upstream unavailable", extra={"upstream": service, "error": repr(exc)})
            await self._eject_and_answer(
                scope, receive, send, service, base, 503, "connect failed", "is unavailable"
            )
            return 503
        except aiohttp.ClientError as exc:
            if started:
                raise
            logger.warning("upstream failed", extra={"upstream": service, "error": repr(exc)})
            await self._eject_and_answer(
                scope,
                receive,
                send,
                service,
                base,
                502,
                "connection dropped",
                "closed the connection",
            )
            return 502

    async def _eject_and_answer(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        service: str,
        base: str,
        status: int,
        reason: str,
        told: str,
    ) -> None:
        """An upstream that failed the connection: take that instance out of its pool,
        count the error and answer the client ``status`` with "<service> <told>"."""
        if isinstance(self.upstreams, UpstreamPools):
            self.upstreams.eject(service, base, reason)
        UPSTREAM_ERRORS.labels(service, str(status)).inc()
        await self._error(scope, receive, send, status, f"{service} {told}")

    async def _error(
        self, scope: Scope, receive: Receive, send: Send, status: int, message: str
    ) -> None:
        await error_response(scope["path"], status, message)(scope, receive, send)


__all__ = ["Forwarder", "client_headers"]
