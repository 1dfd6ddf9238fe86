from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from adscale_common.types import UtcDateTime
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
    def of(cls, row: CampaignMetric) -> DailyMetricRead:
        return cls(
            date=row.day,
            impressions=row.impressions,
            clicks=row.clicks,
            conversions=row.conversions,
            spend=row.spend,
            revenue=row.revenue,
            roas=ratio(row.revenue, row.spend, 4),
            ctr=ratio(row.clicks, row.impressions, 6),
            cpa=ratio(row.spend, row.conversions, 2),
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
