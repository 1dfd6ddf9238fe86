"""The diff on profiles: what an audience should hold against what the platform accepted.

The desired set is the segment's profiles with a usable identifier for the platform, each
with its keys for the audience's fields (``profile_digest``). Against ``audience_member``
(one row per accepted profile, with the strong keys it was sent with and a fingerprint of
the others), one hash full join on ``external_id`` finds:

* ``op 1``: profiles to add (not a member yet);
* ``op 0``: members to remove (no longer desired; skipped for additive-only updates);
* ``op 2``: members whose keys changed (a new phone, a new name, another extra email):
  sent again, after their old strong keys (extra emails and phones included) are removed,
  except a key the profile still has or another profile of the segment still uses.

A profile is usable when it has a strong identifier the audience sends (email, phone,
mobile ad id), or, for Google, a whole address.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

from audience_sync.sync import marks
from audience_sync.sync.digest import digest_mark
from audience_sync.sync.fields import (
    ADDRESS_FIELDS,
    DIGEST_FIELDS,
    EXTRA_KEYS,
    STRONG_FIELDS,
    WEAK_FIELDS,
)

logger = logging.getLogger(__name__)

OP_REMOVE, OP_ADD, OP_RESEND = 0, 1, 2
# Plans this large get fresh statistics before the lanes' anti-joins are planned: planned
# against stale ones (a new database, a first big sync) PostgreSQL picks a nested loop that
# rescans the members for every plan row. A table is analyzed only when its statistics
# know fewer rows than the plan holds (a 1 % update of a large audience re-samples
# nothing: its statistics are still right).
ANALYZE_AFTER_ROWS = 10_000
_KNOWN_ROWS = "SELECT reltuples FROM pg_class WHERE oid = $1::regclass"


@dataclass
class Estimate:
    to_add: int
    to_remove: int


def _known(fields: list[str]) -> list[str]:
    unknown = [f for f in fields if f not in DIGEST_FIELDS]
    if unknown:
        raise ValueError(f"unknown identifier fields {unknown!r}")
    return fields


def usable_sql(platform: str, fields: list[str], alias: str = "d") -> str:
    """The condition a digest row ``alias`` meets when the platform can match it."""
    _known(fields)
    tests = [f"{alias}.{f} IS NOT NULL" for f in STRONG_FIELDS if f in fields]
    address = ADDRESS_FIELDS.get(platform, ())
    if address and all(f in fields for f in address):
        tests.append("(" + " AND ".join(f"{alias}.{f} IS NOT NULL" for f in address) + ")")
    return "(" + (" OR ".join(tests) or "false") + ")"


def extra_sql(fields: list[str], alias: str = "d") -> str:
    """The fingerprint of a digest row's weak keys the audience sends (``NULL`` without)."""
    weak = [f for f in WEAK_FIELDS if f in _known(fields)]
    if not weak:
        return "NULL::bytea"
    parts = " || '\\x7c'::bytea || ".join(f"COALESCE({alias}.{f}, ''::bytea)" for f in weak)
    return f"decode(md5({parts}), 'hex')"


# A profile that denied consent (either kind) is not desired: never sent, and removed from
# the audiences it is in by their next sync (see the privacy section of the README).
CONSENTED = (
    "NOT EXISTS (SELECT 1 FROM profile c WHERE c.segment_id = $1 "
    "AND c.external_id = d.external_id AND (c.consent_ad_user_data = 'denied' "
    "OR c.consent_ad_personalization = 'denied'))"
)


def extras_sql(fields: list[str], alias: str = "d") -> str:
    """The extra-key columns of a digest row (``NULL`` for fields the audience does not
    send)."""
    return ", ".join(
        f"{alias}.{column}" if field in fields else f"NULL::bytea[] AS {column}"
        for field, column in EXTRA_KEYS.items()
    )


_EXTRAS = ", ".join(EXTRA_KEYS.values())


