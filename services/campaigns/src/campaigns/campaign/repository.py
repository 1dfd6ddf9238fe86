from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from adscale_common.repository import OwnedRepository
from campaigns.campaign.errors import CampaignNotFound
from campaigns.models import AdGroup, Campaign

owned = OwnedRepository(Campaign, not_found=CampaignNotFound)


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
