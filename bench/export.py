"""Segment export throughput: a 1,000,000-profile segment exported in under 60 seconds.

Creates a scratch database migrated by audience-sync's Alembic scripts, seeds one segment
of N profiles straight into PostgreSQL with COPY (every identifier filled in, phones in
mixed national/international formats, a few traits each), then runs the export exactly as
the worker does (:func:`audience_sync.export.jobs.run_export`: server-side cursor, hashing
and formatting in the process pool, temp file renamed into place) and prints rows/s,
seconds, the file size and the ratio to the 60-second target. The database is dropped
afterwards.

The admin URL comes from ``ADSCALE_TEST_DATABASE_URL``, else from ``make up``'s
``.adscale/secrets.env`` (``postgresql://adscale_admin:...@127.0.0.1:5432/postgres``).

    uv run python bench/export.py                 # 1M rows, csv, all identifiers hashed, traits
    uv run python bench/export.py --rows 200000 --format jsonl --no-traits
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import asyncpg
import orjson
import psutil
from pydantic import SecretStr

ROOT = Path(__file__).resolve().parents[1]
ALEMBIC_INI = ROOT / "services" / "audience-sync" / "alembic.ini"
TARGET_SECONDS = 60.0

from adscale_common.db import make_engine, make_sessionmaker  # noqa: E402
from adscale_common.testing import migrated_database  # noqa: E402
from adscale_contracts.platforms import IDENTIFIER_FIELDS  # noqa: E402
from audience_sync.export.jobs import run_export  # noqa: E402
from audience_sync.export.models import SegmentExport  # noqa: E402
from audience_sync.export.writer import shutdown_executors, warm_executor  # noqa: E402
from audience_sync.export_webhook_settings import ExportWebhookSettings  # noqa: E402

ALL_FIELDS = list(IDENTIFIER_FIELDS)


def admin_url() -> str:
    url = os.environ.get("ADSCALE_TEST_DATABASE_URL")
    if url:
        return url
    secrets = ROOT / ".adscale" / "secrets.env"
    for line in secrets.read_text().splitlines() if secrets.exists() else []:
        key, _, value = line.partition("=")
        if key.strip() == "ADSCALE_PG_ADMIN_PASSWORD":
            return f"postgresql://adscale_admin:{value.strip()}@127.0.0.1:5432/postgres"
    sys.exit("no database: set ADSCALE_TEST_DATABASE_URL or run `make up` first")


FIRST = ["Mary", "José", "Zoë", "Li", "Aïsha", "John", "O'Neil", "Anne-Marie", "Kwame", "Sven"]
LAST = ["Smith", "García", "Nguyen", "O'Brien", "Müller", "Kowalski", "Okafor", "Rossi", "Lee"]
CITIES = ["San Francisco", "New York", "São Paulo", "London", "Berlin", "Austin", "Lagos"]
STATES = ["CA", "NY", "SP", "ENG", "BE", "TX", "LA"]
COUNTRIES = ["US", "us", "BR", "GB", "DE", "US ", "NG"]
AREAS = [415, 212, 312, 617, 206, 303, 512, 646]
# Phone numbers as CRMs hold them: national and international, punctuated or bare.
PHONES: list[Callable[[int], str]] = [
    lambda i: f"({AREAS[i % 8]}) {234 + i % 700:03d}-{i % 10000:04d}",
    lambda i: f"+1 {AREAS[i % 8]}-{234 + i % 700:03d}-{i % 10000:04d}",
    lambda i: f"{AREAS[i % 8]}{234 + i % 700:03d}{i % 10000:04d}",
    lambda i: f"+44 20 7946 {i % 10000:04d}",
    lambda i: f"+49 30 {9000000 + i % 999999}",
    lambda i: f"{AREAS[i % 8]}.{234 + i % 700:03d}.{i % 10000:04d}",
    lambda i: "n/a" if i % 2 else "",
]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def profile_line(segment: str, i: int) -> bytes:
    """One row in COPY text format."""
    phone = PHONES[i % len(PHONES)](i)
    traits = orjson.dumps(
        {"tier": ("gold", "silver", "bronze")[i % 3], "ltv": round(i * 0.37, 2), "orders": i % 40}
    ).decode()
    values = [
        segment,
        f"cust-{i:08d}",
        f"  Customer.{i}@Example{i % 97}.com ",
        phone,
        FIRST[i % len(FIRST)],
        LAST[i % len(LAST)],
        CITIES[i % len(CITIES)],
        STATES[i % len(STATES)],
        f"{10000 + i % 89999:05d}",
        COUNTRIES[i % len(COUNTRIES)],
        str(uuid.UUID(int=(i * 2654435761) % (1 << 122) + 1)),
        traits,
    ]
    return ("\t".join(_escape(v) for v in values) + "\n").encode()


async def lines(segment: str, rows: int, batch: int = 20_000) -> AsyncIterator[bytes]:
    for start in range(0, rows, batch):
        yield b"".join(profile_line(segment, i) for i in range(start, min(rows, start + batch)))


async def seed(url: str, rows: int) -> tuple[uuid.UUID, uuid.UUID]:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        user_id, segment_id = uuid.uuid4(), uuid.uuid4()
        await conn.execute(
            "INSERT INTO segment (id, user_id, name, profile_count) VALUES ($1, $2, $3, $4)",
            segment_id,
            user_id,
            "bench segment",
            rows,
        )
        # Autovacuum would otherwise be busy on the fresh table when the database is dropped.
        await conn.execute("ALTER TABLE profile SET (autovacuum_enabled = false)")
        await conn.copy_to_table(
            "profile",
            source=lines(str(segment_id), rows),
            columns=[
                "segment_id",
                "external_id",
                *(f for f in IDENTIFIER_FIELDS if f != "external_id"),
                "traits",
            ],
            format="text",
        )
        await conn.execute("ANALYZE profile")
        return user_id, segment_id
    finally:
        await conn.close()


async def one_export(
    sessions: Any,
    settings: ExportWebhookSettings,
    user_id: uuid.UUID,
    segment_id: uuid.UUID,
    fmt: str,
    options: dict[str, Any],
) -> tuple[float, SegmentExport]:
    async with sessions() as session, session.begin():
        export = SegmentExport(
            user_id=user_id, segment_id=segment_id, format=fmt, options=options, profile_count=0
        )
        session.add(export)
    started = time.perf_counter()
    outcome = await run_export(sessions, export.id, settings=settings)
    elapsed = time.perf_counter() - started
    if outcome != "completed":
        sys.exit(f"export {outcome}")
    async with sessions() as session:
        done = await session.get(SegmentExport, export.id)
        assert done is not None
    return elapsed, done


def cpu_stat() -> tuple[float, float]:
    """(all CPU time, stolen time) of the machine so far, in clock ticks (/proc/stat)."""
    with open("/proc/stat") as stat:
        fields = [float(v) for v in stat.readline().split()[1:]]
    return sum(fields), fields[7] if len(fields) > 7 else 0.0


def process_cpu() -> float:
    """CPU seconds of this process and of its live children (the pool)."""
    me = psutil.Process()
    total = float(sum(me.cpu_times()[:2]))
    for child in me.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            total += float(sum(child.cpu_times()[:2]))
    return total


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--format", choices=["csv", "jsonl"], default="csv")
    parser.add_argument("--no-traits", action="store_true")
    parser.add_argument("--no-hash", action="store_true")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--chunk", type=int, default=50_000)
    args = parser.parse_args()

    async with migrated_database(admin_url(), ALEMBIC_INI, prefix="bench_export") as url:
        t0 = time.perf_counter()
        user_id, segment_id = await seed(url, args.rows)
        print(f"seeded {args.rows:,} profiles with COPY in {time.perf_counter() - t0:.1f} s")
        engine = make_engine(url, pool_size=4)
        sessions = make_sessionmaker(engine)
        with tempfile.TemporaryDirectory(prefix="adscale-export-bench-") as directory:
            settings = ExportWebhookSettings(
                export_dir=Path(directory),
                export_signing_key=SecretStr("bench"),
                export_processes=args.processes,
                export_chunk_rows=args.chunk,
            )
            options = {
                "identifier_types": ALL_FIELDS,
                "hash_identifiers": not args.no_hash,
                "platform": "meta",
                "include_traits": not args.no_traits,
            }
            try:
                t0 = time.perf_counter()
                await warm_executor(args.processes)
                pool_start = time.perf_counter() - t0
                cpu0, (all0, steal0) = process_cpu(), cpu_stat()
                elapsed, export = await one_export(
                    sessions, settings, user_id, segment_id, args.format, options
                )
                cpu, (all1, steal1) = process_cpu() - cpu0, cpu_stat()
            finally:
                shutdown_executors()
                await engine.dispose()
        rows = export.profile_count
        size = export.file_size_bytes or 0
        print(
            f"export {args.format}, {len(ALL_FIELDS)} identifier columns, "
            f"hashing {'off' if args.no_hash else 'meta'}, traits "
            f"{'off' if args.no_traits else 'on'}, {args.processes} processes:"
        )
        print(f"  rows        {rows:,}")
        print(f"  seconds     {elapsed:.2f}  (+ {pool_start:.2f} s starting the process pool)")
        print(f"  rows/s      {rows / elapsed:,.0f}")
        print(f"  file size   {size:,} bytes ({size / 1e6:.1f} MB)")
        steal = (steal1 - steal0) / max(all1 - all0, 1.0)
        print(
            f"  cpu         {cpu:.1f} s in this process and its pool (PostgreSQL not counted); "
            f"{steal:.0%} of the machine's CPU time was stolen by the hypervisor"
        )
        scaled = (elapsed + pool_start) * 1_000_000 / max(rows, 1)
        print(
            f"  target      1,000,000 rows in {TARGET_SECONDS:.0f} s: {scaled:.1f} s per million "
            f"with a cold pool = {scaled / TARGET_SECONDS:.2f}x the budget "
            f"({'met' if scaled < TARGET_SECONDS else 'MISSED'})"
        )


if __name__ == "__main__":
    asyncio.run(main())
