"""Every query on refresh_token and password_reset, and the profile ``GET /auth/me`` reads."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg
import sqlalchemy as sa
from asyncpg import Record
from sqlalchemy import CursorResult, Table, bindparam
from sqlalchemy import select as core_select
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, delete, func, select, update

from identity.models import PasswordReset, RefreshToken, User

_users: Table = User.__table__  # type: ignore[attr-defined]
# The profile ``GET /auth/me`` answers, by id: a Core statement on the SQLModel table,
# compiled once to PostgreSQL's SQL and run by asyncpg itself (below).
_PROFILE = core_select(_users.c.id, _users.c.email, _users.c.plan, _users.c.created_at).where(
    _users.c.id == bindparam("user_id")
)
_PROFILE_SQL = str(_PROFILE.compile(dialect=asyncpg_dialect.dialect()))  # type: ignore[no-untyped-call]


async def profile(connection: AsyncConnection, user_id: uuid.UUID) -> Record | None:
    """The user's id, email, plan and created_at; None when no such user.

    On the driver's connection under the pooled one: asyncpg keeps the statement prepared
    per connection (one Bind/Execute round trip), and SQLAlchemy's execution and result
    layers, about half the database share of the route, are skipped. No transaction is
    begun: the read runs in autocommit, or in the caller's transaction if it has one."""
    raw = await connection.get_raw_connection()
    driver: asyncpg.Connection = raw.driver_connection
    row: Record | None = await driver.fetchrow(_PROFILE_SQL, user_id)
    return row


async def add_refresh_token(session: AsyncSession, token: RefreshToken) -> RefreshToken:
    session.add(token)
    await session.flush()
    return token


async def get_refresh_token_for_update(
    session: AsyncSession, token_hash: str
) -> RefreshToken | None:
    result = await session.execute(
        select(RefreshToken).where(col(RefreshToken.token_hash) == token_hash).with_for_update()
    )
    return result.scalars().first()


async def mark_refresh_token_used(session: AsyncSession, token_id: uuid.UUID, at: datetime) -> None:
    await session.execute(
        update(RefreshToken).where(col(RefreshToken.id) == token_id).values(used_at=at)
    )


async def _revoke_live(
    session: AsyncSession, which: ColumnElement[bool], at: datetime
) -> list[uuid.UUID]:
    """Revoke the refresh tokens ``which`` selects that are not revoked yet; the family (the
    sign-in session) of each token revoked."""
    result = await session.execute(
        update(RefreshToken)
        .where(which, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=at)
        .returning(col(RefreshToken.family_id))
    )
    return list(result.scalars())


async def revoke_family(
    session: AsyncSession, family_id: uuid.UUID, at: datetime, *, user_id: uuid.UUID | None = None
) -> list[uuid.UUID]:
    """Revoke one family (one sign-in session); with ``user_id``, only if it is theirs."""
    which = col(RefreshToken.family_id) == family_id
    if user_id is not None:
        which = sa.and_(which, col(RefreshToken.user_id) == user_id)
    return await _revoke_live(session, which, at)


async def revoke_all_for_user(
    session: AsyncSession, user_id: uuid.UUID, at: datetime
) -> list[uuid.UUID]:
    return await _revoke_live(session, col(RefreshToken.user_id) == user_id, at)


def _live_sessions(user_id: uuid.UUID, now: datetime) -> sa.Select[Any]:
    """The user's sign-in sessions still open: refresh-token families whose newest token is
    neither spent, revoked nor expired. Each row: the family id, when it signed in (its
    oldest token kept), when it was last refreshed, when it lapses unless refreshed, and
    the User-Agent it signed in with."""
    token = RefreshToken.__table__.c  # type: ignore[attr-defined]
    open_head = sa.and_(token.revoked_at.is_(None), token.used_at.is_(None), token.expires_at > now)
    return (
        sa.select(
            token.family_id.label("id"),
            func.min(token.created_at).label("signed_in_at"),
            func.max(token.created_at).label("last_active_at"),
            func.max(token.expires_at).label("expires_at"),
            func.max(token.user_agent).label("user_agent"),
        )
        .where(token.user_id == user_id)
        .group_by(token.family_id)
        .having(func.count().filter(open_head) > 0)
    )


async def list_sessions(
    session: AsyncSession, user_id: uuid.UUID, now: datetime, *, offset: int, limit: int
) -> tuple[list[sa.Row[Any]], int]:
    """A page of the user's open sessions, the one refreshed last first, and how many."""
    live = _live_sessions(user_id, now).subquery()
    total = (await session.execute(sa.select(func.count()).select_from(live))).scalar_one()
    rows = await session.execute(
        sa.select(live)
        .order_by(live.c.last_active_at.desc(), live.c.id)
        .offset(offset)
        .limit(limit)
    )
    return list(rows.all()), int(total)


async def add_reset(session: AsyncSession, reset: PasswordReset) -> PasswordReset:
    session.add(reset)
    await session.flush()
    return reset


async def count_resets_since(session: AsyncSession, user_id: uuid.UUID, since: datetime) -> int:
    result = await session.execute(
        select(func.count())
        .select_from(PasswordReset)
        .where(col(PasswordReset.user_id) == user_id, col(PasswordReset.created_at) > since)
    )
    return int(result.scalar_one())


async def get_reset_for_update(session: AsyncSession, token_hash: str) -> PasswordReset | None:
    result = await session.execute(
        select(PasswordReset).where(col(PasswordReset.token_hash) == token_hash).with_for_update()
    )
    return result.scalars().first()


async def consume_resets_for_user(session: AsyncSession, user_id: uuid.UUID, at: datetime) -> int:
    result = await session.execute(
        update(PasswordReset)
        .where(col(PasswordReset.user_id) == user_id, col(PasswordReset.used_at).is_(None))
        .values(used_at=at)
    )
    return _rowcount(result)


async def purge_expired(session: AsyncSession, before: datetime) -> tuple[int, int]:
    """Delete refresh tokens and resets that expired before ``before``."""
    tokens = await session.execute(
        delete(RefreshToken).where(col(RefreshToken.expires_at) < before)
    )
    resets = await session.execute(
        delete(PasswordReset).where(col(PasswordReset.expires_at) < before)
    )
    return _rowcount(tokens), _rowcount(resets)


def _rowcount(result: object) -> int:
    return result.rowcount if isinstance(result, CursorResult) else 0
