from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from adscale_common.repository import OwnedRepository
from adscale_common.types import utcnow
from campaigns.account.errors import AccountNotFound
from campaigns.models import AdAccount, AdGroup, Campaign

owned = OwnedRepository(AdAccount, not_found=AccountNotFound)


async def get(session: AsyncSession, account_id: uuid.UUID) -> AdAccount | None:
    return await session.get(AdAccount, account_id)


async def find_duplicate(
    session: AsyncSession, user_id: uuid.UUID, platform: str, external_id: str
) -> AdAccount | None:
    stmt = sa.select(AdAccount).where(
        col(AdAccount.user_id) == user_id,
        col(AdAccount.platform) == platform,
        col(AdAccount.account_id_external) == external_id,
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def campaigns_with_ad_group_counts(
    session: AsyncSession, account_id: uuid.UUID
) -> list[tuple[Campaign, int]]:
    """The account's campaigns, each with how many ad groups it holds (an account deletion
    cascades to both)."""
    groups = (
        sa.select(sa.func.count())
        .select_from(AdGroup)
        .where(col(AdGroup.campaign_id) == col(Campaign.id))
        .scalar_subquery()
    )
    stmt = sa.select(Campaign, groups).where(col(Campaign.ad_account_id) == account_id)
    return [(campaign, int(count)) for campaign, count in (await session.execute(stmt)).all()]


async def mark_disconnected(session: AsyncSession, account_id: uuid.UUID, reason: str) -> None:
    await session.execute(
        sa.update(AdAccount)
        .where(col(AdAccount.id) == account_id)
        .values(status="disconnected", disconnected_reason=reason[:500], updated_at=utcnow())
    )


async def mark_synced(session: AsyncSession, account_id: uuid.UUID) -> None:
    await session.execute(
        sa.update(AdAccount)
        .where(col(AdAccount.id) == account_id)
        .values(metrics_synced_at=utcnow())
    )


async def connected_with_token(session: AsyncSession) -> Sequence[AdAccount]:
    stmt = sa.select(AdAccount).where(
        col(AdAccount.status) == "active", col(AdAccount.access_token_encrypted).is_not(None)
    )
    return list((await session.execute(stmt)).scalars())
