"""The per-platform hash cache (``profile_digest``) and the diffs computed from it.

Hashing is the expensive part of a sync (phone numbers go through libphonenumber), so a
profile is hashed once per platform and content version: :func:`refresh_digests` hashes
only the profiles whose ``version`` differs from their digest's (new or changed since the
last sync), under an advisory lock so two syncs of one segment never hash it twice.

The desired set of an audience is the distinct keys of its segment's digests; the diff with
``audience_member`` (what the platform accepted) is two anti-joins per identifier field,
ordered by key so checkpoints append to the member index in order.
"""

from __future__ import annotations

import asyncio
import uuid
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg

from audience_sync.sync.fields import FIELD_CODES
from audience_sync.sync.hashing import Hasher

COLUMNS = {"email", "phone", "madid"}


def _column(field: str) -> str:
    if field not in COLUMNS:
        raise ValueError(f"unknown identifier field {field!r}")
    return field


async def bulk_plans(conn: asyncpg.Connection[Any], work_mem: str) -> None:
    """Plan the set operations of this transaction as hash joins with room in memory.

    The diffs compare whole sets (a segment against an audience). Right after a large
    import the statistics still describe small tables, and the planner would pick nested
    loops whose cost grows with the product of both sides; hash joins are right at every
    size here.
    """
    await conn.execute("SET LOCAL enable_nestloop = off")
    await conn.execute(f"SET LOCAL work_mem = '{_work_mem(work_mem)}'")


def _work_mem(value: str) -> str:
    text = value.strip()
    if not text[:-2].isdigit() or text[-2:] not in ("kB", "MB", "GB"):
        raise ValueError(f"work_mem must look like '128MB', not {value!r}")
    return text


def lock_key(segment_id: uuid.UUID, scope: str) -> int:
    """A signed 64-bit advisory-lock key for (segment, scope)."""
    value = (zlib.crc32(segment_id.bytes) << 32) | zlib.crc32(scope.encode())
    return value - (1 << 64) if value >= (1 << 63) else value


SEGMENT_SCOPE = "*segment"


async def lock_segment_profiles(conn: asyncpg.Connection[Any], segment_id: uuid.UUID) -> None:
    """Taken (exclusive, until commit) by whatever deletes profiles of the segment: hashing
    holds it shared, so a profile is never deleted while its digest is being written."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key(segment_id, SEGMENT_SCOPE))


async def delete_digests(
    conn: asyncpg.Connection[Any], segment_id: uuid.UUID, external_ids: list[str] | None = None
) -> None:
    """Digests of deleted profiles (``None``: of the whole segment)."""
    if external_ids is None:
        await conn.execute("DELETE FROM profile_digest WHERE segment_id = $1", segment_id)
    elif external_ids:
        await conn.execute(
            "DELETE FROM profile_digest WHERE segment_id = $1 AND external_id = ANY($2::text[])",
            segment_id,
            external_ids,
        )


@dataclass
class RefreshStats:
    stale: int = 0
    hashed: int = 0
    skipped: int = 0  # stale profiles left unhashed because of ``limit``


STALE_SQL = """
    SELECT p.external_id, p.version, p.email, p.phone, p.madid, d.version AS cached
    FROM profile p
    LEFT JOIN profile_digest d
      ON d.segment_id = p.segment_id AND d.external_id = p.external_id AND d.platform = $2
    WHERE p.segment_id = $1 AND (d.version IS NULL OR d.version <> p.version)
"""

STALE_COUNT_SQL = f"SELECT count(*) FROM ({STALE_SQL}) s"  # noqa: S608 - constant

DIGEST_COLUMNS = [
    "segment_id",
    "external_id",
    "platform",
    "version",
    "email",
    "phone",
    "madid",
    "invalid",
]


async def stale_count(conn: asyncpg.Connection[Any], segment_id: uuid.UUID, platform: str) -> int:
    return int(await conn.fetchval(STALE_COUNT_SQL, segment_id, platform))


async def lock_for_hashing(
    conn: asyncpg.Connection[Any], segment_id: uuid.UUID, platform: str
) -> None:
    """(segment, platform) exclusive: one segment is hashed once for a platform at a time;
    the segment's profile lock shared: no profile is deleted meanwhile. Both held until the
    transaction ends; take them before reading profiles."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key(segment_id, platform))
    await conn.execute(
        "SELECT pg_advisory_xact_lock_shared($1)", lock_key(segment_id, SEGMENT_SCOPE)
    )


