"""Plan API schemas."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field

from billing.plan.catalogue import CURRENCY, INTERVAL, Plan, PlanId


class PlanLimits(BaseModel):
    campaigns: int | None = Field(description="Campaigns allowed; null means unlimited")
    ad_groups: int | None = Field(description="Ad groups allowed; null means unlimited")


class PlanRead(BaseModel):
    id: PlanId
    name: str
    price: Decimal = Field(description="Monthly price in USD, as a decimal string")
    currency: str = CURRENCY
    interval: str = INTERVAL
    limits: PlanLimits
    api_access: bool
    stripe_price_id: str | None = Field(description="Stripe price of a paid plan; null for Free")

    @classmethod
    def of(cls, plan: Plan, stripe_price_id: str | None) -> PlanRead:
        return cls(
            id=plan.id,
            name=plan.name,
            price=plan.price,
            limits=PlanLimits(campaigns=plan.campaigns, ad_groups=plan.ad_groups),
            api_access=plan.api_access,
            stripe_price_id=stripe_price_id,
        )
