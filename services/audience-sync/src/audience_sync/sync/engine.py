"""The sync engine: one job, from the segment's profiles to the platform's audience.

A job runs in these steps, each one restartable:

1. **claim**: the job row gets a lease (``lease_owner``, ``lease_expires_at``) renewed by a
   heartbeat and by every checkpoint; a second worker given the same job waits for the
   lease to lapse (its holder died) or for the job to finish.
2. **hash**: profiles new or changed since they were last hashed for this platform are
   normalized and hashed (``profile_digest``, see :mod:`audience_sync.sync.digest`).
3. **replace** (``replace`` jobs only): the platform's own replace primitive gets the
   desired keys of the first identifier field; the keys it accepted are staged per batch and
   become the audience's members in one transaction when the platform has swapped.
4. **delta**: in one snapshot, removals (keys accepted earlier that the segment no longer
   holds; skipped for additive-only audiences) then additions (keys the platform does not
   hold yet), per identifier field, in the platform's batches. After each accepted batch a
   checkpoint commits the keys into ``audience_member`` together with the job counters, so a
   worker killed mid-job resumes with a fresh diff and never resends an accepted batch. A
   stopping worker (SIGTERM, task cancellation) lets the batch in flight finish and
   checkpoint first; only a hard kill between the platform's answer and the checkpoint
   commit can resend that one batch.
5. **read back** size and match rate, update the audience, and emit
   ``audience_sync.completed`` (or ``audience_sync.failed``) through the outbox in the same
   transaction as the job's final state.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

import asyncpg
import orjson
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from adscale_common.crypto import TokenCipher
from adscale_common.errors import AppError
from adscale_common.outbox import emit
from adscale_contracts.events import SyncCompleted, SyncFailed, build
from adscale_platforms.base import AdPlatformClient
from adscale_platforms.batching import limits_for
from adscale_platforms.errors import AudienceTooSmall, PlatformError, TokenExpired
from adscale_platforms.identifiers import is_hashed_field
from adscale_platforms.models import AudienceInfo, BatchReport
from audience_sync.db import driver, driver_of, unit_of_work
from audience_sync.metrics import record_sync
from audience_sync.models import Audience
from audience_sync.platform.errors import CredentialsExpired, PlatformNotConnected
from audience_sync.platform.service import load_token
from audience_sync.platform.tokens import ConnectionToken
from audience_sync.platforms import PlatformRegistry, describe
from audience_sync.settings import Settings
from audience_sync.sync import digest
from audience_sync.sync.fields import FIELD_CODES, INVALID_BITS, invalid_mask, wire_value
from audience_sync.sync.hashing import Hasher

logger = logging.getLogger(__name__)
T = TypeVar("T")

SOURCE = "audience-sync"
MAX_INVALID_SAMPLES = 10
# Platforms whose replace primitive takes every identifier field in one go (Meta multi-key
# rows, Google members with one identifier each). TikTok's customer files and Snapchat's
# segments take one identifier type: their replace covers the first field, and the delta
# that follows re-adds the others.
MULTI_FIELD_REPLACE = frozenset({"meta", "google"})
FETCH_ROWS = 10_000
# Keys a platform accepted in one batch, with their field code (one for all, or each).
Accepted = tuple[list[bytes], int | list[int]]


class JobLost(Exception):
    """The job is no longer this worker's (cancelled, deleted, or its lease was taken)."""


@dataclass
class Counters:
    sent: int = 0
    added: int = 0
    removed: int = 0
    failed: int = 0


@dataclass
class Readback:
    size: int | None = None
    match_rate: float | None = None
    status: str | None = None
    processing: bool = False
    raw_status: str | None = None
    error: str | None = None


@dataclass
class _Job:
    id: uuid.UUID
    audience_id: uuid.UUID
    user_id: uuid.UUID
    platform: str
    operation: str
    phase: str | None
    started_at: datetime
    plan_version: datetime | None = None


