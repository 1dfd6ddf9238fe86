from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from campaigns.models import AdGroup, Campaign


async def get_owned(
    session: AsyncSession, user_id: uuid.UUID, campaign_id: uuid.UUID, *, for_update: bool = False
) -> Campaign | None:
    stmt = sa.select(Campaign).where(
        col(Campaign.id) == campaign_id, col(Campaign.user_id) == user_id
    )
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def count_for_user(session: AsyncSession, user_id: uuid.UUID) -> int:
    stmt = sa.select(sa.func.count()).select_from(Campaign).where(col(Campaign.user_id) == user_id)
    return int((await session.execute(stmt)).scalar_one())


async def external_id_taken(
    session: AsyncSession,
    ad_account_id: uuid.UUID,
    external_id: str,
    exclude: uuid.UUID | None = None,
) -> bool:
    stmt = sa.select(col(Campaign.id)).where(
        col(Campaign.ad_account_id) == ad_account_id,
        col(Campaign.external_campaign_id) == external_id,
    )
    if exclude is not None:
        stmt = stmt.where(col(Campaign.id) != exclude)
    return (await session.execute(stmt.limit(1))).first() is not None


async def list_owned(
    session: AsyncSession,
    user_id: uuid.UUID,
    offset: int,
    limit: int,
    *,
    ad_account_id: uuid.UUID | None = None,
    status: str | None = None,
) -> tuple[Sequence[Campaign], int]:
    conditions = [col(Campaign.user_id) == user_id]
    if ad_account_id is not None:
        conditions.append(col(Campaign.ad_account_id) == ad_account_id)
    if status is not None:
        conditions.append(col(Campaign.status) == status)
    total = (
        await session.execute(sa.select(sa.func.count()).select_from(Campaign).where(*conditions))
    ).scalar_one()
    rows = (
        await session.execute(
            sa.select(Campaign)
            .where(*conditions)
            .order_by(col(Campaign.created_at).desc(), col(Campaign.id))
            .offset(offset)
            .limit(limit)
        )
    ).scalars()
    return list(rows), int(total)


async def of_account(session: AsyncSession, ad_account_id: uuid.UUID) -> Sequence[Campaign]:
    stmt = sa.select(Campaign).where(col(Campaign.ad_account_id) == ad_account_id)
    return list((await session.execute(stmt)).scalars())


async def ad_group_count(session: AsyncSession, campaign_id: uuid.UUID) -> int:
    stmt = (
        sa.select(sa.func.count())
        .select_from(AdGroup)
        .where(col(AdGroup.campaign_id) == campaign_id)
    )
    return int((await session.execute(stmt)).scalar_one())


async def ad_group_counts(
    session: AsyncSession, campaign_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    if not campaign_ids:
        return {}
    stmt = (
        sa.select(col(AdGroup.campaign_id), sa.func.count())
        .where(col(AdGroup.campaign_id).in_(campaign_ids))
        .group_by(col(AdGroup.campaign_id))
    )
    return {row[0]: int(row[1]) for row in (await session.execute(stmt)).all()}
