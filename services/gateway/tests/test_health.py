"""The gateway's /api/v1/health: what each service's own /health says, and when it is 503.

A service that answers 200 with ``"status": "degraded"`` (an advisory check failed,
e.g. identity without SMTP) still serves: the gateway reports it degraded with its
checks but stays 200. A service that answers 503 or cannot be reached makes it 503.
"""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from gateway.settings import Settings
from kit import KEY, in_process, serve


def health_app(body: dict[str, Any], status: int = 200) -> FastAPI:
    app = FastAPI()

    @app.get("/health")
    async def health() -> JSONResponse:
        return JSONResponse(body, status_code=status)

    return app


OK = {"status": "ok", "checks": {"database": "ok", "kafka": "ok"}}
MAIL_DOWN = {"status": "degraded", "checks": {"database": "ok", "mail": "error: no SMTP"}}
DB_DOWN = {"status": "degraded", "checks": {"database": "error: OSError"}}


async def gateway_health(identity: FastAPI, redis_url: str, kafka: str) -> httpx.Response:
    async with serve(identity) as identity_url, serve(health_app(OK)) as ok_url:
        settings = Settings(
            internal_token_key=KEY,
            redis_url=redis_url,
            kafka_bootstrap=kafka,
            identity_url=identity_url,
            campaigns_url=ok_url,
            audience_sync_url=ok_url,
            billing_url=ok_url,
            log_json=False,
        )
        async with in_process(settings, "127.0.0.1") as client:
            return await client.get("/api/v1/health")


async def test_an_advisory_failure_is_reported_degraded_but_the_gateway_stays_200(
    redis_clean: str, adscale_infra
):
    response = await gateway_health(
        health_app(MAIL_DOWN), redis_clean, adscale_infra.kafka_bootstrap
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    identity = body["services"]["identity"]
    assert identity["status"] == "degraded" and identity["serving"] is True
    assert identity["checks"]["mail"] == "error: no SMTP"
    assert body["services"]["billing"]["status"] == "ok"


async def test_a_service_that_answers_503_makes_the_gateway_503(redis_clean: str, adscale_infra):
    response = await gateway_health(
        health_app(DB_DOWN, status=503), redis_clean, adscale_infra.kafka_bootstrap
    )
    assert response.status_code == 503
    identity = response.json()["services"]["identity"]
    assert identity["status"] == "degraded" and identity["serving"] is False