@dataclass
class _Audience:
    id: uuid.UUID
    segment_id: uuid.UUID
    platform: str
    platform_audience_id: str
    fields: list[str]
    additive_only: bool
    notes: list[str] = field(default_factory=list)


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
        self.engine = engine
        self.sessionmaker = sessionmaker
        self.registry = registry
        self.cipher = cipher
        self.settings = settings
        self.hasher = hasher
        self.owner = owner
        self.lease = timedelta(seconds=settings.job_lease_seconds)
        # Test hook: awaited after every checkpoint with (job_id, batches_done).
        self.after_checkpoint: Callable[[uuid.UUID, int], Awaitable[None]] | None = None

    # ------------------------------------------------------------------ claiming

    async def _try_claim(self, job_id: uuid.UUID) -> tuple[_Job | None, str | None, float]:
        """``(job, None, 0)`` when claimed, else ``(None, status, seconds the lease has left)``."""
        async with self.engine.begin() as conn:
            apg = await driver_of(conn)
            row = await apg.fetchrow(
                """
                UPDATE sync_job SET status = 'running', lease_owner = $2,
                    lease_expires_at = now() + $3::interval,
                    started_at = COALESCE(started_at, now()), updated_at = now(),
                    phase = COALESCE(phase, CASE WHEN operation = 'replace'
                                                 THEN 'replace' ELSE 'delta' END)
                WHERE id = $1 AND status IN ('pending', 'running')
                  AND (lease_owner IS NULL OR lease_owner = $2 OR lease_expires_at < now())
                RETURNING id, audience_id, user_id, platform, operation, phase, started_at,
                          plan_version
                """,
                job_id,
                self.owner,
                self.lease,
            )
            if row is not None:
                return _Job(**dict(row)), None, 0.0
            current = await apg.fetchrow(
                "SELECT status, GREATEST(0, EXTRACT(EPOCH FROM lease_expires_at - now())) AS left "
                "FROM sync_job WHERE id = $1",
                job_id,
            )
        if current is None:
            return None, None, 0.0
        return None, str(current["status"]), float(current["left"] or 0.0)

    async def claim(self, job_id: uuid.UUID, *, wait: bool = True) -> _Job | None:
        """Claim the job; with ``wait``, wait while another live worker holds its lease."""
        while True:
            job, status, left = await self._try_claim(job_id)
            if job is not None:
                return job
            if status not in ("pending", "running") or not wait:
                return None
            await asyncio.sleep(min(max(left, 0.2), 2.0))

    async def run(self, job_id: uuid.UUID, *, wait: bool = True) -> str | None:
        """Run (or resume) the job; returns its final status, ``None`` when it was not ours."""
        job = await self.claim(job_id, wait=wait)
        if job is None:
            return None
        started, run = time.monotonic(), _Run(self, job)
        status = await run.execute()
        record_sync(
            job.platform, job.operation, status, time.monotonic() - started, run.counters.sent
        )
        return status


