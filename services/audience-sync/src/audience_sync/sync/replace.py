"""The replace step (``replace`` jobs): the platform's own replace primitive gets every
desired profile with all the audience's fields (Meta ``usersreplace``, Google ingest +
``removeAll(removeAsOfTime)``, TikTok customer files + mapping, Snapchat remove-all +
lanes). The profiles it accepted are staged per batch and become the audience's members in
one transaction when the platform has swapped; an interrupted replace restarts from the
beginning."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import asyncpg

from adscale_platforms.models import BatchReport
from audience_sync.db import driver_of
from audience_sync.sync import members, repository
from audience_sync.sync.context import JobLost, Run
from audience_sync.sync.digest import bulk_plans
from audience_sync.sync.plan_reads import initial_additions_sql
from audience_sync.sync.sender import Rows, addition_rows, drive, uninterrupted, with_ldu

FETCH_ROWS = 10_000


@contextlib.asynccontextmanager
async def snapshot(run: Run) -> AsyncIterator[asyncpg.Connection[Any]]:
    """A read-only repeatable-read transaction planned for whole-set operations."""
    async with run.services.engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="REPEATABLE READ")
        apg = await driver_of(conn)
        await bulk_plans(apg, run.services.settings.diff_work_mem)
        try:
            yield apg
        finally:
            await uninterrupted(asyncio.ensure_future(conn.rollback()))


async def replace(run: Run) -> None:
    target = run.target
    sql = initial_additions_sql(target.platform, target.fields)
    args = (target.segment_id, target.platform)
    async with snapshot(run) as snap:
        if await snap.fetchval(f"SELECT 1 FROM ({sql}) s LIMIT 1", *args) is None:  # noqa: S608
            # Nothing to replace with: the delta removes every member.
            await _set_phase(run, "delta")
            return
        async with run.services.engine.begin() as conn:
            await members.clear_stage(await driver_of(conn), run.job.id)
        fed: list[Rows] = []

        async def rows() -> AsyncIterator[tuple[str, ...]]:
            cursor = await snap.cursor(sql, *args)
            while records := await cursor.fetch(FETCH_ROWS):
                batch = addition_rows(run, records, full=True)
                batch.wire = await with_ldu(run, snap, batch.ids, batch.wire)
                fed.append(batch)
                for row in batch.wire:
                    yield row

        stream = run.client.stream_members(
            "replace", run.token, target.platform_audience_id, target.wire_fields, rows()
        )
        taken = 0  # rows of fed[0] already checkpointed

        async def accepted(report: BatchReport) -> Rows:
            nonlocal taken
            parts: list[Rows] = []
            need = report.rows
            while need:
                head = fed[0]
                end = min(len(head.ids), taken + need)
                parts.append(head.slice(taken, end))
                need -= end - taken
                taken = end
                if taken == len(head.ids):
                    fed.pop(0)
                    taken = 0
            return _concat(parts)

        await drive(run, "replace", stream, accepted)
    await _swap(run)


def _concat(parts: list[Rows]) -> Rows:
    if len(parts) == 1:
        return parts[0]
    ids: list[str] = []
    ops: list[int] = []
    keys: list[list[Any]] = [[] for _ in range(6)]
    wire: list[tuple[str, ...]] = []
    for part in parts:
        ids += part.ids
        ops += part.ops
        columns: tuple[list[Any], ...] = part.keys
        for i, more in enumerate(columns):
            keys[i].extend(more)
        wire += part.wire
    return Rows(ids, ops, members.key_columns(keys), wire, parts[0].fields if parts else [])


async def _swap(run: Run) -> None:
    """The platform swapped its members for the staged ones: so does ``audience_member``."""
    services = run.services
    async with services.engine.begin() as conn:
        apg = await driver_of(conn)
        added, removed = await members.swap_stage(apg, run.target.id, run.job.id)
        if not await repository.add_replace_counts(apg, run.job.id, services.owner, added, removed):
            raise JobLost()
    run.counters.added += added
    run.counters.removed += removed
    run.job.phase = "delta"


async def _set_phase(run: Run, phase: str) -> None:
    async with run.services.engine.begin() as conn:
        ok = await repository.set_phase(
            await driver_of(conn), run.job.id, run.services.owner, phase
        )
    if not ok:
        raise JobLost()
    run.job.phase = phase
