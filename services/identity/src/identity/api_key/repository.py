"""Every query on api_key."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, func, select, update

from identity.models import ApiKey, User


async def add(session: AsyncSession, key: ApiKey) -> ApiKey:
    session.add(key)
    await session.flush()
    return key


async def list_active(
    session: AsyncSession, user_id: uuid.UUID, *, offset: int, limit: int
) -> tuple[Sequence[ApiKey], int]:
    where = (col(ApiKey.user_id) == user_id, col(ApiKey.revoked_at).is_(None))
    total = await session.scalar(select(func.count()).select_from(ApiKey).where(*where))
    result = await session.execute(
        select(ApiKey)
        .where(*where)
        .order_by(col(ApiKey.created_at).desc(), col(ApiKey.id))
        .offset(offset)
        .limit(limit)
    )
    return result.scalars().all(), int(total or 0)


async def get_active_owned_for_update(
    session: AsyncSession, user_id: uuid.UUID, key_id: uuid.UUID
) -> ApiKey | None:
    result = await session.execute(
        select(ApiKey)
        .where(
            col(ApiKey.id) == key_id,
            col(ApiKey.user_id) == user_id,
            col(ApiKey.revoked_at).is_(None),
        )
        .with_for_update()
    )
    return result.scalars().first()


async def revoke(session: AsyncSession, key_id: uuid.UUID, at: datetime) -> None:
    await session.execute(update(ApiKey).where(col(ApiKey.id) == key_id).values(revoked_at=at))


async def find_active_with_plan(session: AsyncSession, key_hash: str) -> tuple[ApiKey, str] | None:
    result = await session.execute(
        select(ApiKey, col(User.plan))
        .join(User, col(User.id) == col(ApiKey.user_id))
        .where(col(ApiKey.key_hash) == key_hash, col(ApiKey.revoked_at).is_(None))
    )
    row = result.first()
    return (row[0], row[1]) if row is not None else None


async def touch_last_used(
    session: AsyncSession, key_id: uuid.UUID, now: datetime, resolution: timedelta
) -> bool:
    """Record use, at most once per ``resolution`` (the guard is in the WHERE: no extra read)."""
    result = await session.execute(
        update(ApiKey)
        .where(
            col(ApiKey.id) == key_id,
            or_(
                col(ApiKey.last_used_at).is_(None),
                col(ApiKey.last_used_at) < now - resolution,
            ),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))
