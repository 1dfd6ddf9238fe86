"""The Alembic history: matches the models, and goes down to base and up again."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from adscale_common.messaging import metadata as messaging_metadata
from adscale_common.settings import async_database_url
from adscale_common.testing import schema_drift, scratch_database
from identity.models import metadata

SERVICE = Path(__file__).resolve().parents[1]
ALEMBIC = Path(sys.executable).with_name("alembic")


def alembic(url: str, *args: str) -> None:
    env = {**os.environ, "IDENTITY_DATABASE_URL": url}
    result = subprocess.run(
        [str(ALEMBIC), "-c", str(SERVICE / "alembic.ini"), *args],
        cwd=SERVICE,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


async def tables(url: str) -> set[str]:
    engine = create_async_engine(async_database_url(url))
    try:
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda c: set(sa.inspect(c).get_table_names()))
    finally:
        await engine.dispose()
    return names


async def test_downgrade_to_base_and_upgrade_again(adscale_infra: Any):
    async with scratch_database(adscale_infra.database_url, prefix="identity_mig") as url:
        await asyncio.to_thread(alembic, url, "upgrade", "head")
        expected = {"user", "refresh_token", "api_key", "password_reset", "outbox_event"}
        assert expected | {"inbox_event", "alembic_version"} <= await tables(url)
        assert await schema_drift(url, [metadata, messaging_metadata]) == []
        await asyncio.to_thread(alembic, url, "downgrade", "base")
        assert await tables(url) == {"alembic_version"}
        await asyncio.to_thread(alembic, url, "upgrade", "head")
        assert await schema_drift(url, [metadata, messaging_metadata]) == []
        await asyncio.to_thread(alembic, url, "downgrade", "0001")
        assert "user" not in await tables(url) and "outbox_event" in await tables(url)
