"""Fixtures and helpers of the export and webhook tests (``test_export*``, ``test_webhook*``).

The app is built here from ``create_service_app`` and the export/webhook routers only, with
settings that inherit :class:`ExportWebhookSettings`; the database is the suite's migrated
scratch database (``database_url`` from conftest). Requests commit for real, so every test
works as a fresh user. Segments and profiles are written straight to their tables.

conftest.py hands the fixtures to every test module; helpers are imported from here.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import sqlalchemy as sa
import uvicorn
from cryptography.fernet import Fernet
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import Receive, Scope, Send

from adscale_common.app import create_service_app
from adscale_common.consumer import ConsumerRunner
from adscale_common.crypto import TokenCipher
from adscale_common.events import Envelope
from adscale_common.kafka import ensure_topics, make_producer
from adscale_common.messaging import outbox_event
from adscale_common.testing import internal_headers
from adscale_common.worker import ConsumerSpec
from audience_sync.export.endpoints import download_router
from audience_sync.export.endpoints import router as export_router
from audience_sync.models import Profile, Segment
from audience_sync.settings import Settings
from audience_sync.webhook import ssrf
from audience_sync.webhook.delivery import Deliverer, Sender
from audience_sync.webhook.endpoints import router as webhook_router
from kit import asgi_client, service_settings

KEY = "test-internal-key-0123456789abcdef"
AS = "/api/v1/cdp/audience-sync"
ENCRYPTION_KEY = Fernet.generate_key().decode()
SIGNING_KEY = "export-signing-key-for-tests-0123456789"
PUBLIC_BASE = "http://gateway.test"


def make_settings(database_url: str, kafka: str, export_dir: Path, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "public_base_url": PUBLIC_BASE,
        "export_dir": export_dir,
        "export_signing_key": SecretStr(SIGNING_KEY),
        "export_processes": 0,
        "export_chunk_rows": 1000,
        "webhooks_allow_loopback": True,
        "webhook_timeout_seconds": 3,
        "webhook_inflight_lease_seconds": 5,
        "webhook_retry_schedule_seconds": [0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2],
        "webhook_retry_jitter": 0,
        "webhook_poll_seconds": 0.05,
    }
    return service_settings(database_url, kafka, ENCRYPTION_KEY, **{**values, **extra})


def build_app(settings: Settings) -> FastAPI:
    async def startup(app: FastAPI) -> None:
        keys = settings.encryption_keys.get_secret_value()
        app.state.cipher = TokenCipher(keys) if keys else None

    return create_service_app(
        settings,
        service="audience-sync",
        title="audience-sync exports and webhooks (tests)",
        routers=[export_router, download_router, webhook_router],
        on_startup=[startup],
    )


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def xw_export_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("exports")


@pytest.fixture(scope="session")
def xw_settings(database_url: str, adscale_infra: Any, xw_export_dir: Path) -> Settings:
    return make_settings(database_url, adscale_infra.kafka_bootstrap, xw_export_dir)


@contextlib.asynccontextmanager
async def running_app(settings: Settings, **state: Any) -> AsyncIterator[FastAPI]:
    """The export/webhook app on ``settings``, started, with ``state`` put on ``app.state``."""
    app = build_app(settings)
    for name, value in state.items():
        setattr(app.state, name, value)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="session")
async def xw_app(xw_settings: Settings) -> AsyncIterator[FastAPI]:
    async with running_app(xw_settings) as app:
        yield app


@pytest.fixture(scope="session")
async def xw_strict_app(
    database_url: str, adscale_infra: Any, xw_export_dir: Path
) -> AsyncIterator[FastAPI]:
    """The production default: loopback refused. DNS answers come from ``app.state``'s
    :class:`MapResolver` (tests add names to it)."""
    settings = make_settings(
        database_url, adscale_infra.kafka_bootstrap, xw_export_dir, webhooks_allow_loopback=False
    )
    resolver = MapResolver(fallback_to_system=True)
    async with running_app(settings, webhook_resolver=resolver) as app:
        yield app


@pytest.fixture(scope="session")
async def xw_unconfigured_app(
    database_url: str, adscale_infra: Any, xw_export_dir: Path
) -> AsyncIterator[FastAPI]:
    """No signing key, no encryption keys (a misconfigured deployment)."""
    settings = make_settings(
        database_url,
        adscale_infra.kafka_bootstrap,
        xw_export_dir,
        export_signing_key=SecretStr(""),
        encryption_keys=SecretStr(""),
    )
    async with running_app(settings) as app:
        yield app


@pytest.fixture
async def xw_client(xw_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(xw_app, timeout=60) as c:
        yield c


@pytest.fixture
async def strict_client(xw_strict_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(xw_strict_app, timeout=60) as c:
        yield c


@pytest.fixture
def xw_sessions(xw_app: FastAPI) -> async_sessionmaker[AsyncSession]:
    sessions: async_sessionmaker[AsyncSession] = xw_app.state.sessionmaker
    return sessions


@pytest.fixture
def caller(xw_client: httpx.AsyncClient) -> Caller:
    return Caller(xw_client)


@pytest.fixture
def stranger(xw_client: httpx.AsyncClient) -> Caller:
    return Caller(xw_client)


@pytest.fixture
def strict_caller(strict_client: httpx.AsyncClient) -> Caller:
    return Caller(strict_client)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    r = Receiver()
    await r.start()
    yield r
    await r.stop()


# --------------------------------------------------------------------------- callers


@dataclass
class Caller:
    client: httpx.AsyncClient
    user_id: uuid.UUID = field(default_factory=uuid.uuid4)

    @property
    def headers(self) -> dict[str, str]:
        return internal_headers(KEY, user_id=self.user_id, plan="pro", auth="jwt")

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        return await self.client.get(path, headers=self.headers, **kw)

    async def post(self, path: str, **kw: Any) -> httpx.Response:
        return await self.client.post(path, headers=self.headers, **kw)

    async def patch(self, path: str, **kw: Any) -> httpx.Response:
        return await self.client.patch(path, headers=self.headers, **kw)

    async def delete(self, path: str, **kw: Any) -> httpx.Response:
        return await self.client.delete(path, headers=self.headers, **kw)

    async def anonymous_get(self, url: str) -> httpx.Response:
        """What the gateway forwards for someone following a link without logging in."""
        headers = internal_headers(KEY, user_id=None, plan=None, auth="anonymous")
        return await self.client.get(url, headers=headers)


# --------------------------------------------------------------------------- data


def profile_row(i: int, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "external_id": f"c-{i:06d}",
        "email": f"  Customer.{i}@Example.COM ",
        "phone": f"+1 (415) {200 + i // 10000 % 800:03d}-{i % 10000:04d}",
        "first_name": "Zoë" if i % 3 == 0 else f"Mary-Ann {i}",
        "last_name": "O'Brien",
        "city": "San Francisco",
        "state": "CA",
        "zip": f"{94100 + i % 50}-1234",
        "country": "us",
        "madid": str(uuid.UUID(int=i + 1)).upper(),
        "traits": {"tier": "gold" if i % 2 else "silver", "ltv": i * 1.5, "tags": ["a", "b"]},
    }
    row.update(overrides)
    return row


async def update_row(
    sessions: async_sessionmaker[AsyncSession],
    table: str,
    row_id: Any,
    assignments: str,
    **params: Any,
) -> None:
    """``UPDATE <table> SET <assignments> WHERE id = :id``, committed: the shortcut a test
    takes to a state (an expired secret, a lapsed lease) the API would take hours to reach."""
    async with sessions() as session, session.begin():
        await session.execute(
            sa.text(f"UPDATE {table} SET {assignments} WHERE id = :id"), {"id": row_id, **params}
        )


async def seed_segment(
    sessions: async_sessionmaker[AsyncSession],
    user_id: uuid.UUID,
    profiles: Iterable[dict[str, Any]],
    *,
    name: str = "Export segment",
) -> uuid.UUID:
    rows = list(profiles)
    segment_id = uuid.uuid4()
    async with sessions() as session, session.begin():
        await session.execute(
            sa.insert(Segment).values(
                id=segment_id, user_id=user_id, name=name, profile_count=len(rows)
            )
        )
        if rows:
            await session.execute(
                sa.insert(Profile), [{"segment_id": segment_id, **row} for row in rows]
            )
    return segment_id


async def settle_outbox(sessions: async_sessionmaker[AsyncSession], ids: Iterable[Any]) -> None:
    """Mark this test's outbox rows as published so relays in other tests skip them."""
    async with sessions() as session, session.begin():
        await session.execute(
            outbox_event.update()
            .where(outbox_event.c.id.in_(list(ids)))
            .values(sent_at=sa.func.now())
        )


