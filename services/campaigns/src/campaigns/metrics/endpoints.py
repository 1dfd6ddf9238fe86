from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.exceptions import RequestValidationError

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
from campaigns.metrics.window import (
    CampaignRangePage,
    DateRange,
    FilteredRangePage,
    RangePage,
)

router = APIRouter(prefix="/api/v1/metrics", tags=["metrics"])
MAX_CAMPAIGN_FILTER = 100

StartDate = Annotated[date | None, Query(description="First day included (YYYY-MM-DD)")]
EndDate = Annotated[date | None, Query(description="Last day included (YYYY-MM-DD)")]
CampaignFilter = Annotated[
    list[uuid.UUID] | None,
    Query(
        max_length=MAX_CAMPAIGN_FILTER,
        description="Only these campaigns (repeat the parameter, at most "
        f"{MAX_CAMPAIGN_FILTER}): e.g. the rows of a page of `GET /campaigns`",
    ),
]


def _ends_before_start() -> RequestValidationError:
    return invalid(["end_date"], "end_date must not be before start_date", where="query")


def _dates_of(start: date | None, end: date | None) -> DateRange:
    if start is not None and end is not None and end < start:
        raise _ends_before_start()
    return DateRange(start, end)


# Each read route's range (and page) comes from one dependency, which refuses a range
# that ends before it starts. FastAPI reads a dependency's sub-dependency (the page) before
# its own parameters and calls it only when all of them read well, but reads an endpoint's
# own parameters after every dependency has run; so a route's other parameters (the
# campaign's id, the campaign filter) are read by its dependency too. An unreadable one
# then still gets its own error rather than the range's (a malformed id its 400), several
# still come in one list in the same order, and the OpenAPI document lists the parameters
# in the same order as when the endpoints read them.


async def _dates(start_date: StartDate = None, end_date: EndDate = None) -> DateRange:
    return _dates_of(start_date, end_date)


async def _range_page(
    page: Offset, start_date: StartDate = None, end_date: EndDate = None
) -> RangePage:
    return RangePage(_dates_of(start_date, end_date), page)


async def _campaign_range_page(
    campaign_id: uuid.UUID, page: Offset, start_date: StartDate = None, end_date: EndDate = None
) -> CampaignRangePage:
    return CampaignRangePage(_dates_of(start_date, end_date), page, campaign_id)


async def _filtered_range_page(
    page: Offset,
    start_date: StartDate = None,
    end_date: EndDate = None,
    campaign_id: CampaignFilter = None,
) -> FilteredRangePage:
    return FilteredRangePage(_dates_of(start_date, end_date), page, tuple(campaign_id or ()))


Dates = Annotated[DateRange, Depends(_dates)]
Window = Annotated[RangePage, Depends(_range_page)]
CampaignWindow = Annotated[CampaignRangePage, Depends(_campaign_range_page)]
FilteredWindow = Annotated[FilteredRangePage, Depends(_filtered_range_page)]


@router.get("/overview", response_model=OverviewRead)
async def metrics_overview(session: Session, user_id: UserId, dates: Dates) -> OverviewRead:
    return await service.overview(session, user_id, dates)


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
    session: Session, user_id: UserId, window: Window
) -> OffsetPage[DailyMetricRead]:
    rows, total = await service.daily_totals(session, user_id, window)
    return OffsetPage.of(rows, total, window.page)


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
    session: Session, user_id: UserId, window: FilteredWindow
) -> OffsetPage[CampaignMetricsRead]:
    rows, total = await service.campaign_totals(session, user_id, window)
    return OffsetPage.of(rows, total, window.page)


@router.get("/campaign/{campaign_id}", response_model=OffsetPage[DailyMetricRead])
async def campaign_metrics(
    session: Session, user_id: UserId, window: CampaignWindow
) -> OffsetPage[DailyMetricRead]:
    rows, total = await service.daily(session, user_id, window)
    return OffsetPage.of([DailyMetricRead.of(r) for r in rows], total, window.page)


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
        raise _ends_before_start()
    if (until - since).days + 1 > service.MAX_REFRESH_DAYS:
        raise invalid(
            ["start_date"], f"at most {service.MAX_REFRESH_DAYS} days per refresh", where="query"
        )
    return await service.refresh(session, user_id, campaign_id, platforms, cipher, since, until)
