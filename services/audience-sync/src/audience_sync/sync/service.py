"""Sync jobs: creation (one active per audience), the job request on the work queue,
manual triggers with their real diff, history and job details."""

from __future__ import annotations

import logging
import time
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.internal_auth import Principal
from adscale_common.outbox import emit
from adscale_common.types import utcnow
from adscale_contracts.jobs import JOBS_TOPIC, job_envelope
from audience_sync.db import driver
from audience_sync.models import Audience, Segment, SyncJob
from audience_sync.platform import repository as connections
from audience_sync.platform.errors import CredentialsExpired, PlatformNotConnected
from audience_sync.sync import digest, planner, repository
from audience_sync.sync.errors import SyncInProgress
from audience_sync.sync.hashing import Hasher
from audience_sync.sync.schemas import (
    EstimatedChanges,
    FieldCounts,
    HistoryEntry,
    HistoryRead,
    HistorySummary,
    SyncJobRead,
    SyncStats,
    SyncTriggered,
)
from audience_sync.types import read_as

logger = logging.getLogger(__name__)


async def request_job(session: AsyncSession, job: SyncJob) -> None:
    await emit(
        session, job_envelope("sync", job.id, job.user_id, key=job.audience_id), topic=JOBS_TOPIC
    )


def triggered_by(principal: Principal) -> str:
    return "api" if principal.auth == "api_key" else "manual"


async def create_job(
    session: AsyncSession,
    audience: Audience,
    *,
    operation: str,
    triggered_by: str,
    user_id: uuid.UUID | None,
    segment_size: int | None,
) -> SyncJob:
    """Insert a pending job; the partial unique index refuses a second active one
    (``SYNC_IN_PROGRESS``), whatever the number of API and worker processes."""
    job = SyncJob(
        audience_id=audience.id,
        user_id=audience.user_id,
        platform=audience.platform,
        operation=operation,
        status="pending",
        triggered_by=triggered_by,
        triggered_by_user_id=user_id,
        segment_size=segment_size,
    )
    try:
        async with session.begin_nested():
            session.add(job)
            await session.flush()
    except IntegrityError as exc:
        if "uq_sync_job_active_audience" in str(exc.orig):
            raise SyncInProgress(details={"audience_id": str(audience.id)}) from exc
        raise
    return job


async def ensure_connected(session: AsyncSession, user_id: uuid.UUID, platform: str) -> None:
    connection = await connections.get_connection(session, user_id, platform)
    if connection is None:
        raise PlatformNotConnected(details={"platform": platform})
    if connection.status == "expired":
        raise CredentialsExpired(details={"platform": platform})


async def trigger(
    session: AsyncSession,
    audience: Audience,
    segment: Segment,
    *,
    operation: str,
    principal: Principal,
    hasher: Hasher,
    rehash_limit: int,
    plan_max_rows: int = 200_000,
    work_mem: str = "128MB",
) -> SyncTriggered:
    started = time.monotonic()
    await ensure_connected(session, audience.user_id, audience.platform)
    job = await create_job(
        session,
        audience,
        operation=operation,
        triggered_by=triggered_by(principal),
        user_id=audience.user_id,
        segment_size=segment.profile_count,
    )
    timings: dict[str, float] = {}
    changes = await estimate(
        session,
        audience,
        hasher,
        job=job,
        replace=operation == "replace",
        rehash_limit=rehash_limit,
        plan_max_rows=plan_max_rows,
        work_mem=work_mem,
        timings=timings,
    )
    job.estimated_to_add = changes.to_add
    job.estimated_to_remove = changes.to_remove
    job.estimate_exact = changes.exact
    await session.flush()
    await request_job(session, job)
    logger.info(
        "sync requested",
        extra={
            "job_id": str(job.id),
            "seconds": round(time.monotonic() - started, 3),
            "timings": {k: round(v, 3) for k, v in timings.items()},
        },
    )
    return SyncTriggered(
        job_id=job.id,
        status="pending",
        operation=operation,  # type: ignore[arg-type]
        segment_size=segment.profile_count,
        estimated_changes=changes,
    )


