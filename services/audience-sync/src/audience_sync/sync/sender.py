"""Sending profiles: rows read a request's worth at a time, handed to the platform client
(which batches them by the platform's limits), each accepted batch checkpointed.

A row is one profile with a value per identifier field of the audience (``""`` where it
has none); the client turns it into the platform's member (Meta multi-key row, Google
member, TikTok user, Snapchat lanes). After each accepted batch a checkpoint commits the
profiles into ``audience_member`` (or out of it) together with the job's counters, so a
worker killed mid-job resumes without resending an accepted batch; a cancellation lets the
batch in flight finish and checkpoint first.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import asyncpg
import orjson

from adscale_platforms.batching import limits_for
from adscale_platforms.models import BatchReport
from audience_sync.db import driver_of
from audience_sync.safeguards import consent, ldu
from audience_sync.safeguards.ldu import LDU_FIELDS
from audience_sync.sync import members, repository
from audience_sync.sync.context import JobLost, Run
from audience_sync.sync.fields import (
    DIGEST_FIELDS,
    EXTRA_KEYS,
    STRONG_FIELDS,
    Extras,
    dropped_extras,
    extra_fields,
    full_slots,
    used_slots,
    wire_rows,
)
from audience_sync.sync.planner import OP_ADD, OP_REMOVE

T = TypeVar("T")
_POSITION = {name: i for i, name in enumerate(DIGEST_FIELDS)}


@dataclass
class Rows:
    """Profiles read for one send: ids, plan ops, the keys to remember, wire rows and the
    fields they hold (the audience's, then as many extra email / phone slots as the batch
    needs)."""

    ids: list[str]
    ops: list[int]
    keys: members.KeyColumns
    wire: list[tuple[str, ...]]
    fields: list[str]

    def slice(self, start: int, end: int) -> Rows:
        return Rows(
            self.ids[start:end],
            self.ops[start:end],
            members.key_columns(column[start:end] for column in self.keys),
            self.wire[start:end],
            self.fields,
        )


def _slots(run: Run, extras: Extras, full: bool) -> dict[str, int]:
    """Extra slots of a batch: what it needs, or (``full``: one stream of many batches, a
    replace) every slot the platform takes."""
    platform, fields = run.target.platform, run.target.fields
    return full_slots(platform) if full else used_slots(platform, fields, extras)


def _extras(records: list[Any], first: int) -> dict[str, list[Any]]:
    """The extra email / phone keys of each record, from position ``first`` on."""
    return {f: [r[first + i] for r in records] for i, f in enumerate(EXTRA_KEYS)}


def addition_rows(run: Run, records: list[Any], *, full: bool = False) -> Rows:
    """``(external_id, op, *digest keys, extra, extra email keys, extra phone keys)``
    records as rows to add: a person's extra emails and phones travel in their row."""
    platform, fields = run.target.platform, run.target.fields
    width = len(DIGEST_FIELDS)
    # Records to columns in one C-level pass (not a comprehension per field).
    transposed = [list(c) for c in zip(*records, strict=True)] if records else [[]] * (5 + width)
    columns = {f: transposed[2 + _POSITION[f]] for f in DIGEST_FIELDS}
    extras = dict(zip(EXTRA_KEYS, transposed[3 + width : 5 + width], strict=True))
    run.counters.dropped += dropped_extras(platform, fields, extras)
    slots = _slots(run, extras, full)
    return Rows(
        ids=transposed[0],
        ops=transposed[1],
        keys=(
            columns["email"],
            columns["phone"],
            columns["madid"],
            transposed[2 + width],
            extras["email"],
            extras["phone"],
        ),
        wire=wire_rows(platform, fields, [columns[f] for f in fields], len(records), extras, slots),
        fields=[*fields, *extra_fields(platform, fields, slots)],
    )


