"""pytest plugin: real PostgreSQL, Kafka and Redis for every test suite.

Servers come from ``ADSCALE_TEST_DATABASE_URL`` (an admin URL allowed to create
databases), ``ADSCALE_TEST_KAFKA`` (bootstrap address) and
``ADSCALE_TEST_REDIS``; ``make test`` provisions them and exports these.
Where they are unset and a Docker engine is available, testcontainers starts
them. Without either, the fixtures fail with a message saying so: a suite
never silently runs against a stand-in.

Each suite gets its own database migrated by Alembic once per session
(:func:`migrated_database`); :func:`rollback_session` wraps each test in a
transaction that is rolled back at the end. A service suite names its Alembic
config in a ``service_database`` fixture and takes ``database_url``, ``engine``
and ``session`` from this plugin.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from adscale_common.db import make_engine
from adscale_common.internal_auth import INTERNAL_TOKEN_HEADER, AuthMethod, mint_internal_token
from adscale_common.settings import async_database_url


@dataclass(frozen=True)
class InfraUrls:
    database_url: str
    kafka_bootstrap: str
    redis_url: str


def _docker_available() -> bool:
    return shutil.which("docker") is not None and Path("/var/run/docker.sock").exists()


@contextmanager
def _containers() -> Iterator[InfraUrls]:  # pragma: no cover - needs a Docker engine
    from testcontainers.kafka import KafkaContainer
    from testcontainers.postgres import PostgresContainer
    from testcontainers.redis import RedisContainer

    with (
        PostgresContainer("postgres:15") as pg,
        KafkaContainer().with_kraft() as kafka,
        RedisContainer("redis:7") as redis,
    ):
        yield InfraUrls(
            database_url=pg.get_connection_url(driver=None),
            kafka_bootstrap=kafka.get_bootstrap_server(),
            redis_url=f"redis://{redis.get_container_host_ip()}:{redis.get_exposed_port(6379)}/0",
        )


@pytest.fixture(scope="session")
def adscale_infra() -> Iterator[InfraUrls]:
    db = os.environ.get("ADSCALE_TEST_DATABASE_URL")
    kafka = os.environ.get("ADSCALE_TEST_KAFKA")
    redis = os.environ.get("ADSCALE_TEST_REDIS")
    if db and kafka and redis:
        yield InfraUrls(database_url=db, kafka_bootstrap=kafka, redis_url=redis)
        return
    if _docker_available():
        with _containers() as infra:
            yield infra
        return
    pytest.fail(
        "No test infrastructure: set ADSCALE_TEST_DATABASE_URL, ADSCALE_TEST_KAFKA and "
        "ADSCALE_TEST_REDIS (`make test` provisions and exports them), or run where Docker works.",
        pytrace=False,
    )


@asynccontextmanager
async def scratch_database(admin_url: str, *, prefix: str) -> AsyncIterator[str]:
    """Create an empty database for one test session; drop it afterwards."""
    name = f"test_{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(async_database_url(admin_url), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = make_url(async_database_url(admin_url)).set(database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        try:
            await _drop_database(admin, name)
        finally:
            await admin.dispose()


async def _drop_database(admin: AsyncEngine, name: str) -> None:
    """Drop with FORCE; an autovacuum worker still in the database can refuse the
    termination for a moment (without pg_signal_backend), so try a few times."""
    for attempt in range(5):
        try:
            async with admin.connect() as conn:
                await conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except sa.exc.DBAPIError:
            if attempt == 4:
                raise
            await asyncio.sleep(0.5 * (attempt + 1))


@asynccontextmanager
async def migrated_database(
    admin_url: str, alembic_ini: Path, *, prefix: str
) -> AsyncIterator[str]:
    """A scratch database migrated to head by the service's own Alembic scripts."""
    async with scratch_database(admin_url, prefix=prefix) as url:
        await asyncio.to_thread(upgrade_head, alembic_ini, url)
        yield url


def upgrade_head(alembic_ini: Path, url: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config(str(alembic_ini))
    config.set_main_option("script_location", str(alembic_ini.parent / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "head")


def downgrade_base(alembic_ini: Path, url: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config(str(alembic_ini))
    config.set_main_option("script_location", str(alembic_ini.parent / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.downgrade(config, "base")


async def schema_drift(url: str, metadata: Any) -> list[Any]:
    """Alembic autogenerate's differences between the database at ``url`` and
    ``metadata`` (one ``MetaData`` or a list): ``[]`` when migrations match the models."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = create_async_engine(async_database_url(url))
    try:
        async with engine.connect() as conn:

            def compare(sync_conn: sa.Connection) -> list[Any]:
                context = MigrationContext.configure(sync_conn, opts={"compare_type": True})
                return list(compare_metadata(context, metadata))

            return await conn.run_sync(compare)
    finally:
        await engine.dispose()


@asynccontextmanager
async def rollback_session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session whose every commit is a savepoint inside one outer transaction."""
    async with engine.connect() as conn:
        outer = await conn.begin()
        session = AsyncSession(
            bind=conn, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        try:
            yield session
        finally:
            await session.close()
            await outer.rollback()


@dataclass(frozen=True)
class ServiceDatabase:
    """What a service suite's conftest says about its database (fixture ``service_database``);
    the plugin's ``database_url``, ``engine`` and ``session`` fixtures do the rest."""

    alembic_ini: Path
    prefix: str
    pool_size: int = 10


@pytest.fixture(scope="session")
def service_database() -> ServiceDatabase:
    pytest.fail(
        "this suite uses database_url/engine/session but its conftest defines no "
        "service_database fixture (ServiceDatabase(alembic_ini, prefix=...))",
        pytrace=False,
    )


@pytest.fixture(scope="session")
async def database_url(
    adscale_infra: InfraUrls, service_database: ServiceDatabase
) -> AsyncIterator[str]:
    """The suite's own scratch database, migrated to head once per session."""
    async with migrated_database(
        adscale_infra.database_url, service_database.alembic_ini, prefix=service_database.prefix
    ) as url:
        yield url


@pytest.fixture(scope="session")
async def engine(
    database_url: str, service_database: ServiceDatabase
) -> AsyncIterator[AsyncEngine]:

    engine = make_engine(database_url, pool_size=service_database.pool_size)
    yield engine
    await engine.dispose()


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """One test's session, rolled back at the end."""
    async with rollback_session(engine) as s:
        yield s


def internal_headers(
    key: str,
    *,
    user_id: uuid.UUID | str | None = None,
    plan: str | None = "free",
    auth: AuthMethod = "jwt",
    session_id: uuid.UUID | str | None = None,
    **extra: Any,
) -> dict[str, str]:
    token = mint_internal_token(key, user_id=user_id, plan=plan, auth=auth, session_id=session_id)
    return {INTERNAL_TOKEN_HEADER: token, **{k: str(v) for k, v in extra.items()}}


@pytest.fixture
def unique_name() -> str:
    return f"t{uuid.uuid4().hex[:12]}"
