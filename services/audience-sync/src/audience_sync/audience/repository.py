from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from audience_sync.audience.errors import AudienceNotFound
from audience_sync.models import Audience, Segment
from audience_sync.owned import OwnedById

owned = OwnedById(Audience, not_found=AudienceNotFound, id_field="audience_id")


async def segment_of(session: AsyncSession, audience: Audience) -> Segment:
    segment = await session.get(Segment, audience.segment_id)
    assert segment is not None  # the foreign key holds
    return segment


async def list_owned(
    session: AsyncSession,
    user_id: uuid.UUID,
    offset: int,
    limit: int,
    *,
    platform: str | None = None,
    segment_id: uuid.UUID | None = None,
    is_active: bool | None = None,
    name_contains: str | None = None,
) -> tuple[list[tuple[Audience, str]], int]:
    """A page of the user's audiences, newest first, each with its segment's name."""
    conditions = [col(Audience.user_id) == user_id]
    if platform is not None:
        conditions.append(col(Audience.platform) == platform)
    if segment_id is not None:
        conditions.append(col(Audience.segment_id) == segment_id)
    if is_active is not None:
        conditions.append(col(Audience.is_active) == is_active)
    if name_contains is not None:
        conditions.append(
            col(Audience.platform_audience_name).icontains(name_contains, autoescape=True)
            | col(Segment.name).icontains(name_contains, autoescape=True)
        )
    counted = sa.select(sa.func.count()).select_from(Audience)
    counted = counted.join(Segment, col(Segment.id) == col(Audience.segment_id))
    total = (await session.execute(counted.where(*conditions))).scalar_one()
    rows = (
        await session.execute(
            sa.select(Audience, col(Segment.name))
            .join(Segment, col(Segment.id) == col(Audience.segment_id))
            .where(*conditions)
            .order_by(col(Audience.created_at).desc(), col(Audience.id))
            .offset(offset)
            .limit(limit)
        )
    ).all()
    return [(a, str(name)) for a, name in rows], int(total)


async def delete(session: AsyncSession, audience: Audience) -> None:
    await session.execute(sa.delete(Audience).where(col(Audience.id) == audience.id))
