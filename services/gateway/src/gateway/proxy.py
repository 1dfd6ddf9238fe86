"""Forwarding: strip client-sent internal headers, add the internal token, stream both ways.

Bodies up to ``max_buffered_body_bytes`` with a Content-Length are read whole
(cheapest for the common small JSON request); anything else streams through
chunk by chunk, so a multi-gigabyte CSV import never sits in gateway memory.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
from starlette.types import Receive, Scope, Send

from adscale_common.errors import error_response
from adscale_common.internal_auth import INTERNAL_TOKEN_HEADER, mint_internal_token

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
RESPONSE_DROP = HOP_BY_HOP | {b"x-request-id", b"server", b"date"}


@dataclass(frozen=True, slots=True)
class Identity:
    """What the gateway established about the caller."""

    user_id: str | None
    plan: str | None
    auth: str  # "jwt" | "api_key" | "anonymous"


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


async def _stream_body(receive: Receive) -> AsyncIterator[bytes]:
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        body = message.get("body", b"")
        if body:
            yield body
        more = message.get("more_body", False)


class Forwarder:
    def __init__(
        self,
        *,
        client: httpx.AsyncClient,
        upstreams: dict[str, str],
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
        identity: Identity,
        request_id: str,
        extra_response_headers: list[tuple[bytes, bytes]] | None = None,
    ) -> int:
        """Forward the request; return the status sent to the client."""
        path = scope["path"]
        token = mint_internal_token(
            self.internal_key,
            user_id=identity.user_id,
            plan=identity.plan,
            auth=identity.auth,  # type: ignore[arg-type]
            request_id=request_id,
        )
        headers = client_headers(scope)
        headers.append((INTERNAL_TOKEN_HEADER.lower().encode(), token.encode()))
        headers.append((b"x-request-id", request_id.encode()))
        client_addr = scope.get("client")
        if client_addr:
            headers.append((b"x-forwarded-for", str(client_addr[0]).encode()))

        length = header_value(scope, b"content-length")
        content: bytes | AsyncIterator[bytes]
        if scope["method"] in ("GET", "HEAD", "DELETE", "OPTIONS") and not length:
            content = b""
        elif length is not None and length.isdigit() and int(length) <= self.max_buffered:
            content = await _read_body(receive)
        else:
            content = _stream_body(receive)

        url = self.upstreams[service] + scope.get("raw_path", path.encode()).decode("latin-1")
        query = scope.get("query_string", b"")
        if query:
            url += "?" + query.decode("latin-1")
        request = self.client.build_request(
            scope["method"],
            url,
            headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers],
            content=content,
        )
        try:
            response = await self.client.send(request, stream=True)
        except httpx.TimeoutException:
            logger.warning("upstream timeout", extra={"upstream": service})
            await self._error(
                scope, receive, send, 504, f"{service} did not answer in time", request_id
            )
            return 504
        except httpx.TransportError as exc:
            logger.warning("upstream unavailable", extra={"upstream": service, "error": repr(exc)})
            await self._error(scope, receive, send, 503, f"{service} is unavailable", request_id)
            return 503

        try:
            out_headers = [
                (k.lower(), v) for k, v in response.headers.raw if k.lower() not in RESPONSE_DROP
            ]
            if extra_response_headers:
                out_headers.extend(extra_response_headers)
            started = False
            try:
                async for chunk in response.aiter_raw():
                    if not started:
                        await send(
                            {
                                "type": "http.response.start",
                                "status": response.status_code,
                                "headers": out_headers,
                            }
                        )
                        started = True
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            except httpx.TimeoutException:
                if not started:
                    await self._error(
                        scope, receive, send, 504, f"{service} did not answer in time", request_id
                    )
                    return 504
                raise
            except httpx.TransportError:
                if not started:
                    await self._error(
                        scope, receive, send, 502, f"{service} closed the connection", request_id
                    )
                    return 502
                raise
            if not started:
                await send(
                    {
                        "type": "http.response.start",
                        "status": response.status_code,
                        "headers": out_headers,
                    }
                )
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return response.status_code
        finally:
            await response.aclose()

    async def _error(
        self, scope: Scope, receive: Receive, send: Send, status: int, message: str, request_id: str
    ) -> None:
        response = error_response(scope["path"], status, message)
        await response(scope, receive, send)


__all__ = ["Forwarder", "Identity", "client_headers"]
