"""What every HTTP request of an AdScale process goes through, as one pure-ASGI layer:
the request id (bound, echoed as ``X-Request-ID``), the server span (a child of the
caller's W3C ``traceparent``), the request metrics and the access log line.

One layer instead of one middleware per concern because each layer is a coroutine frame
every resumption of the request (after each ``await`` on the database or the upstream)
passes back through, and each wrapped ``send`` again; py-spy put this stack among the
largest items of a service request (libs/common README, "What a request costs"). The
route label is resolved once per request for the span and the metrics, and the metric
children (``.labels(...)``) are kept, not looked up per request.

The services add their own checks in :class:`adscale_common.app.ServiceMiddleware` (the
``handle`` hook); the gateway's ``GatewayRequests`` adds its metrics port to the lifespan
(the ``not_http`` hook), so either is still one frame per request.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, StatusCode
from prometheus_client.metrics import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adscale_common.errors import dependency_unavailable, unavailable_response
from adscale_common.metrics import HTTP_DURATION, HTTP_REQUESTS
from adscale_common.observability import new_request_id, request_id_var, well_formed_request_id
from adscale_common.tracing import extract_context

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "<unmatched>"
_REQUEST_ID = b"x-request-id"
_TRACE_HEADERS = {b"traceparent": "traceparent", b"tracestate": "tracestate"}

RouteOf = Callable[[str, str], str]  # (path, method) -> a bounded route label


class RequestMetrics:
    """``adscale_http_requests_total`` and ``adscale_http_request_duration_seconds`` of one
    service, with each label set's child kept (route labels are bounded)."""

    def __init__(self, service: str) -> None:
        self.service = service
        self._counts: dict[tuple[str, str, int], Counter] = {}
        self._durations: dict[tuple[str, str], Histogram] = {}

    def record(self, route: str, method: str, status: int, seconds: float) -> None:
        count = self._counts.get((route, method, status))
        if count is None:
            count = HTTP_REQUESTS.labels(self.service, route, method, str(status))
            self._counts[(route, method, status)] = count
        count.inc()
        duration = self._durations.get((route, method))
        if duration is None:
            duration = HTTP_DURATION.labels(self.service, route, method)
            self._durations[(route, method)] = duration
        duration.observe(seconds)


class RequestMiddleware:
    """Pure-ASGI: request id, server span, metrics and access log around ``handle``.

    ``route_of`` gives the bounded route label (metrics ``route``, span ``http.route``);
    the span is named ``<METHOD> <route>`` (``<METHOD>`` alone for ``UNMATCHED``).
    ``untraced`` paths (health, metrics) get no span but are counted and logged.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        service: str,
        route_of: RouteOf,
        untraced: frozenset[str],
        tracer_name: str = "adscale",
        log_requests: bool = True,
    ) -> None:
        self.app = app
        self.route_of = route_of
        self.untraced = untraced
        self.metrics = RequestMetrics(service)
        self.tracer = trace.get_tracer(tracer_name)
        self.log_requests = log_requests
        self.logger = logging.getLogger("adscale.request")

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """What the request does inside the bookkeeping (the wrapped app, by default)."""
        await self.app(scope, receive, send)

    async def not_http(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Lifespan (and any other non-HTTP scope): the wrapped app, by default."""
        await self.app(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.not_http(scope, receive, send)
            return
        path: str = scope["path"]
        method: str = scope["method"] if scope["method"] in METHODS else "OTHER"
        route = self.route_of(path, method)
        incoming: str | None = None
        carrier: dict[str, str] = {}
        for name, value in scope["headers"]:
            if name == _REQUEST_ID and incoming is None:
                incoming = value.decode("latin-1")
            elif name in _TRACE_HEADERS:
                carrier[_TRACE_HEADERS[name]] = value.decode("latin-1")
        rid = incoming if incoming and well_formed_request_id(incoming) else new_request_id()
        rid_token = request_id_var.set(rid)
        span = None if path.rstrip("/") in self.untraced else self._span(scope, route, carrier)
        span_token = otel_context.attach(trace.set_span_in_context(span)) if span else None
        started = time.perf_counter()
        status = 0  # no response begun yet; counted as 500 if none is
        rid_header = (_REQUEST_ID, rid.encode())

        async def answer(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), rid_header]
            await send(message)

        try:
            await self.handle(scope, receive, answer)
        except Exception as exc:
            if span is not None:
                span.record_exception(exc)
            if status or not dependency_unavailable(exc):
                raise
            # A database or broker out of reach is answered here, not by the app's
            # outermost handler: that one runs outside this layer, which would have
            # counted and logged a 500 for the 503 the caller gets.
            await unavailable_response(path, exc)(scope, receive, answer)
        finally:
            status = status or 500
            elapsed = time.perf_counter() - started
            self.metrics.record(route, method, status, elapsed)
            if self.log_requests:  # inside the span: the line carries its trace_id
                self.logger.info(
                    "request",
                    extra={
                        "method": scope["method"],
                        "path": path,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 2),
                    },
                )
            if span is not None:
                span.set_attribute("http.response.status_code", status)
                if status >= 500:
                    span.set_status(StatusCode.ERROR)
                span.end()
            if span_token is not None:
                otel_context.detach(span_token)
            request_id_var.reset(rid_token)

    def _span(self, scope: Scope, route: str, carrier: dict[str, str]) -> Span:
        method: str = scope["method"]
        attributes: dict[str, Any] = {"http.request.method": method, "url.path": scope["path"]}
        if route == UNMATCHED:
            name = method
        else:
            name = f"{method} {route}"
            attributes["http.route"] = route
        return self.tracer.start_span(
            name,
            context=extract_context(carrier) if carrier else None,
            kind=SpanKind.SERVER,
            attributes=attributes,
        )
