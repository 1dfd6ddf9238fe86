"""The plan catalogue: code constants (spec, "Plan Tiers"); Stripe price ids come from settings."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, get_args

from billing.settings import Settings

PlanId = Literal["free", "pro", "enterprise"]
PLAN_IDS: tuple[PlanId, ...] = get_args(PlanId)

CURRENCY = "usd"
INTERVAL = "month"


@dataclass(frozen=True, slots=True)
class Plan:
    id: PlanId
    name: str
    price: Decimal  # USD per month
    campaigns: int | None  # None: unlimited
    ad_groups: int | None  # None: unlimited
    api_access: bool
    rank: int  # higher is better; decides between two live subscriptions


PLANS: dict[PlanId, Plan] = {
    "free": Plan("free", "Free", Decimal("0.00"), 2, 5, api_access=False, rank=0),
    "pro": Plan("pro", "Pro", Decimal("49.00"), 25, 100, api_access=True, rank=1),
    "enterprise": Plan(
        "enterprise", "Enterprise", Decimal("149.00"), None, None, api_access=True, rank=2
    ),
}
FREE: PlanId = "free"


def as_plan_id(value: str | None) -> PlanId:
    """``value`` as a known plan id; anything unknown counts as Free."""
    for plan_id in PLAN_IDS:
        if value == plan_id:
            return plan_id
    return FREE


def is_plan_id(value: object) -> bool:
    return isinstance(value, str) and value in PLAN_IDS


def price_id(settings: Settings, plan_id: PlanId) -> str | None:
    """The Stripe price of a paid plan; ``None`` for Free."""
    if plan_id == "pro":
        return settings.price_pro
    if plan_id == "enterprise":
        return settings.price_enterprise
    return None


def plan_for_price(settings: Settings, stripe_price_id: str | None) -> PlanId | None:
    """Which plan a Stripe price belongs to (``None`` for a price we do not sell)."""
    if not stripe_price_id:
        return None
    for plan_id in PLAN_IDS:
        if price_id(settings, plan_id) == stripe_price_id:
            return plan_id
    return None


def best_of(plan_ids: list[PlanId]) -> PlanId:
    """The highest-ranked plan of ``plan_ids`` (Free when empty)."""
    return max(plan_ids, key=lambda p: PLANS[p].rank, default=FREE)
