"""Metrics reads (ratios from sums, null on a zero denominator) and the on-demand refresh."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.crypto import TokenCipher
from adscale_common.types import utcnow
from adscale_platforms.errors import PlatformError, TokenExpired
from campaigns.account import repository as accounts
from campaigns.campaign import service as campaigns
from campaigns.crypto import StoredTokenUnreadable, disconnect_unreadable
from campaigns.metrics import ingest, repository
from campaigns.metrics.errors import (
    AccountTokenRejected,
    AccountTokenUnreadable,
    CampaignNotLinked,
    PlatformFailed,
)
from campaigns.metrics.schemas import (
    CampaignMetricsRead,
    DailyMetricRead,
    OverviewRead,
    Ratios,
    RefreshRead,
)
from campaigns.metrics.window import (
    CampaignRangePage,
    DateRange,
    FilteredRangePage,
    RangePage,
)
from campaigns.models import CampaignMetric
from campaigns.platforms import PlatformGateway, describe_platform_error

MAX_REFRESH_DAYS = 90


async def overview(session: AsyncSession, user_id: uuid.UUID, dates: DateRange) -> OverviewRead:
    totals = await repository.user_totals(session, user_id, dates)
    ratios = Ratios.of(totals)
    return OverviewRead(
        start_date=dates.start,
        end_date=dates.end,
        total_spend=totals.spend,
        total_revenue=totals.revenue,
        total_impressions=totals.impressions,
        total_clicks=totals.clicks,
        total_conversions=totals.conversions,
        avg_roas=ratios.roas,
        avg_ctr=ratios.ctr,
        avg_cpa=ratios.cpa,
    )


async def daily_totals(
    session: AsyncSession, user_id: uuid.UUID, window: RangePage
) -> tuple[list[DailyMetricRead], int]:
    """Each day's sums over every campaign of the user (the days with rows)."""
    days, total = await repository.user_daily_totals(session, user_id, window)
    return [DailyMetricRead.of(day) for day in days], total


async def campaign_totals(
    session: AsyncSession, user_id: uuid.UUID, window: FilteredRangePage
) -> tuple[list[CampaignMetricsRead], int]:
    """Each campaign's sums over the range (the campaigns with rows; of ``window.only`` when
    given), most spend first."""
    rows, total = await repository.user_campaign_totals(session, user_id, window)
    return [CampaignMetricsRead.of(row) for row in rows], total


async def daily(
    session: AsyncSession, user_id: uuid.UUID, window: CampaignRangePage
) -> tuple[Sequence[CampaignMetric], int]:
    campaign = await campaigns.get_owned(session, user_id, window.campaign_id)
    return await repository.daily_rows(session, campaign.id, window)


async def refresh(
    session: AsyncSession,
    user_id: uuid.UUID,
    campaign_id: uuid.UUID,
    platforms: PlatformGateway,
    cipher: TokenCipher,
    since: date,
    until: date,
) -> RefreshRead:
    """Fetch one campaign's daily insights now and upsert them.

    Transaction boundaries are explicit here because a platform call sits in
    the middle: the read transaction ends before the call, and the request's
    session then writes (and the request dependency commits) the result.
    """
    campaign = await campaigns.get_owned(session, user_id, campaign_id)
    account = await accounts.get(session, campaign.ad_account_id)
    try:
        target = (
            await ingest.load_target(session, account, cipher, only=[campaign.id])
            if account is not None and campaign.external_campaign_id
            else None
        )
    except StoredTokenUnreadable as exc:
        await disconnect_unreadable(session, exc.account_id)
        await session.commit()  # keep the disconnect although the request fails
        raise AccountTokenUnreadable() from exc
    if target is None:
        raise CampaignNotLinked()
    await session.commit()  # end the read transaction: no transaction across the platform call
    try:
        insights = await ingest.fetch(platforms, target, since, until)
    except TokenExpired as exc:
        await accounts.mark_disconnected(session, target.account_id, describe_platform_error(exc))
        await session.commit()  # keep the disconnect although the request fails
        raise AccountTokenRejected() from exc
    except PlatformError as exc:
        raise PlatformFailed(
            f"The ad platform refused the request: {describe_platform_error(exc)}"
        ) from exc
    rows = await ingest.store(session, target, insights)
    return RefreshRead(
        campaign_id=campaign.id,
        start_date=since,
        end_date=until,
        rows_upserted=rows,
        synced_at=utcnow(),
    )


def refresh_window(start: date | None, end: date | None, lookback_days: int) -> tuple[date, date]:
    until = end or ingest.today()
    since = start or (until - timedelta(days=lookback_days - 1))
    return since, until
