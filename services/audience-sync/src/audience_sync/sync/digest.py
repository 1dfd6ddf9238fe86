"""The per-platform hash cache (``profile_digest``) and the diffs computed from it.

Hashing is the expensive part of a sync (phone numbers go through libphonenumber), so a
profile is hashed once per platform and content version: :func:`refresh_digests` hashes
only the profiles whose ``version`` differs from their digest's (new or changed since the
last sync), under an advisory lock so two syncs of one segment never hash it twice.

The diff of an audience against its digests lives in :mod:`audience_sync.sync.planner`.
"""

from __future__ import annotations

import asyncio
import uuid
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import asyncpg

from audience_sync.sync.fields import DIGEST_FIELDS
from audience_sync.sync.hashing import DigestCopy, Hasher


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


WRITE_SCOPE = "*write"


async def lock_profile_writes(conn: asyncpg.Connection[Any], segment_id: uuid.UUID) -> None:
    """Taken (shared, until commit) by whatever writes profiles of the segment, before it
    draws versions: :func:`settled_version` finds no writer in flight before it trusts the
    sequence."""
    await conn.execute("SELECT pg_advisory_xact_lock_shared($1)", lock_key(segment_id, WRITE_SCOPE))


async def settled_version(conn: asyncpg.Connection[Any], segment_id: uuid.UUID) -> int | None:
    """A version every profile of the segment at or below it is committed with (``None``
    while a writer is in flight): the statements that follow see all of them."""
    value = await conn.fetchval(
        "SELECT profile_versions_settled($1)", lock_key(segment_id, WRITE_SCOPE)
    )
    return None if value is None else int(value)


async def digest_mark(
    conn: asyncpg.Connection[Any], segment_id: uuid.UUID, platform: str
) -> int | None:
    """Every profile of the segment up to this version has a current digest for the
    platform (``None``: no such mark yet)."""
    value = await conn.fetchval(
        "SELECT version FROM digest_mark WHERE segment_id = $1 AND platform = $2",
        segment_id,
        platform,
    )
    return None if value is None else int(value)


async def _raise_mark(
    conn: asyncpg.Connection[Any], segment_id: uuid.UUID, platform: str, version: int
) -> None:
    await conn.execute(
        "INSERT INTO digest_mark AS m (segment_id, platform, version) VALUES ($1, $2, $3) "
        "ON CONFLICT (segment_id, platform) DO UPDATE "
        "SET version = GREATEST(m.version, EXCLUDED.version)",
        segment_id,
        platform,
        version,
    )


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


_VALUES = ", ".join(f"p.{f}" for f in DIGEST_FIELDS)
_STALE_FROM = """
    FROM profile p
    LEFT JOIN profile_digest d
      ON d.segment_id = p.segment_id AND d.external_id = p.external_id AND d.platform = $2
    WHERE p.segment_id = $1 AND p.version > $3 AND (d.version IS NULL OR d.version <> p.version)
"""
STALE_COUNT_SQL = f"SELECT count(*) {_STALE_FROM}"
# Each stale profile as one JSON array (what :func:`hashing.digest_copy` reads): a chunk
# travels to a hashing process as one string, not as an object per value.
STALE_SQL = (
    "SELECT json_build_array(p.external_id, p.version, "
    f"{_VALUES}, p.extra_emails, p.extra_phones, d.version)::text {_STALE_FROM}"
)
# The next $4 stale profiles in ``external_id`` order, above $5 when given (an overlapped
# initial sync sends behind the hashing): one short statement per chunk, each a range of the
# profiles' key index with its digests looked up by key (a cursor over one ordered join of
# the whole segment ran a fetch for 60-100 s in a stack run: not kept).
# The digest is probed per profile (LIMIT 1 keeps the subquery from being flattened into a
# join that would scan every digest committed so far for each profile).
_PROBED = """
    FROM profile p
    LEFT JOIN LATERAL (
        SELECT version FROM profile_digest d
        WHERE d.segment_id = p.segment_id AND d.external_id = p.external_id AND d.platform = $2
        LIMIT 1) d ON true
    WHERE p.segment_id = $1 AND p.version > $3 AND (d.version IS NULL OR d.version <> p.version)
"""
# The same when the segment has no digest at all for the platform (its first sync there):
# every profile is stale, nothing to probe (a million index probes less).
# ($2, the platform, is still bound, as by the probed statements: one argument list.)
_UNPROBED = """
    FROM profile p, (SELECT NULL::bigint AS version) d
    WHERE p.segment_id = $1 AND $2::text IS NOT NULL AND p.version > $3
"""


