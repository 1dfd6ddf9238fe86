"""The usage projection, fed by campaigns' and audience-sync's events (never by calling them)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from billing.usage import repository
from billing.usage.resources import AD_GROUP, CAMPAIGN, Resource


def month_of(moment: datetime) -> date:
    """The calendar month (UTC) of ``moment``, as its first day."""
    return date(moment.year, moment.month, 1)


@dataclass(frozen=True, slots=True)
class Usage:
    campaigns: int
    ad_groups: int
    profiles_synced: int
    month: date


async def resource_created(session: AsyncSession, resource: Resource, at: datetime) -> None:
    deleted_at = None
    if resource.campaign_id is not None and await repository.is_deleted(
        session, resource.campaign_id
    ):
        deleted_at = at  # its campaign's deletion was processed first: born deleted
    await repository.add(session, resource, at, deleted_at)


async def resource_deleted(session: AsyncSession, resource: Resource, at: datetime) -> None:
    """The resource stops counting; a campaign takes every ad group of it along."""
    await repository.tombstone(session, resource, at)
    if resource.kind == CAMPAIGN:
        await repository.tombstone_ad_groups_of(session, resource.resource_id, at)


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
