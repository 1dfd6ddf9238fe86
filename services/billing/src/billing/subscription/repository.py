"""Queries on ``subscription``."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from billing.models import Subscription, UserPlan
from billing.subscription.state import GRANTING, TERMINAL


async def for_user(session: AsyncSession, user_id: uuid.UUID) -> Sequence[Subscription]:
    """Every subscription of the user, newest first."""
    result = await session.execute(
        sa.select(Subscription)
        .where(col(Subscription.user_id) == user_id)
        .order_by(col(Subscription.created_at).desc(), col(Subscription.id))
        .execution_options(populate_existing=True)
    )
    return result.scalars().all()


async def latest_open(session: AsyncSession, user_id: uuid.UUID) -> Subscription | None:
    """The newest subscription that has not ended (``None`` when all ended or none exists)."""
    result = await session.execute(
        sa.select(Subscription)
        .where(
            col(Subscription.user_id) == user_id,
            col(Subscription.status).not_in(TERMINAL),
        )
        .order_by(
            # A subscription that grants a plan comes before an incomplete or unpaid one.
            sa.case((col(Subscription.status).in_(GRANTING), 0), else_=1),
            col(Subscription.created_at).desc(),
        )
        .limit(1)
    )
    return result.scalars().first()


async def lock_by_stripe_id(
    session: AsyncSession, stripe_subscription_id: str
) -> Subscription | None:
    result = await session.execute(
        sa.select(Subscription)
        .where(col(Subscription.stripe_subscription_id) == stripe_subscription_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return result.scalars().first()


async def insert_if_absent(
    session: AsyncSession,
    *,
    stripe_subscription_id: str,
    user_id: uuid.UUID,
    plan: str,
    status: str,
) -> Subscription:
    """Create the row unless a concurrent event already did; return it locked."""
    await session.execute(
        insert(Subscription)
        .values(
            id=uuid.uuid4(),
            stripe_subscription_id=stripe_subscription_id,
            user_id=user_id,
            plan=plan,
            status=status,
        )
        .on_conflict_do_nothing(index_elements=["stripe_subscription_id"])
    )
    row = await lock_by_stripe_id(session, stripe_subscription_id)
    assert row is not None
    return row


async def users_past_scheduled_end(
    session: AsyncSession, now: datetime, *, limit: int = 500
) -> list[uuid.UUID]:
    """Users on a paid plan whose subscription's scheduled cancellation date has passed."""
    scheduled_end = sa.func.coalesce(
        col(Subscription.cancel_at),
        sa.case(
            (col(Subscription.cancel_at_period_end), col(Subscription.current_period_end)),
            else_=None,
        ),
    )
    result = await session.execute(
        sa.select(col(Subscription.user_id))
        .join(UserPlan, col(UserPlan.user_id) == col(Subscription.user_id))
        .where(
            col(Subscription.status).in_(GRANTING),
            scheduled_end <= now,
            col(UserPlan.plan) != "free",
        )
        .distinct()
        .limit(limit)
    )
    return list(result.scalars().all())