def removal_rows(run: Run, records: list[Any]) -> Rows:
    """``(external_id, op, old_email, old_phone, old_madid, old extra email keys, old
    extra phone keys)`` records as rows to remove: only the strong keys travel (they are
    what the platforms key members by)."""
    platform, fields = run.target.platform, run.target.fields
    strong = {name: 2 + i for i, name in enumerate(STRONG_FIELDS)}
    columns = [[r[strong[f]] for r in records] if f in strong else None for f in fields]
    none: list[Any] = [None] * len(records)
    extras = _extras(records, 2 + len(STRONG_FIELDS))
    slots = _slots(run, extras, False)
    return Rows(
        ids=[r[0] for r in records],
        ops=[r[1] for r in records],
        keys=(none, none, none, [], [], []),
        wire=wire_rows(platform, fields, columns, len(records), extras, slots),
        fields=[*fields, *extra_fields(platform, fields, slots)],
    )


async def uninterrupted(future: asyncio.Future[T]) -> T:
    """Await a database operation without cutting it short: a cancellation waits for it to
    finish (a query interrupted mid-protocol can leave its pooled connection unusable)."""
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        with contextlib.suppress(BaseException):
            await future
        raise


async def all_or_nothing(coroutines: list[Coroutine[Any, Any, None]]) -> None:
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


