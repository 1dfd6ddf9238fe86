"""The gateway's own Prometheus metrics, served on a port of their own (the gateway's
main port is public, so ``/metrics`` is never answered there).

* requests: the shared ``adscale_http_requests_total`` and
  ``adscale_http_request_duration_seconds`` (the services' middleware) with
  ``service="gateway"`` and, as route, the routed prefix (``/api/v1/campaigns``), one of
  the gateway's own paths, or ``<other>``;
* ``adscale_gateway_upstream_errors_total{upstream,status}``: 502/503/504 the gateway made
  because a service did not answer (an answer of the service itself is not counted);
* ``adscale_gateway_upstream_retries_total{upstream,reason}``: requests sent to another
  instance after one refused the connection or dropped it before answering;
* ``adscale_gateway_rate_limited_total{policy}``: 429s by rate-limit policy;
* ``adscale_gateway_upstream_in_rotation{upstream,instance}``: 1 while an instance of a
  service gets requests, 0 while it is ejected (``instance``: its ``host:port``).
"""

from __future__ import annotations

from typing import Any

from prometheus_client import Counter, Gauge
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adscale_common.metrics import serve_metrics
from adscale_common.request_middleware import RequestMiddleware
from gateway.routes import ROUTE_TABLE

UPSTREAM_ERRORS = Counter(
    "adscale_gateway_upstream_errors_total",
    "Requests the gateway answered 502/503/504 because the upstream failed, by upstream.",
    ["upstream", "status"],
)
UPSTREAM_RETRIES = Counter(
    "adscale_gateway_upstream_retries_total",
    "Requests sent to another instance after one failed them (connect failed, connection "
    "dropped before the answer), by upstream and reason.",
    ["upstream", "reason"],
)
UPSTREAM_IN_ROTATION = Gauge(
    "adscale_gateway_upstream_in_rotation",
    "1 while an instance of a service is in the gateway's rotation, 0 while it is ejected.",
    ["upstream", "instance"],
)
RATE_LIMITED = Counter(
    "adscale_gateway_rate_limited_total",
    "Requests refused with 429, by rate-limit policy.",
    ["policy"],
)

UNTRACED_PATHS = frozenset({"/health", "/api/v1/health", "/metrics"})
OWN_PATHS = frozenset(
    {"/api/v1/health", "/health", "/docs", "/api/v1/docs", "/openapi.json", "/api/v1/openapi.json"}
)


def route_label(path: str) -> str:
    """A bounded label: the routed prefix, an own path, or ``<other>``."""
    for prefix, _ in ROUTE_TABLE:
        if path == prefix or path.startswith(prefix + "/"):
            return prefix
    stripped = path.rstrip("/") or "/"
    return stripped if stripped in OWN_PATHS else "<other>"


class GatewayRequests(RequestMiddleware):
    """Every gateway request in one layer, like a service app's (request id, server span,
    metrics labelled by ``route_label``, access log); serves the metrics port while the app
    lives (started on lifespan startup, stopped on shutdown; port 0: not served)."""

    def __init__(self, app: ASGIApp, *, port: int, host: str) -> None:
        super().__init__(
            app,
            service="gateway",
            route_of=lambda path, _: route_label(path),
            untraced=UNTRACED_PATHS,
            tracer_name="adscale.gateway",
        )
        self.port = port
        self.host = host
        self._server: Any = None

    def __getattr__(self, name: str) -> Any:  # still answers for the wrapped gateway
        if name == "app":
            raise AttributeError(name)
        return getattr(self.app, name)

    async def not_http(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            receive = self._lifespan_receive(receive)
        await self.app(scope, receive, send)

    def _lifespan_receive(self, receive: Receive) -> Receive:
        async def watched() -> Message:
            message = await receive()
            if message["type"] == "lifespan.startup" and self.port and self._server is None:
                self._server = serve_metrics(self.port, self.host)
            elif message["type"] == "lifespan.shutdown" and self._server is not None:
                self._server.shutdown()
                self._server = None
            return message

        return watched
