from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiokafka import AIOKafkaProducer
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from adscale_common.db import make_engine, make_sessionmaker, new_metadata
from adscale_common.kafka import make_producer
from adscale_common.messaging import metadata as messaging_metadata
from adscale_common.testing import InfraUrls, scratch_database
from adscale_common.tracing import configure_tracing

sys.path.insert(0, str(Path(__file__).parent))  # for plumbing_kit

# A stand-in domain table for the plumbing tests: what a handler changes.
domain = new_metadata()
effect = sa.Table(
    "effect",
    domain,
    sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
    sa.Column("event_id", sa.Text, nullable=False),
    sa.Column("note", sa.Text, nullable=True),
)


async def _prepared(admin_url: str, prefix: str) -> AsyncIterator[AsyncEngine]:
    async with scratch_database(admin_url, prefix=prefix) as url:
        engine = make_engine(url, pool_size=5)
        async with engine.begin() as conn:
            await conn.run_sync(messaging_metadata.create_all)
            await conn.run_sync(domain.create_all)
        try:
            yield engine
        finally:
            await engine.dispose()


@pytest.fixture(scope="session")
async def engine_a(adscale_infra: InfraUrls) -> AsyncIterator[AsyncEngine]:
    async for engine in _prepared(adscale_infra.database_url, "common_a"):
        yield engine


@pytest.fixture(scope="session")
async def engine_b(adscale_infra: InfraUrls) -> AsyncIterator[AsyncEngine]:
    async for engine in _prepared(adscale_infra.database_url, "common_b"):
        yield engine


@pytest.fixture(scope="session")
def effect_table() -> sa.Table:
    return effect


@pytest.fixture
def sessions_b(engine_b: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(engine_b)


@pytest.fixture
async def producer(adscale_infra: InfraUrls) -> AsyncIterator[AIOKafkaProducer]:
    """The idempotent producer relays and dead-lettering use, on the real broker."""
    p = make_producer(adscale_infra.kafka_bootstrap, client_id="common-tests")
    await p.start()
    yield p
    await p.stop()


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """Every span the process finishes during the test, in memory."""
    exporter = InMemorySpanExporter()
    processor = SimpleSpanProcessor(exporter)
    configure_tracing("tracetest").add_span_processor(processor)
    yield exporter
    processor.shutdown()