Chunk = tuple[list[str], list[tuple[Any, ...]]]


async def stale_chunks(
    conn: asyncpg.Connection[Any],
    hasher: Hasher,
    segment_id: uuid.UUID,
    platform: str,
    *,
    chunk_rows: int,
) -> AsyncIterator[Chunk]:
    """``(outdated external ids, digest records)`` for every chunk of stale profiles, read
    with one cursor on ``conn`` (inside a transaction, after :func:`lock_for_hashing`);
    the next chunks hash while the caller writes one."""
    pending: list[tuple[list[str], asyncio.Future[list[tuple[Any, ...]]]]] = []
    depth = hasher.parallelism + 1
    try:
        cursor = await conn.cursor(STALE_SQL, segment_id, platform)
        while True:
            rows = await cursor.fetch(chunk_rows)
            if rows:
                outdated = [r[0] for r in rows if r[5] is not None]
                batch = [(r[0], r[1], r[2], r[3], r[4]) for r in rows]
                task = asyncio.ensure_future(hasher.records(segment_id, platform, batch))
                pending.append((outdated, task))
            while pending and (len(pending) >= depth or not rows):
                ready, first = pending.pop(0)
                yield ready, await first
            if not rows:
                return
    finally:
        for _, waiting in pending:
            waiting.cancel()


async def write_chunk(conn: asyncpg.Connection[Any], segment_id: uuid.UUID, chunk: Chunk) -> None:
    """Replace the chunk's outdated digests and COPY the fresh ones in."""
    outdated, records = chunk
    await delete_digests(conn, segment_id, outdated)
    await conn.copy_records_to_table("profile_digest", records=records, columns=DIGEST_COLUMNS)


async def refresh_digests(
    conn: asyncpg.Connection[Any],
    hasher: Hasher,
    segment_id: uuid.UUID,
    platform: str,
    *,
    chunk_rows: int,
    limit: int | None = None,
    work_mem: str = "128MB",
) -> RefreshStats:
    """Hash every stale profile of the segment for ``platform``, in the transaction open on
    ``conn`` (the digests commit with it). With ``limit``, hashes nothing when more than
    ``limit`` profiles are stale (``skipped`` tells how many)."""
    stats = RefreshStats()
    await bulk_plans(conn, work_mem)
    await lock_for_hashing(conn, segment_id, platform)
    if limit is not None:
        stats.stale = await stale_count(conn, segment_id, platform)
        if stats.stale > limit:
            stats.skipped = stats.stale
            return stats
    async for chunk in stale_chunks(conn, hasher, segment_id, platform, chunk_rows=chunk_rows):
        await write_chunk(conn, segment_id, chunk)
        stats.hashed += len(chunk[1])
    if limit is None:
        stats.stale = stats.hashed
    return stats


# --------------------------------------------------------------------------- diffs


def desired_sql(field: str) -> str:
    column = _column(field)
    return (
        f"SELECT DISTINCT d.{column} FROM profile_digest d "  # noqa: S608 - whitelisted
        f"WHERE d.segment_id = $1 AND d.platform = $2 AND d.{column} IS NOT NULL ORDER BY 1"
    )


async def has_desired(
    conn: asyncpg.Connection[Any], segment_id: uuid.UUID, platform: str, field: str
) -> bool:
    column = _column(field)
    found = await conn.fetchval(
        f"SELECT 1 FROM profile_digest WHERE segment_id = $1 AND platform = $2 "  # noqa: S608
        f"AND {column} IS NOT NULL LIMIT 1",
        segment_id,
        platform,
    )
    return found is not None


@dataclass
class Estimate:
    to_add: int
    to_remove: int


def _diff_from() -> str:
    """Desired keys (every identifier of the segment's digests, of the audience's fields)
    against accepted ones, both ways at once (one hash full join). Parameters: $1 segment,
    $2 platform, $3 audience, $4 field codes, $5 whether removals count."""
    return """
        FROM (
            SELECT v.hash, v.field FROM profile_digest p
            CROSS JOIN LATERAL (VALUES (p.email, 1::int2), (p.phone, 2::int2),
                                       (p.madid, 3::int2)) AS v(hash, field)
            WHERE p.segment_id = $1 AND p.platform = $2 AND v.hash IS NOT NULL
              AND v.field = ANY($4::int2[])
        ) d
        FULL JOIN (SELECT hash, field FROM audience_member WHERE audience_id = $3) m
          ON m.hash = d.hash
        WHERE m.hash IS NULL OR (d.hash IS NULL AND $5::boolean)
    """


