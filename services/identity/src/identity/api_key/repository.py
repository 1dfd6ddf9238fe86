"""Every query on api_key."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select, update

from adscale_common.repository import OwnedRepository
from identity.api_key.errors import ApiKeyNotFound
from identity.models import ApiKey, User

# A revoked key is gone as far as its owner's routes go.
active = OwnedRepository(ApiKey, not_found=ApiKeyNotFound, where=[col(ApiKey.revoked_at).is_(None)])


async def add(session: AsyncSession, key: ApiKey) -> ApiKey:
    session.add(key)
    await session.flush()
    return key


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
