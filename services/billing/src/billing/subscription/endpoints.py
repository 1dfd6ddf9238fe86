"""``GET /api/v1/billing/current`` and ``GET /api/v1/billing/overview`` (JWT)."""

from __future__ import annotations

from fastapi import APIRouter

from adscale_common.db import DbSession
from adscale_common.internal_auth import CurrentJwtUserId
from adscale_common.types import utcnow
from billing.plan import service as plans
from billing.plan.catalogue import PLANS
from billing.subscription import service
from billing.subscription.schemas import OverviewRead, SubscriptionRead
from billing.usage import service as usage

router = APIRouter(prefix="/api/v1/billing", tags=["billing"])

_401: dict[int | str, dict[str, str]] = {401: {"description": "Not authenticated"}}


@router.get(
    "/current",
    response_model=SubscriptionRead | None,
    summary="Current subscription (or null)",
    responses=_401,
)
async def current_subscription(
    user_id: CurrentJwtUserId, session: DbSession
) -> SubscriptionRead | None:
    now = utcnow()
    sub = await service.current_for(session, user_id, now)
    return SubscriptionRead.of(sub, now) if sub else None


@router.get(
    "/overview",
    response_model=OverviewRead,
    summary="Billing overview with usage stats",
    responses=_401,
)
async def overview(user_id: CurrentJwtUserId, session: DbSession) -> OverviewRead:
    now = utcnow()
    plan = PLANS[await plans.current_plan(session, user_id)]
    sub = await service.current_for(session, user_id, now)
    counts = await usage.usage_for(session, user_id, now)
    return OverviewRead.of(plan, sub, counts, now)
