"""Turn a segment's profiles into an export file, chunk by chunk, never holding it whole.

The calling process streams rows from PostgreSQL with a server-side cursor
(``export_chunk_rows`` per fetch) and hands each chunk, as columns, to a pool of worker
processes. A worker hashes whole columns with
:func:`adscale_platforms.identifiers.hash_many` (the same answer as ``hash_identifier``) and
formats the chunk as CSV or JSON Lines bytes; the caller writes the chunks in order to a
temporary file while the next ones are fetched and rendered, then renames it into place.
"""

from __future__ import annotations

import asyncio
import csv
import io
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal, cast

import asyncpg
import orjson

from adscale_platforms.identifiers import hash_many
from audience_sync.pool_guard import end_with_owner

TraitsMode = Literal["none", "columns", "json"]
TRAIT_COLUMN_PREFIX = "trait_"
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}


@dataclass(frozen=True, slots=True)
class RenderSpec:
    """What one export writes: format, identifier columns, hashing rules, traits."""

    format: Literal["csv", "jsonl"]
    fields: tuple[str, ...]
    hash_platform: str | None
    traits: TraitsMode = "none"
    trait_keys: tuple[str, ...] = ()

    def header(self) -> bytes:
        if self.format != "csv":
            return b""
        names = list(self.fields)
        if self.traits == "columns":
            names += [TRAIT_COLUMN_PREFIX + key for key in self.trait_keys]
        elif self.traits == "json":
            names.append("traits")
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(names)
        return buffer.getvalue().encode()


def render_chunk(
    spec: RenderSpec,
    columns: Sequence[Sequence[str | None]],
    extras: Sequence[Sequence[str | None]],
) -> bytes:
    """One chunk of the file. ``columns`` follow ``spec.fields``; ``extras`` are the trait
    columns as PostgreSQL extracted them (one per trait key, or the traits JSON text).
    Runs in a worker process."""
    if spec.hash_platform is not None:
        platform = spec.hash_platform
        values: list[Sequence[str | None]] = [
            hash_column(platform, name, column)
            for name, column in zip(spec.fields, columns, strict=True)
        ]
    else:
        values = list(columns)
    if spec.format == "csv":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(zip(*values, *extras, strict=True))
        return buffer.getvalue().encode()
    return _render_jsonl(spec, values, extras[0] if extras else None)


def hash_column(platform: str, field: str, column: Sequence[str | None]) -> list[str | None]:
    """``hash_many`` over a column; columns with many repeats (countries, states, cities,
    names) hash each distinct value once."""
    distinct = list(dict.fromkeys(column))
    if len(distinct) * 2 > len(column):
        return hash_many(platform, field, cast("Sequence[str]", column))
    digests = hash_many(platform, field, cast("Sequence[str]", distinct))
    lookup = dict(zip(distinct, digests, strict=True))
    return [lookup[value] for value in column]


def _render_jsonl(
    spec: RenderSpec, values: list[Sequence[str | None]], traits: Sequence[str | None] | None
) -> bytes:
    names = spec.fields
    dumps = orjson.dumps
    parts: list[bytes] = []
    append = parts.append
    if traits is None:
        for row in zip(*values, strict=True):
            append(dumps(dict(zip(names, row, strict=True))))
            append(b"\n")
    else:
        # PostgreSQL's jsonb text is valid JSON: spliced in as is, not parsed and re-encoded.
        for row, raw in zip(zip(*values, strict=True), traits, strict=True):
            head = dumps(dict(zip(names, row, strict=True)))
            append(head[:-1])
            append(b',"traits":')
            append(raw.encode() if raw else b"null")
            append(b"}\n")
    return b"".join(parts)


# --------------------------------------------------------------------------- executors

_POOLS: dict[int, ProcessPoolExecutor] = {}


def render_executor(processes: int) -> Executor | None:
    """A process pool shared by the exports of this process (``None``: the default thread
    pool, for tests and tiny deployments)."""
    if processes <= 0:
        return None
    pool = _POOLS.get(processes)
    if pool is not None and getattr(pool, "_broken", False):
        # A worker process died (killed, out of memory): replace the pool.
        pool.shutdown(wait=False, cancel_futures=True)
        pool = None
    if pool is None:
        pool = ProcessPoolExecutor(
            max_workers=processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=end_with_owner,
            initargs=(os.getpid(),),
        )
        _POOLS[processes] = pool
    return pool