# --------------------------------------------------------------------------- webhooks


class MapResolver:
    """A DNS stand-in: names map to the addresses a test chooses."""

    def __init__(
        self, names: dict[str, list[str]] | None = None, *, fallback_to_system: bool = False
    ):
        self.names = dict(names or {})
        self.fallback = fallback_to_system
        self.lookups: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        if host in self.names:
            return list(self.names[host])
        if self.fallback:
            loop = asyncio.get_running_loop()
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            return [str(info[4][0]) for info in infos]
        raise OSError(f"unknown host {host}")


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    """A real HTTP endpoint (uvicorn on a free loopback port) answering a scripted list of
    statuses (then ``default``), recording every request."""

    def __init__(self, *, certfile: str | None = None, keyfile: str | None = None) -> None:
        self.certfile = certfile
        self.keyfile = keyfile
        self.script: list[int] = []
        self.default = 200
        self.delay = 0.0
        self.requests: list[Received] = []
        self._arrived = asyncio.Condition()
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/adscale"

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        assert scope["type"] == "http"
        chunks = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        status = self.script.pop(0) if self.script else self.default
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        async with self._arrived:
            self.requests.append(Received(scope["path"], headers, b"".join(chunks)))
            self._arrived.notify_all()
        # A slow receiver holds its answer after the request has arrived, so a test that
        # sees the request can act while the sender still waits (a kill mid-send).
        if self.delay:
            await asyncio.sleep(self.delay)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-length", b"2")],
            }
        )
        await send({"type": "http.response.body", "body": b"ok"})

    async def start(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            lifespan="on",
            interface="asgi3",
            ssl_certfile=self.certfile,
            ssl_keyfile=self.keyfile,
        )
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        for _ in range(200):
            if self._server.started:
                return
            await asyncio.sleep(0.01)
        raise RuntimeError("receiver did not start")

    async def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._task, timeout=5)

    async def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        async with asyncio.timeout(timeout), self._arrived:
            await self._arrived.wait_for(lambda: len(self.requests) >= count)
        return list(self.requests)


