"""Migrations: reversible, and the tables they create are exactly the models."""

from __future__ import annotations

import asyncio
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from adscale_common.messaging import metadata as messaging_metadata
from adscale_common.settings import async_database_url
from adscale_common.testing import (
    InfraUrls,
    downgrade_base,
    migrated_database,
    schema_drift,
    upgrade_head,
)
from billing.models import metadata

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"
BILLING_TABLES = {
    "customer",
    "subscription",
    "stripe_event",
    "user_plan",
    "usage_resource",
    "profile_sync_usage",
}


async def tables(url: str) -> set[str]:
    engine = create_async_engine(async_database_url(url))
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda c: sa.inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def test_upgrade_downgrade_upgrade(adscale_infra: InfraUrls):
    async with migrated_database(
        adscale_infra.database_url, ALEMBIC_INI, prefix="billing_mig"
    ) as url:
        assert BILLING_TABLES | {"outbox_event", "inbox_event"} <= await tables(url)
        assert await schema_drift(url, [metadata, messaging_metadata]) == []
        await asyncio.to_thread(downgrade_base, ALEMBIC_INI, url)
        assert (await tables(url)) & (BILLING_TABLES | {"outbox_event", "inbox_event"}) == set()
        await asyncio.to_thread(upgrade_head, ALEMBIC_INI, url)
        assert await tables(url) >= BILLING_TABLES
