"""Plan limits (spec "Plan Tiers"), counted against the local projection.

The plan in the gateway's internal token is not used for limits: the
projection is fed by ``billing.plan_changed`` events and is the one source.
Downgrades keep what exists; only new campaigns/ad groups are refused.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.errors import Forbidden
from campaigns.plan import repository


@dataclass(frozen=True)
class PlanLimits:
    campaigns: int | None
    ad_groups: int | None


LIMITS: dict[str, PlanLimits] = {
    "free": PlanLimits(campaigns=2, ad_groups=5),
    "pro": PlanLimits(campaigns=25, ad_groups=100),
    "enterprise": PlanLimits(campaigns=None, ad_groups=None),
}


class PlanLimitReached(Forbidden):
    code = "PLAN_LIMIT_REACHED"
    message = "Plan limit reached"


def limits_for(plan: str) -> PlanLimits:
    return LIMITS.get(plan, LIMITS["free"])


async def locked_limits(session: AsyncSession, user_id: uuid.UUID) -> tuple[str, PlanLimits]:
    plan = await repository.lock_user_plan(session, user_id)
    return plan, limits_for(plan)


def check(plan: str, limit: int | None, current: int, noun: str) -> None:
    if limit is not None and current >= limit:
        raise PlanLimitReached(
            f"{plan.capitalize()} plan limit reached: at most {limit} {noun}. "
            "Upgrade your plan to create more."
        )


async def apply_plan_change(
    session: AsyncSession, user_id: uuid.UUID, new_plan: str, changed_at: datetime
) -> bool:
    return await repository.set_plan(session, user_id, new_plan, changed_at)