def desired_sql(platform: str, fields: list[str], *, changed: bool = False) -> str:
    """Usable profiles of the segment ($1) for the platform ($2): ``external_id``, one key
    column per :data:`DIGEST_FIELDS` (``NULL`` for fields the audience does not send),
    ``extra`` and the extra email / phone keys. ``changed``: only those of the statement's
    ``changed`` set (:func:`changed_sql`)."""
    columns = ", ".join(f"d.{f}" if f in fields else f"NULL::bytea AS {f}" for f in DIGEST_FIELDS)
    only = " AND d.external_id IN (SELECT external_id FROM changed)" if changed else ""
    return (
        f"SELECT d.external_id, {columns}, {extra_sql(fields)} AS extra, "  # noqa: S608
        f"{extras_sql(fields)} "
        "FROM profile_digest d WHERE d.segment_id = $1 AND d.platform = $2 "
        f"AND {usable_sql(platform, fields)} AND {CONSENTED}{only}"
    )


def changed_sql(since: int | None) -> str:
    """``WITH changed AS (...)``: the external ids of the segment ($1) changed or removed
    above the audience's diff mark ``since`` (:mod:`.marks`); empty without a mark."""
    if since is None:
        return ""
    version = int(since)
    return (
        "WITH changed AS MATERIALIZED ("  # noqa: S608 - an integer
        f"SELECT external_id FROM profile WHERE segment_id = $1 AND version > {version} "
        "UNION SELECT external_id FROM profile_removed "
        f"WHERE segment_id = $1 AND version > {version}) "
    )


CHANGED = (
    "d.email IS DISTINCT FROM m.email OR d.phone IS DISTINCT FROM m.phone "
    "OR d.madid IS DISTINCT FROM m.madid "
    "OR (m.extra IS NOT NULL AND d.extra IS DISTINCT FROM m.extra) "
    "OR d.extra_email_keys IS DISTINCT FROM m.extra_email_keys "
    "OR d.extra_phone_keys IS DISTINCT FROM m.extra_phone_keys"
)


def _diff_from(platform: str, fields: list[str], changed: bool = False) -> str:
    """Parameters: $1 segment, $2 platform, $3 audience, $4 whether removals count; with
    ``changed``, only the profiles of the ``changed`` set."""
    only = " AND external_id IN (SELECT external_id FROM changed)" if changed else ""
    return f"""
        FROM ({desired_sql(platform, fields, changed=changed)}) d
        FULL JOIN (SELECT external_id, email, phone, madid, extra, {_EXTRAS}
                   FROM audience_member WHERE audience_id = $3{only}) m
          ON m.external_id = d.external_id
        WHERE m.external_id IS NULL
           OR (d.external_id IS NULL AND $4::boolean)
           OR (d.external_id IS NOT NULL AND m.external_id IS NOT NULL AND ({CHANGED}))
    """  # noqa: S608 - built from constants


def estimate_sql(platform: str, fields: list[str], since: int | None = None) -> str:
    return (
        changed_sql(since) + "SELECT count(*) FILTER (WHERE d.external_id IS NOT NULL) AS to_add, "
        "count(*) FILTER (WHERE d.external_id IS NULL) AS to_remove "
        + _diff_from(platform, fields, since is not None)
    )


def _old(field: str) -> str:
    """The member's old key of a strong field, when the profile left or no longer has it
    (neither as that field nor among its extras)."""
    kept = ""
    if field in EXTRA_KEYS:
        kept = f" AND NOT (m.{field} = ANY(COALESCE(d.{EXTRA_KEYS[field]}, '{{}}')))"
    return (
        f"CASE WHEN d.external_id IS NULL OR (m.{field} IS DISTINCT FROM d.{field}{kept}) "
        f"THEN m.{field} END"
    )