ESTIMATE_SQL = (
    "SELECT count(DISTINCT d.hash) FILTER (WHERE m.hash IS NULL) AS to_add, "
    "count(*) FILTER (WHERE d.hash IS NULL) AS to_remove " + _diff_from()
)

PLAN_SQL = (
    "WITH ins AS (INSERT INTO sync_job_plan (job_id, op, field, hash) "  # noqa: S608
    "SELECT $6, CASE WHEN m.hash IS NULL THEN 1 ELSE 0 END, COALESCE(d.field, m.field), "
    "COALESCE(d.hash, m.hash) " + _diff_from() + " LIMIT $7 "
    "ON CONFLICT DO NOTHING RETURNING op) "
    "SELECT count(*) FILTER (WHERE op = 1) AS to_add, count(*) FILTER (WHERE op = 0) "
    "AS to_remove, count(*) AS total FROM ins"
)


def _codes(fields: list[str]) -> list[int]:
    return [FIELD_CODES[f] for f in fields]


async def estimate(
    conn: asyncpg.Connection[Any],
    segment_id: uuid.UUID,
    platform: str,
    audience_id: uuid.UUID,
    fields: list[str],
    *,
    removals: bool,
) -> Estimate:
    """The real diff, counted: keys to add, and to remove (when ``removals``)."""
    row = await conn.fetchrow(
        ESTIMATE_SQL, segment_id, platform, audience_id, _codes(fields), removals
    )
    assert row is not None
    return Estimate(to_add=int(row["to_add"]), to_remove=int(row["to_remove"]))


async def make_plan(
    conn: asyncpg.Connection[Any],
    job_id: uuid.UUID,
    segment_id: uuid.UUID,
    platform: str,
    audience_id: uuid.UUID,
    fields: list[str],
    *,
    removals: bool,
    max_rows: int | None = None,
) -> Estimate | None:
    """Store the job's diff in ``sync_job_plan`` (replacing any older plan) and count it;
    ``None`` (and no plan) when it has more than ``max_rows`` rows."""
    await conn.execute("DELETE FROM sync_job_plan WHERE job_id = $1", job_id)
    limit = (max_rows + 1) if max_rows is not None else None
    row = await conn.fetchrow(
        PLAN_SQL, segment_id, platform, audience_id, _codes(fields), removals, job_id, limit
    )
    assert row is not None
    if max_rows is not None and int(row["total"]) > max_rows:
        await conn.execute("DELETE FROM sync_job_plan WHERE job_id = $1", job_id)
        return None
    if int(row["total"]) >= ANALYZE_AFTER_ROWS:
        # Fresh statistics before the lanes' anti-joins are planned: planned against
        # stale ones (a new database, a first big sync) PostgreSQL picks a nested loop
        # that rescans the audience's members for every plan row, O(n^2) (seen: minutes
        # for 200,000 members on a freshly created database).
        await conn.execute("ANALYZE sync_job_plan")
        await conn.execute("ANALYZE audience_member")
    return Estimate(to_add=int(row["to_add"]), to_remove=int(row["to_remove"]))


ANALYZE_AFTER_ROWS = 10_000


def plan_sql(operation: str, *, count: bool = False) -> str:
    """A lane's share of the plan ($1 job, $2 field code, $3 audience), in key order, minus
    what an earlier run of the job already did (a resumed job sends nothing twice)."""
    op, test = (1, "NOT EXISTS") if operation == "add" else (0, "EXISTS")
    select = "count(*)" if count else "p.hash"
    order = "" if count else " ORDER BY p.hash"
    return (
        f"SELECT {select} FROM sync_job_plan p "  # noqa: S608 - constants only
        f"WHERE p.job_id = $1 AND p.op = {op} AND p.field = $2 AND {test} "
        "(SELECT 1 FROM audience_member m WHERE m.audience_id = $3 AND m.hash = p.hash)"
        f"{order}"
    )
