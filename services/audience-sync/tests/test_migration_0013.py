"""Migration 0013 on data written by 0012: every query that finds a person (the profiles
list's ``q``, subject access, erasure) reads its index, and finds what the scans found.

The migration writes the index expressions out and ``safeguards.identity`` writes them for the
queries: a plan that reads ``ix_profile_email``, ``ix_profile_phone_tail`` or
``ix_profile_extra_emails`` is the proof the two texts are the same expression. The
downgrade drops the indexes, the statistics and ``normalized_emails``."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any, cast

import asyncpg
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from adscale_common.testing import scratch_database
from audience_sync.privacy import bulk, store
from audience_sync.segment import repository
from audience_sync.segment.repository import ProfileSearch
from kit import migrate

INDEXES = (
    "ix_profile_email",
    "ix_profile_phone_tail",
    "ix_profile_extra_emails",
    "ix_profile_external_id_prefix",
)
COUNT = 4_000
STATISTICS = "SELECT 1 FROM pg_statistic_ext WHERE stxname = 'st_profile_extra_emails'"


async def _fill(conn: asyncpg.Connection[Any], user: uuid.UUID, segment: uuid.UUID) -> None:
    """``COUNT`` profiles as 0012 left them: emails in any case, some with the spaces older
    writers kept; phones written in several ways; a further email in any case for one
    profile in ten."""
    await conn.execute(
        "INSERT INTO segment (id, user_id, name, profile_count) VALUES ($1, $2, 'VIP', $3)",
        segment,
        user,
        COUNT,
    )
    await conn.execute(
        """
        INSERT INTO profile (segment_id, external_id, email, phone, extra_emails)
        SELECT $1, 'c' || i,
               CASE WHEN i % 7 = 0 THEN NULL
                    WHEN i % 2 = 0 THEN '  Person.' || i || '@Example.COM '
                    ELSE 'person.' || i || '@example.com' END,
               CASE WHEN i % 5 = 0 THEN NULL
                    WHEN i % 2 = 0 THEN '(415) 555-' || lpad(i::text, 4, '0')
                    ELSE '+1 415.555.' || lpad(i::text, 4, '0') END,
               CASE WHEN i % 10 = 1 THEN ARRAY['Alt.' || i || '@Mail.com'] END
        FROM generate_series(1, $2) i
        """,
        segment,
        COUNT,
    )


def _sql(stmt: sa.Select[Any]) -> str:
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    return str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


async def _plan(conn: asyncpg.Connection[Any], sql: str, *args: Any) -> str:
    return "\n".join(r[0] for r in await conn.fetch(f"EXPLAIN {sql}", *args))


class _Explaining:
    """Stands for the asyncpg connection of the privacy queries: plans each one instead
    of running it."""

    def __init__(self, conn: asyncpg.Connection[Any]) -> None:
        self.conn = conn
        self.plans: list[str] = []

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        self.plans.append(await _plan(self.conn, sql, *args))
        return []


async def _privacy_plans(conn: asyncpg.Connection[Any], user: uuid.UUID) -> list[str]:
    explaining = _Explaining(conn)
    apg = cast(Any, explaining)
    await store.profiles_by_email(apg, user, "person.44@example.com")
    await store.profiles_by_phone_tail(apg, user, "5550044")
    await bulk.profiles_by_emails(apg, user, ["person.44@example.com", "alt.41@mail.com"])
    await bulk.profiles_by_phone_tails(apg, user, ["5550044", "5550043"])
    return explaining.plans


async def test_people_are_found_through_the_indexes(adscale_infra: Any) -> None:
    async with scratch_database(adscale_infra.database_url, prefix="audience_sync_m13") as url:
        await asyncio.to_thread(migrate, url, "0012")
        conn = await asyncpg.connect(url.replace("+asyncpg", ""))
        try:
            user, segment, sibling, foreign = (uuid.uuid4() for _ in range(4))
            await _fill(conn, user, segment)
            await _fill(conn, user, sibling)  # the same people in another segment
            await _fill(conn, uuid.uuid4(), foreign)  # and in another user's
            await conn.execute("ANALYZE profile")
            number = "+14155550044"
            before = await _plan(conn, _sql(repository.phone_candidates_query(segment, number)))
            assert 'Filter: ("right"(regexp_replace' in before, before  # each profile's

            await asyncio.to_thread(migrate, url, "0013")
            assert await conn.fetchval(STATISTICS) == 1  # the further emails' estimates
            await conn.execute("ANALYZE profile")
            search = ProfileSearch(prefix="person.44@example.com", external_ids=["c44"])
            people_search = {
                repository.email_holders_query(segment, "person.44@example.com"): (
                    "ix_profile_email",
                    "ix_profile_extra_emails",
                ),
                repository.phone_candidates_query(segment, number): ("ix_profile_phone_tail",),
                repository.page_query(segment, 0, 20, search): ("ix_profile_external_id_prefix",),
                repository.count_query(segment, search): ("ix_profile_external_id_prefix",),
            }
            for stmt, names in people_search.items():
                plan = await _plan(conn, _sql(stmt))
                assert all(f"Scan on {n}" in plan or f"using {n}" in plan for n in names), plan
                assert "Seq Scan" not in plan, plan
            expected = [
                ("ix_profile_email", "ix_profile_extra_emails"),
                ("ix_profile_phone_tail",),
                ("ix_profile_email", "ix_profile_extra_emails"),
                ("ix_profile_phone_tail",),
            ]
            for plan, names in zip(await _privacy_plans(conn, user), expected, strict=True):
                assert all(f"Scan on {n}" in plan or f"using {n}" in plan for n in names), plan
                assert "Seq Scan on profile" not in plan, plan

            # What they find: the email stored with spaces and capitals, the further one in
            # any case, the phone however written; only the user's segments.
            found = await conn.fetch(
                _sql(repository.email_holders_query(segment, "person.44@example.com"))
            )
            assert [r[0] for r in found] == ["c44"]
            found = await conn.fetch(
                _sql(repository.email_holders_query(segment, "alt.41@mail.com"))
            )
            assert [r[0] for r in found] == ["c41"]
            found = await conn.fetch(_sql(repository.phone_candidates_query(segment, number)))
            assert [tuple(r) for r in found] == [("c44", "(415) 555-0044")]
            held = await store.profiles_by_email(conn, user, "alt.41@mail.com")
            assert sorted(r["segment_id"] for r in held) == sorted([segment, sibling])
            held = await store.profiles_by_phone_tail(conn, user, "5550043")
            assert {r["phone"] for r in held} == {"+1 415.555.0043"} and len(held) == 2
            matched = await bulk.profiles_by_emails(
                conn, user, ["person.44@example.com", "alt.41@mail.com"]
            )
            assert sorted((r["external_id"], r["matched"]) for r in matched) == [
                ("c41", "alt.41@mail.com"),
                ("c41", "alt.41@mail.com"),
                ("c44", "person.44@example.com"),
                ("c44", "person.44@example.com"),
            ]
            tails = await bulk.profiles_by_phone_tails(conn, user, ["5550044", "5550043"])
            assert sorted(r["external_id"] for r in tails) == ["c43", "c43", "c44", "c44"]

            await asyncio.to_thread(migrate, url, "0012", down=True)
            left = await conn.fetch(
                "SELECT indexname FROM pg_indexes WHERE indexname = ANY($1::text[])",
                list(INDEXES),
            )
            assert left == []
            function = await conn.fetchval("SELECT to_regproc('normalized_emails')")
            assert function is None
            assert await conn.fetchval(STATISTICS) is None
        finally:
            await conn.close()
