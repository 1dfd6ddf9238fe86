"""One trace from a service request through the outbox row, the relay, Kafka and the
consumer that handles the event (and the HTTP call it makes), on real PostgreSQL and
Kafka, recorded by an in-memory exporter; log lines carry the trace id."""

from __future__ import annotations

import asyncio
import logging
import uuid

import httpx
import orjson
import pytest
import sqlalchemy as sa
from fastapi import APIRouter
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind
from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.app import create_service_app
from adscale_common.db import DbSession
from adscale_common.events import Envelope, dlq_topic
from adscale_common.internal_auth import CurrentUser
from adscale_common.kafka import ensure_topics, make_producer
from adscale_common.messaging import outbox_event
from adscale_common.observability import JsonFormatter
from adscale_common.outbox import OutboxRelay, emit
from adscale_common.testing import internal_headers
from adscale_common.testing_consumers import running
from plumbing_kit import AppSettings, eventually, runner_for

pytestmark = pytest.mark.kafka

KEY = "test-internal-key-" + "t" * 20
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
INCOMING = f"00-{TRACE_ID}-00f067aa0ba902b7-01"  # as the gateway would send it


async def _one_shot_http_server() -> tuple[asyncio.Server, str]:
    """A stand-in for a platform endpoint: answers 204 to anything."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}/audiences/1/users"


async def test_one_trace_spans_request_outbox_kafka_consumer_and_its_http_call(
    spans, engine_a, engine_b, sessions_b, adscale_infra, unique_name
):
    topic = f"{unique_name}.events"
    await ensure_topics(adscale_infra.kafka_bootstrap, [topic, dlq_topic(topic)])
    for engine in (engine_a, engine_b):
        async with engine.begin() as conn:
            await conn.execute(sa.text("TRUNCATE outbox_event, inbox_event"))
    router = APIRouter()

    @router.post("/api/v1/orders", status_code=202)
    async def order(session: DbSession, user: CurrentUser) -> dict[str, str]:
        event = Envelope(type=f"{unique_name}.ordered", source="a", subject="o-1")
        await emit(session, event)
        return {"event_id": str(event.id)}

    app = create_service_app(
        AppSettings(
            database_url=engine_a.url.render_as_string(hide_password=False),
            internal_token_key=KEY,
            kafka_bootstrap=adscale_infra.kafka_bootstrap,
            log_json=False,
        ),
        service="tracetest",
        title="t",
        routers=[router],
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
            headers = {
                **internal_headers(KEY, user_id=uuid.uuid4()),
                "traceparent": INCOMING,
            }
            response = await client.post("/api/v1/orders", headers=headers)
    assert response.status_code == 202, response.text
    async with engine_a.connect() as conn:
        stored = (await conn.execute(sa.select(outbox_event.c.traceparent))).scalar_one()
    assert stored.startswith(f"00-{TRACE_ID}-")  # the row holds the request's context

    producer = make_producer(adscale_infra.kafka_bootstrap, client_id="trace-tests")
    await producer.start()
    try:
        assert await OutboxRelay(engine_a, producer, service="tracetest").publish_pending() == 1
        server, platform_url = await _one_shot_http_server()
        logged: list[dict[str, str]] = []

        async def handler(session: AsyncSession, event: Envelope) -> None:
            record = logging.LogRecord("h", logging.INFO, __file__, 1, "handled", None, None)
            logged.append(orjson.loads(JsonFormatter("consumer").format(record)))
            async with httpx.AsyncClient() as platform:
                assert (await platform.post(platform_url, json={"n": 1})).status_code == 204

        runner = runner_for(
            f"{unique_name}-b",
            topic,
            {f"{unique_name}.ordered": handler},
            sessions_b,
            adscale_infra,
            producer,
        )
        async with running(runner):

            async def handled() -> bool:
                return runner.stats.handled == 1

            await eventually(handled)
        server.close()
    finally:
        await producer.stop()

    finished: list[ReadableSpan] = list(spans.get_finished_spans())
    by_kind = {kind: [s for s in finished if s.kind is kind] for kind in SpanKind}
    (server_span,) = [s for s in by_kind[SpanKind.SERVER] if s.attributes.get("http.route")]
    (publish,) = [s for s in by_kind[SpanKind.PRODUCER] if s.name == f"{topic} publish"]
    (consume,) = [s for s in by_kind[SpanKind.CONSUMER] if s.name == f"{topic} process"]
    (platform_call,) = [
        s
        for s in by_kind[SpanKind.CLIENT]
        if s.attributes.get("url.full") == platform_url
        or s.attributes.get("http.url") == platform_url
    ]
    for span in (server_span, publish, consume, platform_call):
        assert format(span.context.trace_id, "032x") == TRACE_ID, span.name
    # request -> relay's publish -> (Kafka header) -> consumer -> its HTTP call
    assert publish.parent is not None and publish.parent.span_id == server_span.context.span_id
    assert consume.parent is not None and consume.parent.span_id == publish.context.span_id
    assert platform_call.parent is not None
    assert platform_call.parent.span_id == consume.context.span_id
    assert logged[0]["trace_id"] == TRACE_ID
    # The database work of the request is in the trace too (asyncpg instrumentation).
    assert any(
        s.kind is SpanKind.CLIENT
        and s.attributes.get("db.system") == "postgresql"
        and format(s.context.trace_id, "032x") == TRACE_ID
        for s in finished
    )


async def test_without_an_incoming_context_the_outbox_row_starts_its_own_trace(
    spans, engine_a, unique_name
):
    async with engine_a.begin() as conn:
        await conn.execute(sa.text("TRUNCATE outbox_event"))
    from adscale_common.db import make_sessionmaker

    async with make_sessionmaker(engine_a)() as session, session.begin():
        await emit(session, Envelope(type=f"{unique_name}.x", source="a", subject="s"))
    async with engine_a.connect() as conn:
        stored = (await conn.execute(sa.select(outbox_event.c.traceparent))).scalar_one()
    assert stored is None  # no request, no parent: the relay's span is the root
