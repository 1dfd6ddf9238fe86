"""Balancing over several instances of a service (GATEWAY_<SERVICE>_URLS): round-robin over
the healthy ones, an instance that stops answering leaves the rotation (at once on a
refused connection, within a health-check interval otherwise) and comes back when it
answers again. The request that found an instance gone goes to another one when that is
safe: after a refused connection always, after a dropped one only when idempotent."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from adscale_common.metrics import exposition
from adscale_common.metrics_testing import metric_value
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
        self.health_checks = 0

    async def start(self) -> None:
        app = echo_app(self.state)

        async def health() -> dict[str, str]:  # like a service: no token needed
            self.health_checks += 1
            return {"status": "ok"}

        app.add_api_route("/health", health, methods=["GET"])
        app.router.routes.insert(0, app.router.routes.pop())  # before the catch-all
        # A connection the gateway's health check opens while the server shuts down is
        # never told to close, and checks every 0.2 s keep it busy: bound the wait for it.
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            timeout_graceful_shutdown=1,
        )
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
    instances: list[Instance],
    infra: InfraUrls,
    *,
    identity_state: Upstreams | None = None,
    identity_before: tuple[str, ...] = (),
    health_interval: float = INTERVAL,
) -> AsyncIterator[httpx.AsyncClient]:
    """A gateway over ``instances`` of campaigns and an identity stand-in (after the
    ``identity_before`` URLs in its rotation)."""
    identity_state = identity_state or Upstreams(keys=[new_key("key-1")])
    async with serve(identity_app(identity_state)) as identity, dashboard_dist() as dist:
        settings = Settings(
            web_dist_dir=str(dist),
            internal_token_key=KEY,
            redis_url=infra.redis_url,
            kafka_bootstrap=infra.kafka_bootstrap,
            identity_urls=",".join((*identity_before, identity)),
            campaigns_urls=",".join(i.url for i in instances),
            audience_sync_url=instances[0].url,
            billing_url=instances[0].url,
            upstream_health_interval_seconds=health_interval,
            upstream_timeout_seconds=2,
            log_json=False,
        )
        async with in_process(settings, "203.0.113.9") as client:
            client.token = identity_state.keys[0].token(plan="pro")  # type: ignore[attr-defined]
            yield client


async def get(client: httpx.AsyncClient) -> httpx.Response:
    headers = {"Authorization": f"Bearer {client.token}"}  # type: ignore[attr-defined]
    return await client.get("/api/v1/campaigns", headers=headers)


@contextlib.asynccontextmanager
async def two_instances(infra: InfraUrls, health_interval: float) -> AsyncIterator[Any]:
    a, b = Instance("a"), Instance("b")
    await a.start()
    await b.start()
    try:
        async with balanced_gateway([a, b], infra, health_interval=health_interval) as client:
            yield client, a, b
    finally:
        for inst in (a, b):
            if inst.server is not None and not inst.server.should_exit:
                await inst.stop()


@pytest.fixture
async def two(adscale_infra: InfraUrls, redis_clean: str) -> AsyncIterator[Any]:
    async with two_instances(adscale_infra, INTERVAL) as trio:
        yield trio


@pytest.fixture
async def two_unchecked(adscale_infra: InfraUrls, redis_clean: str) -> AsyncIterator[Any]:
    """Two instances whose health is checked once at start and not again during a test, so
    only a request can find that one is gone."""
    async with two_instances(adscale_infra, 600) as trio:
        _, a, b = trio
        # the one round at start has answered both (a busy machine may be slow to run it)
        deadline = time.monotonic() + 5
        while a.health_checks == 0 or b.health_checks == 0:
            assert time.monotonic() < deadline, "the gateway never checked its upstreams"
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)
        yield trio


async def test_requests_alternate_over_the_instances(two: Any) -> None:
    client, a, b = two
    for _ in range(10):
        assert (await get(client)).status_code == 200
    assert len(a.state.seen) == 5
    assert len(b.state.seen) == 5


def in_rotation(instance: Instance) -> float:
    """``adscale_gateway_upstream_in_rotation`` of a campaigns instance."""
    scrape = exposition()[0].decode()
    name = "adscale_gateway_upstream_in_rotation"
    host_port = instance.url.split("://", 1)[1]
    return metric_value(scrape, name, upstream="campaigns", instance=host_port)


def retries(reason: str, upstream: str = "campaigns") -> float:
    scrape = exposition()[0].decode()
    name = "adscale_gateway_upstream_retries_total"
    return metric_value(scrape, name, upstream=upstream, reason=reason)


async def test_a_request_that_finds_an_instance_stopped_goes_to_the_other(
    two_unchecked: Any,
) -> None:
    client, a, b = two_unchecked
    retried = retries("connect failed")
    await b.stop()
    # The request that meets the closed port is sent to `a` (nothing reached `b`: even a
    # POST may go); `b` is ejected at once and every later request goes straight to `a`.
    # (No health check runs meanwhile: the request alone finds `b` gone.)
    headers = {"Authorization": f"Bearer {client.token}"}
    created = await client.post("/api/v1/campaigns", json={"name": "x"}, headers=headers)
    assert created.status_code == 201, created.text
    statuses = [(await get(client)).status_code for _ in range(21)]
    assert statuses == [200] * 21
    assert len(a.state.seen) == 22
    assert retries("connect failed") - retried == 1
    assert in_rotation(b) == 0 and in_rotation(a) == 1
    assert client.gateway.upstreams.report()["campaigns"][b.url] == "ejected"
    health = (await client.get("/api/v1/health")).json()
    assert health["services"]["campaigns"]["status"] == "ok"


async def test_a_stopped_instance_rejoins_when_it_answers_again(
    two: Any, caplog: pytest.LogCaptureFixture
) -> None:
    client, a, b = two
    caplog.set_level(logging.INFO, logger="gateway.upstreams")
    stopped_at = time.monotonic()
    await b.stop()
    deadline = time.monotonic() + 5
    while client.gateway.upstreams.report()["campaigns"][b.url] != "ejected":
        assert time.monotonic() < deadline, "the stopped instance was never ejected"
        await asyncio.sleep(INTERVAL / 2)
    assert in_rotation(b) == 0
    seen_a = len(a.state.seen)
    for _ in range(4):
        assert (await get(client)).status_code == 200
    assert len(a.state.seen) == seen_a + 4
    assert len(b.state.seen) == 0

    await asyncio.sleep(0.3)
    await b.start()
    deadline = time.monotonic() + 5
    while client.gateway.upstreams.report()["campaigns"][b.url] != "up":
        assert time.monotonic() < deadline, "the restarted instance never rejoined"
        await asyncio.sleep(INTERVAL / 2)
    assert in_rotation(b) == 1
    # The operator's log says how long the instance was out of rotation.
    (back,) = [r for r in caplog.records if r.getMessage() == "upstream back in rotation"]
    assert back.url == b.url  # type: ignore[attr-defined]
    out = back.out_of_rotation_seconds  # type: ignore[attr-defined]
    assert 0.3 <= out <= time.monotonic() - stopped_at
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


class Dropper:
    """An instance that reads each request and closes the connection without answering
    (a process killed while it handles the request); its health check answers."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.url = ""
        self.server: asyncio.Server | None = None

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                request_line = head.split(b"\r\n", 1)[0].decode()
                if request_line.startswith("GET /health "):
                    writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")
                    await writer.drain()
                    continue
                self.seen.append(request_line.split(" ", 1)[0])
                break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()


