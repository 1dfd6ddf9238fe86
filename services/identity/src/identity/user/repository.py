"""Every query on the user table."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select, update

from identity.models import User


async def get(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await session.get(User, user_id)


async def get_for_update(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    result = await session.execute(select(User).where(col(User.id) == user_id).with_for_update())
    return result.scalars().first()


async def get_by_email(session: AsyncSession, email: str) -> User | None:
    result = await session.execute(select(User).where(col(User.email) == email))
    return result.scalars().first()


async def get_by_email_for_update(session: AsyncSession, email: str) -> User | None:
    result = await session.execute(select(User).where(col(User.email) == email).with_for_update())
    return result.scalars().first()


async def get_by_external_id(session: AsyncSession, external_user_id: str) -> User | None:
    result = await session.execute(
        select(User).where(col(User.external_user_id) == external_user_id)
    )
    return result.scalars().first()


async def add(session: AsyncSession, user: User) -> User:
    """Insert in a savepoint, so a unique violation leaves the session usable."""
    async with session.begin_nested():
        session.add(user)
        await session.flush()
    return user


async def set_password_hash(session: AsyncSession, user_id: uuid.UUID, password_hash: str) -> None:
    await session.execute(
        update(User).where(col(User.id) == user_id).values(password_hash=password_hash)
    )


async def set_plan(
    session: AsyncSession, user_id: uuid.UUID, plan: str, changed_at: datetime
) -> None:
    await session.execute(
        update(User).where(col(User.id) == user_id).values(plan=plan, plan_changed_at=changed_at)
    )