class _Run:
    """One execution of one job (a resumed job is a new run)."""

    def __init__(self, engine: SyncEngine, job: _Job) -> None:
        self.e = engine
        self.job = job
        self.counters = Counters()
        # Seconds spent per kind of work (they overlap across lanes), for the logs.
        self.timings: dict[str, float] = {}
        self.audience: _Audience | None = None
        self.client: AdPlatformClient | None = None
        self.token: ConnectionToken | None = None
        self.lost = False

    # ------------------------------------------------------------------ driver

    async def execute(self) -> str | None:
        started = time.monotonic()
        try:
            async with self._heartbeat():
                await self._prepare()
                if self.job.phase == "replace":
                    await self._hash()
                    await self._replace()
                await self._delta()
                readback = await self._readback()
            status = await self._complete(readback)
            logger.info(
                "sync job completed",
                extra={
                    "job_id": str(self.job.id),
                    "platform": self.job.platform,
                    "sent": self.counters.sent,
                    "seconds": round(time.monotonic() - started, 3),
                    "timings": {k: round(v, 3) for k, v in self.timings.items()},
                },
            )
            return status
        except JobLost:
            logger.warning(
                "sync job lost (cancelled, deleted or taken over)",
                extra={"job_id": str(self.job.id)},
            )
            return None
        except asyncio.CancelledError:
            await asyncio.shield(self._release())
            raise
        except (TokenExpired, CredentialsExpired) as exc:
            return await self._fail("CREDENTIALS_EXPIRED", _message(exc), exc)
        except PlatformNotConnected as exc:
            return await self._fail("PLATFORM_NOT_CONNECTED", exc.message, None)
        except PlatformError as exc:
            return await self._fail("PLATFORM_ERROR", describe(exc), exc)
        except Exception as exc:
            logger.exception("sync job crashed", extra={"job_id": str(self.job.id)})
            return await self._fail("INTERNAL_ERROR", f"{type(exc).__name__}", None)

    @contextlib.asynccontextmanager
    async def _heartbeat(self) -> AsyncIterator[None]:
        interval = max(self.e.lease.total_seconds() / 3, 0.5)
        stop = asyncio.Event()

        async def beat() -> None:
            while not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), interval)
                    return
                async with self.e.engine.begin() as conn:
                    apg = await driver_of(conn)
                    ok = await apg.fetchval(
                        "UPDATE sync_job SET lease_expires_at = now() + $3::interval "
                        "WHERE id = $1 AND lease_owner = $2 AND status = 'running' RETURNING 1",
                        self.job.id,
                        self.e.owner,
                        self.e.lease,
                    )
                if ok is None:
                    self.lost = True
                    return

        task = asyncio.create_task(beat())
        try:
            yield
        finally:
            # Stop between beats: a renewal is never cut off in the middle of its query.
            stop.set()
            with contextlib.suppress(BaseException):
                await asyncio.shield(task)

    @contextlib.contextmanager
    def _timed(self, name: str) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.monotonic() - started

    def _check(self) -> None:
        if self.lost:
            raise JobLost()

    async def _release(self) -> None:
        with contextlib.suppress(Exception):
            async with self.e.engine.begin() as conn:
                apg = await driver_of(conn)
                await apg.execute(
                    "UPDATE sync_job SET lease_owner = NULL, lease_expires_at = NULL, "
                    "updated_at = now() WHERE id = $1 AND lease_owner = $2 AND status = 'running'",
                    self.job.id,
                    self.e.owner,
                )

    # ------------------------------------------------------------------ steps

    async def _prepare(self) -> None:
        async with unit_of_work(self.e.sessionmaker) as session:
            audience = await session.get(Audience, self.job.audience_id)
            if audience is None:
                raise JobLost()
            if not audience.platform_audience_id:
                raise PlatformNotConnected("The audience has no platform audience")
            self.audience = _Audience(
                id=audience.id,
                segment_id=audience.segment_id,
                platform=audience.platform,
                platform_audience_id=audience.platform_audience_id,
                fields=list(audience.identifier_fields or []),
                additive_only=audience.additive_only,
            )
        if self.e.cipher is None:
            raise PlatformNotConnected("Token encryption is not configured")
        self.token = await load_token(
            self.e.sessionmaker,
            cipher=self.e.cipher,
            registry=self.e.registry,
            user_id=self.job.user_id,
            platform=self.job.platform,
        )
        await self.token.ensure_fresh()
        self.client = self.e.registry.client(self.job.platform)

    async def _hash(self) -> None:
        """Hash what is stale, before any diff. (Sending each freshly hashed chunk at once
        would overlap hashing with sending, but its members would land all over the
        ``audience_member`` index; the delta's key-ordered inserts are several times cheaper
        on a million-member audience.)"""
        audience = self.audience
        assert audience is not None
        started = time.monotonic()
        async with self.e.engine.begin() as conn:
            apg = await driver_of(conn)
            stats = await digest.refresh_digests(
                apg,
                self.e.hasher,
                audience.segment_id,
                self.job.platform,
                chunk_rows=self.e.settings.hash_chunk_rows,
                work_mem=self.e.settings.diff_work_mem,
            )
        self._check()
        self.timings["hash"] = time.monotonic() - started
        logger.info(
            "profiles hashed",
            extra={
                "job_id": str(self.job.id),
                "hashed": stats.hashed,
                "seconds": round(time.monotonic() - started, 3),
            },
        )

    @contextlib.asynccontextmanager
    async def _snapshot(self) -> AsyncIterator[asyncpg.Connection[Any]]:
        """A read-only repeatable-read transaction planned for whole-set operations."""
        async with self.e.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="REPEATABLE READ")
            apg = await driver_of(conn)
            await digest.bulk_plans(apg, self.e.settings.diff_work_mem)
            try:
                yield apg
            finally:
                await _uninterrupted(asyncio.ensure_future(conn.rollback()))

    @contextlib.asynccontextmanager
    async def _reader(self) -> AsyncIterator[asyncpg.Connection[Any]]:
        """A read transaction for a lane (its cursor reads what was committed when opened)."""
        async with self.e.engine.connect() as conn:
            apg = await driver_of(conn)
            try:
                yield apg
            finally:
                await _uninterrupted(asyncio.ensure_future(conn.rollback()))

    async def _replace(self) -> None:
        audience = self.audience
        assert audience is not None and self.client is not None and self.token is not None
        args = (audience.segment_id, self.job.platform)
        async with self._snapshot() as snap:
            present = [n for n in audience.fields if await digest.has_desired(snap, *args, n)]
            if not present:
                # Nothing to replace with: the delta removes every member.
                await self._set_phase("delta")
                return
            await self._clear_stage()
            names = tuple(present) if self.job.platform in MULTI_FIELD_REPLACE else (present[0],)

            async def keys() -> AsyncIterator[tuple[bytes, str]]:
                for name in names:
                    cursor = await snap.cursor(digest.desired_sql(name), *args)
                    while rows := await cursor.fetch(FETCH_ROWS):
                        for row in rows:
                            yield row[0], name

            await self._stream("replace", names, keys())
        await self._finish_replace()

    async def _delta(self) -> None:
        """Removals then additions, one lane per identifier field, lanes side by side (up to
        ``send_concurrency``): while one lane waits for the platform, another reads, encodes
        and checkpoints.

        The diff comes from the job's plan (``sync_job_plan``): the one the request that
        queued the job computed, when the segment has not changed since, else one computed
        here after hashing what is stale. An audience with no members yet needs no diff:
        its additions are the segment's keys, read straight from the digests.
        """
        audience = self.audience
        assert audience is not None
        version = await self._segment_version()
        planned = self.job.plan_version is not None and self.job.plan_version == version
        if planned and self.job.phase != "replace":
            self.timings["plan"] = 0.0  # the request's plan is current: nothing to hash
        else:
            if self.job.phase != "replace":
                await self._hash()
            if await self._no_members():
                await self._lanes(plan=False)
                return
            await self._plan(version)
        await self._lanes(plan=True)

    async def _segment_version(self) -> datetime | None:
        assert self.audience is not None
        async with self.e.engine.connect() as conn:
            apg = await driver_of(conn)
            value: datetime | None = await apg.fetchval(
                "SELECT updated_at FROM segment WHERE id = $1", self.audience.segment_id
            )
            await conn.rollback()
        return value

    async def _no_members(self) -> bool:
        assert self.audience is not None
        async with self.e.engine.connect() as conn:
            apg = await driver_of(conn)
            found = await apg.fetchval(
                "SELECT 1 FROM audience_member WHERE audience_id = $1 LIMIT 1", self.audience.id
            )
            await conn.rollback()
        return found is None

    async def _plan(self, version: datetime | None) -> None:
        audience = self.audience
        assert audience is not None
        started = time.monotonic()
        async with self.e.engine.begin() as conn:
            apg = await driver_of(conn)
            await digest.bulk_plans(apg, self.e.settings.diff_work_mem)
            await digest.make_plan(
                apg,
                self.job.id,
                audience.segment_id,
                self.job.platform,
                audience.id,
                audience.fields,
                removals=not audience.additive_only,
            )
            ok = await apg.fetchval(
                "UPDATE sync_job SET plan_version = $3, phase = 'delta', updated_at = now() "
                "WHERE id = $1 AND lease_owner = $2 AND status = 'running' RETURNING 1",
                self.job.id,
                self.e.owner,
                version,
            )
            if ok is None:
                raise JobLost()
        self.job.plan_version = version
        self.job.phase = "delta"
        self.timings["plan"] = time.monotonic() - started

    async def _lanes(self, *, plan: bool) -> None:
        audience = self.audience
        assert audience is not None
        gate = asyncio.Semaphore(self.e.settings.send_concurrency)

        async def lane(name: str) -> None:
            async with gate:
                if plan:
                    async with self._reader() as conn:
                        await self._plan_lane(name, conn)
                else:
                    async with self._snapshot() as conn:
                        args = (audience.segment_id, self.job.platform)
                        await self._send_chunks("add", name, conn, digest.desired_sql(name), args)

        await _all_or_nothing([lane(name) for name in audience.fields])

    async def _plan_lane(self, name: str, conn: asyncpg.Connection[Any]) -> None:
        audience = self.audience
        assert audience is not None
        args = (self.job.id, FIELD_CODES[name], audience.id)
        if not audience.additive_only:
            try:
                await self._send_chunks("remove", name, conn, digest.plan_sql("remove"), args)
            except AudienceTooSmall as exc:
                refused = int(
                    await conn.fetchval(digest.plan_sql("remove", count=True), *args) or 0
                )
                self.counters.failed += refused
                await self._count_failed(refused)
                audience.notes.append(
                    f"{describe(exc)}; {refused} removals were refused "
                    "(enable additive_only for this audience)"
                )
        await self._send_chunks("add", name, conn, digest.plan_sql("add"), args)

    # ------------------------------------------------------------------ streaming

    async def _send_chunks(
        self,
        operation: str,
        name: str,
        conn: asyncpg.Connection[Any],
        sql: str,
        args: tuple[Any, ...],
    ) -> None:
        """Read the diff a request's worth at a time (the next read overlapping the send),
        and send each chunk as a plain list."""
        chunk = max(limits_for(self.job.platform, self.e.registry.settings).max_rows, 1_000)
        hashed = is_hashed_field(self.job.platform, name)
        cursor = await _uninterrupted(asyncio.ensure_future(conn.cursor(sql, *args)))
        fetch = asyncio.ensure_future(cursor.fetch(chunk))
        try:
            while True:
                self._check()
                rows = await _uninterrupted(fetch)
                if not rows:
                    return
                fetch = asyncio.ensure_future(cursor.fetch(chunk))
                keys: list[bytes] = [r[0] for r in rows]
                wire = [k.hex() for k in keys] if hashed else [k.decode() for k in keys]
                await self._send_list(operation, name, keys, wire)
        finally:
            if not fetch.done():
                with contextlib.suppress(BaseException):
                    await fetch

    async def _send_list(
        self, operation: str, name: str, keys: list[bytes], wire: list[str]
    ) -> None:
        audience = self.audience
        assert audience is not None and self.client is not None and self.token is not None
        pid = audience.platform_audience_id
        if operation == "add":
            stream = self.client.stream_add_members(self.token, pid, name, wire)
        else:
            stream = self.client.stream_remove_members(self.token, pid, name, wire)
        code = FIELD_CODES[name]
        done = 0

        async def accepted(report: BatchReport) -> Accepted:
            nonlocal done
            batch = keys[done : done + report.rows]
            done += report.rows
            return batch, code

        await self._drive(operation, stream, accepted)

    async def _stream(
        self, operation: str, names: tuple[str, ...], keys: AsyncIterator[tuple[bytes, str]]
    ) -> None:
        """One member operation over a lazily read key stream (the replace: one platform
        session from its first batch to its last). With several ``names`` each row carries
        its one identifier in that field's column."""
        audience = self.audience
        assert audience is not None and self.client is not None and self.token is not None
        platform = self.job.platform
        width = len(names)
        column = {name: i for i, name in enumerate(names)}
        fed: deque[tuple[bytes, int]] = deque()

        async def rows() -> AsyncIterator[str | tuple[str, ...]]:
            async for key, name in keys:
                fed.append((key, FIELD_CODES[name]))
                value = wire_value(platform, name, key)
                if width == 1:
                    yield value
                else:
                    row = [""] * width
                    row[column[name]] = value
                    yield tuple(row)

        fields: str | tuple[str, ...] = names[0] if width == 1 else names
        stream = self.client.stream_replace_members(
            self.token, audience.platform_audience_id, fields, rows()
        )

        async def accepted(report: BatchReport) -> Accepted:
            items = [fed.popleft() for _ in range(report.rows)]
            return [k for k, _ in items], [c for _, c in items]

        await self._drive(operation, stream, accepted)

    async def _drive(
        self,
        operation: str,
        stream: AsyncIterator[BatchReport],
        accepted: Callable[[BatchReport], Awaitable[Accepted]],
    ) -> None:
        """Pull the client's batches one by one, checkpointing each accepted one. A
        cancellation lets the batch in flight finish and checkpoint before it stops."""
        iterator = stream.__aiter__()

        async def step() -> bool:
            try:
                with self._timed("platform"):
                    report = await iterator.__anext__()
            except StopAsyncIteration:
                return True
            with self._timed("checkpoint"):
                await self._checkpoint(operation, await accepted(report), report)
            return False

        try:
            while True:
                self._check()
                task = asyncio.ensure_future(step())
                try:
                    finished = await asyncio.shield(task)
                except asyncio.CancelledError:
                    with contextlib.suppress(Exception):
                        await task
                    raise
                if finished:
                    return
        finally:
            with contextlib.suppress(Exception):
                await iterator.aclose()  # type: ignore[attr-defined]

    async def _checkpoint(self, operation: str, items: Accepted, report: BatchReport) -> None:
        audience = self.audience
        assert audience is not None
        keys, codes = items
        sent = report.rows
        failed = report.invalid if operation != "remove" else 0
        added = len(keys) - failed if operation == "add" else 0
        removed = len(keys) if operation == "remove" else 0
        async with self.e.engine.begin() as conn:
            apg = await driver_of(conn)
            # Durable enough for a checkpoint: a database crash loses at most the last
            # moment of checkpoints (their batches are resent), a worker crash loses none.
            await apg.execute("SET LOCAL synchronous_commit = off")
            batches = await apg.fetchval(
                """
                UPDATE sync_job SET profiles_sent = profiles_sent + $3,
                    profiles_added = profiles_added + $4, profiles_removed = profiles_removed + $5,
                    profiles_failed = profiles_failed + $6, batches_done = batches_done + 1,
                    lease_expires_at = now() + $7::interval, updated_at = now()
                WHERE id = $1 AND lease_owner = $2 AND status = 'running'
                RETURNING batches_done
                """,
                self.job.id,
                self.e.owner,
                sent,
                added,
                removed,
                failed,
                self.e.lease,
            )
            if batches is None:
                raise JobLost()
            if keys and operation == "add":
                await _insert_members(apg, "audience_member", audience.id, keys, codes)
                await apg.execute(
                    "UPDATE audience SET member_count = member_count + $2 WHERE id = $1",
                    audience.id,
                    len(keys),
                )
            elif keys and operation == "remove":
                gone = await apg.fetchval(
                    "WITH d AS (DELETE FROM audience_member WHERE audience_id = $1 "
                    "AND hash = ANY($2::bytea[]) RETURNING 1) SELECT count(*) FROM d",
                    audience.id,
                    keys,
                )
                await apg.execute(
                    "UPDATE audience SET member_count = member_count - $2 WHERE id = $1",
                    audience.id,
                    int(gone or 0),
                )
            elif keys:
                await _insert_members(apg, "sync_job_stage", self.job.id, keys, codes)
        self.counters.sent += sent
        self.counters.added += added
        self.counters.removed += removed
        self.counters.failed += failed
        if self.e.after_checkpoint is not None:
            await self.e.after_checkpoint(self.job.id, int(batches))

    async def _count_failed(self, failed: int) -> None:
        async with self.e.engine.begin() as conn:
            apg = await driver_of(conn)
            await apg.execute(
                "UPDATE sync_job SET profiles_failed = profiles_failed + $2 WHERE id = $1",
                self.job.id,
                failed,
            )

    async def _clear_stage(self) -> None:
        async with self.e.engine.begin() as conn:
            apg = await driver_of(conn)
            await apg.execute("DELETE FROM sync_job_stage WHERE job_id = $1", self.job.id)

    async def _set_phase(self, phase: str) -> None:
        async with self.e.engine.begin() as conn:
            apg = await driver_of(conn)
            ok = await apg.fetchval(
                "UPDATE sync_job SET phase = $3, updated_at = now() "
                "WHERE id = $1 AND lease_owner = $2 AND status = 'running' RETURNING 1",
                self.job.id,
                self.e.owner,
                phase,
            )
        if ok is None:
            raise JobLost()
        self.job.phase = phase

    async def _finish_replace(self) -> None:
        """The platform swapped its members for the staged ones: so does ``audience_member``."""
        audience = self.audience
        assert audience is not None
        async with self.e.engine.begin() as conn:
            apg = await driver_of(conn)
            counts = await apg.fetchrow(
                """
                SELECT
                  (SELECT count(*) FROM sync_job_stage s WHERE s.job_id = $2 AND NOT EXISTS
                     (SELECT 1 FROM audience_member m
                      WHERE m.audience_id = $1 AND m.hash = s.hash)) AS added,
                  (SELECT count(*) FROM audience_member m WHERE m.audience_id = $1 AND NOT EXISTS
                     (SELECT 1 FROM sync_job_stage s
                      WHERE s.job_id = $2 AND s.hash = m.hash)) AS removed,
                  (SELECT count(*) FROM sync_job_stage s WHERE s.job_id = $2) AS total
                """,
                audience.id,
                self.job.id,
            )
            assert counts is not None
            ok = await apg.fetchval(
                "UPDATE sync_job SET phase = 'delta', profiles_added = profiles_added + $3, "
                "profiles_removed = profiles_removed + $4, updated_at = now() "
                "WHERE id = $1 AND lease_owner = $2 AND status = 'running' RETURNING 1",
                self.job.id,
                self.e.owner,
                int(counts["added"]),
                int(counts["removed"]),
            )
            if ok is None:
                raise JobLost()
            await apg.execute("DELETE FROM audience_member WHERE audience_id = $1", audience.id)
            await apg.execute(
                "INSERT INTO audience_member (audience_id, hash, field) "
                "SELECT $1, hash, field FROM sync_job_stage WHERE job_id = $2 ORDER BY hash",
                audience.id,
                self.job.id,
            )
            await apg.execute("DELETE FROM sync_job_stage WHERE job_id = $1", self.job.id)
            await apg.execute(
                "UPDATE audience SET member_count = $2 WHERE id = $1",
                audience.id,
                int(counts["total"]),
            )
        self.counters.added += int(counts["added"])
        self.counters.removed += int(counts["removed"])
        self.job.phase = "delta"

    # ------------------------------------------------------------------ read back

    async def _readback(self) -> Readback:
        audience = self.audience
        assert audience is not None and self.client is not None and self.token is not None
        deadline = time.monotonic() + self.e.settings.readback_timeout_seconds
        while True:
            try:
                info = await self.client.get_audience(self.token, audience.platform_audience_id)
            except PlatformError as exc:
                if isinstance(exc, TokenExpired):
                    raise
                return Readback(error=describe(exc))
            result = _readback_of(self.job.platform, info)
            if not result.processing or time.monotonic() >= deadline:
                return result
            await asyncio.sleep(self.e.settings.readback_poll_seconds)

    # ------------------------------------------------------------------ final states

    async def _complete(self, readback: Readback) -> str:
        audience = self.audience
        assert audience is not None
        async with unit_of_work(self.e.sessionmaker) as session:
            apg = await driver(session)
            members = int(
                await apg.fetchval("SELECT member_count FROM audience WHERE id = $1", audience.id)
                or 0
            )
            match_rate = readback.match_rate
            if match_rate is None and readback.size is not None and members:
                match_rate = min(100.0, readback.size * 100.0 / members)
            match_rate = round(match_rate, 1) if match_rate is not None else None
            invalid, samples = await _invalid(apg, audience, self.job.platform)
            response: dict[str, Any] = {
                "audience_id": audience.platform_audience_id,
                "audience_size": readback.size,
                "status": "processing" if readback.processing else "ready",
                "platform_status": readback.raw_status,
                "members_uploaded": members,
            }
            if readback.error:
                response["status"] = "unknown"
                response["read_error"] = readback.error
            notes = "; ".join(audience.notes) or None
            await apg.execute("DELETE FROM sync_job_plan WHERE job_id = $1", self.job.id)
            row = await apg.fetchrow(
                """
                UPDATE sync_job SET status = 'completed', completed_at = now(),
                    duration_ms = (EXTRACT(EPOCH FROM now() - started_at) * 1000)::bigint,
                    match_rate = $3, platform_response = $4::jsonb, profiles_invalid = $5,
                    invalid_samples = $6::jsonb, error_message = $7, lease_owner = NULL,
                    lease_expires_at = NULL, updated_at = now()
                WHERE id = $1 AND lease_owner = $2 AND status = 'running'
                RETURNING profiles_sent, profiles_added, profiles_removed, profiles_failed,
                          duration_ms, operation
                """,
                self.job.id,
                self.e.owner,
                match_rate,
                _json(response),
                invalid,
                _json(samples),
                notes,
            )
            if row is None:
                raise JobLost()
            size = readback.size
            await apg.execute(
                """
                UPDATE audience SET last_sync_at = now(), last_sync_status = 'completed',
                    platform_size = COALESCE($2, platform_size),
                    matched_size = COALESCE($2, matched_size),
                    match_rate = COALESCE($3, match_rate),
                    next_sync_at = CASE WHEN auto_sync AND is_active
                        THEN now() + make_interval(hours => sync_interval_hours) END,
                    updated_at = now()
                WHERE id = $1
                """,
                audience.id,
                size,
                match_rate,
            )
            await emit(
                session,
                build(
                    SyncCompleted(
                        job_id=self.job.id,
                        audience_id=audience.id,
                        user_id=self.job.user_id,
                        platform=self.job.platform,  # type: ignore[arg-type]
                        operation=row["operation"],
                        profiles_sent=int(row["profiles_sent"]),
                        profiles_added=int(row["profiles_added"]),
                        profiles_removed=int(row["profiles_removed"]),
                        profiles_failed=int(row["profiles_failed"]),
                        match_rate=match_rate,
                        duration_ms=int(row["duration_ms"] or 0),
                    ),
                    source=SOURCE,
                ),
            )
        return "completed"

    async def _fail(self, code: str, message: str, error: BaseException | None) -> str | None:
        response: dict[str, Any] | None = None
        if isinstance(error, PlatformError):
            response = {
                "error": {
                    "platform": error.platform,
                    "platform_error_code": error.code,
                    "platform_error_subcode": error.subcode,
                    "platform_error_message": error.message,
                }
            }
        try:
            async with unit_of_work(self.e.sessionmaker) as session:
                apg = await driver(session)
                ok = await apg.fetchval(
                    """
                    UPDATE sync_job SET status = 'failed', completed_at = now(),
                        duration_ms = (EXTRACT(EPOCH FROM now() - started_at) * 1000)::bigint,
                        error_code = $3, error_message = $4, platform_response = $5::jsonb,
                        lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
                    WHERE id = $1 AND lease_owner = $2 AND status = 'running'
                    RETURNING 1
                    """,
                    self.job.id,
                    self.e.owner,
                    code,
                    message[:2000],
                    _json(response) if response is not None else None,
                )
                if ok is None:
                    return None
                await apg.execute("DELETE FROM sync_job_plan WHERE job_id = $1", self.job.id)
                await apg.execute(
                    """
                    UPDATE audience SET last_sync_at = now(), last_sync_status = 'failed',
                        next_sync_at = CASE WHEN auto_sync AND is_active
                            THEN now() + make_interval(hours => sync_interval_hours) END,
                        updated_at = now()
                    WHERE id = $1
                    """,
                    self.job.audience_id,
                )
                await emit(
                    session,
                    build(
                        SyncFailed(
                            job_id=self.job.id,
                            audience_id=self.job.audience_id,
                            user_id=self.job.user_id,
                            platform=self.job.platform,  # type: ignore[arg-type]
                            error_code=code,
                            error_message=message[:2000],
                        ),
                        source=SOURCE,
                    ),
                )
        except Exception:
            logger.exception("could not record the job failure", extra={"job_id": str(self.job.id)})
            return None
        logger.warning(
            "sync job failed",
            extra={"job_id": str(self.job.id), "error_code": code, "error": message[:300]},
        )
        return "failed"


