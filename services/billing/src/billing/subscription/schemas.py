"""Subscription API schemas. Times serialise as ``2026-02-14T12:34:56Z``."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field, PlainSerializer

from billing.models import Subscription
from billing.plan.catalogue import CURRENCY, Plan, PlanId, as_plan_id
from billing.plan.schemas import PlanLimits
from billing.subscription.state import effective_status, ends_at
from billing.usage.service import Usage


def _iso_z(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


Timestamp = Annotated[datetime, PlainSerializer(_iso_z, return_type=str)]


class SubscriptionRead(BaseModel):
    id: uuid.UUID
    stripe_subscription_id: str
    plan: PlanId
    status: str = Field(description="Stripe's status: active, past_due, canceled, incomplete ...")
    current_period_end: Timestamp | None
    cancel_at_period_end: bool = Field(
        description="True when the subscription ends at cancel_at instead of renewing"
    )
    cancel_at: Timestamp | None = Field(description="When a scheduled cancellation takes effect")
    canceled_at: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, sub: Subscription, now: datetime) -> SubscriptionRead:
        end = ends_at(sub)
        return cls(
            id=sub.id,
            stripe_subscription_id=sub.stripe_subscription_id,
            plan=as_plan_id(sub.plan),
            status=effective_status(sub, now),
            current_period_end=sub.current_period_end,
            cancel_at_period_end=end is not None,
            cancel_at=end,
            canceled_at=sub.canceled_at,
            created_at=sub.created_at,
            updated_at=sub.updated_at,
        )


class UsageSummary(BaseModel):
    campaigns: int
    ad_groups: int
    profiles_synced_this_month: int


class OverviewRead(BaseModel):
    plan: PlanId
    plan_name: str
    price: Decimal = Field(description="Monthly price in USD, as a decimal string")
    currency: str = CURRENCY
    status: str | None = Field(description="The subscription's status; null on Free without one")
    renews_at: Timestamp | None = Field(description="Next renewal; null when none is scheduled")
    current_period_end: Timestamp | None
    cancel_at_period_end: bool
    limits: PlanLimits
    api_access: bool
    usage: UsageSummary

    @classmethod
    def of(cls, plan: Plan, sub: Subscription | None, usage: Usage, now: datetime) -> OverviewRead:
        status = effective_status(sub, now) if sub else None
        scheduled_end = ends_at(sub) if sub else None
        renews = (
            sub.current_period_end
            if sub and scheduled_end is None and status in ("active", "trialing", "past_due")
            else None
        )
        return cls(
            plan=plan.id,
            plan_name=plan.name,
            price=plan.price,
            status=status,
            renews_at=renews,
            current_period_end=sub.current_period_end if sub else None,
            cancel_at_period_end=scheduled_end is not None,
            limits=PlanLimits(campaigns=plan.campaigns, ad_groups=plan.ad_groups),
            api_access=plan.api_access,
            usage=UsageSummary(
                campaigns=usage.campaigns,
                ad_groups=usage.ad_groups,
                profiles_synced_this_month=usage.profiles_synced,
            ),
        )
