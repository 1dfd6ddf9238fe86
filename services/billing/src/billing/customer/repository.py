"""Queries on ``customer`` (a user's Stripe customer)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from billing.models import Customer


async def get(session: AsyncSession, user_id: uuid.UUID) -> Customer | None:
    return await session.get(Customer, user_id)


async def user_for_customer(session: AsyncSession, stripe_customer_id: str) -> uuid.UUID | None:
    result = await session.execute(
        sa.select(col(Customer.user_id)).where(
            col(Customer.stripe_customer_id) == stripe_customer_id
        )
    )
    return result.scalars().first()


async def remember(
    session: AsyncSession, user_id: uuid.UUID, stripe_customer_id: str
) -> str | None:
    """Record the user's customer unless one is recorded already; return the user's recorded
    customer (``None`` when ``stripe_customer_id`` already belongs to another user)."""
    await session.execute(
        insert(Customer)
        .values(user_id=user_id, stripe_customer_id=stripe_customer_id)
        .on_conflict_do_nothing()
    )
    result = await session.execute(
        sa.select(col(Customer.stripe_customer_id)).where(col(Customer.user_id) == user_id)
    )
    return result.scalar_one_or_none()
