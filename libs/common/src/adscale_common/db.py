"""Async engine and the request-scoped session dependency."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import MetaData, event, exc
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from adscale_common.settings import async_database_url

# One naming convention for constraints, so migrations are stable and reversible.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


def make_engine(url: str, *, pool_size: int = 10, max_overflow: int | None = None) -> AsyncEngine:
    """``pool_size`` connections kept, and ``max_overflow`` more (default: as many again)
    opened under load and closed when they come back while the pool is full."""
    engine = create_async_engine(
        async_database_url(url),
        pool_size=pool_size,
        max_overflow=pool_size if max_overflow is None else max_overflow,
    )
    event.listen(engine.sync_engine, "checkout", _refuse_closed)
    return engine


def _refuse_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """A pooled connection the server closed (a PostgreSQL restart, an idle-session
    timeout, ``pg_terminate_backend``) is replaced before use, with no round trip.

    asyncpg marks a connection closed as soon as the event loop reads the server's end of
    the socket; SQLAlchemy's ``pool_pre_ping`` would ask PostgreSQL instead, which costs
    three round trips on every checkout (``BEGIN``, ``;``, ``ROLLBACK``) and was a sixth of
    identity's ``GET /auth/me``. Raising ``DisconnectionError`` here makes the pool discard
    the connection and check out a fresh one."""
    if dbapi_connection.driver_connection.is_closed():
        raise exc.DisconnectionError("the server closed this pooled connection")


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def request_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request: commit when the handler succeeds, roll back otherwise.

    Registered with ``scope="function"`` so the commit happens before the
    response is sent: a failed commit becomes an error response, never a lost
    write behind a 2xx.
    """
    factory: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with factory() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


DbSession = Annotated[AsyncSession, Depends(request_session, scope="function")]

# Read-only routes: statements run in autocommit, with no BEGIN or COMMIT round trip (a
# transaction around a single SELECT buys nothing). A route that writes uses DbSession.
READ_ONLY: dict[str, Any] = {"isolation_level": "AUTOCOMMIT"}


async def read_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per read-only request, its connection in autocommit; never commits."""
    factory: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with factory() as session:
        await session.connection(execution_options=READ_ONLY)
        yield session


ReadSession = Annotated[AsyncSession, Depends(read_session, scope="function")]


async def read_connection(request: Request) -> AsyncIterator[AsyncConnection]:
    """A pooled connection in autocommit for a read-only route that runs Core statements
    (``select`` on SQLModel tables): no ``AsyncSession`` (identity map, transaction state)
    is built for the request; never commits."""
    engine: AsyncEngine = request.app.state.engine
    async with engine.connect() as connection:
        await connection.execution_options(**READ_ONLY)
        yield connection


ReadConnection = Annotated[AsyncConnection, Depends(read_connection, scope="function")]
