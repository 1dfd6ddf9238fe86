"""The sync engine: one job, from the segment's profiles to the platform's audience.

The unit is the profile (a person). A job runs these steps, each restartable:

1. **claim** (:mod:`.lease`): the job row gets a lease renewed by a heartbeat and by every
   checkpoint; a second worker given the same job waits for the lease to lapse or for the
   job to finish.
2. **hash** (:mod:`.digest`): profiles new or changed since they were last hashed for this
   platform are normalized and hashed, every identifier field.
3. **replace** (``replace`` jobs only, :mod:`.replace`): the platform's replace primitive
   gets every desired profile; the accepted ones become the members when it has swapped.
4. **delta** (:mod:`.planner`, :mod:`.sender`): the diff on profiles (new, gone, changed)
   as the job's plan, then removals (a gone profile's keys, a changed one's old keys, never
   a key another profile still uses; none for additive-only audiences) and additions, one
   row per profile, in the platform's batches, checkpointed after each accepted batch.
5. **outcome** (:mod:`.outcome`): size and match rate read back, the job completed (or
   failed) and its event emitted in the same transaction.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from datetime import datetime
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from adscale_common.crypto import TokenCipher
from adscale_common.errors import AppError
from adscale_platforms.errors import AudienceTooSmall, PlatformError, TokenExpired
from adscale_platforms.idempotency import batch_key
from audience_sync.db import driver_of, unit_of_work
from audience_sync.metrics import record_sync
from audience_sync.models import Audience
from audience_sync.platform.errors import CredentialsExpired, PlatformNotConnected
from audience_sync.platform.service import load_token
from audience_sync.platforms import PlatformRegistry, describe
from audience_sync.safeguards import ldu
from audience_sync.settings import Settings
from audience_sync.sync import digest, lease, outcome, overlap, plan_reads, planner, repository
from audience_sync.sync.context import Job, JobLost, Run, Services, Target
from audience_sync.sync.hash_step import hash_profiles, mark_initial
from audience_sync.sync.hashing import Hasher
from audience_sync.sync.replace import replace, snapshot
from audience_sync.sync.sender import all_or_nothing, lane_count, send_query

logger = logging.getLogger(__name__)


class SyncEngine:
    def __init__(
        self,
        *,
        engine: AsyncEngine,
        sessionmaker: async_sessionmaker[AsyncSession],
        registry: PlatformRegistry,
        cipher: TokenCipher | None,
        settings: Settings,
        hasher: Hasher,
        owner: str,
    ) -> None:
        self.services = Services(
            engine=engine,
            sessionmaker=sessionmaker,
            registry=registry,
            cipher=cipher,
            settings=settings,
            hasher=hasher,
            owner=owner,
        )

    @property
    def hasher(self) -> Hasher:
        return self.services.hasher

    @property
    def after_checkpoint(self) -> object:
        return self.services.after_checkpoint

    @after_checkpoint.setter
    def after_checkpoint(self, hook: object) -> None:
        self.services.after_checkpoint = hook  # type: ignore[assignment]

    async def claim(self, job_id: uuid.UUID, *, wait: bool = True) -> Job | None:
        return await lease.claim(self.services, job_id, wait=wait)

    async def run(self, job_id: uuid.UUID, *, wait: bool = True) -> str | None:
        """Run (or resume) the job; returns its final status, ``None`` when it was not ours."""
        job = await self.claim(job_id, wait=wait)
        if job is None:
            return None
        # A resumed job names its batches as the first run did: a batch the platform
        # accepted before a kill, sent again, is recognised rather than applied twice.
        with batch_key(f"sync-job:{job.id}"):
            return await execute(self.services, job)


async def execute(services: Services, job: Job) -> str | None:
    started = time.monotonic()
    run: Run | None = None
    status: str | None = None
    try:
        run = await prepare(services, job)
        run.timings["prepare"] = time.monotonic() - started
        async with lease.heartbeat(run):
            if job.phase == "replace":
                await hash_profiles(run)
                await replace(run)
            await delta(run)
            with run.timed("readback"):
                back, refused = await outcome.gather(run)
        with run.timed("complete"):
            status = await outcome.complete(run, back, refused)
        logger.info(
            "sync job completed",
            extra={
                "job_id": str(job.id),
                "platform": job.platform,
                "sent": run.counters.sent,
                "seconds": round(time.monotonic() - started, 3),
                "timings": {k: round(v, 3) for k, v in run.timings.items()},
            },
        )
    except JobLost:
        logger.warning(
            "sync job lost (cancelled, deleted or taken over)", extra={"job_id": str(job.id)}
        )
    except asyncio.CancelledError:
        await asyncio.shield(lease.release(services, job.id))
        raise
    except (TokenExpired, CredentialsExpired) as exc:
        status = await outcome.fail(services, job, "CREDENTIALS_EXPIRED", _message(exc), exc)
    except PlatformNotConnected as exc:
        status = await outcome.fail(services, job, "PLATFORM_NOT_CONNECTED", exc.message, None)
    except PlatformError as exc:
        status = await outcome.fail(services, job, "PLATFORM_ERROR", describe(exc), exc)
    except Exception as exc:
        logger.exception("sync job crashed", extra={"job_id": str(job.id)})
        status = await outcome.fail(services, job, "INTERNAL_ERROR", type(exc).__name__, None)
    sent = run.counters.sent if run is not None else 0
    record_sync(job.platform, job.operation, status, time.monotonic() - started, sent)
    return status


async def prepare(services: Services, job: Job) -> Run:
    """The run's audience, platform client and fresh token."""
    async with unit_of_work(services.sessionmaker) as session:
        audience = await session.get(Audience, job.audience_id)
        if audience is None:
            raise JobLost()
        if not audience.platform_audience_id:
            raise PlatformNotConnected("The audience has no platform audience")
        target = Target(
            id=audience.id,
            segment_id=audience.segment_id,
            platform=audience.platform,
            platform_audience_id=audience.platform_audience_id,
            fields=list(audience.identifier_fields or []),
            additive_only=audience.additive_only,
            limited_data_use=audience.limited_data_use,
            ldu_columns=await ldu.needs_columns(
                session, audience.platform, audience.limited_data_use, audience.segment_id
            ),
        )
    if services.cipher is None:
        raise PlatformNotConnected("Token encryption is not configured")
    token = await load_token(
        services.sessionmaker,
        cipher=services.cipher,
        registry=services.registry,
        user_id=job.user_id,
        platform=job.platform,
    )
    await token.ensure_fresh()
    client = services.registry.client(job.platform)
    return Run(services=services, job=job, target=target, client=client, token=token)