def _ready(pause: float) -> bool:
    hash_many("meta", "phone", ["+1 415 555 0100"])  # loads the phone metadata
    time.sleep(pause)
    return True


async def warm_executor(processes: int) -> None:
    """Start the pool's processes now (spawning and importing takes seconds), so the first
    export does not pay for it."""
    pool = render_executor(processes)
    if pool is None:
        return
    loop = asyncio.get_running_loop()
    await asyncio.gather(*(loop.run_in_executor(pool, _ready, 0.2) for _ in range(processes)))


def shutdown_executors() -> None:
    for pool in _POOLS.values():
        pool.shutdown(wait=False, cancel_futures=True)
    _POOLS.clear()


# --------------------------------------------------------------------------- streaming


@dataclass
class WriteResult:
    rows: int
    size_bytes: int


def profile_query(spec: RenderSpec) -> str:
    """Rows of one segment (``$1``): the chosen identifier columns, then the traits: one
    text column per trait key (``$2``, ``$3`` ...: ``->>`` gives strings bare and numbers,
    booleans, arrays and objects as JSON text) or the whole traits JSON. Identifier column
    names come from the fixed list of fields, never from the caller verbatim."""
    columns = [f'"{name}"' for name in spec.fields]
    if spec.traits == "columns":
        columns += [f"traits ->> ${n}" for n in range(2, len(spec.trait_keys) + 2)]
    elif spec.traits == "json":
        columns.append("traits::text")
    return (
        f"SELECT {', '.join(columns)} FROM profile "  # noqa: S608 - fixed names, bound values
        "WHERE segment_id = $1 ORDER BY external_id"
    )


async def trait_keys(conn: asyncpg.Connection[Any], segment_id: Any, limit: int) -> list[str]:
    """Distinct trait keys of the segment, sorted; at most ``limit + 1`` (to detect more)."""
    rows = await conn.fetch(
        "SELECT DISTINCT k FROM profile p, jsonb_object_keys(p.traits) AS k "
        "WHERE p.segment_id = $1 AND jsonb_typeof(p.traits) = 'object' ORDER BY k LIMIT $2",
        segment_id,
        limit + 1,
    )
    return [str(r[0]) for r in rows]


async def write_segment(
    conn: asyncpg.Connection[Any],
    *,
    spec: RenderSpec,
    segment_id: Any,
    path: Path,
    chunk_rows: int,
    executor: Executor | None,
    parallelism: int,
    progress: Callable[[int], Awaitable[None]] | None = None,
) -> WriteResult:
    """Stream the segment into ``path`` (created or truncated). ``conn`` must be inside a
    transaction (the cursor lives there)."""
    loop = asyncio.get_running_loop()
    cursor = await conn.cursor(profile_query(spec), segment_id, *spec.trait_keys)
    width = len(spec.fields)
    inflight: deque[asyncio.Future[bytes]] = deque()
    max_inflight = max(2, parallelism * 2)
    rows = 0
    size = 0
    handle: IO[bytes] = await asyncio.to_thread(path.open, "wb")
    try:

        async def flush_one() -> None:
            nonlocal size
            data = await inflight.popleft()
            size += len(data)
            await asyncio.to_thread(handle.write, data)

        header = spec.header()
        size += len(header)
        await asyncio.to_thread(handle.write, header)
        while True:
            records = await cursor.fetch(chunk_rows)
            if not records:
                break
            rows += len(records)
            columns = list(zip(*records, strict=True))
            inflight.append(
                loop.run_in_executor(executor, render_chunk, spec, columns[:width], columns[width:])
            )
            while len(inflight) >= max_inflight:
                await flush_one()
            if progress is not None:
                await progress(rows)
        while inflight:
            await flush_one()
        await asyncio.to_thread(handle.flush)
        await asyncio.to_thread(os.fsync, handle.fileno())
    except BaseException:
        for future in inflight:
            future.cancel()
        raise
    finally:
        await asyncio.to_thread(handle.close)
    return WriteResult(rows=rows, size_bytes=size)
