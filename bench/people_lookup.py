"""People lookup: a person found by email or phone with migration 0013's indexes and
without them, and what the indexes cost a write.

One scratch database migrated by audience-sync's Alembic scripts. For each size N
(``--profiles``, default 200,000 and 1,000,000): a user with a segment of N profiles and
two more segments holding its first N/10 people again (subject access spans all three),
beside another user's segment of 200,000 with the same emails and phones (other tenants'
data in the table); written with ``INSERT ... SELECT``. Emails are stored in any case,
phones in three ways, one profile in ten has further emails. Then the median of
``--rounds`` calls of what the service calls:

- people search, ``GET /cdp/segments/{id}/profiles?q=`` (``segment.service.list_profiles``:
  the first page of 20 and its total), by email (stored capitalized, asked in lower case),
  by a further email, by phone (written another way than stored), by external id prefix
  (ten profiles);
- subject access's lookup (``privacy.person.find``) by email and by phone;

once with the indexes of 0013 and once with them dropped in a transaction rolled back
afterwards (the same data, the same run), and the ratio. Last, at the largest size, the
write cost: upserting 100,000 profiles through ``ProfileStage.upsert`` (the path of the
import and of the API's bulk upsert), as new profiles and as changes to existing ones
(email and phone), with and without the indexes (each rolled back, then ``VACUUM``).

The admin URL comes from ``ADSCALE_TEST_DATABASE_URL``, else from the provisioned stack
(``ADSCALE_HOME``, see deploy/stack.py).

    uv run python bench/people_lookup.py
    uv run python bench/people_lookup.py --profiles 50000 --rounds 3 --writes 20000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

ROOT = Path(__file__).resolve().parents[1]
ALEMBIC_INI = ROOT / "services" / "audience-sync" / "alembic.ini"
sys.path.insert(0, str(ROOT / "deploy"))

from adscale_common.db import make_engine  # noqa: E402
from adscale_common.pagination import PageParams  # noqa: E402
from adscale_common.testing import migrated_database  # noqa: E402
from audience_sync.db import driver_of  # noqa: E402
from audience_sync.models import Segment  # noqa: E402
from audience_sync.privacy import person  # noqa: E402
from audience_sync.safeguards.identity import Identifier  # noqa: E402
from audience_sync.segment import service  # noqa: E402
from audience_sync.segment.repository import ProfileStage  # noqa: E402
from audience_sync.segment.rows import stage_record  # noqa: E402

# Migration 0013's indexes (its function stays: the queries call it either way).
INDEXES = (
    "ix_profile_email",
    "ix_profile_phone_tail",
    "ix_profile_extra_emails",
    "ix_profile_external_id_prefix",
)
OTHER_TENANT = 200_000
WRITE_COLUMNS = ("email", "phone", "first_name", "last_name", "zip", "extra_emails")

# Person i of a segment: the same email, phone and further emails in every segment.
FILL = """
INSERT INTO profile (segment_id, external_id, email, phone, extra_emails, first_name,
                     last_name, zip, updated_at)
SELECT $1, 'p-' || lpad(i::text, 7, '0'),
       CASE WHEN i % 10 = 9 THEN NULL
            WHEN i % 3 = 0 THEN 'Person.' || i || '@Example.com'
            ELSE 'person.' || i || '@example.com' END,
       CASE WHEN i % 5 = 4 THEN NULL
            WHEN i % 3 = 0 THEN '+1 (415) ' || x || '-' || y
            WHEN i % 3 = 1 THEN '415.' || x || '.' || y
            ELSE '+1 415 ' || x || ' ' || y END,
       CASE WHEN i % 10 = 1 THEN ARRAY['Alt.' || i || '@Mail.com', 'other.' || i || '@example.org']
       END,
       'First' || i % 977, 'Last' || i % 983, '94' || lpad((i % 1000)::text, 3, '0'),
       '2026-12-01T00:00:00Z'::timestamptz + (i / 500) * interval '1 minute'
FROM generate_series(1, $2) i,
     LATERAL (SELECT (200 + i / 10000 % 800)::text AS x, lpad((i % 10000)::text, 4, '0') AS y) n
"""


def admin_url() -> str:
    """``ADSCALE_TEST_DATABASE_URL``, else the provisioned stack's admin URL."""
    from stack import base_env

    url = os.environ.get("ADSCALE_TEST_DATABASE_URL") or base_env().get("ADSCALE_DATABASE_URL")
    if not url:
        sys.exit("no database: set ADSCALE_TEST_DATABASE_URL or provision the stack first")
    return url


