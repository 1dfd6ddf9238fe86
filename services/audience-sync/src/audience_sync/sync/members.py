"""The audience's member table as the sync writes it: accepted profiles with the keys they
were sent with (upsert, delete), a replace's staging table and its swap. Every query of
``audience_member`` and ``sync_job_stage`` the sync engine runs is here."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from itertools import repeat
from typing import Any, TypeAlias

import asyncpg

from audience_sync.sync import key_batch, marks
from audience_sync.sync.context import JobLost
from audience_sync.sync.repository import Apg

Keys: TypeAlias = list[bytes | None]
ExtraKeys: TypeAlias = list[list[bytes] | None]
# email, phone, madid, extra, extra email keys, extra phone keys of each profile
KeyColumns: TypeAlias = tuple[Keys, Keys, Keys, Keys, ExtraKeys, ExtraKeys]
_MEMBER_KEYS = "email, phone, madid, extra, extra_email_keys, extra_phone_keys"


def key_columns(columns: Iterable[list[Any]]) -> KeyColumns:
    a, b, c, x, e, p = columns
    return (a, b, c, x, e, p)


_NEW_MEMBERS = f"""
    INSERT INTO audience_member (audience_id, external_id, {_MEMBER_KEYS})
    SELECT $1, external_id, {_MEMBER_KEYS} FROM {key_batch.TABLE}
"""  # noqa: S608 - constant table name
_STAGED = f"""
    INSERT INTO sync_job_stage (job_id, external_id, {_MEMBER_KEYS})
    SELECT $1, external_id, {_MEMBER_KEYS} FROM {key_batch.TABLE}
"""  # noqa: S608 - constant table name
_RESENT = """
    ON CONFLICT (audience_id, external_id) DO UPDATE SET email = excluded.email,
        phone = excluded.phone, madid = excluded.madid, extra = excluded.extra,
        extra_email_keys = excluded.extra_email_keys, extra_phone_keys = excluded.extra_phone_keys
    RETURNING (xmax = 0) AS fresh
"""


async def lock_audience(apg: Apg, audience_id: uuid.UUID) -> None:
    """Members are written only for an audience that exists, and it is not deleted before
    the writing transaction ends (what the foreign key did before migration 0011: its
    deletion waits, and its trigger then deletes these members too). Raises
    :class:`JobLost` when the audience is gone."""
    found = await apg.fetchval("SELECT 1 FROM audience WHERE id = $1 FOR KEY SHARE", audience_id)
    if found is None:
        raise JobLost()


async def upsert_members(
    apg: Apg, audience_id: uuid.UUID, ids: list[str], keys: KeyColumns, *, resent: bool = True
) -> int:
    """Record accepted profiles with the keys they were sent with; returns how many are
    new members (the audience's ``member_count`` follows). Without ``resent`` profiles
    (additions only) a member already there is one a resumed job recorded: kept as is."""
    await lock_audience(apg, audience_id)
    if resent:
        await key_batch.copy_keys(apg, ids, keys)
        sql = f"WITH up AS ({_NEW_MEMBERS} {_RESENT}) SELECT count(*) FILTER (WHERE fresh) FROM up"  # noqa: S608
        inserted = int(await apg.fetchval(sql, audience_id))
    else:
        inserted = await _add(apg, audience_id, ids, keys)
    if inserted:
        await apg.execute(
            "UPDATE audience SET member_count = member_count + $2 WHERE id = $1",
            audience_id,
            inserted,
        )
    return inserted


async def _add(apg: Apg, audience_id: uuid.UUID, ids: list[str], keys: KeyColumns) -> int:
    """New members, COPYed straight into the table: a plain insert, no conflict check and
    no temp table per batch (a first send writes a million). A profile already recorded
    (by a run that took the job over meanwhile) fails the COPY; then, and only then, the
    batch goes in through the temp table with ``ON CONFLICT DO NOTHING``."""
    try:
        async with apg.transaction():  # a savepoint: a failed COPY leaves the checkpoint usable
            await apg.copy_records_to_table(
                "audience_member",
                records=key_batch.records(ids, keys, lead=(repeat(audience_id, len(ids)),)),
                columns=("audience_id", *key_batch.COLUMNS),
            )
        return len(ids)
    except asyncpg.UniqueViolationError:
        await key_batch.copy_keys(apg, ids, keys)
        status = await apg.execute(_NEW_MEMBERS + " ON CONFLICT DO NOTHING", audience_id)
        return int(status.rsplit(" ", 1)[-1])


async def delete_members(apg: Apg, audience_id: uuid.UUID, ids: list[str]) -> int:
    gone = int(
        await apg.fetchval(
            "WITH d AS (DELETE FROM audience_member WHERE audience_id = $1 "
            "AND external_id = ANY($2::text[]) RETURNING 1) SELECT count(*) FROM d",
            audience_id,
            ids,
        )
    )
    if gone:
        await apg.execute(
            "UPDATE audience SET member_count = member_count - $2 WHERE id = $1",
            audience_id,
            gone,
        )
    return gone


async def stage(apg: Apg, job_id: uuid.UUID, ids: list[str], keys: KeyColumns) -> None:
    """Profiles a replace has sent (accepted by the platform, not yet swapped in)."""
    await key_batch.copy_keys(apg, ids, keys)
    await apg.execute(_STAGED + " ON CONFLICT DO NOTHING", job_id)


async def clear_stage(apg: Apg, job_id: uuid.UUID) -> None:
    await apg.execute("DELETE FROM sync_job_stage WHERE job_id = $1", job_id)


async def swap_stage(apg: Apg, audience_id: uuid.UUID, job_id: uuid.UUID) -> tuple[int, int]:
    """The staged profiles become the audience's members: ``(added, removed)``."""
    await lock_audience(apg, audience_id)
    counts = await apg.fetchrow(
        """
        SELECT
          (SELECT count(*) FROM sync_job_stage s WHERE s.job_id = $2 AND NOT EXISTS
             (SELECT 1 FROM audience_member m
              WHERE m.audience_id = $1 AND m.external_id = s.external_id)) AS added,
          (SELECT count(*) FROM audience_member m WHERE m.audience_id = $1 AND NOT EXISTS
             (SELECT 1 FROM sync_job_stage s
              WHERE s.job_id = $2 AND s.external_id = m.external_id)) AS removed,
          (SELECT count(*) FROM sync_job_stage s WHERE s.job_id = $2) AS total
        """,
        audience_id,
        job_id,
    )
    assert counts is not None
    await marks.forget(apg, audience_id)
    await apg.execute("DELETE FROM audience_member WHERE audience_id = $1", audience_id)
    await apg.execute(
        f"INSERT INTO audience_member (audience_id, external_id, {_MEMBER_KEYS}) "  # noqa: S608
        f"SELECT $1, external_id, {_MEMBER_KEYS} FROM sync_job_stage "
        "WHERE job_id = $2 ORDER BY external_id",
        audience_id,
        job_id,
    )
    await clear_stage(apg, job_id)
    await apg.execute(
        "UPDATE audience SET member_count = $2 WHERE id = $1", audience_id, int(counts["total"])
    )
    return int(counts["added"]), int(counts["removed"])


async def member_count(apg: Apg, audience_id: uuid.UUID) -> int:
    value = await apg.fetchval("SELECT member_count FROM audience WHERE id = $1", audience_id)
    return int(value or 0)
