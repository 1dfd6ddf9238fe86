"""The usage projection, fed by campaigns' and audience-sync's events (never by calling them)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from billing.usage import repository
from billing.usage.repository import AD_GROUP, CAMPAIGN, Resource


def month_of(moment: datetime) -> date:
    """The calendar month (UTC) of ``moment``, as its first day."""
    return date(moment.year, moment.month, 1)


@dataclass(frozen=True, slots=True)
class Usage:
    campaigns: int
    ad_groups: int
    profiles_synced: int
    month: date


async def campaign_created(
    session: AsyncSession, *, campaign_id: uuid.UUID, user_id: uuid.UUID, at: datetime
) -> None:
    await repository.add(session, Resource.campaign(campaign_id, user_id), at)


async def campaign_deleted(
    session: AsyncSession, *, campaign_id: uuid.UUID, user_id: uuid.UUID, at: datetime
) -> None:
    """The campaign and, by cascade, every ad group of it stop counting."""
    await repository.tombstone(session, Resource.campaign(campaign_id, user_id), at)
    await repository.tombstone_ad_groups_of(session, campaign_id, at)


async def ad_group_created(
    session: AsyncSession,
    *,
    ad_group_id: uuid.UUID,
    campaign_id: uuid.UUID,
    user_id: uuid.UUID,
    at: datetime,
) -> None:
    # Its campaign's deletion may have been processed first: then it is born deleted.
    deleted_at = at if await repository.is_deleted(session, campaign_id) else None
    await repository.add(
        session, Resource.ad_group(ad_group_id, campaign_id, user_id), at, deleted_at
    )


async def ad_group_deleted(
    session: AsyncSession,
    *,
    ad_group_id: uuid.UUID,
    campaign_id: uuid.UUID,
    user_id: uuid.UUID,
    at: datetime,
) -> None:
    await repository.tombstone(session, Resource.ad_group(ad_group_id, campaign_id, user_id), at)


async def profiles_synced(
    session: AsyncSession, *, user_id: uuid.UUID, profiles: int, at: datetime
) -> None:
    """Count a finished sync's profiles in the month it finished (not the month we read it)."""
    await repository.add_profiles(session, user_id=user_id, month=month_of(at), profiles=profiles)


async def usage_for(session: AsyncSession, user_id: uuid.UUID, now: datetime) -> Usage:
    counts = await repository.count_live(session, user_id)
    month = month_of(now)
    profiles = await repository.profiles_in_month(session, user_id, month)
    return Usage(
        campaigns=counts[CAMPAIGN],
        ad_groups=counts[AD_GROUP],
        profiles_synced=profiles,
        month=month,
    )
