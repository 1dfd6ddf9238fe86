"""The hash step's wire format: profiles leave PostgreSQL as JSON rows, reach a hashing
process as one text, and come back as one binary COPY buffer. What lands in
``profile_digest`` is exactly what the per-row path (``digest_records``) gives."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adscale_platforms.identifiers import PLATFORMS
from audience_sync.db import driver_of
from audience_sync.sync import digest
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


async def _stored(
    engine: AsyncEngine, segment_id: uuid.UUID, platform: str
) -> list[tuple[Any, ...]]:
    async with engine.connect() as conn:
        apg = await driver_of(conn)
        rows = await apg.fetch(
            f"SELECT {', '.join(DIGEST_COLUMNS)} FROM profile_digest "
            "WHERE segment_id = $1 AND platform = $2 ORDER BY external_id",
            segment_id,
            platform,
        )
    return [tuple(r) for r in rows]


async def _expected(
    engine: AsyncEngine, segment_id: uuid.UUID, platform: str
) -> list[tuple[Any, ...]]:
    async with engine.connect() as conn:
        apg = await driver_of(conn)
        rows = await apg.fetch(
            f"SELECT external_id, version, {', '.join(COLUMNS)} FROM profile "
            "WHERE segment_id = $1 ORDER BY external_id",
            segment_id,
        )
    return [tuple(r) for r in digest_records(str(segment_id), platform, [tuple(r) for r in rows])]


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
