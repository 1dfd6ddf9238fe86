"""Migration 0003: the export and webhook tables it creates match their models exactly, and
it is reversible (down to 0002 and up again)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

import audience_sync.export.models
import audience_sync.webhook.models
from adscale_common.testing import migrated_database
from audience_sync.models import metadata

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"
TABLES = {"segment_export", "webhook_subscription", "webhook_delivery", "webhook_delivery_attempt"}


def _ours(diff: Any) -> bool:
    """Whether one autogenerate difference concerns a table of migration 0003."""
    items = diff if isinstance(diff, list) else [diff]
    for item in items:
        for part in item[1:]:
            table = getattr(part, "table", None)
            name = getattr(table, "name", None) or getattr(part, "name", None)
            if name in TABLES or (isinstance(part, str) and part in TABLES):
                return True
    return False


async def _diffs(url: str) -> list[Any]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:

            def compare(sync_conn: sa.Connection) -> list[Any]:
                context = MigrationContext.configure(sync_conn, opts={"compare_type": True})
                return list(compare_metadata(context, metadata))

            return await conn.run_sync(compare)
    finally:
        await engine.dispose()


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda c: sa.inspect(c).get_table_names())
        return set(names) & TABLES
    finally:
        await engine.dispose()


async def test_the_migration_matches_the_models(database_url: str) -> None:
    assert audience_sync.export.models.SegmentExport.__tablename__ == "segment_export"
    ours = [d for d in await _diffs(database_url) if _ours(d)]
    assert ours == []


async def test_the_migration_is_reversible(adscale_infra: Any) -> None:
    async with migrated_database(adscale_infra.database_url, ALEMBIC_INI, prefix="xw_mig") as url:
        config = Config(str(ALEMBIC_INI))
        config.set_main_option("script_location", str(ALEMBIC_INI.parent / "migrations"))
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
        assert await _tables(url) == TABLES

        await asyncio.to_thread(command.downgrade, config, "0002")
        assert await _tables(url) == set()

        await asyncio.to_thread(command.upgrade, config, "0003")
        assert await _tables(url) == TABLES