async def delta(run: Run) -> None:
    """The diff as the job's plan (the one the request that queued the job computed, when
    the segment has not changed since), then the sends. An audience with no members needs no
    diff: its additions are the segment's profiles, read straight from the digests."""
    services, target, job = run.services, run.target, run.job
    async with services.engine.connect() as conn:
        apg = await driver_of(conn)
        version = await repository.segment_version(apg, target.segment_id)
        empty = not await repository.has_members(apg, target.id)
        await conn.rollback()
    if job.plan_version is None or job.plan_version != version or job.phase == "replace":
        if empty and job.phase != "replace" and services.settings.overlap_hashing:
            # Hashing and sending overlapped: chunk by chunk, in external_id order.
            run.bulk_rows = await _rows(run, "profile_count")
            await overlap.initial(run, run.bulk_rows)
            return
        if job.phase != "replace":
            await hash_profiles(run)
        if empty:
            await mark_initial(run)
            run.bulk_rows = await _rows(run, "profile_count")
            await lanes(run, plan=False, rows=run.bulk_rows)
            return
        with run.timed("plan"):
            await make_plan(run, version)
    with run.timed("send"):
        await lanes(run, plan=True, rows=await _rows(run, "plan"))


async def _rows(run: Run, source: str) -> int:
    """How many rows the sends will read (to decide how many lanes are worth it)."""
    async with run.services.engine.connect() as conn:
        apg = await driver_of(conn)
        if source == "plan":
            value = await repository.plan_size(apg, run.job.id)
        else:
            value = await repository.segment_size(apg, run.target.segment_id)
        await conn.rollback()
    return value


async def make_plan(run: Run, version: datetime | None) -> None:
    services, target, job = run.services, run.target, run.job
    async with services.engine.begin() as conn:
        apg = await driver_of(conn)
        await digest.bulk_plans(apg, services.settings.diff_work_mem)
        await planner.make_plan(
            apg,
            job.id,
            target.segment_id,
            target.platform,
            target.id,
            target.fields,
            removals=not target.additive_only,
        )
        if not await repository.set_phase(apg, job.id, services.owner, "delta", version):
            raise JobLost()
    job.plan_version = version
    job.phase = "delta"


async def lanes(run: Run, *, plan: bool, rows: int) -> None:
    """Profiles split into up to ``send_concurrency`` lanes by id, side by side (one per
    request's worth of rows at most): while one lane waits for the platform, another reads,
    encodes and checkpoints. In a lane, removals come before additions (a changed profile's
    old keys leave before its new row)."""
    services, target = run.services, run.target
    count = lane_count(run, rows)

    async def lane(index: int) -> None:
        if plan:
            async with services.engine.connect() as conn:
                apg = await driver_of(conn)
                try:
                    await plan_lane(run, apg, count, index)
                finally:
                    await conn.rollback()
        else:
            async with snapshot(run) as snap:
                sql = plan_reads.initial_additions_sql(target.platform, target.fields, count, index)
                await send_query(run, "add", snap, sql, (target.segment_id, target.platform))

    await all_or_nothing([lane(i) for i in range(count)])


async def plan_lane(run: Run, conn: asyncpg.Connection[Any], count: int, index: int) -> None:
    target = run.target
    args = (run.job.id, target.id)
    if not target.additive_only:
        try:
            await send_query(run, "remove", conn, plan_reads.plan_removals_sql(count, index), args)
        except AudienceTooSmall as exc:
            refused = int(
                await conn.fetchval(plan_reads.count_removals_sql(count, index), *args) or 0
            )
            run.counters.failed += refused
            async with run.services.engine.begin() as write:
                await repository.count_failed(await driver_of(write), run.job.id, refused)
            run.notes.append(
                f"{describe(exc)}; {refused} removals were refused "
                "(enable additive_only for this audience)"
            )
    await send_query(run, "add", conn, plan_reads.plan_additions_sql(count, index), args)


def _message(error: BaseException) -> str:
    if isinstance(error, AppError):
        return error.message
    if isinstance(error, PlatformError):
        return describe(error)
    return str(error)


__all__ = ["JobLost", "SyncEngine"]
