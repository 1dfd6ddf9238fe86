"""Queries on ``usage_resource`` and ``profile_sync_usage``."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import Insert, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from billing.models import ProfileSyncUsage, UsageResource
from billing.usage.resources import AD_GROUP, CAMPAIGN, Resource


def _insert(resource: Resource, at: datetime, deleted_at: datetime | None) -> Insert:
    return insert(UsageResource).values(
        resource_id=resource.resource_id,
        kind=resource.kind,
        user_id=resource.user_id,
        campaign_id=resource.campaign_id,
        created_at=at,
        deleted_at=deleted_at,
    )


async def add(
    session: AsyncSession, resource: Resource, at: datetime, deleted_at: datetime | None = None
) -> None:
    """Record a resource unless known (a creation after its deletion stays deleted)."""
    await session.execute(
        _insert(resource, at, deleted_at).on_conflict_do_nothing(
            index_elements=[col(UsageResource.resource_id)]
        )
    )


async def tombstone(session: AsyncSession, resource: Resource, at: datetime) -> None:
    """Mark a resource deleted, recording it first if its creation was never seen."""
    statement = _insert(resource, at, at)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[col(UsageResource.resource_id)],
            set_={
                "deleted_at": sa.func.coalesce(
                    UsageResource.__table__.c.deleted_at,  # type: ignore[attr-defined]
                    statement.excluded.deleted_at,
                )
            },
        )
    )


async def tombstone_ad_groups_of(
    session: AsyncSession, campaign_id: uuid.UUID, at: datetime
) -> int:
    result = await session.execute(
        sa.update(UsageResource)
        .where(
            col(UsageResource.campaign_id) == campaign_id,
            col(UsageResource.kind) == AD_GROUP,
            col(UsageResource.deleted_at).is_(None),
        )
        .values(deleted_at=at)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def is_deleted(session: AsyncSession, resource_id: uuid.UUID) -> bool:
    result = await session.execute(
        sa.select(col(UsageResource.deleted_at)).where(
            col(UsageResource.resource_id) == resource_id
        )
    )
    return result.scalar_one_or_none() is not None


async def count_live(session: AsyncSession, user_id: uuid.UUID) -> dict[str, int]:
    result = await session.execute(
        sa.select(col(UsageResource.kind), sa.func.count())
        .where(col(UsageResource.user_id) == user_id, col(UsageResource.deleted_at).is_(None))
        .group_by(col(UsageResource.kind))
    )
    counts = {CAMPAIGN: 0, AD_GROUP: 0}
    for kind, count in result.all():
        counts[kind] = int(count)
    return counts


async def add_profiles(
    session: AsyncSession, *, user_id: uuid.UUID, month: date, profiles: int
) -> None:
    statement = insert(ProfileSyncUsage).values(
        user_id=user_id, month=month, profiles_synced=profiles, syncs_completed=1
    )
    table = ProfileSyncUsage.__table__  # type: ignore[attr-defined]
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.user_id, table.c.month],
            set_={
                "profiles_synced": table.c.profiles_synced + statement.excluded.profiles_synced,
                "syncs_completed": table.c.syncs_completed + 1,
                "updated_at": sa.func.now(),
            },
        )
    )


async def profiles_in_month(session: AsyncSession, user_id: uuid.UUID, month: date) -> int:
    result = await session.execute(
        sa.select(col(ProfileSyncUsage.profiles_synced)).where(
            col(ProfileSyncUsage.user_id) == user_id, col(ProfileSyncUsage.month) == month
        )
    )
    return int(result.scalar_one_or_none() or 0)
