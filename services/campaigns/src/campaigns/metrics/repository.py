from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select
from sqlmodel import col

from adscale_common.paged import page_of
from adscale_common.pagination import OffsetParams
from adscale_common.types import utcnow
from campaigns.metrics.schemas import CampaignTotals, DayTotals, Totals
from campaigns.metrics.window import DateRange, FilteredRangePage, RangePage
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


def _summed(row: Sequence[Any]) -> dict[str, Any]:
    """The five sums of ``_sums()`` at the start of ``row``, as ``Totals`` fields."""
    spend, revenue, impressions, clicks, conversions = row[:5]
    return {
        "spend": spend,
        "revenue": revenue,
        "impressions": int(impressions),
        "clicks": int(clicks),
        "conversions": conversions,
    }


def _in(dates: DateRange) -> list[sa.ColumnElement[bool]]:
    """The metric rows of the days of ``dates``."""
    where: list[sa.ColumnElement[bool]] = []
    if dates.start is not None:
        where.append(col(CampaignMetric.day) >= dates.start)
    if dates.end is not None:
        where.append(col(CampaignMetric.day) <= dates.end)
    return where


def _owned(user_id: uuid.UUID, dates: DateRange) -> Select[*tuple[Any, ...]]:
    """The sums of the metric rows of ``user_id``'s campaigns in ``dates`` (group it)."""
    return (
        sa.select(*_sums())
        .select_from(CampaignMetric)
        .join(Campaign, col(Campaign.id) == col(CampaignMetric.campaign_id))
        .where(col(Campaign.user_id) == user_id, *_in(dates))
    )


async def _page(
    session: AsyncSession, query: Select[*tuple[Any, ...]], *order_by: Any, page: OffsetParams
) -> tuple[Sequence[Any], int]:
    """One page of a grouped query's rows (whole rows, not scalars) and how many it has."""
    total = await session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = await session.execute(query.order_by(*order_by).offset(page.offset).limit(page.limit))
    return rows.all(), int(total or 0)


async def user_totals(session: AsyncSession, user_id: uuid.UUID, dates: DateRange) -> Totals:
    return Totals(**_summed((await session.execute(_owned(user_id, dates))).one()))


async def daily_rows(
    session: AsyncSession, campaign_id: uuid.UUID, window: RangePage
) -> tuple[Sequence[CampaignMetric], int]:
    base = sa.select(CampaignMetric).where(
        col(CampaignMetric.campaign_id) == campaign_id, *_in(window.dates)
    )
    page = window.page
    return await page_of(
        session, base, col(CampaignMetric.day), offset=page.offset, limit=page.limit
    )


async def user_daily_totals(
    session: AsyncSession, user_id: uuid.UUID, window: RangePage
) -> tuple[list[DayTotals], int]:
    """Per day with any row of the user's campaigns, the sums over those campaigns."""
    day = col(CampaignMetric.day)
    query = _owned(user_id, window.dates).add_columns(day).group_by(day)
    rows, total = await _page(session, query, day, page=window.page)
    return [DayTotals(day=row[5], **_summed(row)) for row in rows], total


async def user_campaign_totals(
    session: AsyncSession, user_id: uuid.UUID, window: FilteredRangePage
) -> tuple[list[CampaignTotals], int]:
    """Per campaign of the user with any row in the range (of ``window.only`` when given), its
    sums: most spend first."""
    campaign_id, name = col(Campaign.id), col(Campaign.name)
    query = (
        _owned(user_id, window.dates)
        .add_columns(campaign_id, name, col(Campaign.platform), col(Campaign.status))
        .group_by(campaign_id)  # name, platform, status depend on the primary key
    )
    if window.only:
        query = query.where(campaign_id.in_(window.only))
    spend = query.selected_columns[0]  # the same expression (and parameter) as selected
    rows, total = await _page(session, query, spend.desc(), name, campaign_id, page=window.page)
    return [
        CampaignTotals(
            campaign_id=row[5], name=row[6], platform=row[7], status=row[8], **_summed(row)
        )
        for row in rows
    ], total


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
