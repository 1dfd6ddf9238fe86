"""The hash step's wire format: profiles leave PostgreSQL as JSON rows, reach a hashing
process as one text, and come back as one binary COPY buffer. What lands in
``profile_digest`` is exactly what the per-row path (``digest_records``) gives."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import psutil
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adscale_platforms.identifiers import PLATFORMS
from audience_sync.db import driver_of
from audience_sync.sync import copy_binary, digest
from audience_sync.sync.fields import DIGEST_FIELDS
from audience_sync.sync.hashing import DIGEST_COLUMNS, Hasher, digest_records

COLUMNS = [*DIGEST_FIELDS, "extra_emails", "extra_phones"]
# (email, phone, madid, first_name, last_name, zip, city, state, country, extra emails,
# extra phones): the bench's shape, gaps, refused values, non-ASCII and JSON-escaped
# characters, several emails and phones.
N = None
PROFILES: list[tuple[Any, ...]] = [
    ("Customer.1@Example.com", "+1 415 200 0001", N, "Ann1", "Lee1", "10001", N, N, N, N, N),
    (
        " Zoë@Example.com ",
        "(415) 555-0100",
        "6D92078A-8246-4BA4-AE5B-76104861E7DC",
        *("Zoë", "O'Neil Jr.", "SW1A 1AA", "San Francisco", "ca", "US", N, N),
    ),
    ("not an email", "12", "not a madid", "", "\\", "x", "\t", '"q"', "ZZ", N, N),
    (
        *(N, "0044 20 7946 0958", N, "Dr. Ann-Marie", "李", "94103-1234", "Köln", N, "de"),
        ["B@example.com", "a.b@gmail.com", "bad", "b@example.com"],
        N,
    ),
    (
        *("first@example.com", N, N, N, N, N, N, N, N),
        ["First@Example.com"],
        ["+1 415 555 0101", "(415) 555-0101", "+44 20 7946 0958"],
    ),
    (N,) * 11,
]


@pytest.fixture
async def segment(engine: AsyncEngine) -> AsyncIterator[uuid.UUID]:
    segment_id = uuid.uuid4()
    async with engine.begin() as conn:
        apg = await driver_of(conn)
        await apg.execute(
            "INSERT INTO segment (id, user_id, name, profile_count, created_at, updated_at) "
            "VALUES ($1, $2, 'copy', $3, now(), now())",
            segment_id,
            uuid.uuid4(),
            len(PROFILES),
        )
        await apg.copy_records_to_table(
            "profile",
            records=[(segment_id, f'p{i}\\\t"', *p) for i, p in enumerate(PROFILES)],
            columns=["segment_id", "external_id", *COLUMNS],
        )
    yield segment_id
    async with engine.begin() as conn:
        apg = await driver_of(conn)
        await apg.execute("DELETE FROM profile_digest WHERE segment_id = $1", segment_id)
        await apg.execute("DELETE FROM digest_mark WHERE segment_id = $1", segment_id)
        await apg.execute("DELETE FROM profile WHERE segment_id = $1", segment_id)
        await apg.execute("DELETE FROM segment WHERE id = $1", segment_id)


async def _refresh(
    engine: AsyncEngine, hasher: Hasher, segment_id: uuid.UUID, platform: str, **options: Any
) -> digest.RefreshStats:
    async with engine.begin() as conn:
        return await digest.refresh_digests(
            await driver_of(conn), hasher, segment_id, platform, chunk_rows=4, **options
        )


async def _rows(engine: AsyncEngine, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    async with engine.connect() as conn:
        rows = await (await driver_of(conn)).fetch(sql, *args)
    return [tuple(r) for r in rows]


async def _stored(
    engine: AsyncEngine, segment_id: uuid.UUID, platform: str
) -> list[tuple[Any, ...]]:
    return await _rows(
        engine,
        f"SELECT {', '.join(DIGEST_COLUMNS)} FROM profile_digest "
        "WHERE segment_id = $1 AND platform = $2 ORDER BY external_id",
        segment_id,
        platform,
    )


async def _expected(
    engine: AsyncEngine, segment_id: uuid.UUID, platform: str
) -> list[tuple[Any, ...]]:
    """What the per-row path (``digest_records``) makes of the stored profiles."""
    profiles = await _rows(
        engine,
        f"SELECT external_id, version, {', '.join(COLUMNS)} FROM profile "
        "WHERE segment_id = $1 ORDER BY external_id",
        segment_id,
    )
    return [tuple(r) for r in digest_records(str(segment_id), platform, profiles)]


@pytest.mark.parametrize("processes", [0, 1])
async def test_copied_digests_are_the_per_row_records(
    engine: AsyncEngine, segment: uuid.UUID, processes: int
) -> None:
    hasher = Hasher(processes)
    try:
        for platform in PLATFORMS:
            stats = await _refresh(engine, hasher, segment, platform)
            assert stats.hashed == len(PROFILES)
            stored = await _stored(engine, segment, platform)
            assert stored == await _expected(engine, segment, platform)
            # Extras, refused values (invalid bits) and NULLs all made the trip.
            extras = DIGEST_COLUMNS.index("extra_email_keys")
            assert any(row[extras] for row in stored) and any(row[extras + 1] for row in stored)
            assert any(row[-1] for row in stored) and any(row[-1] == 0 for row in stored)
    finally:
        hasher.close()


async def test_changed_profiles_replace_their_outdated_digests(
    engine: AsyncEngine, segment: uuid.UUID
) -> None:
    hasher = Hasher(0)
    await _refresh(engine, hasher, segment, "meta")
    async with engine.begin() as conn:
        apg = await driver_of(conn)
        await apg.execute(
            "UPDATE profile SET phone = '+1 415 555 0199', "
            "version = nextval('profile_version_seq') "
            "WHERE segment_id = $1 AND external_id LIKE 'p1%'",
            segment,
        )
    # Through the request's path too (rows fetched first, at most ``limit`` of them).
    stats = await _refresh(engine, hasher, segment, "meta", limit=10)
    assert (stats.stale, stats.hashed) == (1, 1)
    assert await _stored(engine, segment, "meta") == await _expected(engine, segment, "meta")
    assert len({row[1] for row in await _stored(engine, segment, "meta")}) == len(PROFILES)


async def test_binary_copy_buffers_read_back_as_written(engine: AsyncEngine) -> None:
    """Every column kind the buffers use, shared or varying, through PostgreSQL's COPY."""
    names, data = copy_binary.buffer(
        [
            ("a", copy_binary.varlen([b"x", b"", None])),
            ("b", copy_binary.varlen([None, None, None])),
            ("c", copy_binary.varlen([b"", b"", b""])),
            ("d", copy_binary.fixed([b"\x01" * 32, None, b"\x02" * 32], 32)),
            ("e", copy_binary.int8([1, -(2**40), 7])),
            ("f", copy_binary.int2([0, 0, 0])),
            ("g", copy_binary.int2([0, -3, 300])),
            ("h", copy_binary.bytea_arrays([None, [b"k", b""], []])),
            ("i", copy_binary.bytea_arrays([None, None, None])),
            ("k", copy_binary.bytea_arrays([[], [], []])),
            ("j", copy_binary.value(b"same")),
        ]
    )
    async with engine.connect() as conn:
        apg = await driver_of(conn)
        await apg.execute(
            "CREATE TEMP TABLE copy_check (a bytea, b bytea, c bytea, d bytea, e bigint, "
            "f smallint, g smallint, h bytea[], i bytea[], j bytea, k bytea[], n serial)"
        )
        await apg.copy_to_table(
            "copy_check", source=memoryview(data), columns=names, format="binary"
        )
        rows = await apg.fetch("SELECT a, b, c, d, e, f, g, h, i, j, k FROM copy_check ORDER BY n")
        await conn.rollback()
    assert [tuple(r) for r in rows] == [
        (b"x", None, b"", b"\x01" * 32, 1, 0, 0, None, None, b"same", []),
        (b"", None, b"", None, -(2**40), 0, -3, [b"k", b""], None, b"same", []),
        (None, None, b"", b"\x02" * 32, 7, 0, 300, [], None, b"same", []),
    ]


