"""Services serve Prometheus metrics on ``/metrics`` of their internal port; the gateway
must never hand that path to one. It forwards only its routed ``/api/v1/...`` prefixes,
verbatim: dot segments, literal or percent-encoded, are not resolved on the way, so a
service receives a path under its prefix that no route of it matches."""

from __future__ import annotations

from typing import Any

import pytest

from kit import DASHBOARD_INDEX


async def _raw_get(app: Any, raw_path: bytes) -> tuple[int, bytes]:
    """Drive the gateway's ASGI app with a path exactly as a client sent it (httpx would
    resolve the dot segments before sending)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": raw_path.decode(),
        "raw_path": raw_path,
        "query_string": b"",
        "headers": [(b"host", b"gw")],
        "client": ("203.0.113.7", 5555),
        "server": ("gw", 80),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, body


async def test_metrics_path_is_not_routed_by_the_gateway(gateway, upstreams):
    # Outside /api every path is a deep link of the dashboard: its index, not metrics.
    response = await gateway.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.text == DASHBOARD_INDEX
    # httpx resolves the dot segments: both are /api/metrics, which nothing routes.
    for path in ("/api/v1/health/../../metrics", "/api/metrics"):
        unrouted = await gateway.get(path)
        assert unrouted.status_code == 404, path
        assert b"# TYPE" not in unrouted.content
    assert upstreams.seen == []  # nothing was forwarded


@pytest.mark.parametrize(
    "raw_path",
    [b"/api/v1/campaigns/../../../metrics", b"/api/v1/campaigns/%2e%2e/%2e%2e/%2e%2e/metrics"],
)
async def test_dot_segments_reach_the_service_unresolved(gateway, upstreams, raw_path):
    status, body = await _raw_get(gateway.gateway, raw_path)
    assert b"# TYPE" not in body
    assert status == 200  # the stand-in service answers whatever reaches it: here, what did
    assert upstreams.seen[-1]["path"].startswith("/api/v1/campaigns/")
    assert upstreams.seen[-1]["path"] != "/metrics"