def _ordered(source: str, after: bool) -> str:
    """The next $4 stale profiles above $5 (or from the first), as one row: their JSON
    arrays joined into one JSON text, and the last ``external_id`` of the range. One value
    per chunk, not a row per profile: the event loop's process decodes 40 values for a
    million profiles instead of a million rows (1.8 -> 0.3 s of its CPU, measured; the
    aggregate costs PostgreSQL ~0.3 s more). The aggregate joins the range in any order
    (only its set and its last key matter: no sort in it, 0.9 s per million measured)."""
    inner = (
        "SELECT json_build_array(p.external_id, p.version, "
        f"{_VALUES}, p.extra_emails, p.extra_phones, d.version)::text AS j, "
        f"p.external_id AS k {source}"
        + (" AND p.external_id > $5" if after else "")
        + " ORDER BY p.external_id LIMIT $4"
    )
    return f"SELECT '[' || string_agg(s.j, ',') || ']', max(s.k) FROM ({inner}) s"  # noqa: S608


STALE_FIRST_SQL = _ordered(_PROBED, after=False)
STALE_NEXT_SQL = _ordered(_PROBED, after=True)
FIRST_SQL = _ordered(_UNPROBED, after=False)
NEXT_SQL = _ordered(_UNPROBED, after=True)


async def stale_count(
    conn: asyncpg.Connection[Any], segment_id: uuid.UUID, platform: str, since: int = 0
) -> int:
    """Stale profiles among those above version ``since`` (the digest mark)."""
    return int(await conn.fetchval(STALE_COUNT_SQL, segment_id, platform, since))


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


Chunk = DigestCopy


async def has_digests(conn: asyncpg.Connection[Any], segment_id: uuid.UUID, platform: str) -> bool:
    """Whether any profile of the segment has a digest for the platform."""
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM profile_digest WHERE segment_id = $1 AND platform = $2)",
            segment_id,
            platform,
        )
    )


# A chunk as one JSON text of its rows, and its last external_id (a range read in
# ``external_id`` order; "" otherwise).
Range = tuple[str, str]


async def _chunk_reader(
    conn: asyncpg.Connection[Any],
    segment_id: uuid.UUID,
    platform: str,
    chunk_rows: int,
    fetched: list[Any] | None,
    since: int = 0,
    ordered: bool = False,
) -> Callable[[], Awaitable[Range | None]]:
    """The next ``chunk_rows`` stale profiles (:data:`STALE_SQL` rows, as one JSON array)
    on each call (``None`` at the end): ranges in ``external_id`` order (``ordered``), a
    cursor, or rows already ``fetched``."""
    if fetched is None and ordered:
        last: str | None = None  # the external_id the next range starts after
        # Read under the hashing lock: no digest of the segment appears but the ones this
        # step writes, behind the range it reads.
        first, after = (
            (STALE_FIRST_SQL, STALE_NEXT_SQL)
            if await has_digests(conn, segment_id, platform)
            else (FIRST_SQL, NEXT_SQL)
        )

        async def next_range() -> Range | None:
            nonlocal last
            if last is not None:
                row = await conn.fetchrow(after, segment_id, platform, since, chunk_rows, last)
            else:
                row = await conn.fetchrow(first, segment_id, platform, since, chunk_rows)
            if row is None or row[0] is None:
                return None
            last = str(row[1])
            return str(row[0]), last

        return next_range
    take: Callable[[], Awaitable[list[Any]]]
    if fetched is None:
        cursor = await conn.cursor(STALE_SQL, segment_id, platform, since)

        async def take() -> list[Any]:
            rows: list[Any] = await cursor.fetch(chunk_rows)
            return rows
    else:
        parts = iter([fetched[i : i + chunk_rows] for i in range(0, len(fetched), chunk_rows)])

        async def take() -> list[Any]:
            return next(parts, [])

    async def next_rows() -> Range | None:
        rows = await take()
        if not rows:
            return None
        return "[" + ",".join(map(itemgetter(0), rows)) + "]", ""

    return next_rows


