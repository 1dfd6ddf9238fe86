from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from adscale_common.repository import OwnedRepository
from campaigns.creative.errors import CreativeNotFound
from campaigns.models import AdGroup, Campaign, Creative

owned = OwnedRepository(Creative, not_found=CreativeNotFound)


async def platform_of_ad_group(session: AsyncSession, ad_group_id: uuid.UUID) -> str:
    stmt = (
        sa.select(col(Campaign.platform))
        .join(AdGroup, col(AdGroup.campaign_id) == col(Campaign.id))
        .where(col(AdGroup.id) == ad_group_id)
    )
    return str((await session.execute(stmt)).scalar_one())