def _old_extras(field: str) -> str:
    """The member's extra keys of ``field`` the profile no longer has (``NULL`` if none)."""
    column = EXTRA_KEYS[field]
    return (
        f"NULLIF(ARRAY(SELECT k FROM unnest(m.{column}) k "  # noqa: S608 - whitelisted
        f"WHERE k IS DISTINCT FROM d.{field} "
        f"AND NOT (k = ANY(COALESCE(d.{column}, '{{}}')))), '{{}}')"
    )


def plan_sql(platform: str, fields: list[str], since: int | None = None) -> str:
    """Store the diff as the plan of job $5 (at most $6 rows) and count it (only the
    profiles changed above ``since``, the audience's diff mark, when there is one)."""
    columns = ", ".join(DIGEST_FIELDS)
    keys = ", ".join(f"d.{f}" for f in DIGEST_FIELDS)
    op = (
        f"CASE WHEN m.external_id IS NULL THEN {OP_ADD} "
        f"WHEN d.external_id IS NULL THEN {OP_REMOVE} ELSE {OP_RESEND} END"
    )
    old = f"{_old('email')}, {_old('phone')}, {_old('madid')}"
    old_extras = ", ".join(_old_extras(f) for f in EXTRA_KEYS)
    diff = _diff_from(platform, fields, since is not None)
    head = changed_sql(since)
    return f"""
        {head + ", " if head else "WITH "}ins AS (
            INSERT INTO sync_job_plan (job_id, external_id, op, {columns}, extra, {_EXTRAS},
                                       old_email, old_phone, old_madid, {OLD_EXTRAS})
            SELECT $5, COALESCE(d.external_id, m.external_id), {op}, {keys}, d.extra,
                   d.extra_email_keys, d.extra_phone_keys, {old}, {old_extras}
            {diff}
            LIMIT $6 ON CONFLICT DO NOTHING RETURNING op)
        SELECT count(*) FILTER (WHERE op <> {OP_REMOVE}) AS to_add,
               count(*) FILTER (WHERE op = {OP_REMOVE}) AS to_remove, count(*) AS total FROM ins
    """  # noqa: S608 - built from constants


OLD_EXTRAS = ", ".join(f"old_{c}" for c in EXTRA_KEYS.values())


def _in_use(field: str) -> str:
    """``(external_id, k)``: every key of ``field`` a profile of the segment ($2) has for the
    platform ($3), its extras included."""
    extras = EXTRA_KEYS.get(field)
    used = (
        f"SELECT d.external_id, d.{field} AS k FROM profile_digest d "  # noqa: S608
        f"WHERE d.segment_id = $2 AND d.platform = $3 AND d.{field} IS NOT NULL"
    )
    if extras is None:
        return used
    return (
        f"{used} UNION ALL SELECT d.external_id, unnest(d.{extras}) "  # noqa: S608
        "FROM profile_digest d "
        f"WHERE d.segment_id = $2 AND d.platform = $3 AND d.{extras} IS NOT NULL"
    )


def keep_shared_extras_sql(field: str) -> str:
    """Keep the old extra keys of ``field`` another profile still uses ($1 job, $2 segment,
    $3 platform): they are not removed from the platform."""
    column = f"old_{EXTRA_KEYS[field]}"
    return (
        f"UPDATE sync_job_plan p SET {column} = NULLIF(ARRAY("  # noqa: S608 - whitelisted
        f"SELECT o FROM unnest(p.{column}) o WHERE NOT EXISTS (SELECT 1 FROM ({_in_use(field)}) u "
        f"WHERE u.k = o AND u.external_id <> p.external_id)), '{{}}') "
        f"WHERE p.job_id = $1 AND p.{column} IS NOT NULL"
    )


# A plan with at most this many rows keeps its shared old keys with one scan of the
# segment's digests (:func:`keep_shared_sql` with ``probe``); larger ones join per field.
PROBE_MAX_ROWS = 100_000


