from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, TypeAlias

import asyncpg
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from audience_sync.models import Audience, SyncJob, table
from audience_sync.owned import OwnedById
from audience_sync.sync import marks
from audience_sync.sync.errors import JobNotFound

owned = OwnedById(SyncJob, not_found=JobNotFound, id_field="job_id")


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


# --------------------------------------------------------------------------- the engine's
# queries (asyncpg, each in the caller's transaction)

Apg: TypeAlias = "asyncpg.Connection[Any]"


async def claim(apg: Apg, job_id: uuid.UUID, owner: str, lease: timedelta) -> Any:
    """Take the job's lease (pending, ours, or lapsed): the job row, or ``None``."""
    return await apg.fetchrow(
        """
        UPDATE sync_job SET status = 'running', lease_owner = $2,
            lease_expires_at = now() + $3::interval,
            started_at = COALESCE(started_at, now()), updated_at = now(),
            phase = COALESCE(phase, CASE WHEN operation = 'replace'
                                         THEN 'replace' ELSE 'delta' END)
        WHERE id = $1 AND status IN ('pending', 'running')
          AND (lease_owner IS NULL OR lease_owner = $2 OR lease_expires_at < now())
        RETURNING id, audience_id, user_id, platform, operation, phase, started_at,
                  plan_version, identifier_counts
        """,
        job_id,
        owner,
        lease,
    )


async def lease_state(apg: Apg, job_id: uuid.UUID) -> Any:
    """``(status, seconds the lease has left)`` of a job, or ``None``."""
    return await apg.fetchrow(
        "SELECT status, GREATEST(0, EXTRACT(EPOCH FROM lease_expires_at - now())) AS left "
        "FROM sync_job WHERE id = $1",
        job_id,
    )


async def renew(apg: Apg, job_id: uuid.UUID, owner: str, lease: timedelta) -> bool:
    ok = await apg.fetchval(
        "UPDATE sync_job SET lease_expires_at = now() + $3::interval "
        "WHERE id = $1 AND lease_owner = $2 AND status = 'running' RETURNING 1",
        job_id,
        owner,
        lease,
    )
    return ok is not None


async def release(apg: Apg, job_id: uuid.UUID, owner: str) -> None:
    await apg.execute(
        "UPDATE sync_job SET lease_owner = NULL, lease_expires_at = NULL, "
        "updated_at = now() WHERE id = $1 AND lease_owner = $2 AND status = 'running'",
        job_id,
        owner,
    )


async def set_phase(
    apg: Apg, job_id: uuid.UUID, owner: str, phase: str, plan_version: Any = None
) -> bool:
    """Move the job on to ``phase`` (recording the plan's segment version when given)."""
    ok = await apg.fetchval(
        "UPDATE sync_job SET phase = $3, plan_version = COALESCE($4, plan_version), "
        "updated_at = now() WHERE id = $1 AND lease_owner = $2 AND status = 'running' RETURNING 1",
        job_id,
        owner,
        phase,
        plan_version,
    )
    return ok is not None


async def segment_version(apg: Apg, segment_id: uuid.UUID) -> datetime | None:
    value: datetime | None = await apg.fetchval(
        "SELECT updated_at FROM segment WHERE id = $1", segment_id
    )
    return value


async def plan_size(apg: Apg, job_id: uuid.UUID) -> int:
    return int(await apg.fetchval("SELECT count(*) FROM sync_job_plan WHERE job_id = $1", job_id))


async def segment_size(apg: Apg, segment_id: uuid.UUID) -> int:
    value = await apg.fetchval("SELECT profile_count FROM segment WHERE id = $1", segment_id)
    return int(value or 0)


async def has_members(apg: Apg, audience_id: uuid.UUID) -> bool:
    found = await apg.fetchval(
        "SELECT 1 FROM audience_member WHERE audience_id = $1 LIMIT 1", audience_id
    )
    return found is not None


async def record_batch(
    apg: Apg,
    job_id: uuid.UUID,
    owner: str,
    lease: timedelta,
    *,
    sent: int,
    added: int,
    removed: int,
    failed: int,
    counts: str,
) -> int | None:
    """Add an accepted batch to the job's counters and renew its lease; ``None`` when the
    job is no longer ours."""
    value = await apg.fetchval(
        """
        UPDATE sync_job SET profiles_sent = profiles_sent + $3,
            profiles_added = profiles_added + $4, profiles_removed = profiles_removed + $5,
            profiles_failed = profiles_failed + $6, batches_done = batches_done + 1,
            identifier_counts = $7::jsonb,
            lease_expires_at = now() + $8::interval, updated_at = now()
        WHERE id = $1 AND lease_owner = $2 AND status = 'running'
        RETURNING batches_done
        """,
        job_id,
        owner,
        sent,
        added,
        removed,
        failed,
        counts,
        lease,
    )
    return int(value) if value is not None else None


async def count_failed(apg: Apg, job_id: uuid.UUID, failed: int) -> None:
    await apg.execute(
        "UPDATE sync_job SET profiles_failed = profiles_failed + $2 WHERE id = $1",
        job_id,
        failed,
    )


