"""Internal ``/health``: the database, the Kafka broker and a service's own checks.

A check answers ``"ok"`` or ``"error: <reason>"``; any error makes the service degraded.
A failing critical check (the database, Kafka, a service's ``extra`` checks) answers
503, so orchestrators stop routing to the process; a failing ``advisory`` check (a
side feature such as outgoing mail) is reported with its reason under a 200, so the
rest of the service keeps serving and no probe restarts it for it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse


async def check_database(request: Request) -> str:
    engine = request.app.state.engine
    try:
        async with asyncio.timeout(2):
            async with engine.connect() as conn:
                await conn.execute(sa.text("SELECT 1"))
        return "ok"
    except Exception as exc:
        return f"error: {type(exc).__name__}"


async def check_kafka(bootstrap: str) -> str:
    """A TCP handshake with every bootstrap address (cheap, no client state)."""
    for address in bootstrap.split(","):
        host, _, port = address.strip().rpartition(":")
        try:
            async with asyncio.timeout(2):
                _, writer = await asyncio.open_connection(host or "127.0.0.1", int(port))
            writer.close()
            await writer.wait_closed()
            return "ok"
        except Exception:  # noqa: S112 - try the next bootstrap address
            continue
    return "error: unreachable"


HealthCheck = Callable[[Request], Awaitable[str]]


def health_router(
    service: str,
    extra: Mapping[str, HealthCheck] | None = None,
    advisory: Mapping[str, HealthCheck] | None = None,
) -> APIRouter:
    router = APIRouter()
    own = {**(extra or {}), **(advisory or {})}
    critical = {"database", "kafka", *(extra or {})}

    @router.get("/health", include_in_schema=False)
    async def health(request: Request) -> JSONResponse:
        started = time.perf_counter()
        database, kafka, *others = await asyncio.gather(
            check_database(request),
            check_kafka(request.app.state.settings.kafka_bootstrap),
            *(check(request) for check in own.values()),
        )
        checks: dict[str, Any] = {
            "database": database,
            "kafka": kafka,
            **dict(zip(own, others, strict=True)),
        }
        ok = all(v == "ok" for v in checks.values())
        serving = all(v == "ok" for k, v in checks.items() if k in critical)
        body = {
            "status": "ok" if ok else "degraded",
            "service": service,
            "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "checks": checks,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        }
        return JSONResponse(body, status_code=200 if serving else 503)

    return router
