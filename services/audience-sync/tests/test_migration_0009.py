"""Migration 0009 (diff watermarks) on data written by 0008, and the diff above a mark:
it counts exactly what the whole diff counts, whatever changed in between."""

from __future__ import annotations

import asyncio
import contextlib
import random
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg

from adscale_common.testing import scratch_database
from audience_sync.sync import digest, planner, repository
from audience_sync.sync.hashing import Hasher
from kit import migrate

FIELDS = ["email", "phone"]


@contextlib.asynccontextmanager
async def _migrated(
    infra: Any, prefix: str, revision: str
) -> AsyncIterator[tuple[str, asyncpg.Connection[Any]]]:
    """A scratch database at ``revision``, its URL and a connection to it."""
    async with scratch_database(infra.database_url, prefix=prefix) as url:
        await asyncio.to_thread(migrate, url, revision)
        conn = await asyncpg.connect(url.replace("+asyncpg", ""))
        try:
            yield url, conn
        finally:
            await conn.close()


async def _segment_and_audience(conn: asyncpg.Connection[Any]) -> tuple[uuid.UUID, uuid.UUID]:
    segment, audience = uuid.uuid4(), uuid.uuid4()
    await conn.execute(
        "INSERT INTO segment (id, user_id, name, profile_count) VALUES ($1, $2, 'VIP', 0)",
        segment,
        uuid.uuid4(),
    )
    await conn.execute(
        "INSERT INTO audience (id, user_id, segment_id, platform, ad_account_id, "
        "platform_audience_name, identifier_fields) VALUES "
        "($1, $2, $3, 'meta', 'act_1', 'VIP', '[\"email\", \"phone\"]')",
        audience,
        uuid.uuid4(),
        segment,
    )
    return segment, audience


async def _refresh(conn: asyncpg.Connection[Any], segment: uuid.UUID) -> digest.RefreshStats:
    async with conn.transaction():
        return await digest.refresh_digests(conn, Hasher(0), segment, "meta", chunk_rows=1_000)


async def _job(conn: asyncpg.Connection[Any], audience: uuid.UUID) -> uuid.UUID:
    job = uuid.uuid4()
    await conn.execute(
        "INSERT INTO sync_job (id, audience_id, user_id, platform, operation, status, "
        "triggered_by, lease_owner) VALUES ($1, $2, $3, 'meta', 'update', 'running', 'api', 't')",
        job,
        audience,
        uuid.uuid4(),
    )
    return job


async def _plan(
    conn: asyncpg.Connection[Any], segment: uuid.UUID, audience: uuid.UUID, job: uuid.UUID
) -> planner.Estimate:
    async with conn.transaction():
        await digest.bulk_plans(conn, "64MB")
        planned = await planner.make_plan(
            conn, job, segment, "meta", audience, FIELDS, removals=True
        )
    assert planned is not None
    return planned


async def _accept_and_complete(
    conn: asyncpg.Connection[Any], audience: uuid.UUID, job: uuid.UUID, *, refused: int = 0
) -> None:
    """What the sender's checkpoints record when the platform accepts the whole plan, then
    the job's completion."""
    keys = "email, phone, madid, extra, extra_email_keys, extra_phone_keys"
    async with conn.transaction():
        await conn.execute(
            "DELETE FROM audience_member WHERE audience_id = $1 AND external_id IN "
            "(SELECT external_id FROM sync_job_plan WHERE job_id = $2 AND op = 0)",
            audience,
            job,
        )
        await conn.execute(
            f"INSERT INTO audience_member (audience_id, external_id, {keys}) "
            f"SELECT $1, external_id, {keys} FROM sync_job_plan WHERE job_id = $2 AND op <> 0 "
            "ON CONFLICT (audience_id, external_id) DO UPDATE SET email = EXCLUDED.email, "
            "phone = EXCLUDED.phone, madid = EXCLUDED.madid, extra = EXCLUDED.extra, "
            "extra_email_keys = EXCLUDED.extra_email_keys, "
            "extra_phone_keys = EXCLUDED.extra_phone_keys",
            audience,
            job,
        )
        await conn.execute("UPDATE sync_job SET profiles_failed = $2 WHERE id = $1", job, refused)
        row = await repository.complete_job(
            conn,
            job,
            "t",
            match_rate=None,
            response="{}",
            invalid=0,
            samples="[]",
            failed=0,
            counts="{}",
            notes=None,
        )
    assert row is not None


