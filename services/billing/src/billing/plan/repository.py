"""Queries on ``user_plan``."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from billing.models import UserPlan


async def get(session: AsyncSession, user_id: uuid.UUID) -> UserPlan | None:
    return await session.get(UserPlan, user_id)


async def lock(session: AsyncSession, user_id: uuid.UUID) -> UserPlan:
    """The user's plan row, created as Free when missing, locked until the transaction ends.

    Every plan decision for a user happens under this lock, so two webhooks
    (or a webhook and the period-end sweep) never decide from stale state.
    """
    await session.execute(
        insert(UserPlan).values(user_id=user_id, plan="free").on_conflict_do_nothing()
    )
    row = (
        await session.execute(
            sa.select(UserPlan)
            .where(col(UserPlan.user_id) == user_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
    return row