# --------------------------------------------------------------------------- helpers


async def _uninterrupted(future: asyncio.Future[T]) -> T:
    """Await a database operation without cutting it short: a cancellation waits for it to
    finish (a query interrupted mid-protocol can leave its pooled connection unusable)."""
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        with contextlib.suppress(BaseException):
            await future
        raise


async def _all_or_nothing(coroutines: list[Coroutine[Any, Any, None]]) -> None:
    """Run side by side; the first failure (or a cancellation) stops the others, each after
    its batch in flight, and is raised."""
    tasks = [asyncio.ensure_future(c) for c in coroutines]
    try:
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    except asyncio.CancelledError:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    for task in done:
        error = task.exception()
        if error is not None:
            raise error


def _message(error: BaseException) -> str:
    if isinstance(error, AppError):
        return error.message
    if isinstance(error, PlatformError):
        return describe(error)
    return str(error)


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


async def _insert_members(
    apg: asyncpg.Connection[Any],
    table: str,
    owner: uuid.UUID,
    keys: list[bytes],
    codes: int | list[int],
) -> None:
    """Insert accepted keys (in key order: they append to the index) from array parameters,
    so the rows are built by the database, not tuple by tuple here; a key already there
    (only after a resend) is skipped."""
    column = "audience_id" if table == "audience_member" else "job_id"
    if isinstance(codes, int):
        await apg.execute(
            f"INSERT INTO {table} ({column}, hash, field) "  # noqa: S608 - fixed table names
            "SELECT $1, k, $3 FROM unnest($2::bytea[]) AS u(k) ON CONFLICT DO NOTHING",
            owner,
            keys,
            codes,
        )
    else:
        await apg.execute(
            f"INSERT INTO {table} ({column}, hash, field) "  # noqa: S608 - fixed table names
            "SELECT $1, k, f FROM unnest($2::bytea[], $3::int2[]) AS u(k, f) "
            "ON CONFLICT DO NOTHING",
            owner,
            keys,
            codes,
        )


