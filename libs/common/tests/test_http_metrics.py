"""Every service app counts requests by route template and serves /metrics."""

from __future__ import annotations

import uuid

import httpx
import pytest
import sqlalchemy as sa
from fastapi import APIRouter
from pydantic_settings import SettingsConfigDict
from sqlalchemy.ext.asyncio import AsyncEngine

from adscale_common.app import create_service_app
from adscale_common.db import DbSession
from adscale_common.internal_auth import CurrentUser
from adscale_common.metrics_testing import metric_value
from adscale_common.settings import ServiceSettings
from adscale_common.testing import internal_headers

KEY = "test-internal-key-" + "m" * 20
SERVICE = "metricstest"


class _Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="METRICSTEST_")


def _router() -> APIRouter:
    router = APIRouter()

    @router.get("/api/v1/widgets/{widget_id}")
    async def get(widget_id: uuid.UUID, user: CurrentUser, session: DbSession) -> dict[str, str]:
        await session.execute(sa.text("SELECT 1"))  # checks a connection out of the pool
        return {"id": str(widget_id)}

    return router


@pytest.fixture
async def client(engine_a: AsyncEngine):
    url = engine_a.url.render_as_string(hide_password=False)
    settings = _Settings(
        database_url=url, internal_token_key=KEY, kafka_bootstrap="127.0.0.1:1", log_json=False
    )
    app = create_service_app(settings, service=SERVICE, title="t", routers=[_router()])
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as c:
            yield c


def _caller() -> dict[str, str]:
    return internal_headers(KEY, user_id=uuid.uuid4())


async def _scrape(client: httpx.AsyncClient) -> str:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


async def test_requests_are_counted_by_route_template_method_and_status(client):
    route = "/api/v1/widgets/{widget_id}"
    labels = {"service": SERVICE, "route": route, "method": "GET"}
    before = await _scrape(client)
    headers = internal_headers(KEY, user_id=uuid.uuid4())
    for _ in range(3):
        assert (
            await client.get(f"/api/v1/widgets/{uuid.uuid4()}", headers=headers)
        ).status_code == 200
    assert (await client.get(f"/api/v1/widgets/{uuid.uuid4()}/")).status_code == 401
    after = await _scrape(client)

    ok = "adscale_http_requests_total"
    assert (
        metric_value(after, ok, **labels, status="200")
        - metric_value(before, ok, **labels, status="200")
        == 3
    )
    assert (
        metric_value(after, ok, **labels, status="401")
        - metric_value(before, ok, **labels, status="401")
        == 1
    )
    count = "adscale_http_request_duration_seconds_count"
    assert metric_value(after, count, **labels) - metric_value(before, count, **labels) == 4
    # Raw paths (ids) never become label values.
    assert "widgets/0" not in after and "/api/v1/widgets/" + "{widget_id}" in after


async def test_unknown_paths_share_one_label(client):
    before = await _scrape(client)
    for _ in range(2):
        response = await client.get(f"/nowhere/{uuid.uuid4()}", headers=_caller())
        assert response.status_code == 404
    after = await _scrape(client)
    labels = {"service": SERVICE, "route": "<unmatched>", "method": "GET", "status": "404"}
    name = "adscale_http_requests_total"
    assert metric_value(after, name, **labels) - metric_value(before, name, **labels) == 2


async def test_metrics_needs_no_internal_token_and_shows_the_pool(client):
    # Scraped without a token, as Prometheus does on the internal port.
    text = await _scrape(client)
    assert metric_value(text, "adscale_db_pool_max_connections", service=SERVICE) > 0
    pool = {"service": SERVICE, "state": "checked_out"}
    assert metric_value(text, "adscale_db_pool_connections", **pool) == 0
    # A request holding its session shows up as a checked-out connection while it runs.
    headers = internal_headers(KEY, user_id=uuid.uuid4())
    assert (await client.get(f"/api/v1/widgets/{uuid.uuid4()}", headers=headers)).status_code == 200
    idle = metric_value(
        await _scrape(client), "adscale_db_pool_connections", service=SERVICE, state="idle"
    )
    assert idle >= 1


async def test_dot_segments_under_a_route_prefix_never_reach_metrics(client):
    # What a gateway forwarding /api/v1/... verbatim could hand over: not /metrics.
    response = await client.get("/api/v1/widgets/%2e%2e/%2e%2e/%2e%2e/metrics", headers=_caller())
    assert response.status_code == 404
    assert "# TYPE" not in response.text
