"""``GET /api/v1/usage`` (JWT or API key)."""

from __future__ import annotations

from fastapi import APIRouter

from adscale_common.db import DbSession
from adscale_common.internal_auth import CurrentUserId
from adscale_common.types import utcnow
from billing.plan import service as plans
from billing.plan.catalogue import PLANS
from billing.usage import service
from billing.usage.schemas import UsageRead

router = APIRouter(prefix="/api/v1", tags=["billing"])


@router.get(
    "/usage",
    response_model=UsageRead,
    summary="Campaigns and ad groups in use against the plan's limits; profiles synced",
    responses={401: {"description": "Not authenticated"}},
)
async def get_usage(user_id: CurrentUserId, session: DbSession) -> UsageRead:
    plan = PLANS[await plans.current_plan(session, user_id)]
    usage = await service.usage_for(session, user_id, utcnow())
    return UsageRead.of(plan, usage)
