"""Each user's plan follows their subscriptions: recomputed here, changed only here, and
announced by ``billing.plan_changed`` in the same transaction."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.outbox import emit
from adscale_contracts.events import PlanChanged, build
from billing.plan import repository as user_plans
from billing.plan.catalogue import PlanId, as_plan_id
from billing.subscription import repository as subscriptions
from billing.subscription.state import entitled_plan

logger = logging.getLogger(__name__)

SOURCE = "billing"


@dataclass(frozen=True, slots=True)
class PlanChange:
    user_id: uuid.UUID
    old_plan: PlanId
    new_plan: PlanId
    reason: str
    effective_at: datetime


async def sync_user_plan(
    session: AsyncSession, user_id: uuid.UUID, *, reason: str, now: datetime
) -> PlanChange | None:
    """Recompute the user's plan from their subscriptions; on a change, record it and emit
    ``billing.plan_changed`` in the same transaction.

    The user's plan row is locked first and the subscriptions are read after,
    so concurrent decisions for one user are serialised and the last one sees
    every committed subscription change.
    """
    row = await user_plans.lock(session, user_id)
    subs = list(await subscriptions.for_user(session, user_id))
    new_plan = entitled_plan(list(subs), now)
    old_plan = as_plan_id(row.plan)
    if new_plan == old_plan:
        return None
    # Strictly increasing per user, so consumers can drop an older change by comparing.
    effective_at = max(now, row.changed_at + timedelta(microseconds=1))
    row.plan = new_plan
    row.reason = reason
    row.changed_at = effective_at
    await session.flush()
    change = PlanChange(user_id, old_plan, new_plan, reason, effective_at)
    await emit(
        session,
        build(
            PlanChanged(
                user_id=user_id,
                old_plan=old_plan,
                new_plan=new_plan,
                reason=reason,
                effective_at=effective_at,
            ),
            source=SOURCE,
        ),
    )
    logger.info(
        "plan changed",
        extra={
            "user_id": str(user_id),
            "old_plan": old_plan,
            "new_plan": new_plan,
            "reason": reason,
        },
    )
    return change
