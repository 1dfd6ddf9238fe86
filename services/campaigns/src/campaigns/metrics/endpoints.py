from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from adscale_common.errors import invalid
from adscale_common.pagination import Offset, OffsetPage
from campaigns.dependencies import AppSettings, Cipher, Platforms, Session, UserId
from campaigns.metrics import service
from campaigns.metrics.schemas import (
    CampaignMetricsRead,
    DailyMetricRead,
    OverviewRead,
    RefreshRead,
)

router = APIRouter(prefix="/api/v1/metrics", tags=["metrics"])
MAX_CAMPAIGN_FILTER = 100

StartDate = Annotated[date | None, Query(description="First day included (YYYY-MM-DD)")]
EndDate = Annotated[date | None, Query(description="Last day included (YYYY-MM-DD)")]


def _check_range(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and end < start:
        raise invalid(["end_date"], "end_date must not be before start_date", where="query")


@router.get("/overview", response_model=OverviewRead)
async def metrics_overview(
    session: Session, user_id: UserId, start_date: StartDate = None, end_date: EndDate = None
) -> OverviewRead:
    _check_range(start_date, end_date)
    return await service.overview(session, user_id, start_date, end_date)


@router.get(
    "/daily",
    response_model=OffsetPage[DailyMetricRead],
    summary="Daily metrics across all campaigns",
    description="House extension. One row per day on which any of your campaigns has metrics "
    "in the range, oldest first: impressions, clicks, conversions, spend and revenue summed "
    "over all your campaigns, with `roas`, `ctr` and `cpa` computed from those sums (null on "
    "a zero denominator). `total` counts those days.",
)
async def daily_metrics(
    session: Session,
    user_id: UserId,
    page: Offset,
    start_date: StartDate = None,
    end_date: EndDate = None,
) -> OffsetPage[DailyMetricRead]:
    _check_range(start_date, end_date)
    rows, total = await service.daily_totals(
        session, user_id, page.offset, page.limit, start_date, end_date
    )
    return OffsetPage.of(rows, total, page)


@router.get(
    "/campaigns",
    response_model=OffsetPage[CampaignMetricsRead],
    summary="Each campaign's metric totals",
    description="House extension. One row per campaign of yours with metrics in the range: "
    "impressions, clicks, conversions, spend and revenue summed over the range's days, with "
    "`roas`, `ctr` and `cpa` computed from those sums (null on a zero denominator); most "
    "spend first, then by name and id. `total` counts those campaigns.",
)
async def campaigns_metrics(
    session: Session,
    user_id: UserId,
    page: Offset,
    start_date: StartDate = None,
    end_date: EndDate = None,
    campaign_id: Annotated[
        list[uuid.UUID] | None,
        Query(
            max_length=MAX_CAMPAIGN_FILTER,
            description="Only these campaigns (repeat the parameter, at most "
            f"{MAX_CAMPAIGN_FILTER}): e.g. the rows of a page of `GET /campaigns`",
        ),
    ] = None,
) -> OffsetPage[CampaignMetricsRead]:
    _check_range(start_date, end_date)
    rows, total = await service.campaign_totals(
        session, user_id, page.offset, page.limit, start_date, end_date, campaign_id or ()
    )
    return OffsetPage.of(rows, total, page)


@router.get("/campaign/{campaign_id}", response_model=OffsetPage[DailyMetricRead])
async def campaign_metrics(
    campaign_id: uuid.UUID,
    session: Session,
    user_id: UserId,
    page: Offset,
    start_date: StartDate = None,
    end_date: EndDate = None,
) -> OffsetPage[DailyMetricRead]:
    _check_range(start_date, end_date)
    rows, total = await service.daily(
        session, user_id, campaign_id, page.offset, page.limit, start_date, end_date
    )
    return OffsetPage.of([DailyMetricRead.of(r) for r in rows], total, page)


@router.post("/campaign/{campaign_id}/refresh", response_model=RefreshRead)
async def refresh_campaign_metrics(
    campaign_id: uuid.UUID,
    session: Session,
    user_id: UserId,
    platforms: Platforms,
    cipher: Cipher,
    settings: AppSettings,
    start_date: StartDate = None,
    end_date: EndDate = None,
) -> RefreshRead:
    """House extension: fetch this campaign's daily insights from the platform now."""
    since, until = service.refresh_window(start_date, end_date, settings.metrics_sync_lookback_days)
    if until < since:
        raise invalid(["end_date"], "end_date must not be before start_date", where="query")
    if (until - since).days + 1 > service.MAX_REFRESH_DAYS:
        raise invalid(
            ["start_date"], f"at most {service.MAX_REFRESH_DAYS} days per refresh", where="query"
        )
    return await service.refresh(session, user_id, campaign_id, platforms, cipher, since, until)
