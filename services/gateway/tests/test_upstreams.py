"""Balancing over several instances of a service (GATEWAY_<SERVICE>_URLS): round-robin over
the healthy ones, an instance that stops answering leaves the rotation (at once on a
refused connection, within a health-check interval otherwise) and comes back when it
answers again."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from adscale_common.testing import InfraUrls
from gateway.settings import Settings
from kit import (
    KEY,
    Upstreams,
    dashboard_dist,
    echo_app,
    identity_app,
    in_process,
    new_key,
    serve,
)

INTERVAL = 0.2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Instance:
    """An echo service on a fixed port that can be stopped and started again."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.state = Upstreams(keys=[])
        self.server: uvicorn.Server | None = None
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        app = echo_app(self.state)

        async def health() -> dict[str, str]:  # like a service: no token needed
            return {"status": "ok"}

        app.add_api_route("/health", health, methods=["GET"])
        app.router.routes.insert(0, app.router.routes.pop())  # before the catch-all
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            if self.task.done():  # the port could not be bound: raise why
                self.task.result()
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        assert self.server is not None and self.task is not None
        self.server.should_exit = True
        await self.task


@contextlib.asynccontextmanager
async def balanced_gateway(
    instances: list[Instance], infra: InfraUrls
) -> AsyncIterator[httpx.AsyncClient]:
    identity_state = Upstreams(keys=[new_key("key-1")])
    async with serve(identity_app(identity_state)) as identity, dashboard_dist() as dist:
        settings = Settings(
            web_dist_dir=str(dist),
            internal_token_key=KEY,
            redis_url=infra.redis_url,
            kafka_bootstrap=infra.kafka_bootstrap,
            identity_url=identity,
            campaigns_urls=",".join(i.url for i in instances),
            audience_sync_url=instances[0].url,
            billing_url=instances[0].url,
            upstream_health_interval_seconds=INTERVAL,
            upstream_timeout_seconds=2,
            log_json=False,
        )
        async with in_process(settings, "203.0.113.9") as client:
            client.token = identity_state.keys[0].token(plan="pro")  # type: ignore[attr-defined]
            yield client


async def get(client: httpx.AsyncClient) -> httpx.Response:
    headers = {"Authorization": f"Bearer {client.token}"}  # type: ignore[attr-defined]
    return await client.get("/api/v1/campaigns", headers=headers)


@pytest.fixture
async def two(adscale_infra: InfraUrls, redis_clean: str) -> AsyncIterator[Any]:
    a, b = Instance("a"), Instance("b")
    await a.start()
    await b.start()
    async with balanced_gateway([a, b], adscale_infra) as client:
        yield client, a, b
    for inst in (a, b):
        if inst.server is not None and not inst.server.should_exit:
            await inst.stop()


async def test_requests_alternate_over_the_instances(two: Any) -> None:
    client, a, b = two
    for _ in range(10):
        assert (await get(client)).status_code == 200
    assert len(a.state.seen) == 5
    assert len(b.state.seen) == 5


async def test_a_stopped_instance_is_routed_around_and_rejoins(two: Any) -> None:
    client, a, b = two
    await b.stop()
    # The first request that meets the closed port may fail (503, never another 5xx);
    # the instance is ejected at once and every later request reaches `a`.
    first = [(await get(client)).status_code for _ in range(2)]
    assert set(first) <= {200, 503}
    before = len(a.state.seen)
    statuses = [(await get(client)).status_code for _ in range(20)]
    assert statuses == [200] * 20
    assert len(a.state.seen) == before + 20
    assert client.gateway.upstreams.report()["campaigns"][b.url] == "ejected"
    health = (await client.get("/api/v1/health")).json()
    assert health["services"]["campaigns"]["status"] == "ok"

    await b.start()
    deadline = time.monotonic() + 5
    while client.gateway.upstreams.report()["campaigns"][b.url] != "up":
        assert time.monotonic() < deadline, "the restarted instance never rejoined"
        await asyncio.sleep(INTERVAL / 2)
    seen_b = len(b.state.seen)
    for _ in range(10):
        assert (await get(client)).status_code == 200
    assert len(b.state.seen) == seen_b + 5


async def test_an_instance_that_answers_5xx_to_its_health_check_is_ejected(
    adscale_infra: InfraUrls, redis_clean: str
) -> None:
    a = Instance("a")
    await a.start()
    sick = Upstreams(keys=[])
    app = FastAPI()

    @app.get("/health")
    async def unhealthy() -> JSONResponse:
        return JSONResponse({"status": "down"}, status_code=503)

    @app.get("/{path:path}")
    async def other(path: str) -> JSONResponse:
        sick.seen.append({"path": path})
        return JSONResponse({}, status_code=200)

    try:
        async with serve(app) as sick_url:
            inst = Instance("sick")
            inst.url = sick_url
            async with balanced_gateway([a, inst], adscale_infra) as client:
                await asyncio.sleep(INTERVAL * 3)
                for _ in range(6):
                    assert (await get(client)).status_code == 200
                assert sick.seen == []
                assert len(a.state.seen) == 6
    finally:
        await a.stop()


async def test_no_instance_left_answers_503_in_the_api_format(
    adscale_infra: InfraUrls, redis_clean: str
) -> None:
    a, b = Instance("a"), Instance("b")  # never started: both ports refuse
    async with balanced_gateway([a, b], adscale_infra) as client:
        for _ in range(3):
            response = await get(client)
            assert response.status_code == 503
            assert response.json() == {"detail": "campaigns is unavailable"}
