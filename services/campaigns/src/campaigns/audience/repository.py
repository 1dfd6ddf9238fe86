from __future__ import annotations

import uuid
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from campaigns.models import AudienceHealth


async def get_for_update(session: AsyncSession, audience_id: uuid.UUID) -> AudienceHealth | None:
    stmt = (
        sa.select(AudienceHealth)
        .where(col(AudienceHealth.audience_id) == audience_id)
        .with_for_update()
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def health_of(
    session: AsyncSession, user_id: uuid.UUID, audience_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, AudienceHealth]:
    """The user's audiences among ``audience_ids`` that have synced at least once."""
    ids = list(set(audience_ids))
    if not ids:
        return {}
    stmt = sa.select(AudienceHealth).where(
        col(AudienceHealth.user_id) == user_id, col(AudienceHealth.audience_id).in_(ids)
    )
    return {row.audience_id: row for row in (await session.execute(stmt)).scalars()}
