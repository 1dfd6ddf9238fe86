"""Usage API schemas."""

from __future__ import annotations

from pydantic import BaseModel, Field

from billing.plan.catalogue import Plan, PlanId
from billing.usage.service import Usage


class Allowance(BaseModel):
    used: int
    limit: int | None = Field(description="The plan's limit; null means unlimited")
    remaining: int | None = Field(description="How many more fit; null means unlimited")

    @classmethod
    def of(cls, used: int, limit: int | None) -> Allowance:
        return cls(
            used=used, limit=limit, remaining=None if limit is None else max(limit - used, 0)
        )


class UsageRead(BaseModel):
    plan: PlanId
    campaigns: Allowance
    ad_groups: Allowance
    profiles_synced_this_month: int
    month: str = Field(description="The calendar month (UTC) counted, as YYYY-MM")
    api_access: bool

    @classmethod
    def of(cls, plan: Plan, usage: Usage) -> UsageRead:
        return cls(
            plan=plan.id,
            campaigns=Allowance.of(usage.campaigns, plan.campaigns),
            ad_groups=Allowance.of(usage.ad_groups, plan.ad_groups),
            profiles_synced_this_month=usage.profiles_synced,
            month=usage.month.strftime("%Y-%m"),
            api_access=plan.api_access,
        )
