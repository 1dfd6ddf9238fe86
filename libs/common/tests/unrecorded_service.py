"""Run by test_tracing_unrecorded.py in a process of its own (no span processor ever
added): a service request carrying a ``traceparent`` emits an event; prints, as JSON, the
outbox row's ``traceparent``, the ``trace_id`` of the access log lines, the Kafka headers
the relay's producer span would send, and whether anything was recorded."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import sys
import uuid
from pathlib import Path

import httpx
import sqlalchemy as sa
from fastapi import APIRouter

sys.path.insert(0, str(Path(__file__).parent))

from adscale_common.app import create_service_app
from adscale_common.db import DbSession
from adscale_common.events import Envelope
from adscale_common.messaging import outbox_event
from adscale_common.observability import JsonFormatter
from adscale_common.outbox import emit
from adscale_common.testing import internal_headers
from adscale_common.tracing import publish_span
from plumbing_kit import AppSettings

KEY = "test-internal-key-" + "u" * 20


async def main(trace_id: str) -> dict[str, object]:
    from opentelemetry import trace
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

    router = APIRouter()
    kind = f"unrecorded-{uuid.uuid4().hex[:8]}.done"

    @router.post("/api/v1/things", status_code=202)
    async def thing(session: DbSession) -> dict[str, str]:
        await emit(session, Envelope(type=kind, source="t", subject="s"))
        return {}

    url = os.environ["ADSCALE_TEST_SCRATCH_URL"]
    app = create_service_app(
        AppSettings(database_url=url, internal_token_key=KEY, kafka_bootstrap="x:1"),
        service="unrecorded",
        title="t",
        routers=[router],
    )
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.setFormatter(JsonFormatter("unrecorded"))
    logging.getLogger("adscale.request").addHandler(handler)
    headers = {
        **internal_headers(KEY, user_id=uuid.uuid4()),
        "traceparent": f"00-{trace_id}-00f067aa0ba902b7-01",
    }
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
            response = await client.post("/api/v1/things", headers=headers)
        async with app.state.engine.connect() as conn:
            stored = (
                await conn.execute(
                    sa.select(outbox_event.c.traceparent).where(outbox_event.c.event_type == kind)
                )
            ).scalar_one()
    with publish_span("things", stored) as sent:
        kafka = dict(sent)
    logged = [json.loads(line) for line in lines.getvalue().splitlines()]
    return {
        "status": response.status_code,
        "recording": trace.get_tracer_provider().recording,  # type: ignore[attr-defined]
        "asyncpg_instrumented": AsyncPGInstrumentor().is_instrumented_by_opentelemetry,  # type: ignore[no-untyped-call]
        "stored": stored,
        "logged_trace_ids": [line.get("trace_id") for line in logged if line["msg"] == "request"],
        "kafka_traceparent": kafka["traceparent"].decode(),
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1]))))
