from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from audience_sync.models import Audience, SyncJob, table


async def get_owned(session: AsyncSession, user_id: uuid.UUID, job_id: uuid.UUID) -> SyncJob | None:
    stmt = sa.select(SyncJob).where(col(SyncJob.id) == job_id, col(SyncJob.user_id) == user_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def history(
    session: AsyncSession,
    audience_id: uuid.UUID,
    since: datetime,
    *,
    status: str | None,
    limit: int,
) -> Sequence[SyncJob]:
    stmt = sa.select(SyncJob).where(
        col(SyncJob.audience_id) == audience_id, col(SyncJob.created_at) >= since
    )
    if status is not None:
        stmt = stmt.where(col(SyncJob.status) == status)
    stmt = stmt.order_by(col(SyncJob.created_at).desc(), col(SyncJob.id)).limit(limit)
    return list((await session.execute(stmt)).scalars())


async def stats(session: AsyncSession, audience_id: uuid.UUID, since: datetime) -> dict[str, Any]:
    j = table(SyncJob).c
    finished = j.status.in_(("completed", "failed"))
    row = (
        await session.execute(
            sa.select(
                sa.func.count().filter(finished).label("total"),
                sa.func.count().filter(j.status == "completed").label("successful"),
                sa.func.count().filter(j.status == "failed").label("failed"),
                sa.func.avg(j.match_rate)
                .filter(j.status == "completed", j.match_rate.is_not(None))
                .label("avg_match_rate"),
                sa.func.coalesce(sa.func.sum(j.profiles_added), 0).label("added"),
                sa.func.coalesce(sa.func.sum(j.profiles_removed), 0).label("removed"),
            ).where(j.audience_id == audience_id, j.created_at >= since)
        )
    ).one()
    values = dict(row._mapping)
    rate = values["avg_match_rate"]
    values["avg_match_rate"] = round(float(rate), 1) if rate is not None else None
    return values


async def active_job(session: AsyncSession, audience_id: uuid.UUID) -> SyncJob | None:
    stmt = sa.select(SyncJob).where(
        col(SyncJob.audience_id) == audience_id, col(SyncJob.status).in_(("pending", "running"))
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def due_audiences(session: AsyncSession, limit: int) -> Sequence[Audience]:
    stmt = (
        sa.select(Audience)
        .where(
            col(Audience.auto_sync),
            col(Audience.is_active),
            col(Audience.next_sync_at) <= sa.func.now(),
        )
        .order_by(col(Audience.next_sync_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.execute(stmt)).scalars())


async def stranded_jobs(
    session: AsyncSession, older_than_seconds: float, limit: int
) -> Sequence[SyncJob]:
    """Jobs nobody is working on: pending for a while (their message was lost or is stuck
    behind others), or running with a lapsed lease (their worker died)."""
    age = sa.func.make_interval(0, 0, 0, 0, 0, 0, older_than_seconds)
    not_recent = sa.or_(
        col(SyncJob.requeued_at).is_(None), col(SyncJob.requeued_at) < sa.func.now() - age
    )
    stmt = (
        sa.select(SyncJob)
        .where(
            sa.or_(
                sa.and_(
                    col(SyncJob.status) == "pending", col(SyncJob.created_at) < sa.func.now() - age
                ),
                sa.and_(
                    col(SyncJob.status) == "running",
                    sa.or_(
                        col(SyncJob.lease_expires_at).is_(None),
                        col(SyncJob.lease_expires_at) < sa.func.now(),
                    ),
                    col(SyncJob.updated_at) < sa.func.now() - age,
                ),
            ),
            not_recent,
        )
        .order_by(col(SyncJob.created_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.execute(stmt)).scalars())
