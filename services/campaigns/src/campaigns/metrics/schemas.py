from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import NamedTuple, Protocol

from pydantic import BaseModel, Field

from adscale_common.types import UtcDateTime
from adscale_contracts.platforms import AdPlatform
from campaigns.campaign.schemas import CampaignStatus
from campaigns.encoding import Money, Ratio, ratio
from campaigns.models import CampaignMetric


class OverviewRead(BaseModel):
    start_date: date | None
    end_date: date | None
    total_spend: Money
    total_revenue: Money
    total_impressions: int
    total_clicks: int
    total_conversions: Ratio
    avg_roas: Ratio | None = Field(description="total_revenue / total_spend; null when spend is 0")
    avg_ctr: Ratio | None = Field(
        description="total_clicks / total_impressions (a fraction); null when impressions are 0"
    )
    avg_cpa: Money | None = Field(
        description="total_spend / total_conversions; null when conversions are 0"
    )


class Measured(Protocol):
    """A campaign's row of one day, or a sum of rows."""

    @property
    def impressions(self) -> int: ...
    @property
    def clicks(self) -> int: ...
    @property
    def conversions(self) -> Decimal: ...
    @property
    def spend(self) -> Decimal: ...
    @property
    def revenue(self) -> Decimal: ...


class Ratios(NamedTuple):
    """ROAS, CTR and CPA of a row or of a sum (null on a zero denominator)."""

    roas: Decimal | None
    ctr: Decimal | None
    cpa: Decimal | None

    @classmethod
    def of(cls, row: Measured) -> Ratios:
        return cls(
            roas=ratio(row.revenue, row.spend, 4),
            ctr=ratio(row.clicks, row.impressions, 6),
            cpa=ratio(row.spend, row.conversions, 2),
        )


def measured(row: Measured) -> dict[str, object]:
    """A row's five measures and its ratios, as the fields of a metrics response."""
    return {
        "impressions": row.impressions,
        "clicks": row.clicks,
        "conversions": row.conversions,
        "spend": row.spend,
        "revenue": row.revenue,
        **Ratios.of(row)._asdict(),
    }


class DailyMetricRead(BaseModel):
    date: date
    impressions: int
    clicks: int
    conversions: Ratio
    spend: Money
    revenue: Money
    roas: Ratio | None
    ctr: Ratio | None
    cpa: Money | None

    @classmethod
    def of(cls, row: CampaignMetric | DayTotals) -> DailyMetricRead:
        """One campaign's row, or the sums of a day over every campaign of a user."""
        return cls.model_validate({"date": row.day, **measured(row)})


class CampaignMetricsRead(BaseModel):
    """House extension: one campaign's sums over a range, with ratios from the sums."""

    campaign_id: uuid.UUID
    name: str
    platform: AdPlatform
    status: CampaignStatus
    impressions: int
    clicks: int
    conversions: Ratio
    spend: Money
    revenue: Money
    roas: Ratio | None = Field(description="revenue / spend; null when spend is 0")
    ctr: Ratio | None = Field(
        description="clicks / impressions (a fraction); null when impressions are 0"
    )
    cpa: Money | None = Field(description="spend / conversions; null when conversions are 0")

    @classmethod
    def of(cls, row: CampaignTotals) -> CampaignMetricsRead:
        named = {"campaign_id": row.campaign_id, "name": row.name}
        return cls.model_validate(
            {**named, "platform": row.platform, "status": row.status, **measured(row)}
        )


class RefreshRead(BaseModel):
    campaign_id: uuid.UUID
    start_date: date
    end_date: date
    rows_upserted: int
    synced_at: UtcDateTime


class Totals(BaseModel):
    spend: Decimal = Decimal(0)
    revenue: Decimal = Decimal(0)
    impressions: int = 0
    clicks: int = 0
    conversions: Decimal = Decimal(0)


class DayTotals(Totals):
    """The sums of one day over every campaign of a user."""

    day: date


class CampaignTotals(Totals):
    """The sums of one campaign over a range, with what names it."""

    campaign_id: uuid.UUID
    name: str
    platform: AdPlatform
    status: CampaignStatus
