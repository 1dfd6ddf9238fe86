from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from adscale_common.types import utcnow
from campaigns.models import AdAccount


async def get_owned(
    session: AsyncSession, user_id: uuid.UUID, account_id: uuid.UUID, *, for_update: bool = False
) -> AdAccount | None:
    stmt = sa.select(AdAccount).where(
        col(AdAccount.id) == account_id, col(AdAccount.user_id) == user_id
    )
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def get(session: AsyncSession, account_id: uuid.UUID) -> AdAccount | None:
    return await session.get(AdAccount, account_id)


async def find_duplicate(
    session: AsyncSession, user_id: uuid.UUID, platform: str, external_id: str
) -> AdAccount | None:
    stmt = sa.select(AdAccount).where(
        col(AdAccount.user_id) == user_id,
        col(AdAccount.platform) == platform,
        col(AdAccount.account_id_external) == external_id,
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_owned(
    session: AsyncSession, user_id: uuid.UUID, offset: int, limit: int
) -> tuple[Sequence[AdAccount], int]:
    where = col(AdAccount.user_id) == user_id
    total = (
        await session.execute(sa.select(sa.func.count()).select_from(AdAccount).where(where))
    ).scalar_one()
    rows = (
        await session.execute(
            sa.select(AdAccount)
            .where(where)
            .order_by(col(AdAccount.created_at).desc(), col(AdAccount.id))
            .offset(offset)
            .limit(limit)
        )
    ).scalars()
    return list(rows), int(total)


async def mark_disconnected(session: AsyncSession, account_id: uuid.UUID, reason: str) -> None:
    await session.execute(
        sa.update(AdAccount)
        .where(col(AdAccount.id) == account_id)
        .values(status="disconnected", disconnected_reason=reason[:500], updated_at=utcnow())
    )


async def mark_synced(session: AsyncSession, account_id: uuid.UUID) -> None:
    await session.execute(
        sa.update(AdAccount)
        .where(col(AdAccount.id) == account_id)
        .values(metrics_synced_at=utcnow())
    )


async def connected_with_token(session: AsyncSession) -> Sequence[AdAccount]:
    stmt = sa.select(AdAccount).where(
        col(AdAccount.status) == "active", col(AdAccount.access_token_encrypted).is_not(None)
    )
    return list((await session.execute(stmt)).scalars())
