from __future__ import annotations

import uuid

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


async def ad_group_count(session: AsyncSession, campaign_id: uuid.UUID) -> int:
    stmt = (
        sa.select(sa.func.count())
        .select_from(AdGroup)
        .where(col(AdGroup.campaign_id) == campaign_id)
    )
    return int((await session.execute(stmt)).scalar_one())
