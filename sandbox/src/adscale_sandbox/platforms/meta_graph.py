"""The Graph API's HTTP surface around the Meta routes: node paths with a trailing slash, the
URL length limit, the batch call at the Graph root, and Graph errors for every path or edge
the sandbox does not serve.

Meta's SDKs request ``/{id}/`` (Graph serves it as ``/{id}``), send the batch call as a POST
to ``/{version}/`` with ``batch=[...]``, and parse only Graph error objects, so none of
these may answer with a redirect or FastAPI's ``{"detail": ...}``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
import orjson
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from adscale_sandbox.core import PlatformError, json_response
from adscale_sandbox.oauth import Principal
from adscale_sandbox.platforms.meta_errors import invalid_parameter, meta_error, unsupported_object
from adscale_sandbox.platforms.meta_guard import authorized
from adscale_sandbox.platforms.meta_params import meta_params

PREFIX = "/meta/graph"
# Longest request target (path and query) the sandbox's Graph takes. Graph's front end breaks
# on long URLs (the SDK's tracker has DELETE /users failures from a few hundred rows up);
# 16 KiB is about 220 hashed rows in a query string. The sandbox's choice of number.
MAX_URL_BYTES = 16_384
MAX_BATCH_REQUESTS = 50
VERSION = re.compile(r"v\d+\.\d+")
BATCH_METHODS = ("GET", "POST", "DELETE")
# Headers of an inner response that a batch answer repeats, as Graph spells them.
BATCH_HEADERS = {
    "content-type": "Content-Type",
    "www-authenticate": "WWW-Authenticate",
    "x-business-use-case-usage": "X-Business-Use-Case-Usage",
}

fallback_router = APIRouter()


def url_too_long(length: int) -> PlatformError:
    return meta_error(
        414,
        100,
        f"(#100) The request URL is {length} bytes long; Graph takes at most {MAX_URL_BYTES}. "
        "Send the parameters in the request body (form-encoded), e.g. DELETE with a body or "
        "POST with method=delete.",
    )


class GraphPathMiddleware:
    """Serves ``/meta/graph/.../`` as the path without the slash, and refuses request
    targets longer than :data:`MAX_URL_BYTES` with a Graph error (not a 400 page)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(PREFIX + "/") and path != PREFIX:
            await self.app(scope, receive, send)
            return
        raw_path: bytes = scope.get("raw_path") or path.encode()
        length = len(raw_path) + len(scope.get("query_string", b"")) + 1
        if length > MAX_URL_BYTES:
            error = url_too_long(length)
            response = json_response(error.body, error.status, error.headers)
            await response(scope, receive, send)
            return
        if path.endswith("/") and len(path) > len(PREFIX) + 1:
            scope = dict(scope)
            scope["path"] = path.rstrip("/")
            scope["raw_path"] = raw_path.rstrip(b"/")
        await self.app(scope, receive, send)


# --------------------------------------------------------------------------- unknown paths


def unknown_path(path: str, method: str) -> PlatformError:
    """Graph's answer for a path the sandbox does not serve.

    One or two components after the version (an object or an object's edge) answer like an
    object that does not exist or does not support the operation (code 100, subcode 33);
    deeper paths answer Graph's "Unknown path components" (code 2500).
    """
    parts = [p for p in path.split("/") if p]
    if parts and VERSION.fullmatch(parts[0]):
        parts = parts[1:]
    if len(parts) > 2:
        return meta_error(400, 2500, "Unknown path components: /" + "/".join(parts[1:]))
    return unsupported_object(parts[0] if parts else "", method)


# --------------------------------------------------------------------------- batch


def _batch_items(params: dict[str, Any]) -> list[dict[str, Any]]:
    raw = params.get("batch")
    if raw is None or raw == "":
        raise invalid_parameter("(#100) The parameter batch is required")
    try:
        items = orjson.loads(raw) if isinstance(raw, str | bytes) else raw
    except orjson.JSONDecodeError as exc:
        raise invalid_parameter("(#100) Param batch must be a JSON array") from exc
    if not isinstance(items, list) or not items:
        raise invalid_parameter("(#100) Param batch must be a non-empty JSON array")
    if len(items) > MAX_BATCH_REQUESTS:
        raise invalid_parameter(
            f"(#100) Too many requests in batch message. Maximum batch size is {MAX_BATCH_REQUESTS}"
        )
    return items


def _item_error(error: PlatformError) -> dict[str, Any]:
    return {
        "code": error.status,
        "headers": [{"name": "Content-Type", "value": "application/json; charset=UTF-8"}],
        "body": orjson.dumps(error.body).decode(),
    }


async def _run_item(
    client: httpx.AsyncClient, item: Any, version: str, token: str | None
) -> dict[str, Any]:
    """One batch entry through the sandbox itself, answered as Graph's batch entries are."""
    if not isinstance(item, dict) or not isinstance(item.get("relative_url"), str):
        return _item_error(invalid_parameter("(#100) Each batch request needs a relative_url"))
    method = str(item.get("method", "GET")).upper()
    if method not in BATCH_METHODS:
        return _item_error(invalid_parameter(f"(#100) Unsupported batch method {method}"))
    path, _, query = item["relative_url"].lstrip("/").partition("?")
    parts = [p for p in path.split("/") if p]
    if not parts or (VERSION.fullmatch(parts[0]) and len(parts) == 1):
        return _item_error(invalid_parameter("(#100) A batch request cannot call the root"))
    if not VERSION.fullmatch(parts[0]):
        parts.insert(0, version)
    body = item.get("body") if isinstance(item.get("body"), str) else ""
    carried = dict(parse_qsl(query)) | dict(parse_qsl(body or ""))
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if "access_token" not in carried and token:
        query = "&".join(q for q in (query, urlencode({"access_token": token})) if q)
    url = f"{PREFIX}/{'/'.join(parts)}" + (f"?{query}" if query else "")
    response = await client.request(method, url, content=body or None, headers=headers)
    return {
        "code": response.status_code,
        "headers": [
            {"name": BATCH_HEADERS[name], "value": value}
            for name, value in response.headers.items()
            if name in BATCH_HEADERS
        ],
        "body": response.text,
    }


async def _batch(request: Request, version: str) -> Response:
    params = await meta_params(request)
    items = _batch_items(params)
    token = params.get("access_token") or request.headers.get("authorization", "").partition(" ")[2]
    transport = httpx.ASGITransport(app=request.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        answers = [await _run_item(client, item, version, token or None) for item in items]
    return json_response(answers)


@fallback_router.post("")
async def batch_unversioned(
    request: Request, principal: Principal = Depends(authorized)
) -> Response:
    return await _batch(request, "v25.0")


@fallback_router.post("/{version}")
async def batch(
    version: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    if not VERSION.fullmatch(version):
        raise unknown_path(version, "POST")
    return await _batch(request, version)


@fallback_router.api_route("/{path:path}", methods=["GET", "POST", "DELETE", "PUT", "PATCH"])
async def unknown(path: str, request: Request) -> Response:
    raise unknown_path(path, request.method)
