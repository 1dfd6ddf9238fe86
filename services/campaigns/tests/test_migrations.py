"""The Alembic history matches the models and goes down to base and up again."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from adscale_common.messaging import metadata as messaging_metadata
from adscale_common.settings import async_database_url
from adscale_common.testing import downgrade_base, schema_drift, scratch_database, upgrade_head
from campaigns.models import metadata

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"


async def tables(url: str) -> set[str]:
    engine = create_async_engine(async_database_url(url))
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(lambda c: set(sa.inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def test_migrations_match_the_models_and_are_reversible(adscale_infra: Any) -> None:
    async with scratch_database(adscale_infra.database_url, prefix="campaigns_mig") as url:
        await asyncio.to_thread(upgrade_head, ALEMBIC_INI, url)
        assert {"campaign", "ad_group", "creative", "outbox_event"} <= await tables(url)
        assert await schema_drift(url, [metadata, messaging_metadata]) == []
        await asyncio.to_thread(downgrade_base, ALEMBIC_INI, url)
        assert await tables(url) == {"alembic_version"}
        await asyncio.to_thread(upgrade_head, ALEMBIC_INI, url)
        assert await schema_drift(url, [metadata, messaging_metadata]) == []