async def _delete(conn: asyncpg.Connection[Any], segment: uuid.UUID, ids: list[str]) -> None:
    """Profiles leave the segment as the segment API deletes them (digests with them)."""
    async with conn.transaction():
        await digest.lock_segment_profiles(conn, segment)
        await conn.execute(
            "DELETE FROM profile WHERE segment_id = $1 AND external_id = ANY($2::text[])",
            segment,
            ids,
        )
        await digest.delete_digests(conn, segment, ids)


async def _whole(conn: asyncpg.Connection[Any], segment: uuid.UUID, audience: uuid.UUID) -> Any:
    async with conn.transaction():
        await digest.bulk_plans(conn, "64MB")
        diff = await planner.estimate(conn, segment, "meta", audience, FIELDS, removals=True)
    return diff.to_add, diff.to_remove


async def test_migration_0009_on_0008_data_then_diffs_above_the_mark(adscale_infra: Any) -> None:
    async with _migrated(adscale_infra, "as_mig9", "0008") as (url, conn):
        segment, audience = await _segment_and_audience(conn)
        await conn.execute(
            "INSERT INTO profile (segment_id, external_id, email) SELECT $1, 'p' || i, "
            "'person' || i || '@example.com' FROM generate_series(1, 4) i",
            segment,
        )
        await conn.execute(  # hashed and synced (p1 to p3) under 0008
            "INSERT INTO profile_digest (segment_id, external_id, platform, version, email) "
            "SELECT segment_id, external_id, 'meta', version, "
            "sha256(convert_to(email, 'UTF8')) FROM profile WHERE segment_id = $1",
            segment,
        )
        await conn.execute(
            "INSERT INTO audience_member (audience_id, external_id, email) "
            "SELECT $1, external_id, email FROM profile_digest "
            "WHERE segment_id = $2 AND external_id <> 'p4'",
            audience,
            segment,
        )
        await asyncio.to_thread(migrate, url, "0009")

        # No mark yet: nothing is hashed again, and the first diff is the whole one.
        assert (await _refresh(conn, segment)).hashed == 0
        mark = await conn.fetchval("SELECT version FROM digest_mark")
        assert mark == await conn.fetchval("SELECT max(version) FROM profile")
        first = await _job(conn, audience)
        assert (await _plan(conn, segment, audience, first)).to_add == 1
        await _accept_and_complete(conn, audience, first)
        assert await conn.fetchval("SELECT version FROM audience_diff_mark") == mark

        # p2 gets a new email, p3 leaves, p5 joins: hashing reads only p2 and p5.
        await conn.execute(
            "UPDATE profile SET email = 'new@example.com', "
            "version = nextval('profile_version_seq') WHERE external_id = 'p2'"
        )
        await _delete(conn, segment, ["p3"])
        await conn.execute(
            "INSERT INTO profile (segment_id, external_id, email) "
            "VALUES ($1, 'p5', 'p5@example.com')",
            segment,
        )
        assert (await _refresh(conn, segment)).hashed == 2
        assert await conn.fetch("SELECT external_id FROM profile_removed") == [("p3",)]
        second = await _job(conn, audience)
        planned = await _plan(conn, segment, audience, second)
        assert (planned.to_add, planned.to_remove) == (2, 1)
        assert await _whole(conn, segment, audience) == (2, 1)

        await asyncio.to_thread(migrate, url, "0008", down=True)
        left = await conn.fetchval(
            "SELECT count(*) FROM pg_class WHERE relname IN "
            "('digest_mark', 'audience_diff_mark', 'profile_removed', 'ix_profile_version')"
        )
        assert left == 0
        await conn.execute("DELETE FROM profile WHERE external_id = 'p4'")  # no trigger