def make_deliverer(
    app: FastAPI,
    *,
    resolver: ssrf.Resolver | None = None,
    sessions: async_sessionmaker[AsyncSession] | None = None,
    **overrides: Any,
) -> tuple[Deliverer, Sender]:
    """A delivery process like the worker's (its own id), on the app's database."""
    settings: Settings = app.state.settings
    if overrides:
        settings = settings.model_copy(update=overrides)
    sender = Sender(
        timeout=settings.webhook_timeout_seconds,
        allow_loopback=settings.webhooks_allow_loopback,
        resolver=resolver or ssrf.system_resolver,
    )
    deliverer = Deliverer(
        sessionmaker=sessions or app.state.sessionmaker,
        settings=settings,
        cipher=TokenCipher(settings.encryption_keys.get_secret_value()),
        sender=sender,
    )
    return deliverer, sender


async def until(predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.05) -> Any:
    """Poll an async predicate until it returns something truthy."""
    async with asyncio.timeout(timeout):
        while True:
            value = await predicate()
            if value:
                return value
            await asyncio.sleep(interval)


@pytest.fixture
async def quiet_deliveries(xw_app: FastAPI) -> AsyncIterator[None]:
    """No delivery left due by another test: delivery processes claim from the whole table."""

    async def settle() -> None:
        async with xw_app.state.sessionmaker() as session, session.begin():
            await session.execute(
                sa.text(
                    "UPDATE webhook_delivery SET status = 'cancelled', next_attempt_at = NULL "
                    "WHERE status IN ('pending', 'in_flight')"
                )
            )

    await settle()
    yield
    await settle()