async def test_a_started_pool_hashes_without_starting_processes() -> None:
    """``Hasher.start`` (the worker calls it as it starts) brings up the fork server and
    every hashing process, so the first job starts none of them."""
    hasher = Hasher(2)
    try:
        await hasher.start()
        started = {p.pid for p in psutil.Process().children(recursive=True)}
        copies = await asyncio.gather(*(hasher.copy(uuid.uuid4(), "meta", "[]") for _ in range(4)))
        assert [c.rows for c in copies] == [0, 0, 0, 0]
        assert {p.pid for p in psutil.Process().children(recursive=True)} == started
        assert len(started) >= 3  # the fork server and two hashing processes
    finally:
        hasher.close()


def _pool_pids() -> set[int]:
    return {p.pid for p in multiprocessing.active_children() if p.pid is not None}


@pytest.mark.parametrize("nice", [0, 7])
async def test_hashing_processes_run_at_the_niceness_asked(nice: int) -> None:
    """The hashing processes run ``nice`` steps below the worker (an initial sync's sends
    come first); the fork server they come from keeps the worker's priority."""
    before = _pool_pids()  # another test's, ending
    hasher = Hasher(2, nice=nice)
    try:
        await hasher.start()
        await hasher.copy(uuid.uuid4(), "meta", "[]")
        own = os.getpriority(os.PRIO_PROCESS, 0)
        hashing = _pool_pids() - before
        assert len(hashing) == 2
        # A process takes its niceness as it starts (its initializer), which may come just
        # after the calls above were served by the other one.
        expected = {min(own + nice, 19)}
        deadline = time.monotonic() + 10
        niceness = {os.getpriority(os.PRIO_PROCESS, pid) for pid in hashing}
        while niceness != expected and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            niceness = {os.getpriority(os.PRIO_PROCESS, pid) for pid in hashing}
        assert niceness == expected
        server = {p.pid for p in psutil.Process().children()} - hashing - before
        assert server and {os.getpriority(os.PRIO_PROCESS, pid) for pid in server} == {own}
    finally:
        hasher.close()
