from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from adscale_common.paged import page_of
from adscale_common.types import utcnow
from campaigns.metrics.schemas import Totals
from campaigns.models import Campaign, CampaignMetric
from campaigns.platforms import DailyInsight


def _sums() -> list[sa.ColumnElement[object]]:
    return [
        sa.func.coalesce(sa.func.sum(col(CampaignMetric.spend)), 0),
        sa.func.coalesce(sa.func.sum(col(CampaignMetric.revenue)), 0),
        sa.func.coalesce(sa.func.sum(col(CampaignMetric.impressions)), 0),
        sa.func.coalesce(sa.func.sum(col(CampaignMetric.clicks)), 0),
        sa.func.coalesce(sa.func.sum(col(CampaignMetric.conversions)), 0),
    ]


def _range(start: date | None, end: date | None) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    if start is not None:
        where.append(col(CampaignMetric.day) >= start)
    if end is not None:
        where.append(col(CampaignMetric.day) <= end)
    return where


async def user_totals(
    session: AsyncSession, user_id: uuid.UUID, start: date | None, end: date | None
) -> Totals:
    stmt = (
        sa.select(*_sums())
        .select_from(CampaignMetric)
        .join(Campaign, col(Campaign.id) == col(CampaignMetric.campaign_id))
        .where(col(Campaign.user_id) == user_id, *_range(start, end))
    )
    row: Any = (await session.execute(stmt)).one()
    return Totals(
        spend=row[0],
        revenue=row[1],
        impressions=int(row[2]),
        clicks=int(row[3]),
        conversions=row[4],
    )


async def campaign_totals(
    session: AsyncSession, campaign_ids: Sequence[uuid.UUID], start: date, end: date
) -> dict[uuid.UUID, Totals]:
    if not campaign_ids:
        return {}
    stmt = (
        sa.select(col(CampaignMetric.campaign_id), *_sums())
        .where(col(CampaignMetric.campaign_id).in_(campaign_ids), *_range(start, end))
        .group_by(col(CampaignMetric.campaign_id))
    )
    rows: Sequence[Any] = (await session.execute(stmt)).all()
    return {
        row[0]: Totals(
            spend=row[1],
            revenue=row[2],
            impressions=int(row[3]),
            clicks=int(row[4]),
            conversions=row[5],
        )
        for row in rows
    }


async def daily_rows(
    session: AsyncSession,
    campaign_id: uuid.UUID,
    offset: int,
    limit: int,
    start: date | None,
    end: date | None,
) -> tuple[Sequence[CampaignMetric], int]:
    base = sa.select(CampaignMetric).where(
        col(CampaignMetric.campaign_id) == campaign_id, *_range(start, end)
    )
    return await page_of(session, base, col(CampaignMetric.day), offset=offset, limit=limit)


async def upsert(
    session: AsyncSession, campaign_id: uuid.UUID, insights: Sequence[DailyInsight]
) -> int:
    if not insights:
        return 0
    by_day = {i.date: i for i in insights}  # one row per day (the last one wins)
    now = utcnow()
    values = [
        {
            "campaign_id": campaign_id,
            "day": i.date,
            "impressions": i.impressions,
            "clicks": i.clicks,
            "conversions": i.conversions,
            "spend": i.spend,
            "revenue": i.revenue,
            "updated_at": now,
        }
        for i in by_day.values()
    ]
    stmt = insert(CampaignMetric).values(values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["campaign_id", "day"],
        set_={
            "impressions": stmt.excluded.impressions,
            "clicks": stmt.excluded.clicks,
            "conversions": stmt.excluded.conversions,
            "spend": stmt.excluded.spend,
            "revenue": stmt.excluded.revenue,
            "updated_at": stmt.excluded.updated_at,
        },
    )
    await session.execute(stmt)
    return len(values)
