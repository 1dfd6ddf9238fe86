"""The audience's diff watermark (``audience_diff_mark``, migration 0009).

A mark ``version`` says: for every profile of the segment whose ``version`` is at most the
mark, and every profile removed (``profile_removed``) at most then, the audience's diff is
empty, for the identifier ``fields`` and ``removals`` it was made with. An update's diff
then looks only at the profiles changed or removed above it
(:func:`audience_sync.sync.planner.changed_sql`), and counts exactly what a whole diff
would count.

A job that plans records a *pending* mark: the digest mark its plan read (every profile up
to it was hashed and visible). It becomes the mark when that job completes with no profile
refused by the platform (:func:`confirm`). A job that failed or was cancelled leaves the
old mark (it changed members only of the profiles above it); a job that computed a whole
diff (no usable mark) clears it; a replace forgets it (:func:`forget`).
"""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

_BASELINE = """
    SELECT m.version, m.fields, m.removals, j.operation
    FROM sync_job j LEFT JOIN audience_diff_mark m ON m.audience_id = $1
    WHERE j.id = $2
"""


async def baseline(
    conn: asyncpg.Connection[Any],
    audience_id: uuid.UUID,
    job_id: uuid.UUID | None,
    fields: list[str],
    *,
    removals: bool,
) -> int | None:
    """The mark the diff of job ``job_id`` may start from (``None``: a whole diff)."""
    if job_id is None:
        return None
    row = await conn.fetchrow(_BASELINE, audience_id, job_id)
    if row is None or row["version"] is None or row["operation"] == "replace":
        return None
    if list(row["fields"] or []) != list(fields) or (removals and not row["removals"]):
        return None
    return int(row["version"])


async def set_pending(
    conn: asyncpg.Connection[Any],
    audience_id: uuid.UUID,
    job_id: uuid.UUID,
    version: int | None,
    fields: list[str],
    *,
    removals: bool,
    incremental: bool,
) -> None:
    """Record the mark job ``job_id`` sets when it completes cleanly (``version`` ``None``:
    none). A whole diff (not ``incremental``) also clears the current mark."""
    await conn.execute(
        """
        INSERT INTO audience_diff_mark AS m (audience_id, pending_job, pending_version,
                                             pending_fields, pending_removals)
        VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (audience_id) DO UPDATE SET
            pending_job = EXCLUDED.pending_job, pending_version = EXCLUDED.pending_version,
            pending_fields = EXCLUDED.pending_fields,
            pending_removals = EXCLUDED.pending_removals,
            version = CASE WHEN $6 THEN m.version END,
            fields = CASE WHEN $6 THEN m.fields END,
            removals = CASE WHEN $6 THEN m.removals END
        """,
        audience_id,
        job_id if version is not None else None,
        version,
        list(fields),
        removals,
        incremental,
    )


async def confirm(conn: asyncpg.Connection[Any], job_id: uuid.UUID) -> None:
    """Job ``job_id`` completed with no refused profile: its pending mark holds. Removals
    below every mark of the segment's audiences are forgotten (no diff reads them)."""
    audience_id = await conn.fetchval(
        """
        UPDATE audience_diff_mark SET version = pending_version, fields = pending_fields,
            removals = pending_removals, pending_job = NULL, pending_version = NULL,
            pending_fields = NULL, pending_removals = NULL
        WHERE pending_job = $1 RETURNING audience_id
        """,
        job_id,
    )
    if audience_id is None:
        return
    await conn.execute(
        """
        WITH s AS (SELECT segment_id FROM audience WHERE id = $1)
        DELETE FROM profile_removed r USING s WHERE r.segment_id = s.segment_id
          AND r.version <= (SELECT min(LEAST(m.version, m.pending_version))
                            FROM audience a JOIN audience_diff_mark m ON m.audience_id = a.id
                            WHERE a.segment_id = s.segment_id)
        """,
        audience_id,
    )


async def forget(conn: asyncpg.Connection[Any], audience_id: uuid.UUID) -> None:
    """The members were replaced wholesale: no mark holds any more."""
    await conn.execute("DELETE FROM audience_diff_mark WHERE audience_id = $1", audience_id)
