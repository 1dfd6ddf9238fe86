"""Queries on the local plan projection."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from adscale_common.types import utcnow
from campaigns.models import UserPlan


async def lock_user_plan(session: AsyncSession, user_id: uuid.UUID) -> str:
    """The user's plan, with their projection row locked until the transaction ends.

    A user the projection has not heard of yet is on the free plan (a row is
    created so there is something to lock). Every create that counts against a
    plan limit takes this lock first, so two concurrent creates at the limit
    are serialized and the second one sees the first one's row.
    """
    await session.execute(
        insert(UserPlan)
        .values(user_id=user_id, plan="free", updated_at=utcnow())
        .on_conflict_do_nothing(index_elements=["user_id"])
    )
    plan = (
        await session.execute(
            sa.select(col(UserPlan.plan)).where(col(UserPlan.user_id) == user_id).with_for_update()
        )
    ).scalar_one()
    return str(plan)


async def set_plan(
    session: AsyncSession, user_id: uuid.UUID, plan: str, changed_at: datetime
) -> bool:
    """Record ``plan`` unless a newer change is already projected; True when applied."""
    stmt = (
        insert(UserPlan)
        .values(user_id=user_id, plan=plan, plan_changed_at=changed_at, updated_at=utcnow())
        .on_conflict_do_update(
            index_elements=["user_id"],
            set_={"plan": plan, "plan_changed_at": changed_at, "updated_at": utcnow()},
            where=sa.or_(
                col(UserPlan.plan_changed_at).is_(None),
                col(UserPlan.plan_changed_at) <= changed_at,
            ),
        )
        .returning(col(UserPlan.user_id))
    )
    return (await session.execute(stmt)).first() is not None


async def get_plan(session: AsyncSession, user_id: uuid.UUID) -> str:
    plan = (
        await session.execute(sa.select(col(UserPlan.plan)).where(col(UserPlan.user_id) == user_id))
    ).scalar_one_or_none()
    return str(plan) if plan is not None else "free"
