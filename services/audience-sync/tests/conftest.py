"""Audience-sync tests: real PostgreSQL (a scratch database migrated once by Alembic), the
platform sandbox app in-process behind the real ``adscale_platforms`` clients, real Kafka
for tests marked ``kafka``.

The sync paths commit in several transactions of their own (checkpoints, OAuth, inline
initial syncs), so requests here commit for real; every test works as a fresh user, which
keeps tests apart without a rolled-back outer transaction.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from adscale_common.db import make_engine, make_sessionmaker
from adscale_common.testing import migrated_database
from adscale_sandbox.main import create_app as create_sandbox
from adscale_sandbox.settings import Settings as SandboxSettings
from audience_sync.main import create_app
from audience_sync.platforms import PlatformRegistry
from audience_sync.sync.engine import SyncEngine
from audience_sync.sync.hashing import Hasher

HERE = Path(__file__).resolve().parent
ALEMBIC_INI = HERE.parent / "alembic.ini"
sys.path.insert(0, str(HERE))

from kit import (  # noqa: E402
    KEY,
    SANDBOX,
    Api,
    Sandbox,
    asgi_client,
    platform_settings,
    service_settings,
)

# The export and webhook fixtures (xw_kit), for the test modules that ask for them.
from xw_kit import (  # noqa: E402, F401
    caller,
    quiet_deliveries,
    receiver,
    settle_export_jobs,
    stranger,
    strict_caller,
    strict_client,
    xw_app,
    xw_client,
    xw_export_dir,
    xw_sessions,
    xw_settings,
    xw_strict_app,
    xw_unconfigured_app,
)

ENCRYPTION_KEY = Fernet.generate_key().decode()


@pytest.fixture(scope="session")
async def database_url(adscale_infra: Any) -> AsyncIterator[str]:
    async with migrated_database(
        adscale_infra.database_url, ALEMBIC_INI, prefix="audience_sync"
    ) as url:
        yield url


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url, pool_size=10)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def sandbox_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    data = tmp_path_factory.mktemp("sandbox")
    return create_sandbox(SandboxSettings(data_dir=data, processing_delay_seconds=0))


@pytest.fixture(scope="session")
async def registry(sandbox_app: Any) -> AsyncIterator[PlatformRegistry]:
    reg = PlatformRegistry(
        platform_settings(SANDBOX), transport=httpx.ASGITransport(app=sandbox_app)
    )
    yield reg
    await reg.aclose()


@pytest.fixture(scope="session")
def settings(database_url: str, adscale_infra: Any) -> Any:
    return service_settings(database_url, adscale_infra.kafka_bootstrap, ENCRYPTION_KEY)


@pytest.fixture(scope="session")
async def app(settings: Any, registry: PlatformRegistry) -> AsyncIterator[FastAPI]:
    application = create_app(settings, platforms=registry)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app) as c:
        yield c


@pytest.fixture
async def sandbox(sandbox_app: Any) -> AsyncIterator[Sandbox]:
    async with asgi_client(sandbox_app, SANDBOX) as c:
        await c.delete("/_admin/faults")
        yield Sandbox(c)
        await c.delete("/_admin/faults")


@pytest.fixture
def api(client: httpx.AsyncClient, sandbox: Sandbox) -> Api:
    return Api(client, sandbox)


@pytest.fixture
def other(client: httpx.AsyncClient, sandbox: Sandbox) -> Api:
    return Api(client, sandbox)


@pytest.fixture
def sync_engine(app: FastAPI) -> SyncEngine:
    """The engine a worker runs (its own owner id, a process pool for hashing)."""
    engine: SyncEngine = app.state.sync_engine
    return engine


@pytest.fixture(scope="session")
def worker_engine(app: FastAPI, settings: Any, registry: PlatformRegistry) -> Any:
    hasher = Hasher(2)
    eng = SyncEngine(
        engine=app.state.engine,
        sessionmaker=make_sessionmaker(app.state.engine),
        registry=registry,
        cipher=app.state.cipher,
        settings=settings,
        hasher=hasher,
        owner="worker:test",
    )
    yield eng
    hasher.close()


__all__ = ["KEY"]
