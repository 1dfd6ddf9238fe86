"""What one request costs in round trips and spans, on real PostgreSQL: a read-only route
sends its one SELECT (no pre-ping, BEGIN or COMMIT) and is traced by one server span and
that SELECT's span; a pooled connection the server closed is replaced, not used."""

from __future__ import annotations

import gc
import uuid

import httpx
import sqlalchemy as sa
from fastapi import APIRouter
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy.ext.asyncio import AsyncEngine

from adscale_common.app import YOUNG_GC_THRESHOLD, create_service_app
from adscale_common.db import DbSession, ReadConnection, ReadSession, make_engine
from adscale_common.internal_auth import CurrentUser
from adscale_common.testing import internal_headers
from plumbing_kit import AppSettings, eventually

KEY = "test-internal-key-" + "c" * 20


def _app(engine: AsyncEngine):
    router = APIRouter()

    @router.get("/api/v1/read")
    async def read(session: ReadSession, user: CurrentUser) -> dict[str, int]:
        return {"one": (await session.execute(sa.text("SELECT 1"))).scalar_one()}

    @router.get("/api/v1/read-core")
    async def read_core(connection: ReadConnection, user: CurrentUser) -> dict[str, int]:
        return {"one": (await connection.execute(sa.text("SELECT 1"))).scalar_one()}

    @router.post("/api/v1/write")
    async def write(session: DbSession, user: CurrentUser) -> dict[str, int]:
        return {"one": (await session.execute(sa.text("SELECT 1"))).scalar_one()}

    settings = AppSettings(
        database_url=engine.url.render_as_string(hide_password=False),
        internal_token_key=KEY,
        log_json=False,
    )
    return create_service_app(settings, service="costtest", title="t", routers=[router])


async def _call(app, method: str, path: str) -> httpx.Response:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
            # A first request opens the pool's connection; the second is the one measured.
            await client.request(method, path, headers=internal_headers(KEY, user_id=uuid.uuid4()))
            return await client.request(
                method, path, headers=internal_headers(KEY, user_id=uuid.uuid4())
            )


def _measured(exporter: InMemorySpanExporter) -> list[tuple[str, str]]:
    """The spans of the last trace recorded (the second request's)."""
    finished = exporter.get_finished_spans()
    last = finished[-1].context.trace_id
    return sorted(
        (span.kind.name, str((span.attributes or {}).get("db.statement") or span.name))
        for span in finished
        if span.context.trace_id == last
    )


async def test_a_read_only_route_sends_its_select_alone_and_traces_two_spans(engine_a, spans):
    response = await _call(_app(engine_a), "GET", "/api/v1/read")
    assert response.status_code == 200, response.text
    assert response.json() == {"one": 1}
    assert _measured(spans) == [
        (SpanKind.CLIENT.name, "SELECT 1"),
        (SpanKind.SERVER.name, "GET /api/v1/read"),
    ]


async def test_a_read_connection_route_sends_its_select_alone_and_gives_the_connection_back(
    engine_a, spans
):
    app = _app(engine_a)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
            for _ in range(2):  # the first opens the pool's connection
                headers = internal_headers(KEY, user_id=uuid.uuid4())
                response = await client.get("/api/v1/read-core", headers=headers)
                assert response.status_code == 200, response.text
                assert response.json() == {"one": 1}
            assert app.state.engine.pool.checkedout() == 0
    assert _measured(spans) == [
        (SpanKind.CLIENT.name, "SELECT 1"),
        (SpanKind.SERVER.name, "GET /api/v1/read-core"),
    ]


async def test_after_start_up_the_young_generation_is_collected_less_often(engine_a):
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, *before[1:])
        app = _app(engine_a)
        async with app.router.lifespan_context(app):
            assert gc.get_threshold() == (YOUNG_GC_THRESHOLD, *before[1:])
        assert YOUNG_GC_THRESHOLD > 700
    finally:
        gc.set_threshold(*before)


async def test_a_writing_route_still_runs_in_a_transaction(engine_a, spans):
    response = await _call(_app(engine_a), "POST", "/api/v1/write")
    assert response.status_code == 200, response.text
    statements = [name for kind, name in _measured(spans) if kind == SpanKind.CLIENT.name]
    # BEGIN and COMMIT around the statement (asyncpg's transaction calls), no pre-ping.
    assert "SELECT 1" in statements
    assert ";" not in statements
    assert len(statements) == 3, statements


async def test_a_pooled_connection_the_server_closed_is_replaced_before_use(engine_a):
    engine = make_engine(engine_a.url.render_as_string(hide_password=False), pool_size=1)
    try:
        async with engine.connect() as conn:
            first = (await conn.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one()
            pooled = (await conn.get_raw_connection()).driver_connection
        async with engine_a.connect() as admin:
            await admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": first})

        async def noticed() -> bool:  # the idle pooled connection saw the server go
            return bool(pooled.is_closed())

        await eventually(noticed, timeout=10)
        async with engine.connect() as conn:
            second = (await conn.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one()
        assert second != first
    finally:
        await engine.dispose()