@pytest.fixture
async def dropper_first(adscale_infra: InfraUrls, redis_clean: str) -> AsyncIterator[Any]:
    dropper, a = Dropper(), Instance("a")
    await dropper.start()
    await a.start()
    stand_in = Instance("dropper")
    stand_in.url = dropper.url
    try:
        # The rotation starts at the first instance: the first request meets the dropper.
        async with balanced_gateway([stand_in, a], adscale_infra) as client:
            yield client, dropper, a
    finally:
        await a.stop()
        await dropper.stop()


async def test_a_get_whose_connection_dropped_is_answered_by_another_instance(
    dropper_first: Any,
) -> None:
    client, dropper, a = dropper_first
    retried = retries("connection dropped")
    response = await get(client)
    assert response.status_code == 200, response.text
    assert dropper.seen == ["GET"]
    assert [r["path"] for r in a.state.seen] == ["/api/v1/campaigns"]
    assert retries("connection dropped") - retried == 1


async def test_an_idempotent_request_is_sent_again_only_with_a_body_it_still_has(
    dropper_first: Any,
) -> None:
    """A PUT with a body read whole goes to the other instance, body and all; one whose
    body streamed through (no Content-Length) cannot be sent again: 502."""
    client, dropper, a = dropper_first
    headers = {"Authorization": f"Bearer {client.token}"}
    whole = await client.request(
        "PUT", "/api/v1/campaigns/c1", content=b'{"why": "ended"}', headers=headers
    )
    assert whole.status_code == 200, whole.text
    assert [(r["path"], r["body_len"]) for r in a.state.seen] == [("/api/v1/campaigns/c1", 16)]

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"why": '
        yield b'"streamed"}'

    await asyncio.sleep(INTERVAL * 3)  # the health check brings the dropper back first
    assert client.gateway.upstreams.report()["campaigns"][dropper.url] == "up"  # type: ignore[attr-defined]
    a.state.seen.clear()
    streamed = []
    for _ in range(2):  # one of the two meets the dropper
        streamed.append(
            await client.request("PUT", "/api/v1/campaigns/c2", content=chunks(), headers=headers)
        )
    assert sorted(r.status_code for r in streamed) == [200, 502]
    assert dropper.seen == ["PUT", "PUT"]
    assert len(a.state.seen) == 1  # only the request that went to `a` in the first place