def keep_shared_sql(fields: list[str], *, probe: bool = False) -> str | None:
    """Keep the old keys another profile of the segment still uses ($1 job, $2 segment, $3
    platform), as its key or as one of its extras: they are not removed from the platform.
    One statement for every strong field of ``fields`` (``None`` when there is none).

    Without ``probe``, per field an inner join in which the plan's old keys are the hashed
    side and the segment's digests stream past (one scan per field, and one per extras
    column). With ``probe`` (plans of a few thousand rows: their old keys fit in memory),
    one scan of the digests keeps those holding one of the plan's old keys in a strong
    field (hashed sub-plans) or holding extras; the same joins then run on that handful.
    Both give the same plan."""
    strong = [f for f in STRONG_FIELDS if f in _known(fields)]
    if not strong:
        return None
    source = "profile_digest d WHERE d.segment_id = $2 AND d.platform = $3"
    head = ""
    if probe:
        holds = [
            f"d.{f} IN (SELECT old_{f} FROM sync_job_plan "  # noqa: S608 - whitelisted
            f"WHERE job_id = $1 AND old_{f} IS NOT NULL)"
            for f in strong
        ]
        holds += [f"d.{EXTRA_KEYS[f]} IS NOT NULL" for f in strong if f in EXTRA_KEYS]
        columns = ", ".join([*strong, *(EXTRA_KEYS[f] for f in strong if f in EXTRA_KEYS)])
        head = (
            f"WITH held AS MATERIALIZED (SELECT d.external_id, {columns} FROM {source} "  # noqa: S608
            f"AND ({' OR '.join(holds)})) "
        )
        source = "held d WHERE true"
    branches = []
    for f in strong:
        branches.append(
            f"SELECT o.external_id, '{f}' AS field FROM sync_job_plan o "  # noqa: S608
            f"JOIN (SELECT d.external_id, d.{f} AS k FROM {source}) x "
            f"ON x.k = o.old_{f} AND x.external_id <> o.external_id WHERE o.job_id = $1"
        )
        extras = EXTRA_KEYS.get(f)
        if extras is not None:
            branches.append(
                f"SELECT o.external_id, '{f}' AS field FROM sync_job_plan o "  # noqa: S608
                f"JOIN (SELECT d.external_id, unnest(d.{extras}) AS k FROM {source} "
                f"AND d.{extras} IS NOT NULL) x "
                f"ON x.k = o.old_{f} AND x.external_id <> o.external_id WHERE o.job_id = $1"
            )
    used = " UNION ALL ".join(branches)
    flags = ", ".join(f"bool_or(u.field = '{f}') AS {f}" for f in strong)
    sets = ", ".join(f"old_{f} = CASE WHEN s.{f} THEN NULL ELSE p.old_{f} END" for f in strong)
    return f"""
        {head}UPDATE sync_job_plan p SET {sets}
        FROM (SELECT u.external_id, {flags} FROM ({used}) u GROUP BY u.external_id) s
        WHERE p.job_id = $1 AND p.external_id = s.external_id
    """  # noqa: S608 - built from whitelisted field names


async def without_jit(conn: asyncpg.Connection[Any]) -> None:
    """No JIT compilation for the rest of the transaction: the diff's statements run once
    each, and compiling one costs about 0.1 s, more than the few thousand rows of a diff
    from a mark take to read (the cost estimates of the digest scans cross
    ``jit_above_cost`` whatever the rows they keep)."""
    await conn.execute("SET LOCAL jit = off")


async def _incremental(conn: asyncpg.Connection[Any], since: int | None) -> None:
    """A diff above a mark reads a few profiles by key: nested loops are right for it (the
    transaction's :func:`~audience_sync.sync.digest.bulk_plans` turned them off)."""
    await conn.execute(f"SET LOCAL enable_nestloop = {'on' if since is not None else 'off'}")


