"""Scheduled syncs and stranded-job recovery, safe with any number of worker instances.

Every tick, in one transaction: audiences with ``auto_sync`` and ``is_active`` whose
``next_sync_at`` has passed are locked with ``FOR UPDATE SKIP LOCKED`` (two schedulers never
take the same one), get their next time, and a ``scheduled`` update job unless one is
already pending or running (the partial unique index says so). Audiences whose platform is
not connected just move their next time on. Jobs nobody works on (pending for longer than
``requeue_after_seconds``, or running with a lapsed lease) get their request sent again.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from audience_sync.db import unit_of_work
from audience_sync.models import PlatformConnection, Segment
from audience_sync.settings import Settings
from audience_sync.sync import repository, service
from audience_sync.sync.errors import SyncInProgress

logger = logging.getLogger(__name__)


async def schedule_due(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> int:
    """Create the jobs of audiences due for a sync; returns how many."""
    created = 0
    async with unit_of_work(sessionmaker) as session:
        due = await repository.due_audiences(session, settings.scheduler_batch)
        if not due:
            return 0
        users = {a.user_id for a in due}
        sizes = dict(
            (
                await session.execute(
                    sa.select(col(Segment.id), col(Segment.profile_count)).where(
                        col(Segment.id).in_({a.segment_id for a in due})
                    )
                )
            ).all()
        )
        connected = {
            (c.user_id, c.platform)
            for c in (
                await session.execute(
                    sa.select(PlatformConnection).where(
                        col(PlatformConnection.user_id).in_(users),
                        col(PlatformConnection.status) == "connected",
                    )
                )
            ).scalars()
        }
        now = datetime.now(UTC)
        for audience in due:
            audience.next_sync_at = now + timedelta(hours=audience.sync_interval_hours)
            if (audience.user_id, audience.platform) not in connected:
                continue
            if not audience.platform_audience_id:
                continue
            try:
                job = await service.create_job(
                    session,
                    audience,
                    operation="update",
                    triggered_by="scheduled",
                    user_id=None,
                    segment_size=sizes.get(audience.segment_id),
                )
            except SyncInProgress:
                continue
            await service.request_job(session, job)
            created += 1
        await session.flush()
    if created:
        logger.info("scheduled syncs", extra={"jobs": created})
    return created


async def requeue_stranded(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> int:
    async with unit_of_work(sessionmaker) as session:
        jobs = await repository.stranded_jobs(
            session, settings.requeue_after_seconds, settings.scheduler_batch
        )
        for job in jobs:
            job.requeued_at = datetime.now(UTC)
            await service.request_job(session, job)
        await session.flush()
    if jobs:
        logger.warning("stranded sync jobs requeued", extra={"jobs": len(jobs)})
    return len(jobs)