async def segment_of(conn: asyncpg.Connection[Any], user: uuid.UUID, name: str, n: int) -> Any:
    segment = uuid.uuid4()
    await conn.execute(
        "INSERT INTO segment (id, user_id, name, profile_count) VALUES ($1, $2, $3, $4)",
        segment,
        user,
        name,
        n,
    )
    await conn.execute(FILL, segment, n)
    return segment


class Size:
    """A user of one size: its segments and the people the lookups ask for."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.user = uuid.uuid4()
        self.segment = uuid.UUID(int=0)
        # A person held in the three segments (i <= n / 10), email capitalized, with a phone.
        self.i = max(n // 20 // 30 * 30 + 3, 3)
        self.further = self.i + 8  # one with further emails

    async def load(self, conn: asyncpg.Connection[Any]) -> None:
        self.segment = await segment_of(conn, self.user, f"{self.n:,}", self.n)
        for name in ("side A", "side B"):
            await segment_of(conn, self.user, name, self.n // 10)

    def phone(self, i: int) -> str:
        return f"(415) {200 + i // 10000 % 800:03d} {i % 10000:04d}"

    def searches(self) -> dict[str, str]:
        return {
            "search by email": f"person.{self.i}@example.com",
            "search by further email": f"ALT.{self.further}@mail.com",
            "search by phone": self.phone(self.i),
            "search by id prefix": f"p-{self.i // 10:06d}",
        }

    def people(self) -> dict[str, Identifier]:
        return {
            "subject access by email": Identifier.parse("email", f"Person.{self.i}@example.com"),
            "subject access by phone": Identifier.parse("phone", self.phone(self.i)),
        }


async def median_ms(rounds: int, call: Callable[[], Awaitable[int]]) -> tuple[float, int]:
    """The median milliseconds of ``rounds`` calls after one untimed; what it found."""
    found = await call()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        assert await call() == found
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), found


async def lookups(conn: AsyncConnection, size: Size, rounds: int) -> dict[str, tuple[float, int]]:
    session = AsyncSession(bind=conn)
    segment = await session.get(Segment, size.segment)
    assert segment is not None
    apg = await driver_of(conn)
    out: dict[str, tuple[float, int]] = {}
    for label, q in size.searches().items():

        async def search(q: str = q) -> int:
            page = await service.list_profiles(session, segment, PageParams(1, 20), q)
            return page.total

        out[label] = await median_ms(rounds, search)
    for label, who in size.people().items():

        async def find(who: Identifier = who) -> int:
            return len(await person.find(apg, size.user, who))

        out[label] = await median_ms(rounds, find)
    return out


async def measure(url: str, size: Size, rounds: int) -> dict[str, dict[str, tuple[float, int]]]:
    engine = make_engine(url, pool_size=1)
    try:
        results = {}
        for mode in ("indexed", "dropped"):
            async with engine.connect() as conn:
                transaction = await conn.begin()
                if mode == "dropped":
                    await conn.execute(sa.text(f"DROP INDEX {', '.join(INDEXES)}"))
                results[mode] = await lookups(conn, size, rounds)
                await transaction.rollback()
        return results
    finally:
        await engine.dispose()


def write_records(start: int, count: int, changed: bool) -> list[tuple[Any, ...]]:
    """COPY records of people ``start``.. (as the import builds them); ``changed`` gives
    them another email and phone than :data:`FILL` wrote."""
    out = []
    for i in range(start, start + count):
        host = "example.net" if changed else "example.com"
        values = {
            "email": f"Person.{i}@{host}",
            "phone": f"+1 650 {200 + i // 10000 % 800:03d} {i % 10000:04d}",
            "first_name": f"First{i % 977}",
            "last_name": f"Last{i % 983}",
            "zip": f"94{i % 1000:03d}",
        }
        more = {"email": [f"Alt.{i}@Mail.com"]} if i % 10 == 1 else {}
        out.append(stage_record(i, f"p-{i:07d}", values, None, more))
    return out


async def writes(url: str, size: Size, count: int, rounds: int) -> dict[str, dict[str, float]]:
    """Seconds of one upsert of ``count`` profiles, new and changed, with and without the
    indexes (median of ``rounds``, alternating; each rolled back, then ``VACUUM``)."""
    batches = {
        "new profiles": write_records(size.n + 1, count, changed=False),
        "changed profiles": write_records(1, count, changed=True),
    }
    engine = make_engine(url, pool_size=1)
    seconds: dict[str, dict[str, list[float]]] = {
        k: {"indexed": [], "dropped": []} for k in batches
    }
    try:
        for _ in range(rounds):
            for label, records in batches.items():
                for mode in ("indexed", "dropped"):
                    async with engine.connect() as conn:
                        transaction = await conn.begin()
                        if mode == "dropped":
                            await conn.execute(sa.text(f"DROP INDEX {', '.join(INDEXES)}"))
                        stage = ProfileStage(await driver_of(conn), size.segment)
                        started = time.perf_counter()
                        counts = await stage.upsert(records, WRITE_COLUMNS)
                        seconds[label][mode].append(time.perf_counter() - started)
                        assert counts.inserted + counts.updated == count, counts
                        await transaction.rollback()
                    async with engine.connect() as conn:
                        await (await conn.execution_options(isolation_level="AUTOCOMMIT")).execute(
                            sa.text("VACUUM profile")
                        )
    finally:
        await engine.dispose()
    return {k: {m: statistics.median(v) for m, v in modes.items()} for k, modes in seconds.items()}


async def index_sizes(conn: asyncpg.Connection[Any]) -> str:
    rows = await conn.fetch(
        "SELECT indexrelname, pg_relation_size(indexrelid) AS size FROM pg_stat_user_indexes "
        "WHERE relname = 'profile' ORDER BY indexrelname"
    )
    return ", ".join(f"{r[0]} {r[1] / 2**20:.0f} MB" for r in rows)


async def run(sizes: list[int], rounds: int, count: int, write_rounds: int) -> None:
    started = time.monotonic()
    async with migrated_database(admin_url(), ALEMBIC_INI, prefix="bench_people") as url:
        raw = await asyncpg.connect(url.replace("+asyncpg", ""))
        try:
            await segment_of(raw, uuid.uuid4(), "another user's", OTHER_TENANT)
            table: list[tuple[int, str, float, float, int]] = []
            size = Size(0)
            for n in sorted(sizes):
                size = Size(n)
                loading = time.monotonic()
                await size.load(raw)
                await raw.execute("VACUUM ANALYZE profile")
                rows = await raw.fetchval("SELECT count(*) FROM profile")
                print(
                    f"loaded a user of {n:,} + 2 x {n // 10:,} profiles in "
                    f"{time.monotonic() - loading:.0f} s ({rows:,} in the table)"
                )
                results = await measure(url, size, rounds)
                for label, (ms, found) in results["indexed"].items():
                    dropped, again = results["dropped"][label]
                    assert found == again, (label, found, again)
                    table.append((n, label, ms, dropped, found))
            print(f"\nindex sizes at {rows:,} profiles: {await index_sizes(raw)}")
        finally:
            await raw.close()
        print(f"\nmedian of {rounds} calls (ms)")
        head = f"{'indexed':>10}{'dropped':>10}{'ratio':>8}"
        print(f"{'profiles':>10}  {'lookup':<26}{'found':>6}{head}")
        for n, label, ms, dropped, found in table:
            print(
                f"{n:>10,}  {label:<26}{found:>6}{ms:>10.2f}{dropped:>10.1f}{dropped / ms:>7.0f}x"
            )
        cost = await writes(url, size, count, write_rounds)
        print(f"\nupsert of {count:,} profiles, median of {write_rounds} (s)")
        print(f"{'profiles':>10}  {'upsert':<26}{'':6}{head}")
        for label, modes in cost.items():
            ratio = modes["indexed"] / modes["dropped"]
            print(
                f"{size.n:>10,}  {label:<26}{'':6}{modes['indexed']:>10.2f}"
                f"{modes['dropped']:>10.2f}{ratio:>8.2f}"
            )
    print(f"\n{time.monotonic() - started:.0f} s in all")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, action="append", help="segment size (repeatable)")
    parser.add_argument("--rounds", type=int, default=5, help="timed calls per lookup")
    parser.add_argument("--writes", type=int, default=100_000, help="profiles per upsert")
    parser.add_argument("--write-rounds", type=int, default=3)
    args = parser.parse_args()
    sizes = args.profiles or [200_000, 1_000_000]
    asyncio.run(run(sizes, args.rounds, args.writes, args.write_rounds))


if __name__ == "__main__":
    main()