@pytest.fixture
async def settle_export_jobs(xw_app: FastAPI) -> AsyncIterator[None]:
    """Export job requests these tests leave in the outbox are marked published, so the
    outbox relays of other test modules do not send them to a jobs consumer."""
    yield
    async with xw_app.state.sessionmaker() as session, session.begin():
        await session.execute(
            outbox_event.update()
            .where(
                outbox_event.c.sent_at.is_(None),
                outbox_event.c.topic == "audience_sync.jobs",
                outbox_event.c.payload["data"]["kind"].astext == "export",
            )
            .values(sent_at=sa.func.now())
        )


@contextlib.asynccontextmanager
async def spec_consumer(
    consumer_spec: Callable[[Any], ConsumerSpec], settings: Any, sessions: Any
) -> AsyncIterator[tuple[ConsumerRunner, Callable[..., Awaitable[None]]]]:
    """A worker consumer's handlers (``consumer_spec(settings)``'s) run by a
    ``ConsumerRunner`` on a fresh topic standing in for its own (other tests' backlog stays
    out); yields the runner and a ``publish(value, key)`` onto that topic."""
    topic = f"test.xw.{uuid.uuid4().hex[:8]}"
    await ensure_topics(settings.kafka_bootstrap, [topic, f"{topic}.dlq"])
    producer = make_producer(settings.kafka_bootstrap, client_id="xw-consumer-tests")
    await producer.start()
    runner = ConsumerRunner(
        name=f"xw-{uuid.uuid4().hex[:8]}",
        topics=[topic],
        handlers=consumer_spec(settings).handlers,
        sessionmaker=sessions,
        bootstrap=settings.kafka_bootstrap,
        producer=producer,
        max_attempts=2,
        backoff_seconds=0.05,
    )
    consuming = asyncio.create_task(runner.run())

    async def publish(value: bytes, key: bytes = b"event") -> None:
        await producer.send_and_wait(topic, value=value, key=key)

    try:
        yield runner, publish
    finally:
        runner.stop()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(consuming, timeout=10)
        await producer.stop()


def seen(runner: ConsumerRunner, *, handled: int, duplicates: int = 0) -> Any:
    """A predicate for :func:`until`: the runner handled (and skipped as duplicates) that many."""

    async def reached() -> bool:
        return runner.stats.handled >= handled and runner.stats.duplicates >= duplicates

    return reached


def encoded(envelope: Envelope) -> bytes:
    """An envelope as it travels on Kafka."""
    return orjson.dumps(envelope.model_dump(mode="json"))


async def stored_secret(sessions: async_sessionmaker[AsyncSession], hook_id: str) -> str:
    """A subscription's signing secret as the table holds it (encrypted)."""
    async with sessions() as session:
        stored: str = (
            await session.execute(
                sa.text("SELECT secret_encrypted FROM webhook_subscription WHERE id = :id"),
                {"id": hook_id},
            )
        ).scalar_one()
    return stored


async def subscribe(api: Caller, url: str, events: list[str]) -> dict[str, Any]:
    """A new webhook subscription of ``api``'s user (201 expected)."""
    response = await api.post(f"{AS}/webhooks", json={"url": url, "events": events})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def deliveries(api: Caller, hook_id: str) -> list[dict[str, Any]]:
    response = await api.get(f"{AS}/webhooks/{hook_id}/deliveries")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["deliveries"]
    return items


@contextlib.asynccontextmanager
async def delivery_process(app: FastAPI, **overrides: Any) -> AsyncIterator[asyncio.Task[None]]:
    """A running delivery loop (like the worker's task) that can be stopped."""
    deliverer, sender = make_deliverer(app, **overrides)
    stopping = asyncio.Event()
    task = asyncio.create_task(deliverer.run(stopping))
    try:
        yield task
    finally:
        stopping.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=10)
        await sender.aclose()