async def test_a_writer_in_flight_holds_the_digest_mark(adscale_infra: Any) -> None:
    async with _migrated(adscale_infra, "as_mark", "head") as (url, conn):
        writer = await asyncpg.connect(url.replace("+asyncpg", ""))
        try:
            segment, _ = await _segment_and_audience(conn)
            busy = writer.transaction()
            await busy.start()
            await digest.lock_profile_writes(writer, segment)
            await writer.execute(
                "INSERT INTO profile (segment_id, external_id, email) "
                "VALUES ($1, 'late', 'late@example.com')",
                segment,
            )
            await _refresh(conn, segment)
            # The writer's profile is not committed: no mark may claim its version.
            assert await conn.fetchval("SELECT count(*) FROM digest_mark") == 0
            await busy.commit()
            assert (await _refresh(conn, segment)).hashed == 1
            assert await conn.fetchval("SELECT version FROM digest_mark") >= await conn.fetchval(
                "SELECT version FROM profile WHERE external_id = 'late'"
            )
        finally:
            await writer.close()


async def test_the_diff_above_the_mark_counts_what_the_whole_diff_counts(
    adscale_infra: Any,
) -> None:
    """Rounds of random changes (new and shared emails, phones, leavers, joiners, consent
    refusals), each synced: the plan above the mark always equals the whole diff."""
    rng = random.Random(15)
    async with _migrated(adscale_infra, "as_markp", "head") as (_, conn):
        segment, audience = await _segment_and_audience(conn)
        await conn.execute(
            "INSERT INTO profile (segment_id, external_id, email, phone) SELECT $1, 'p' || i, "
            "'e' || i || '@example.com', '+1415555' || lpad(i::text, 4, '0') "
            "FROM generate_series(1, 300) i",
            segment,
        )
        incremental = 0
        for round_ in range(6):
            await _random_changes(conn, segment, rng, round_)
            await _refresh(conn, segment)
            whole = await _whole(conn, segment, audience)
            job = await _job(conn, audience)
            incremental += await conn.fetchval(
                "SELECT count(*) FROM audience_diff_mark WHERE version IS NOT NULL"
            )
            planned = await _plan(conn, segment, audience, job)
            assert (planned.to_add, planned.to_remove) == whole, round_
            # A job with a refused profile leaves the old mark; the next one diffs from it.
            await _accept_and_complete(conn, audience, job, refused=int(round_ == 3))
        assert incremental == 5  # every round after the first started from a mark


async def _random_changes(
    conn: asyncpg.Connection[Any], segment: uuid.UUID, rng: random.Random, round_: int
) -> None:
    ids = [r[0] for r in await conn.fetch("SELECT external_id FROM profile ORDER BY 1")]
    for external_id in rng.sample(ids, 12):
        value = rng.choice(["new", "shared", "none"])
        email = {"new": f"r{round_}{external_id}@example.com", "shared": "shared@example.com"}
        await conn.execute(
            "UPDATE profile SET email = $2, version = nextval('profile_version_seq') "
            "WHERE segment_id = $1 AND external_id = $3",
            segment,
            email.get(value),
            external_id,
        )
    for external_id in rng.sample(ids, 5):
        await conn.execute(
            "UPDATE profile SET phone = '+14155550000', consent_ad_user_data = $3, "
            "version = nextval('profile_version_seq') WHERE segment_id = $1 AND external_id = $2",
            segment,
            external_id,
            rng.choice([None, "denied", "granted"]),
        )
    await _delete(conn, segment, rng.sample(ids, 7))
    await conn.execute(
        "INSERT INTO profile (segment_id, external_id, email) SELECT $1, 'n' || $2 || '-' || i, "
        "'n' || $2 || '-' || i || '@example.com' FROM generate_series(1, 9) i",
        segment,
        str(round_),
    )
