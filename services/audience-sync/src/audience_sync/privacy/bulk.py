"""Set-based statements of the erasure plan: many people of one run in one statement each
(``unnest`` of erasure id / segment id / external id arrays). Every query is here."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from audience_sync.privacy import store
from audience_sync.privacy.store import Apg
from audience_sync.safeguards import identity

Keys = tuple[list[uuid.UUID], list[uuid.UUID], list[str]]  # erasure, segment, external id

_KEYS = "unnest($1::uuid[], $2::uuid[], $3::text[]) AS k(erasure_id, segment_id, external_id)"
_PAIRS = "unnest($1::uuid[], $2::text[]) AS k(segment_id, external_id)"


_EMAIL = identity.email_sql("p")
_EXTRA = identity.extra_emails_sql("p")
_TAIL = identity.phone_tail_sql("p")
_FROM = store.PROFILES


async def profiles_by_emails(apg: Apg, user_id: uuid.UUID, emails: list[str]) -> Any:
    """Profiles with one of ``emails`` (trimmed, lower case), as their first email or one
    of their extra ones; ``matched`` is the email that matched. Through
    ``ix_profile_email`` and ``ix_profile_extra_emails``."""
    return await apg.fetch(
        f"SELECT p.segment_id, p.external_id, p.email, p.phone, {_EMAIL} AS matched "
        f"{_FROM} WHERE s.user_id = $1 AND {_EMAIL} = ANY($2::text[]) "
        "UNION ALL SELECT p.segment_id, p.external_id, p.email, p.phone, x.matched "
        f"{_FROM} CROSS JOIN LATERAL unnest({_EXTRA}) AS x(matched) "
        f"WHERE s.user_id = $1 AND {identity.holds_extra_emails_sql('p')} "
        f"AND {_EXTRA} && $2::text[] AND x.matched = ANY($2::text[])",
        user_id,
        emails,
    )


async def profiles_by_phone_tails(apg: Apg, user_id: uuid.UUID, tails: list[str]) -> Any:
    """Candidates whose digits end like one of the numbers (``ix_profile_phone_tail``)."""
    return await apg.fetch(
        f"SELECT p.segment_id, p.external_id, p.email, p.phone {_FROM} "
        f"WHERE s.user_id = $1 AND {_TAIL} = ANY($2::text[])",
        user_id,
        tails,
    )


async def copy_members(apg: Apg, keys: Keys) -> None:
    await apg.execute(
        "INSERT INTO erasure_member (erasure_id, audience_id, external_id, email, phone, madid, "  # noqa: S608
        "extra_email_keys, extra_phone_keys) "
        "SELECT k.erasure_id, m.audience_id, m.external_id, m.email, m.phone, m.madid, "
        "m.extra_email_keys, m.extra_phone_keys "
        f"FROM {_KEYS} JOIN audience a ON a.segment_id = k.segment_id "
        "JOIN audience_member m ON m.audience_id = a.id AND m.external_id = k.external_id "
        "ON CONFLICT DO NOTHING",
        *keys,
    )


async def delete_rows(
    apg: Apg, segments: list[uuid.UUID], ids: list[str]
) -> tuple[list[Any], list[Any], list[Any]]:
    """Delete these profiles with their digests, accepted-member rows and pending plan
    copies; the ``(segment_id, external_id)`` deleted from profile, digest, member."""
    digests = await apg.fetch(
        f"DELETE FROM profile_digest d USING {_PAIRS} "  # noqa: S608
        "WHERE d.segment_id = k.segment_id AND d.external_id = k.external_id "
        "RETURNING d.segment_id, d.external_id",
        segments,
        ids,
    )
    members = await apg.fetch(
        f"DELETE FROM audience_member m USING audience a, {_PAIRS} "  # noqa: S608
        "WHERE a.id = m.audience_id AND a.segment_id = k.segment_id "
        "AND m.external_id = k.external_id RETURNING a.segment_id, m.external_id",
        segments,
        ids,
    )
    for table in ("sync_job_plan", "sync_job_stage"):
        await apg.execute(
            f"DELETE FROM {table} t USING sync_job j, audience a, {_PAIRS} "  # noqa: S608
            "WHERE t.job_id = j.id AND j.audience_id = a.id AND a.segment_id = k.segment_id "
            "AND j.status IN ('pending', 'running') AND t.external_id = k.external_id",
            segments,
            ids,
        )
    profiles = await apg.fetch(
        f"DELETE FROM profile p USING {_PAIRS} "  # noqa: S608
        "WHERE p.segment_id = k.segment_id AND p.external_id = k.external_id "
        "RETURNING p.segment_id, p.external_id",
        segments,
        ids,
    )
    await apg.execute(
        "UPDATE segment s SET profile_count = GREATEST(s.profile_count - d.n, 0), "
        "updated_at = now() FROM (SELECT segment_id, count(*) AS n "
        "FROM unnest($1::uuid[]) AS x(segment_id) GROUP BY segment_id) d WHERE s.id = d.segment_id",
        [r["segment_id"] for r in profiles],
    )
    return list(profiles), list(digests), list(members)


# Another member's keys of a kind, its extras included: ``(audience_id, k)``.
_HELD = (
    "(SELECT m.audience_id, m.{key} AS k FROM audience_member m WHERE m.audience_id IN "
    "(SELECT audience_id FROM erasure_member WHERE erasure_id = ANY($1)) AND m.{key} IS NOT NULL"
    "{extras})"
)
_HELD_EXTRAS = (
    " UNION ALL SELECT m.audience_id, unnest(m.{column}) FROM audience_member m "
    "WHERE m.audience_id IN (SELECT audience_id FROM erasure_member WHERE erasure_id = ANY($1)) "
    "AND m.{column} IS NOT NULL"
)
_EXTRA_KEYS = {"email": "extra_email_keys", "phone": "extra_phone_keys"}


def _held(key: str) -> str:
    column = _EXTRA_KEYS.get(key)
    extras = _HELD_EXTRAS.format(column=column) if column else ""
    return _HELD.format(key=key, extras=extras)


async def drop_shared_keys(apg: Apg, erasure_ids: list[uuid.UUID]) -> None:
    """Keys another member of the audience still holds (as its first key or an extra one)
    stay on the platform: they are not removed with the erased person."""
    for key in ("email", "phone", "madid"):
        await apg.execute(
            f"UPDATE erasure_member e SET {key} = NULL FROM {_held(key)} h "  # noqa: S608
            f"WHERE e.erasure_id = ANY($1) AND h.audience_id = e.audience_id AND h.k = e.{key}",
            erasure_ids,
        )
    for key, column in _EXTRA_KEYS.items():
        await apg.execute(
            f"UPDATE erasure_member e SET {column} = NULLIF(ARRAY(SELECT o FROM "  # noqa: S608
            f"unnest(e.{column}) o WHERE NOT EXISTS (SELECT 1 FROM {_held(key)} h "
            "WHERE h.audience_id = e.audience_id AND h.k = o)), '{}') "
            f"WHERE e.erasure_id = ANY($1) AND e.{column} IS NOT NULL",
            erasure_ids,
        )


async def add_targets(apg: Apg, erasure_ids: list[uuid.UUID]) -> None:
    await apg.execute(
        """
        INSERT INTO erasure_target (erasure_id, audience_id, platform, platform_audience_id,
                                    audience_name, profiles)
        SELECT n.erasure_id, a.id, a.platform, a.platform_audience_id,
               a.platform_audience_name, n.count
        FROM (SELECT erasure_id, audience_id, count(*) AS count FROM erasure_member
              WHERE erasure_id = ANY($1) GROUP BY erasure_id, audience_id) n
        JOIN audience a ON a.id = n.audience_id
        ON CONFLICT DO NOTHING
        """,
        erasure_ids,
    )


async def record_plans(apg: Apg, owner: str, plans: Sequence[tuple[Any, ...]]) -> None:
    """``(erasure_id, identifier_hashes json, matched, segments, profiles, digests, members,
    exports)`` per erasure."""
    await apg.executemany(
        """
        UPDATE erasure SET planned_at = now(), updated_at = now(), identifier_hashes = $3,
            subject_encrypted = NULL, profiles_matched = $4, segments_matched = $5,
            profiles_deleted = $6, digests_deleted = $7, members_deleted = $8,
            exports_revoked = $9
        WHERE id = $1 AND lease_owner = $2 AND status = 'running' AND planned_at IS NULL
        """,
        [(p[0], owner, *p[1:]) for p in plans],
    )


async def finish_all(apg: Apg, erasure_ids: list[uuid.UUID], owner: str) -> Any:
    """Complete (or fail) every erasure of the run whose audiences are all final."""
    return await apg.fetch(
        """
        UPDATE erasure e SET
            status = CASE WHEN f.failed > 0 THEN 'failed' ELSE 'completed' END,
            failure_reason = CASE WHEN f.failed > 0
                THEN f.failed || ' platform audience(s) could not remove the person' END,
            completed_at = now(), updated_at = now(),
            lease_owner = NULL, lease_expires_at = NULL
        FROM (SELECT x.id,
                     count(t.erasure_id) FILTER (WHERE t.status = 'failed') AS failed,
                     count(t.erasure_id) FILTER (WHERE t.status = 'completed') AS done,
                     count(t.erasure_id) FILTER (WHERE t.status = 'pending') AS pending
              FROM unnest($1::uuid[]) AS x(id)
              LEFT JOIN erasure_target t ON t.erasure_id = x.id GROUP BY x.id) f
        WHERE e.id = f.id AND e.lease_owner = $2 AND e.status = 'running'
          AND e.planned_at IS NOT NULL AND f.pending = 0
        RETURNING e.id, e.user_id, e.status, e.failure_reason, e.profiles_deleted,
                  e.exports_revoked, e.identifier_hashes, f.done, f.failed
        """,
        erasure_ids,
        owner,
    )
