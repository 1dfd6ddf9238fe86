"""The gateway's metrics: requests by routed prefix, upstream errors by service, rate-limit
refusals by policy, served on their own port while the app lives (never on the public one)."""

from __future__ import annotations

import asyncio
import socket
import uuid
from typing import Any

import httpx

from adscale_common.metrics import exposition
from adscale_common.metrics_testing import metric_value
from gateway.main import create_app
from gateway.settings import Settings
from kit import KEY


def scrape() -> str:
    return exposition()[0].decode()


def delta(before: str, after: str, name: str, **labels: str) -> float:
    return metric_value(after, name, **labels) - metric_value(before, name, **labels)


async def test_requests_are_counted_by_routed_prefix_never_by_raw_path(gateway, upstreams):
    before = scrape()
    for _ in range(2):
        assert (await gateway.get(f"/api/v1/campaigns/{uuid.uuid4()}")).status_code == 200
    assert (await gateway.get("/api/v1/nowhere/at/all")).status_code == 404
    after = scrape()
    name = "adscale_http_requests_total"
    routed = {"service": "gateway", "route": "/api/v1/campaigns", "method": "GET"}
    assert delta(before, after, name, **routed, status="200") == 2
    assert delta(before, after, name, service="gateway", route="<other>", status="404") == 1
    count = "adscale_http_request_duration_seconds_count"
    assert delta(before, after, count, **routed) == 2
    assert "/api/v1/campaigns/" + "0" not in after  # no ids in labels


async def test_upstream_failures_are_counted_by_service_and_status(gateway):
    before = scrape()
    assert (await gateway.get("/api/v1/billing/plans")).status_code == 503  # nothing on :9

    async def never_answers(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(30)

    server = await asyncio.start_server(never_answers, "127.0.0.1", 0)
    gateway.gateway.forwarder.upstreams["campaigns"] = (
        f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    )
    try:
        assert (await gateway.get("/api/v1/campaigns")).status_code == 504
    finally:
        server.close()
    after = scrape()
    name = "adscale_gateway_upstream_errors_total"
    assert delta(before, after, name, upstream="billing", status="503") == 1
    assert delta(before, after, name, upstream="campaigns", status="504") == 1


async def test_rate_limit_refusals_are_counted_by_policy(gateway):
    gateway.gateway.forwarder.upstreams["identity"] = gateway.echo_url
    before = scrape()
    statuses = [
        (
            await gateway.post(
                "/api/v1/auth/login", json={"email": "metrics@example.com", "password": f"p{i}"}
            )
        ).status_code
        for i in range(11)
    ]
    assert statuses[-1] == 429
    after = scrape()
    assert delta(before, after, "adscale_gateway_rate_limited_total", policy="login-email") == 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _lifespan(app: Any, phase: str, inbox: asyncio.Queue, outbox: asyncio.Queue) -> None:
    await inbox.put({"type": f"lifespan.{phase}"})
    reply = await asyncio.wait_for(outbox.get(), 30)
    assert reply["type"] == f"lifespan.{phase}.complete", reply


async def test_metrics_port_is_served_while_the_app_lives_and_not_on_the_public_port(
    redis_clean, adscale_infra
):
    port = _free_port()
    settings = Settings(
        internal_token_key=KEY,
        redis_url=redis_clean,
        kafka_bootstrap=adscale_infra.kafka_bootstrap,
        metrics_port=port,
        log_json=False,
    )
    app = create_app(settings)
    inbox: asyncio.Queue = asyncio.Queue()
    outbox: asyncio.Queue = asyncio.Queue()
    task = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}}, inbox.get, outbox.put)
    )
    url = f"http://127.0.0.1:{port}/metrics"
    async with httpx.AsyncClient() as client:
        await _lifespan(app, "startup", inbox, outbox)
        served = await client.get(url)
        assert served.status_code == 200 and "adscale_gateway_upstream_errors_total" in served.text
        public = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw")
        async with public:
            # Outside /api the public port serves the dashboard (here not built: 503),
            # never the exposition.
            answer = await public.get("/metrics")
            assert answer.status_code in (200, 503) and "# TYPE" not in answer.text
            assert "adscale_gateway_upstream_errors_total" not in answer.text
        await _lifespan(app, "shutdown", inbox, outbox)
        await asyncio.wait_for(task, 30)
        try:
            await client.get(url, timeout=2)
            raise AssertionError("the metrics port still answers after shutdown")
        except httpx.TransportError:
            pass