async def estimate(
    conn: asyncpg.Connection[Any],
    segment_id: uuid.UUID,
    platform: str,
    audience_id: uuid.UUID,
    fields: list[str],
    *,
    removals: bool,
    job_id: uuid.UUID | None = None,
) -> Estimate:
    """The real diff, counted in profiles: to send (new or changed), and to remove (from
    the audience's diff mark when job ``job_id`` may use it)."""
    since = await marks.baseline(conn, audience_id, job_id, fields, removals=removals)
    if since is not None:
        await _incremental(conn, since)
    row = await conn.fetchrow(
        estimate_sql(platform, fields, since), segment_id, platform, audience_id, removals
    )
    if since is not None:
        await _incremental(conn, None)
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
    timings: dict[str, float] | None = None,
) -> Estimate | None:
    """Store the job's diff in ``sync_job_plan`` (replacing any older plan) and count it;
    ``None`` (and no plan) when it has more than ``max_rows`` rows.

    The diff starts from the audience's diff mark when it has a usable one (:mod:`.marks`);
    the plan records the digest mark it read as the job's pending mark. ``timings`` gets
    the seconds of the diff (``plan``) and of keeping shared old keys (``keep_shared``)."""
    started = time.monotonic()
    await without_jit(conn)
    await conn.execute("DELETE FROM sync_job_plan WHERE job_id = $1", job_id)
    limit = (max_rows + 1) if max_rows is not None else None
    since = await marks.baseline(conn, audience_id, job_id, fields, removals=removals)
    hashed = await digest_mark(conn, segment_id, platform)
    if since is not None:
        await _incremental(conn, since)
    row = await conn.fetchrow(
        plan_sql(platform, fields, since),
        segment_id,
        platform,
        audience_id,
        removals,
        job_id,
        limit,
    )
    if since is not None:
        await _incremental(conn, None)
    assert row is not None
    total = int(row["total"])
    if max_rows is not None and total > max_rows:
        await conn.execute("DELETE FROM sync_job_plan WHERE job_id = $1", job_id)
        return None
    await marks.set_pending(
        conn, audience_id, job_id, hashed, fields, removals=removals, incremental=since is not None
    )
    diffed = time.monotonic()
    if total - int(row["to_add"]) or await _resends(conn, job_id):
        shared = keep_shared_sql(fields, probe=total <= PROBE_MAX_ROWS)
        if shared is not None:
            await conn.execute(shared, job_id, segment_id, platform)
        for name in EXTRA_KEYS:
            if name in fields:
                await conn.execute(keep_shared_extras_sql(name), job_id, segment_id, platform)
    if timings is not None:
        timings["plan"] = timings.get("plan", 0.0) + diffed - started
        timings["keep_shared"] = timings.get("keep_shared", 0.0) + time.monotonic() - diffed
    await refresh_statistics(conn, ("sync_job_plan", "audience_member"), total)
    logger.info(
        "sync plan computed",
        extra={
            "job_id": str(job_id),
            "rows": total,
            "from_mark": since is not None,
            "seconds": round(time.monotonic() - started, 3),
        },
    )
    return Estimate(to_add=int(row["to_add"]), to_remove=int(row["to_remove"]))


async def refresh_statistics(
    conn: asyncpg.Connection[Any], tables: tuple[str, ...], rows: int
) -> None:
    """ANALYZE each of ``tables`` whose statistics know fewer than ``rows`` rows, when
    ``rows`` reaches :data:`ANALYZE_AFTER_ROWS`."""
    if rows < ANALYZE_AFTER_ROWS:
        return
    for table in tables:
        if float(await conn.fetchval(_KNOWN_ROWS, table) or 0) < rows:
            await conn.execute(f"ANALYZE {table}")


async def _resends(conn: asyncpg.Connection[Any], job_id: uuid.UUID) -> bool:
    found = await conn.fetchval(
        f"SELECT 1 FROM sync_job_plan WHERE job_id = $1 AND op = {OP_RESEND} LIMIT 1",  # noqa: S608
        job_id,
    )
    return found is not None
