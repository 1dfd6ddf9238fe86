"""Every query the erasure worker runs (asyncpg, inside the caller's transaction)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, TypeAlias

import asyncpg

Apg: TypeAlias = "asyncpg.Connection[Any]"


# --------------------------------------------------------------------------- leases


async def claim(apg: Apg, first: uuid.UUID, owner: str, lease: timedelta, limit: int) -> Any:
    """Lease ``first`` (when free) and up to ``limit`` other waiting erasures, oldest first:
    one run removes many people from an audience in one request."""
    return await apg.fetch(
        """
        UPDATE erasure SET status = 'running', lease_owner = $2,
            lease_expires_at = now() + $3::interval,
            started_at = COALESCE(started_at, now()), updated_at = now()
        WHERE id IN (
            SELECT id FROM erasure
            WHERE status IN ('pending', 'running')
              AND (lease_owner IS NULL OR lease_owner = $2 OR lease_expires_at < now())
            ORDER BY (id = $1) DESC, created_at
            LIMIT $4
            FOR UPDATE SKIP LOCKED
        )
        RETURNING id, user_id, kind, key_hash, subject_encrypted, planned_at
        """,
        first,
        owner,
        lease,
        limit,
    )


async def lease_state(apg: Apg, erasure_id: uuid.UUID) -> Any:
    return await apg.fetchrow(
        "SELECT status, GREATEST(0, EXTRACT(EPOCH FROM lease_expires_at - now())) AS left "
        "FROM erasure WHERE id = $1",
        erasure_id,
    )


async def renew(apg: Apg, ids: list[uuid.UUID], owner: str, lease: timedelta) -> int:
    result = await apg.execute(
        "UPDATE erasure SET lease_expires_at = now() + $3::interval "
        "WHERE id = ANY($1) AND lease_owner = $2 AND status = 'running'",
        ids,
        owner,
        lease,
    )
    return int(result.split()[-1])


async def release(apg: Apg, ids: list[uuid.UUID], owner: str) -> None:
    await apg.execute(
        "UPDATE erasure SET lease_owner = NULL, lease_expires_at = NULL "
        "WHERE id = ANY($1) AND lease_owner = $2 AND status = 'running'",
        ids,
        owner,
    )


# --------------------------------------------------------------------------- the person


PROFILE_COLUMNS = "p.segment_id, p.external_id, p.email, p.phone"


async def profiles_by_external_ids(apg: Apg, user_id: uuid.UUID, ids: list[str]) -> Any:
    return await apg.fetch(
        f"SELECT {PROFILE_COLUMNS} FROM profile p JOIN segment s ON s.id = p.segment_id "  # noqa: S608 - fixed names, bound values
        "WHERE s.user_id = $1 AND p.external_id = ANY($2::text[])",
        user_id,
        ids,
    )


async def profiles_by_email(apg: Apg, user_id: uuid.UUID, email: str) -> Any:
    return await apg.fetch(
        f"SELECT {PROFILE_COLUMNS} FROM profile p JOIN segment s ON s.id = p.segment_id "  # noqa: S608 - fixed names, bound values
        "WHERE s.user_id = $1 AND lower(btrim(p.email)) = $2",
        user_id,
        email,
    )


async def profiles_by_phone_tail(apg: Apg, user_id: uuid.UUID, tail: str) -> Any:
    """Candidates whose digits end like the number (the caller compares them normalized)."""
    return await apg.fetch(
        f"SELECT {PROFILE_COLUMNS} FROM profile p JOIN segment s ON s.id = p.segment_id "  # noqa: S608 - fixed names, bound values
        "WHERE s.user_id = $1 AND p.phone IS NOT NULL "
        "AND right(regexp_replace(p.phone, '\\D', '', 'g'), 7) = $2",
        user_id,
        tail,
    )


# --------------------------------------------------------------------------- the plan


async def copy_members(
    apg: Apg, erasure_id: uuid.UUID, segment_id: uuid.UUID, external_ids: list[str]
) -> None:
    """Keep the keys each audience of the segment accepted for these profiles (what must
    be removed on the platform), and the audience as a target of the erasure."""
    await apg.execute(
        """
        INSERT INTO erasure_member (erasure_id, audience_id, external_id, email, phone, madid)
        SELECT $1, m.audience_id, m.external_id, m.email, m.phone, m.madid
        FROM audience_member m JOIN audience a ON a.id = m.audience_id
        WHERE a.segment_id = $2 AND m.external_id = ANY($3::text[])
        ON CONFLICT DO NOTHING
        """,
        erasure_id,
        segment_id,
        external_ids,
    )


async def drop_shared_keys(apg: Apg, erasure_id: uuid.UUID) -> None:
    """A key another member of the audience still holds (a shared household phone) stays on
    the platform: removing it would remove that other person too."""
    for key in ("email", "phone", "madid"):
        await apg.execute(
            f"UPDATE erasure_member e SET {key} = NULL WHERE e.erasure_id = $1 "  # noqa: S608 - fixed names, bound values
            f"AND e.{key} IS NOT NULL AND EXISTS (SELECT 1 FROM audience_member m "
            f"WHERE m.audience_id = e.audience_id AND m.{key} = e.{key})",
            erasure_id,
        )


async def add_targets(apg: Apg, erasure_id: uuid.UUID) -> None:
    await apg.execute(
        """
        INSERT INTO erasure_target (erasure_id, audience_id, platform, platform_audience_id,
                                    audience_name, profiles)
        SELECT $1, a.id, a.platform, a.platform_audience_id, a.platform_audience_name, n.count
        FROM (SELECT audience_id, count(*) AS count FROM erasure_member
              WHERE erasure_id = $1 GROUP BY audience_id) n
        JOIN audience a ON a.id = n.audience_id
        ON CONFLICT DO NOTHING
        """,
        erasure_id,
    )


async def delete_person_rows(
    apg: Apg, segment_id: uuid.UUID, external_ids: list[str]
) -> tuple[int, int, int]:
    """Delete the profiles of one segment with their digests, accepted-member rows and
    the copies pending sync jobs planned or staged; ``(profiles, digests, members)``."""
    digests = await apg.fetchval(
        "WITH d AS (DELETE FROM profile_digest WHERE segment_id = $1 "
        "AND external_id = ANY($2::text[]) RETURNING 1) SELECT count(*) FROM d",
        segment_id,
        external_ids,
    )
    members = await apg.fetchval(
        "WITH d AS (DELETE FROM audience_member m USING audience a "
        "WHERE a.id = m.audience_id AND a.segment_id = $1 AND m.external_id = ANY($2::text[]) "
        "RETURNING 1) SELECT count(*) FROM d",
        segment_id,
        external_ids,
    )
    for table in ("sync_job_plan", "sync_job_stage"):
        await apg.execute(
            f"DELETE FROM {table} t USING sync_job j, audience a "  # noqa: S608 - fixed names, bound values
            "WHERE t.job_id = j.id AND j.audience_id = a.id AND a.segment_id = $1 "
            "AND j.status IN ('pending', 'running') AND t.external_id = ANY($2::text[])",
            segment_id,
            external_ids,
        )
    profiles = await apg.fetchval(
        "WITH d AS (DELETE FROM profile WHERE segment_id = $1 "
        "AND external_id = ANY($2::text[]) RETURNING 1) SELECT count(*) FROM d",
        segment_id,
        external_ids,
    )
    if profiles:
        await apg.execute(
            "UPDATE segment SET profile_count = GREATEST(profile_count - $2, 0), "
            "updated_at = now() WHERE id = $1",
            segment_id,
            profiles,
        )
    return int(profiles or 0), int(digests or 0), int(members or 0)


async def revoke_exports(apg: Apg, segment_ids: list[uuid.UUID]) -> Any:
    """Every export file of these segments still downloadable: marked deleted (its link
    answers 410); returns ``(id, file_name)`` for the caller to delete the files."""
    return await apg.fetch(
        "UPDATE segment_export SET file_deleted_at = now(), updated_at = now() "
        "WHERE segment_id = ANY($1) AND file_deleted_at IS NULL "
        "AND (status IN ('pending', 'running') OR file_name IS NOT NULL) "
        "RETURNING id, file_name",
        segment_ids,
    )


async def suppress(
    apg: Apg, user_id: uuid.UUID, erasure_id: uuid.UUID, hashes: Sequence[tuple[str, str]]
) -> None:
    await apg.executemany(
        "INSERT INTO suppression (user_id, hash, kind, erasure_id) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (user_id, hash) DO NOTHING",
        [(user_id, h, kind, erasure_id) for kind, h in hashes],
    )


async def record_plan(
    apg: Apg,
    erasure_id: uuid.UUID,
    owner: str,
    *,
    identifier_hashes: str,
    matched: int,
    segments: int,
    deleted: tuple[int, int, int],
    exports: int,
) -> bool:
    ok = await apg.fetchval(
        """
        UPDATE erasure SET planned_at = now(), updated_at = now(), identifier_hashes = $3,
            subject_encrypted = NULL,
            profiles_matched = $4, segments_matched = $5, profiles_deleted = $6,
            digests_deleted = $7, members_deleted = $8, exports_revoked = $9
        WHERE id = $1 AND lease_owner = $2 AND status = 'running' AND planned_at IS NULL
        RETURNING 1
        """,
        erasure_id,
        owner,
        identifier_hashes,
        matched,
        segments,
        *deleted,
        exports,
    )
    return ok is not None


# --------------------------------------------------------------------------- removals


async def pending_targets(apg: Apg, erasure_ids: list[uuid.UUID]) -> Any:
    """Audiences still to clean, with their owner: ``(audience_id, platform,
    platform_audience_id, identifier_fields, user_id, erasure_ids)``."""
    return await apg.fetch(
        """
        SELECT t.audience_id, t.platform, t.platform_audience_id, a.identifier_fields,
               e.user_id, array_agg(t.erasure_id) AS erasure_ids
        FROM erasure_target t JOIN erasure e ON e.id = t.erasure_id
        LEFT JOIN audience a ON a.id = t.audience_id
        WHERE t.erasure_id = ANY($1) AND t.status = 'pending'
        GROUP BY t.audience_id, t.platform, t.platform_audience_id, a.identifier_fields,
                 e.user_id
        """,
        erasure_ids,
    )


async def member_keys(apg: Apg, audience_id: uuid.UUID, erasure_ids: list[uuid.UUID]) -> Any:
    return await apg.fetch(
        "SELECT DISTINCT email, phone, madid FROM erasure_member "
        "WHERE audience_id = $1 AND erasure_id = ANY($2)",
        audience_id,
        erasure_ids,
    )


async def record_attempt(
    apg: Apg,
    audience_id: uuid.UUID,
    erasure_ids: list[uuid.UUID],
    answer: str,
    final: str | None,
) -> None:
    """Append one attempt to the targets; ``final`` (``completed`` / ``failed``) ends them
    and drops the keys that were kept for the removal."""
    await apg.execute(
        """
        UPDATE erasure_target SET attempts = attempts + 1,
            answers = answers || jsonb_build_array($3::jsonb),
            status = COALESCE($4, status),
            completed_at = CASE WHEN $4 IS NULL THEN NULL ELSE now() END
        WHERE audience_id = $1 AND erasure_id = ANY($2) AND status = 'pending'
        """,
        audience_id,
        erasure_ids,
        answer,
        final,
    )
    if final is not None:
        await apg.execute(
            "DELETE FROM erasure_member WHERE audience_id = $1 AND erasure_id = ANY($2)",
            audience_id,
            erasure_ids,
        )


async def finish(apg: Apg, erasure_id: uuid.UUID, owner: str) -> Any:
    """Complete (or fail) an erasure whose targets are all final; the row, or ``None``."""
    return await apg.fetchrow(
        """
        UPDATE erasure e SET
            status = CASE WHEN f.failed > 0 THEN 'failed' ELSE 'completed' END,
            failure_reason = CASE WHEN f.failed > 0
                THEN f.failed || ' platform audience(s) could not remove the person' END,
            completed_at = now(), updated_at = now(),
            lease_owner = NULL, lease_expires_at = NULL
        FROM (SELECT count(*) FILTER (WHERE status = 'failed') AS failed,
                     count(*) FILTER (WHERE status = 'completed') AS done,
                     count(*) FILTER (WHERE status = 'pending') AS pending
              FROM erasure_target WHERE erasure_id = $1) f
        WHERE e.id = $1 AND e.lease_owner = $2 AND e.status = 'running'
          AND e.planned_at IS NOT NULL AND f.pending = 0
        RETURNING e.id, e.user_id, e.status, e.failure_reason, e.profiles_deleted,
                  e.exports_revoked, e.identifier_hashes, f.done, f.failed
        """,
        erasure_id,
        owner,
    )