async def estimate(
    session: AsyncSession,
    audience: Audience,
    hasher: Hasher,
    *,
    job: SyncJob,
    replace: bool,
    rehash_limit: int,
    plan_max_rows: int = 200_000,
    work_mem: str = "128MB",
    timings: dict[str, float] | None = None,
) -> EstimatedChanges:
    """The real diff between the segment and what the platform accepted, in profiles:
    ``to_add`` profiles to send (new, or changed since they were sent), ``to_remove``
    profiles to remove.

    Profiles not hashed yet are hashed here (the digests stay for the sync) unless there are
    more than ``rehash_limit``: then they are counted as additions (``exact: false``). An
    update's diff of at most ``plan_max_rows`` profiles is stored as the job's plan, which
    the worker uses as is when the segment has not changed in between. ``timings`` gets
    the seconds of its steps (``stale_scan``: hashing what is stale; ``plan``,
    ``keep_shared``: :func:`planner.make_plan`; ``count``: a diff not kept as a plan).
    """
    timings = {} if timings is None else timings
    started = time.monotonic()
    apg = await driver(session)
    await planner.without_jit(apg)
    fields = list(audience.identifier_fields or [])
    stats = await digest.refresh_digests(
        apg,
        hasher,
        audience.segment_id,
        audience.platform,
        chunk_rows=10_000,
        limit=rehash_limit,
        work_mem=work_mem,
    )
    timings["stale_scan"] = time.monotonic() - started
    removals = replace or not audience.additive_only
    args = (audience.segment_id, audience.platform, audience.id, fields)
    if not stats.skipped and not replace:
        planned = await planner.make_plan(
            apg, job.id, *args, removals=removals, max_rows=plan_max_rows, timings=timings
        )
        if planned is not None:
            version = await apg.fetchval(
                "SELECT updated_at FROM segment WHERE id = $1", audience.segment_id
            )
            job.plan_version = version
            return EstimatedChanges(to_add=planned.to_add, to_remove=planned.to_remove)
    counting = time.monotonic()
    result = await planner.estimate(apg, *args, removals=removals, job_id=job.id)
    timings["count"] = time.monotonic() - counting
    if not stats.skipped:
        return EstimatedChanges(to_add=result.to_add, to_remove=result.to_remove)
    return EstimatedChanges(
        to_add=result.to_add + stats.skipped, to_remove=result.to_remove, exact=False
    )


# --------------------------------------------------------------------------- reads


def job_read(job: SyncJob) -> SyncJobRead:
    estimated = (
        EstimatedChanges(
            to_add=job.estimated_to_add,
            to_remove=job.estimated_to_remove or 0,
            exact=job.estimate_exact,
        )
        if job.estimated_to_add is not None
        else None
    )
    return read_as(
        SyncJobRead,
        job,
        job_id=job.id,
        platform_response=_as_dict(job.platform_response),
        invalid_samples=list(_as_list(job.invalid_samples)),
        identifier_counts=_field_counts(job.identifier_counts),
        estimated_changes=estimated,
    )


def _field_counts(value: Any) -> dict[str, FieldCounts]:
    """``{"sent": {field: n}, "invalid": {field: n}}`` as stored, per field."""
    stored = _as_dict(value) or {}
    sent, invalid = stored.get("sent") or {}, stored.get("invalid") or {}
    return {
        name: FieldCounts(sent=int(sent.get(name, 0)), invalid=int(invalid.get(name, 0)))
        for name in dict.fromkeys([*sent, *invalid])
    }


def _as_dict(value: Any) -> dict[str, Any] | None:
    if isinstance(value, str):
        import orjson

        value = orjson.loads(value)
    return value if isinstance(value, dict) else None


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, str):
        import orjson

        value = orjson.loads(value)
    return value if isinstance(value, list) else []


async def get_job(session: AsyncSession, user_id: uuid.UUID, job_id: uuid.UUID) -> SyncJobRead:
    return job_read(await repository.owned.require(session, user_id, job_id))


async def history(
    session: AsyncSession,
    audience: Audience,
    *,
    days: int,
    status: str | None,
    limit: int,
) -> HistoryRead:
    """Jobs of the last ``days`` (newest first, ``status`` and ``limit`` applied); the
    summary covers every job of the period."""
    since = utcnow() - timedelta(days=days)
    jobs = await repository.history(session, audience.id, since, status=status, limit=limit)
    summary = await repository.stats(session, audience.id, since)
    return HistoryRead(
        audience_id=audience.id,
        history=[read_as(HistoryEntry, j, job_id=j.id) for j in jobs],
        summary=HistorySummary(
            total_syncs=summary["total"],
            successful=summary["successful"],
            failed=summary["failed"],
            avg_match_rate=summary["avg_match_rate"],
        ),
    )


async def stats_30d(session: AsyncSession, audience_id: uuid.UUID) -> SyncStats:
    values = await repository.stats(session, audience_id, utcnow() - timedelta(days=30))
    return SyncStats(
        total_syncs=values["total"],
        successful_syncs=values["successful"],
        failed_syncs=values["failed"],
        avg_match_rate=values["avg_match_rate"],
        profiles_added=int(values["added"]),
        profiles_removed=int(values["removed"]),
    )