def lane_count(run: Run, rows: int) -> int:
    """Lanes for ``rows`` profiles: up to ``send_concurrency``, one per request's worth."""
    per_request = limits_for(run.target.platform, run.services.registry.settings).max_rows
    return max(1, min(run.services.settings.send_concurrency, -(-rows // max(per_request, 1))))


def send_chunk(run: Run) -> int:
    """Rows a send reads at a time: a request's worth (what the client makes one batch of,
    unless the bytes cap cuts it)."""
    return max(limits_for(run.target.platform, run.services.registry.settings).max_rows, 1_000)


async def fetched(
    run: Run, conn: asyncpg.Connection[Any], sql: str, args: tuple[Any, ...], size: int
) -> AsyncGenerator[list[Any], None]:
    """The rows of ``sql`` ``size`` at a time, the next read overlapping the caller's work
    on the last (close it with :func:`contextlib.aclosing`)."""
    cursor = await uninterrupted(asyncio.ensure_future(conn.cursor(sql, *args)))
    fetch = asyncio.ensure_future(cursor.fetch(size))
    try:
        while True:
            run.check()
            records = await uninterrupted(fetch)
            if not records:
                return
            fetch = asyncio.ensure_future(cursor.fetch(size))
            yield records
    finally:
        if not fetch.done():
            with contextlib.suppress(BaseException):
                await fetch


async def send_query(
    run: Run, operation: str, conn: asyncpg.Connection[Any], sql: str, args: tuple[Any, ...]
) -> None:
    """Read the rows of ``sql`` a request's worth at a time (the next read overlapping the
    send) and add or remove them."""
    build = addition_rows if operation == "add" else removal_rows
    async with contextlib.aclosing(fetched(run, conn, sql, args, send_chunk(run))) as reads:
        async for records in reads:
            with run.timed("encode"):
                rows = build(run, records)
            await send_rows(run, operation, rows)


async def send_rows(run: Run, operation: str, rows: Rows) -> None:
    if operation == "remove":
        # A removed profile whose keys other profiles still use sends nothing: it only
        # leaves the members.
        silent = [i for i, w in enumerate(rows.wire) if not any(w)]
        if silent:
            await checkpoint(run, "remove", _pick(rows, silent), None)
            rows = _pick(rows, [i for i, w in enumerate(rows.wire) if any(w)])
            if not rows.ids:
                return
    target = run.target
    if operation == "add":
        async with run.services.engine.connect() as conn:
            apg = await driver_of(conn)
            rows.wire = await with_ldu(run, apg, rows.ids, rows.wire)
            rows.wire = await consent.attach(
                apg, target.platform, target.segment_id, rows.ids, rows.wire
            )
        ldu_fields = LDU_FIELDS if target.ldu_columns else ()
        stream = run.client.stream_members(
            "add", run.token, target.platform_audience_id, [*rows.fields, *ldu_fields], rows.wire
        )
    else:
        stream = run.client.stream_members(
            "remove", run.token, target.platform_audience_id, rows.fields, rows.wire
        )
    done = 0

    async def accepted(report: BatchReport) -> Rows:
        nonlocal done
        batch = rows.slice(done, done + report.rows)
        done += report.rows
        return batch

    await drive(run, operation, stream, accepted)


async def with_ldu(
    run: Run, apg: asyncpg.Connection[Any], ids: list[str], wire: list[tuple[str, ...]]
) -> list[tuple[str, ...]]:
    """Rows to add with their Meta Limited Data Use columns, when the run sends them."""
    target = run.target
    if not target.ldu_columns or not ids:
        return wire
    return await ldu.attach(apg, target.segment_id, ids, wire, audience_ldu=target.limited_data_use)


def _pick(rows: Rows, indexes: list[int]) -> Rows:
    return Rows(
        [rows.ids[i] for i in indexes],
        [rows.ops[i] for i in indexes],
        members.key_columns(column and [column[i] for i in indexes] for column in rows.keys),
        [rows.wire[i] for i in indexes],
        rows.fields,
    )


async def drive(
    run: Run,
    operation: str,
    stream: AsyncIterator[BatchReport],
    accepted: Callable[[BatchReport], Awaitable[Rows]],
) -> None:
    """Pull the client's batches one by one, checkpointing each accepted one. A
    cancellation lets the batch in flight finish and checkpoint before it stops."""
    iterator = stream.__aiter__()

    async def step() -> bool:
        try:
            with run.timed("platform"):
                report = await iterator.__anext__()
        except StopAsyncIteration:
            return True
        with run.timed("checkpoint"):
            await checkpoint(run, operation, await accepted(report), report)
        return False

    try:
        while True:
            run.check()
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


async def checkpoint(run: Run, operation: str, rows: Rows, report: BatchReport | None) -> None:
    """Commit an accepted batch: its profiles in (or out of) the members, or the replace's
    stage, with the job's counters, in one short transaction."""
    services, target = run.services, run.target
    sent = report.rows if report is not None else 0
    failed = report.invalid if report is not None and operation != "remove" else 0
    added = removed = 0
    counts = run.counters
    if report is not None and operation != "remove":
        counts.dropped += report.dropped
    if operation != "remove":
        for name, column in zip(target.fields, zip(*rows.wire, strict=False), strict=False):
            counts.fields[name] = counts.fields.get(name, 0) + len(column) - column.count("")
    async with services.engine.begin() as conn:
        apg = await driver_of(conn)
        # Durable enough for a checkpoint: a database crash loses at most the last moment
        # of checkpoints (their batches are resent), a worker crash loses none.
        await apg.execute("SET LOCAL synchronous_commit = off")
        if operation == "add" and rows.ids:
            resent = any(op != OP_ADD for op in rows.ops)
            fresh = await members.upsert_members(apg, target.id, rows.ids, rows.keys, resent=resent)
            added = max(0, fresh - failed)
        elif operation == "remove":
            leaving = [i for i, op in zip(rows.ids, rows.ops, strict=True) if op == OP_REMOVE]
            if leaving:
                removed = await members.delete_members(apg, target.id, leaving)
            sent = len(leaving) if report is not None else 0
        elif rows.ids:
            await members.stage(apg, run.job.id, rows.ids, rows.keys)
        batches = await repository.record_batch(
            apg,
            run.job.id,
            services.owner,
            services.lease,
            sent=sent,
            added=added,
            removed=removed,
            failed=failed,
            counts=_json({"sent": run.field_counts()}),
        )
        if batches is None:
            raise JobLost()
    counts.sent += sent
    counts.added += added
    counts.removed += removed
    counts.failed += failed
    if services.after_checkpoint is not None:
        await services.after_checkpoint(run.job.id, batches)


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


__all__ = [
    "OP_ADD",
    "Rows",
    "all_or_nothing",
    "checkpoint",
    "fetched",
    "lane_count",
    "send_chunk",
    "send_query",
    "uninterrupted",
]
