"""HTTP request metrics for a service app, and its ``/metrics`` route.

Requests are labelled by route template (``/api/v1/campaigns/{campaign_id}``), never
the raw path; a path no route knows is ``<unmatched>``. ``/metrics`` is open on the
service's internal port (like ``/health``); the gateway forwards only its routed
``/api/v1/...`` prefixes, so it is not reachable from outside.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi import APIRouter, FastAPI, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adscale_common.metrics import HTTP_DURATION, HTTP_REQUESTS, exposition
from adscale_common.routing import route_template

METRICS_PATH = "/metrics"
UNMATCHED = "<unmatched>"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def metrics_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get(METRICS_PATH)
    async def metrics() -> Response:
        body, content_type = exposition()
        return Response(body, media_type=content_type)

    return router


RouteOf = Callable[[str, str], str]  # (path, method) -> a bounded route label


def templates_of(app: FastAPI) -> RouteOf:
    """Route labels from ``app``'s route templates; ``<unmatched>`` for unknown paths."""
    return lambda path, method: route_template(app, path, method) or UNMATCHED


class ResponseStatus:
    """A ``send`` that remembers the status the app answered (500 until it answers)."""

    def __init__(self, send: Send) -> None:
        self.code = 500
        self._send = send

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.code = message["status"]
        await self._send(message)


class HttpMetricsMiddleware:
    """Pure-ASGI: counts every answered request and times it to the last body byte."""

    def __init__(self, app: ASGIApp, *, service: str, route_of: RouteOf) -> None:
        self.app = app
        self.service = service
        self.route_of = route_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method: str = scope["method"] if scope["method"] in METHODS else "OTHER"
        route = self.route_of(scope["path"], method)
        started = time.perf_counter()
        status = ResponseStatus(send)
        try:
            await self.app(scope, receive, status)
        finally:
            HTTP_REQUESTS.labels(self.service, route, method, str(status.code)).inc()
            HTTP_DURATION.labels(self.service, route, method).observe(time.perf_counter() - started)