def _readback_of(platform: str, info: AudienceInfo) -> Readback:
    raw = info.raw or {}
    size = info.size
    processing = False
    raw_status = info.status
    if platform == "meta":
        lower = raw.get("approximate_count_lower_bound")
        upper = raw.get("approximate_count_upper_bound")
        if isinstance(lower, int | float) and isinstance(upper, int | float) and upper >= 0:
            size = round((lower + upper) / 2)
        operation = raw.get("operation_status")
        if isinstance(operation, dict):
            processing = operation.get("code") == 300
            raw_status = str(operation.get("description") or operation.get("code"))
    elif platform == "snapchat":
        processing = str(raw.get("upload_status", "")).upper() == "PROCESSING"
    elif platform == "tiktok":
        processing = raw.get("is_valid") is False
    rate = info.match_rate * 100 if info.match_rate is not None else None
    return Readback(
        size=size,
        match_rate=rate,
        status=info.status,
        processing=processing,
        raw_status=raw_status,
    )


async def _invalid(
    apg: asyncpg.Connection[Any], audience: _Audience, platform: str
) -> tuple[int, list[dict[str, Any]]]:
    """Profiles with an identifier the platform's normalizer refused, with a few samples
    (external id and the refused fields, never the values)."""
    mask = invalid_mask(audience.fields)
    count = int(
        await apg.fetchval(
            "SELECT count(*) FROM profile_digest WHERE segment_id = $1 AND platform = $2 "
            "AND invalid & $3 <> 0",
            audience.segment_id,
            platform,
            mask,
        )
    )
    samples: list[dict[str, Any]] = []
    if count:
        rows = await apg.fetch(
            "SELECT external_id, invalid FROM profile_digest WHERE segment_id = $1 "
            "AND platform = $2 AND invalid & $3 <> 0 ORDER BY external_id LIMIT $4",
            audience.segment_id,
            platform,
            mask,
            MAX_INVALID_SAMPLES,
        )
        for row in rows:
            bad = [n for n in audience.fields if row["invalid"] & INVALID_BITS[n]]
            samples.append(
                {
                    "external_id": row["external_id"],
                    "reason": ", ".join(f"{n} cannot be normalized" for n in bad),
                }
            )
    return count, samples


__all__ = ["JobLost", "SyncEngine"]