async def stale_chunks(
    conn: asyncpg.Connection[Any],
    hasher: Hasher,
    segment_id: uuid.UUID,
    platform: str,
    *,
    chunk_rows: int,
    fetched: list[Any] | None = None,
    since: int = 0,
    ordered: bool = False,
) -> AsyncIterator[Chunk]:
    """Every chunk of stale profiles hashed (:class:`DigestCopy`), read with one cursor on
    ``conn`` (inside a transaction, after :func:`lock_for_hashing`), or the rows of
    :data:`STALE_SQL` already ``fetched``; the next chunks hash while the caller writes
    one. A chunk goes to the hasher as one JSON text and comes back as one COPY buffer;
    ``ordered``, each chunk is a range of ``external_id`` whose last key it carries."""
    pending: list[tuple[asyncio.Future[DigestCopy], str]] = []
    depth = hasher.parallelism + 1
    try:
        fetch = await _chunk_reader(conn, segment_id, platform, chunk_rows, fetched, since, ordered)
        while True:
            read = await fetch()
            more = read is not None
            if read is not None:
                payload, last = read
                del read
                hashed = asyncio.ensure_future(hasher.copy(segment_id, platform, payload))
                pending.append((hashed, last))
                del payload
            while pending and (len(pending) >= depth or not more):
                waiting, last = pending.pop(0)
                chunk = await waiting
                chunk.last = last
                yield chunk
            if not more:
                return
    finally:
        for waiting, _ in pending:
            waiting.cancel()


async def write_chunk(conn: asyncpg.Connection[Any], segment_id: uuid.UUID, chunk: Chunk) -> None:
    """Replace the chunk's outdated digests and COPY the fresh ones in (the buffer as the
    hashing process built it)."""
    await delete_digests(conn, segment_id, chunk.outdated)
    # A memoryview: asyncpg would take bytes for a file name.
    await conn.copy_to_table(
        "profile_digest", source=memoryview(chunk.data), columns=chunk.columns, format="binary"
    )


async def refresh_digests(
    conn: asyncpg.Connection[Any],
    hasher: Hasher,
    segment_id: uuid.UUID,
    platform: str,
    *,
    chunk_rows: int,
    limit: int | None = None,
    work_mem: str = "128MB",
    written: Callable[[Chunk], Awaitable[None]] | None = None,
) -> RefreshStats:
    """Hash every stale profile of the segment for ``platform``, in the transaction open on
    ``conn`` (the digests commit with it). With ``limit``, hashes nothing when more than
    ``limit`` profiles are stale (``skipped`` tells how many). With ``written``, the stale
    profiles are read in ``external_id`` order and each hashed chunk is handed to it
    (which writes and commits it elsewhere) instead of written on ``conn``.

    Only the profiles above the digest mark can be stale; when no writer of the segment is
    in flight, the mark rises to the sequence's value read before the stale profiles were
    (every profile up to it is then hashed)."""
    stats = RefreshStats()
    await bulk_plans(conn, work_mem)
    await lock_for_hashing(conn, segment_id, platform)
    since = await digest_mark(conn, segment_id, platform) or 0
    settled = await settled_version(conn, segment_id)
    fetched = None
    if limit is not None:
        # One scan finds the stale profiles (a few after a small change) and hashes them
        # from memory; only more than ``limit`` of them need the count. At most ``limit``
        # rows are read: their digests by key (nested loops), not a hash of every digest.
        await conn.execute("SET LOCAL enable_nestloop = on")
        fetched = await conn.fetch(STALE_SQL + " LIMIT $4", segment_id, platform, since, limit + 1)
        await conn.execute("SET LOCAL enable_nestloop = off")
        if len(fetched) > limit:
            stats.stale = stats.skipped = await stale_count(conn, segment_id, platform, since)
            return stats
        stats.stale = len(fetched)
    if written is not None:
        # Each chunk a range of the profiles' key index (never a sort of the segment) and
        # its digests probed by key. No JIT: the disabled sort's cost would make PostgreSQL
        # compile each statement (~0.3 s, measured) for nothing.
        await conn.execute("SET LOCAL enable_sort = off")
        await conn.execute("SET LOCAL enable_nestloop = on")
        await conn.execute("SET LOCAL jit = off")
    async for chunk in stale_chunks(
        conn,
        hasher,
        segment_id,
        platform,
        chunk_rows=chunk_rows,
        fetched=fetched,
        since=since,
        ordered=written is not None,
    ):
        if written is None:
            await write_chunk(conn, segment_id, chunk)
        else:
            await written(chunk)
        stats.hashed += chunk.rows
    if limit is None:
        stats.stale = stats.hashed
    if settled is not None and settled > since:
        await _raise_mark(conn, segment_id, platform, settled)
    return stats