async def add_replace_counts(
    apg: Apg, job_id: uuid.UUID, owner: str, added: int, removed: int
) -> bool:
    ok = await apg.fetchval(
        "UPDATE sync_job SET phase = 'delta', profiles_added = profiles_added + $3, "
        "profiles_removed = profiles_removed + $4, updated_at = now() "
        "WHERE id = $1 AND lease_owner = $2 AND status = 'running' RETURNING 1",
        job_id,
        owner,
        added,
        removed,
    )
    return ok is not None


async def complete_job(
    apg: Apg,
    job_id: uuid.UUID,
    owner: str,
    *,
    match_rate: float | None,
    response: str,
    invalid: int,
    samples: str,
    failed: int,
    counts: str,
    notes: str | None,
) -> Any:
    """The job's final counters (``None`` when it is no longer ours). With no profile
    refused by the platform, the job's pending diff mark holds (:mod:`.marks`)."""
    await apg.execute("DELETE FROM sync_job_plan WHERE job_id = $1", job_id)
    refused = await apg.fetchval("SELECT profiles_failed FROM sync_job WHERE id = $1", job_id)
    if refused == 0:
        await marks.confirm(apg, job_id)
    return await apg.fetchrow(
        """
        UPDATE sync_job SET status = 'completed', completed_at = now(),
            duration_ms = (EXTRACT(EPOCH FROM now() - started_at) * 1000)::bigint,
            match_rate = $3, platform_response = $4::jsonb, profiles_invalid = $5,
            invalid_samples = $6::jsonb, profiles_failed = profiles_failed + $7,
            identifier_counts = $8::jsonb, error_message = $9, lease_owner = NULL,
            lease_expires_at = NULL, updated_at = now(),
            profiles_skipped_consent = (
                SELECT count(*) FROM profile p JOIN audience a ON a.segment_id = p.segment_id
                WHERE a.id = sync_job.audience_id AND (p.consent_ad_user_data = 'denied'
                      OR p.consent_ad_personalization = 'denied'))
        WHERE id = $1 AND lease_owner = $2 AND status = 'running'
        RETURNING profiles_sent, profiles_added, profiles_removed, profiles_failed,
                  duration_ms, operation
        """,
        job_id,
        owner,
        match_rate,
        response,
        invalid,
        samples,
        failed,
        counts,
        notes,
    )


async def audience_synced(
    apg: Apg, audience_id: uuid.UUID, status: str, size: int | None, match_rate: float | None
) -> None:
    """The audience after a finished job: last sync, sizes (when read), next sync."""
    await apg.execute(
        """
        UPDATE audience SET last_sync_at = now(), last_sync_status = $2,
            platform_size = COALESCE($3, platform_size),
            matched_size = COALESCE($3, matched_size),
            match_rate = COALESCE($4, match_rate),
            next_sync_at = CASE WHEN auto_sync AND is_active
                THEN now() + make_interval(hours => sync_interval_hours) END,
            updated_at = now()
        WHERE id = $1
        """,
        audience_id,
        status,
        size,
        match_rate,
    )


async def fail_job(
    apg: Apg, job_id: uuid.UUID, owner: str, code: str, message: str, response: str | None
) -> bool:
    ok = await apg.fetchval(
        """
        UPDATE sync_job SET status = 'failed', completed_at = now(),
            duration_ms = (EXTRACT(EPOCH FROM now() - started_at) * 1000)::bigint,
            error_code = $3, error_message = $4, platform_response = $5::jsonb,
            lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
        WHERE id = $1 AND lease_owner = $2 AND status = 'running'
        RETURNING 1
        """,
        job_id,
        owner,
        code,
        message,
        response,
    )
    if ok is None:
        return False
    await apg.execute("DELETE FROM sync_job_plan WHERE job_id = $1", job_id)
    return True


async def digest_counts(
    apg: Apg, segment_id: uuid.UUID, platform: str, conditions: list[str]
) -> list[int]:
    """How many of the segment's digests meet each condition (SQL built from constants, on
    alias ``d``), all counted in one scan."""
    counts = ", ".join(f"count(*) FILTER (WHERE {c})" for c in conditions)
    row = await apg.fetchrow(
        f"SELECT {counts} FROM profile_digest d "  # noqa: S608 - constant conditions
        "WHERE d.segment_id = $1 AND d.platform = $2",
        segment_id,
        platform,
    )
    assert row is not None
    return [int(value) for value in row]


async def digest_samples(
    apg: Apg, segment_id: uuid.UUID, platform: str, condition: str, limit: int
) -> list[Any]:
    """The first ``limit`` ``(external_id, invalid)`` of the segment's digests that meet
    ``condition`` (SQL built from constants, on alias ``d``)."""
    return list(
        await apg.fetch(
            "SELECT d.external_id, d.invalid FROM profile_digest d "  # noqa: S608
            f"WHERE d.segment_id = $1 AND d.platform = $2 AND {condition} "
            "ORDER BY d.external_id LIMIT $3",
            segment_id,
            platform,
            limit,
        )
    )