async def test_a_post_whose_connection_dropped_is_not_sent_twice(dropper_first: Any) -> None:
    client, dropper, a = dropper_first
    retried = retries("connection dropped")
    headers = {"Authorization": f"Bearer {client.token}"}
    response = await client.post("/api/v1/campaigns", json={"name": "x"}, headers=headers)
    # The dropper may have created it before it went away: a 502, never a second POST.
    assert response.status_code == 502, response.text
    assert response.json() == {"detail": "campaigns closed the connection"}
    assert dropper.seen == ["POST"]
    assert a.state.seen == []
    assert retries("connection dropped") == retried


async def test_api_keys_are_verified_by_an_instance_of_identity_that_answers(
    adscale_infra: InfraUrls, redis_clean: str
) -> None:
    """Identity's first instance is gone: the key check the gateway makes goes to the other
    (it used to go to the first instance only, and answered 503)."""
    a = Instance("a")
    await a.start()
    identity_state = Upstreams(keys=[new_key("key-1")])
    raw, owner = identity_state.add_api_key("pro")
    gone = Instance("identity-gone")  # never started: its port refuses
    retried = retries("connect failed", "identity")
    try:
        async with balanced_gateway(
            [a],
            adscale_infra,
            identity_state=identity_state,
            identity_before=(gone.url,),
            health_interval=60,  # only the refused call ejects it
        ) as client:
            for _ in range(3):
                response = await client.get("/api/v1/campaigns", headers={"X-API-Key": raw})
                assert response.status_code == 200, response.text
            report = client.gateway.upstreams.report()["identity"]  # type: ignore[attr-defined]
    finally:
        await a.stop()
    assert identity_state.verify_calls == 1  # then cached
    assert a.state.seen[-1]["user_id"] == owner["user_id"]
    assert report.pop(gone.url) == "ejected"
    assert list(report.values()) == ["up"]
    assert retries("connect failed", "identity") - retried == 1
