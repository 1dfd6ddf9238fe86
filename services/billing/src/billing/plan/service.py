"""Each user's current plan (the ``user_plan`` row; ``subscription.entitlement`` changes it)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from billing.plan import repository
from billing.plan.catalogue import FREE, PlanId, as_plan_id


async def current_plan(session: AsyncSession, user_id: uuid.UUID) -> PlanId:
    row = await repository.get(session, user_id)
    return as_plan_id(row.plan) if row else FREE
