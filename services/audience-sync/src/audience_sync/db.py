"""Units of work outside the request session, and the asyncpg connection under a session.

Request handlers normally use ``DbSession`` (one transaction per request). Flows that call
an ad platform (OAuth callback, audience creation, platform deletes) or run a sync write in
several short transactions instead, so no transaction stays open across a platform call and
each checkpoint commits on its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker


@asynccontextmanager
async def unit_of_work(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """One transaction: committed when the block exits normally, rolled back otherwise."""
    async with sessionmaker() as session, session.begin():
        yield session


async def driver_of(connection: AsyncConnection) -> asyncpg.Connection[Any]:
    """The asyncpg connection under ``connection``, inside its transaction.

    SQLAlchemy's asyncpg adapter sends ``BEGIN`` lazily, on its first statement; one
    trivial statement makes sure the transaction has started before the raw connection is
    used (else COPY and temp tables would run in autocommit).
    """
    await connection.execute(sa.text("SELECT 1"))
    raw = await connection.get_raw_connection()
    conn: asyncpg.Connection[Any] = raw.driver_connection  # type: ignore[assignment]
    return conn


async def driver(session: AsyncSession) -> asyncpg.Connection[Any]:
    """The asyncpg connection of the session's current transaction (COPY, cursors)."""
    return await driver_of(await session.connection())
