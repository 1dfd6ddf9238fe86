"""Every query the erasure worker runs (asyncpg, inside the caller's transaction)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, TypeAlias

import asyncpg

from audience_sync.safeguards import identity

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


PROFILE_COLUMNS = "p.segment_id, p.external_id, p.email, p.phone, p.extra_emails, p.extra_phones"
# A user's profiles, as ``p`` (its segments as ``s``); privacy/bulk.py reads them so too.
PROFILES = "FROM profile p JOIN segment s ON s.id = p.segment_id"
_OF_USER = f"{PROFILES} WHERE s.user_id = $1"


async def profiles_by_external_ids(apg: Apg, user_id: uuid.UUID, ids: list[str]) -> Any:
    return await apg.fetch(
        f"SELECT {PROFILE_COLUMNS} {_OF_USER} AND p.external_id = ANY($2::text[])",
        user_id,
        ids,
    )


async def profiles_by_email(apg: Apg, user_id: uuid.UUID, email: str) -> Any:
    """Profiles whose first or further email, trimmed and lower-cased, is ``email``
    (through ``ix_profile_email`` and ``ix_profile_extra_emails``)."""
    return await apg.fetch(
        f"SELECT {PROFILE_COLUMNS} {_OF_USER} AND {identity.email_is_sql('p', '$2')}",
        user_id,
        email,
    )


async def profiles_by_phone_tail(apg: Apg, user_id: uuid.UUID, tail: str) -> Any:
    """Candidates whose digits end like the number (the caller compares them normalized),
    through ``ix_profile_phone_tail``."""
    return await apg.fetch(
        f"SELECT {PROFILE_COLUMNS} {_OF_USER} AND {identity.phone_tail_sql('p')} = $2",
        user_id,
        tail,
    )


# --------------------------------------------------------------------------- the plan


async def revoke_exports(apg: Apg, segment_ids: list[uuid.UUID]) -> Any:
    """Every export file of these segments still downloadable: marked deleted (its link
    answers 410); returns ``(id, file_name)`` for the caller to delete the files."""
    return await apg.fetch(
        "UPDATE segment_export SET file_deleted_at = now(), updated_at = now() "
        "WHERE segment_id = ANY($1) AND file_deleted_at IS NULL "
        "AND (status IN ('pending', 'running') OR file_name IS NOT NULL) "
        "RETURNING id, file_name, segment_id",
        segment_ids,
    )


async def suppress_many(apg: Apg, rows: Sequence[tuple[uuid.UUID, uuid.UUID, str, str]]) -> None:
    """``(user_id, erasure_id, kind, hash)`` rows onto the suppression list."""
    await apg.executemany(
        "INSERT INTO suppression (user_id, hash, kind, erasure_id) VALUES ($1, $4, $3, $2) "
        "ON CONFLICT (user_id, hash) DO NOTHING",
        rows,
    )


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
        "SELECT DISTINCT email, phone, madid, extra_email_keys, extra_phone_keys "
        "FROM erasure_member "
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
