"""Migration 0012 on data written by 0011: ``ix_profile_updated`` is built over the profiles
already there, the profiles list reads a page from it in order (no sort of the segment),
and the downgrade drops it."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
from sqlalchemy.dialects import postgresql

from adscale_common.testing import scratch_database
from audience_sync.segment.repository import page_query
from kit import migrate

INDEX = "ix_profile_updated"


async def _fill(conn: asyncpg.Connection[Any], segment: uuid.UUID, count: int) -> None:
    """A segment of ``count`` profiles as 0011 wrote them, one import an hour."""
    await conn.execute(
        "INSERT INTO segment (id, user_id, name, profile_count) VALUES ($1, $2, 'VIP', $3)",
        segment,
        uuid.uuid4(),
        count,
    )
    await conn.execute(
        "INSERT INTO profile (segment_id, external_id, email, updated_at) "
        "SELECT $1, 'c' || i, 'c' || i || '@example.com', "
        "'2026-12-01T00:00:00Z'::timestamptz + (i / 500) * interval '1 hour' "
        "FROM generate_series(1, $2) i",
        segment,
        count,
    )


async def _plan(conn: asyncpg.Connection[Any], segment: uuid.UUID, offset: int) -> str:
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    sql = page_query(segment, offset, 20).compile(
        dialect=dialect, compile_kwargs={"literal_binds": True}
    )
    return "\n".join(r[0] for r in await conn.fetch(f"EXPLAIN {sql}"))


async def test_the_page_is_read_from_the_index(adscale_infra: Any) -> None:
    async with scratch_database(adscale_infra.database_url, prefix="audience_sync_m12") as url:
        await asyncio.to_thread(migrate, url, "0011")
        conn = await asyncpg.connect(url.replace("+asyncpg", ""))
        try:
            segment, neighbour = uuid.uuid4(), uuid.uuid4()
            await _fill(conn, segment, 5_000)
            await _fill(conn, neighbour, 5_000)
            await conn.execute("ANALYZE profile")
            assert "Sort" in await _plan(conn, segment, 0)  # before: the segment sorted

            await asyncio.to_thread(migrate, url, "0012")
            await conn.execute("ANALYZE profile")
            for offset in (0, 2_000):
                plan = await _plan(conn, segment, offset)
                assert f"Index Scan using {INDEX}" in plan and "Sort" not in plan, plan
            newest = await conn.fetch(
                "SELECT external_id FROM profile WHERE segment_id = $1 "
                "ORDER BY updated_at DESC, external_id LIMIT 3",
                segment,
            )
            assert [r[0] for r in newest] == ["c5000", "c4500", "c4501"]

            await asyncio.to_thread(migrate, url, "0011", down=True)
            found = await conn.fetchval("SELECT 1 FROM pg_indexes WHERE indexname = $1", INDEX)
            assert found is None
        finally:
            await conn.close()
