"""Campaigns tests: real PostgreSQL (migrated once), each test rolled back; the platform
sandbox app in-process behind the real ``adscale_platforms`` clients."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from adscale_common.db import make_sessionmaker, request_session
from adscale_common.testing import ServiceDatabase
from adscale_platforms.settings import PlatformSettings
from adscale_sandbox.main import create_app as create_sandbox
from adscale_sandbox.settings import Settings as SandboxSettings
from campaigns.creative.copy import CopyGenerator
from campaigns.main import create_app
from campaigns.platforms import PlatformGateway

HERE = Path(__file__).resolve().parent
ALEMBIC_INI = HERE.parent / "alembic.ini"
sys.path.insert(0, str(HERE))

from kit import SANDBOX, Api, settings_for  # noqa: E402


@pytest.fixture(scope="session")
def service_database() -> ServiceDatabase:
    return ServiceDatabase(ALEMBIC_INI, prefix="campaigns")


@pytest.fixture(scope="session")
def sandbox_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    data = tmp_path_factory.mktemp("sandbox")
    return create_sandbox(SandboxSettings(data_dir=data, processing_delay_seconds=0))


@pytest.fixture(scope="session")
def platform_settings() -> PlatformSettings:
    return PlatformSettings.for_sandbox(
        SANDBOX,
        google_developer_token="sandbox-dev-token",
        meta_client_id="adscale-test",
        max_attempts=2,
        backoff_initial_seconds=0,
        backoff_max_seconds=0,
    )


@pytest.fixture
async def platforms(
    sandbox_app: Any, platform_settings: PlatformSettings
) -> AsyncIterator[PlatformGateway]:
    gateway = PlatformGateway(
        settings=platform_settings, transport=httpx.ASGITransport(app=sandbox_app)
    )
    yield gateway
    await gateway.aclose()


@pytest.fixture
async def sandbox(sandbox_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sandbox_app), base_url=SANDBOX
    ) as client:
        yield client


@pytest.fixture
def app(database_url: str, platforms: PlatformGateway, engine: AsyncEngine) -> Any:
    application = create_app(
        settings_for(database_url), platforms=platforms, copy_generator=CopyGenerator()
    )
    application.state.engine = engine
    application.state.sessionmaker = make_sessionmaker(engine)
    return application


@pytest.fixture
async def client(app: Any, session: AsyncSession) -> AsyncIterator[httpx.AsyncClient]:
    async def override() -> AsyncIterator[AsyncSession]:
        yield session

    app.dependency_overrides[request_session] = override
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://campaigns"
    ) as c:
        yield c


@pytest.fixture
async def committed_client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests commit for real (for concurrency and Kafka tests)."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://campaigns"
    ) as c:
        yield c


@pytest.fixture
def api(client: httpx.AsyncClient) -> Api:
    return Api(client)


@pytest.fixture
def other(client: httpx.AsyncClient) -> Api:
    return Api(client)
