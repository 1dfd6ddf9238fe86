from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from campaigns.models import AdGroup, Campaign, Creative


async def get_owned(
    session: AsyncSession, user_id: uuid.UUID, creative_id: uuid.UUID, *, for_update: bool = False
) -> Creative | None:
    stmt = sa.select(Creative).where(
        col(Creative.id) == creative_id, col(Creative.user_id) == user_id
    )
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def platform_of_ad_group(session: AsyncSession, ad_group_id: uuid.UUID) -> str:
    stmt = (
        sa.select(col(Campaign.platform))
        .join(AdGroup, col(AdGroup.campaign_id) == col(Campaign.id))
        .where(col(AdGroup.id) == ad_group_id)
    )
    return str((await session.execute(stmt)).scalar_one())


async def list_owned(
    session: AsyncSession,
    user_id: uuid.UUID,
    offset: int,
    limit: int,
    *,
    ad_group_id: uuid.UUID | None = None,
) -> tuple[Sequence[Creative], int]:
    conditions = [col(Creative.user_id) == user_id]
    if ad_group_id is not None:
        conditions.append(col(Creative.ad_group_id) == ad_group_id)
    total = (
        await session.execute(sa.select(sa.func.count()).select_from(Creative).where(*conditions))
    ).scalar_one()
    rows = (
        await session.execute(
            sa.select(Creative)
            .where(*conditions)
            .order_by(col(Creative.created_at).desc(), col(Creative.id))
            .offset(offset)
            .limit(limit)
        )
    ).scalars()
    return list(rows), int(total)
