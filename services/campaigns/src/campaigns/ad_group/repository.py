from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from campaigns.models import AdGroup


async def get_owned(
    session: AsyncSession, user_id: uuid.UUID, ad_group_id: uuid.UUID, *, for_update: bool = False
) -> AdGroup | None:
    stmt = sa.select(AdGroup).where(col(AdGroup.id) == ad_group_id, col(AdGroup.user_id) == user_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def count_for_user(session: AsyncSession, user_id: uuid.UUID) -> int:
    stmt = sa.select(sa.func.count()).select_from(AdGroup).where(col(AdGroup.user_id) == user_id)
    return int((await session.execute(stmt)).scalar_one())


async def list_owned(
    session: AsyncSession,
    user_id: uuid.UUID,
    offset: int,
    limit: int,
    *,
    campaign_id: uuid.UUID | None = None,
) -> tuple[Sequence[AdGroup], int]:
    conditions = [col(AdGroup.user_id) == user_id]
    if campaign_id is not None:
        conditions.append(col(AdGroup.campaign_id) == campaign_id)
    total = (
        await session.execute(sa.select(sa.func.count()).select_from(AdGroup).where(*conditions))
    ).scalar_one()
    rows = (
        await session.execute(
            sa.select(AdGroup)
            .where(*conditions)
            .order_by(col(AdGroup.created_at).desc(), col(AdGroup.id))
            .offset(offset)
            .limit(limit)
        )
    ).scalars()
    return list(rows), int(total)
