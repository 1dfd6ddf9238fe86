"""Alembic ``env.py`` body shared by every service (async engine, URL from settings)."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from adscale_common.settings import async_database_url


def run_migrations(target_metadata: MetaData | None, default_url: str) -> None:
    """Run the service's migrations; the outbox/inbox tables are part of the target.

    Including ``adscale_common.messaging.metadata`` keeps ``alembic check`` and
    autogenerate from proposing to drop them.
    """
    from adscale_common.messaging import metadata as messaging_metadata

    targets = [m for m in (target_metadata, messaging_metadata) if m is not None]
    config = context.config
    url = config.get_main_option("sqlalchemy.url") or default_url
    url = async_database_url(url)

    def do_run(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=targets,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    if context.is_offline_mode():
        context.configure(url=url, target_metadata=targets, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return

    async def run_async() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
        await engine.dispose()

    asyncio.run(run_async())
