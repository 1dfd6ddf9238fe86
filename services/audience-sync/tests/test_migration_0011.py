"""Migration 0011 on data written by 0010: ``audience_member`` loses its foreign key to
``audience``, a trigger deletes an audience's members with it, and member writers lock the
audience instead (``members.lock_audience``), so no member outlives its audience and none
is written for an audience that is gone."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from adscale_common.testing import scratch_database
from audience_sync.sync import members
from audience_sync.sync.context import JobLost
from kit import insert_audience, migrate

KEYS = "email, phone, madid, extra, extra_email_keys, extra_phone_keys"
FOREIGN_KEY = "fk_audience_member_audience_id_audience"


@contextlib.asynccontextmanager
async def _at_0010(infra: Any) -> AsyncIterator[tuple[str, asyncpg.Connection[Any]]]:
    async with scratch_database(infra.database_url, prefix="audience_sync_m11") as url:
        await asyncio.to_thread(migrate, url, "0010")
        conn = await asyncpg.connect(url.replace("+asyncpg", ""))
        try:
            yield url, conn
        finally:
            await conn.close()


async def _fill(conn: asyncpg.Connection[Any], audience: uuid.UUID, count: int) -> None:
    """Members as 0010's checkpoints wrote them (a plain insert under the foreign key)."""
    await conn.execute(
        f"INSERT INTO audience_member (audience_id, external_id, {KEYS}) "
        "SELECT $1, 'c' || i, sha256(('e' || i)::bytea), NULL, NULL, NULL, NULL, NULL "
        "FROM generate_series(1, $2) i",
        audience,
        count,
    )


async def _members(conn: asyncpg.Connection[Any], audience: uuid.UUID) -> set[str]:
    rows = await conn.fetch(
        "SELECT external_id FROM audience_member WHERE audience_id = $1", audience
    )
    return {r[0] for r in rows}


async def _foreign_key(conn: asyncpg.Connection[Any]) -> bool:
    found = await conn.fetchval("SELECT 1 FROM pg_constraint WHERE conname = $1", FOREIGN_KEY)
    return found is not None


def _keys(count: int) -> members.KeyColumns:
    email: list[bytes | None] = [bytes([i % 256]) * 32 for i in range(count)]
    none: list[Any] = [None] * count
    return (email, none, none, none, none, none)


@pytest.fixture
async def migrated(adscale_infra: Any) -> AsyncIterator[tuple[asyncpg.Connection[Any], Any]]:
    """A database written by 0010 (two audiences of a segment with members), then
    migrated to 0011: the connection and the two audiences."""
    async with _at_0010(adscale_infra) as (url, conn):
        segment = uuid.uuid4()
        await conn.execute(
            "INSERT INTO segment (id, user_id, name, profile_count) VALUES ($1, $2, 'VIP', 0)",
            segment,
            uuid.uuid4(),
        )
        first = await insert_audience(conn, segment, ["email"])
        second = await insert_audience(conn, segment, ["email"])
        await _fill(conn, first, 300)
        await _fill(conn, second, 200)
        assert await _foreign_key(conn)
        await asyncio.to_thread(migrate, url, "0011")
        yield conn, (url, first, second)


async def test_members_survive_and_go_with_their_audience(migrated: Any) -> None:
    conn, (url, first, second) = migrated
    assert not await _foreign_key(conn)
    assert len(await _members(conn, first)) == 300
    assert len(await _members(conn, second)) == 200

    await conn.execute("DELETE FROM audience WHERE id = $1", first)
    assert await _members(conn, first) == set()
    assert len(await _members(conn, second)) == 200  # the other audience keeps its own

    # Back to 0010: the foreign key returns over the rows left.
    await asyncio.to_thread(migrate, url, "0010", down=True)
    assert await _foreign_key(conn)
    assert len(await _members(conn, second)) == 200
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await _fill(conn, uuid.uuid4(), 1)


async def test_checkpoint_copies_new_members_and_skips_recorded_ones(migrated: Any) -> None:
    conn, (_, first, _) = migrated
    # c1..c300 are members already; a batch of c291..c320 (a run that took the job over
    # recorded the first ten): only the twenty new ones count.
    ids = [f"c{i}" for i in range(291, 321)]
    async with conn.transaction():
        added = await members.upsert_members(conn, first, ids, _keys(len(ids)), resent=False)
    assert added == 20
    assert len(await _members(conn, first)) == 320
    # A batch of new profiles goes in whole.
    fresh = [f"n{i}" for i in range(50)]
    async with conn.transaction():
        added = await members.upsert_members(conn, first, fresh, _keys(50), resent=False)
    assert added == 50
    stored = await conn.fetchval(
        "SELECT email FROM audience_member WHERE audience_id = $1 AND external_id = 'n7'", first
    )
    assert stored == bytes([7]) * 32


async def test_no_member_is_written_for_a_deleted_audience(migrated: Any) -> None:
    conn, (_, first, _) = migrated
    await conn.execute("DELETE FROM audience WHERE id = $1", first)
    with pytest.raises(JobLost):
        async with conn.transaction():
            await members.upsert_members(conn, first, ["x1"], _keys(1), resent=False)
    assert await _members(conn, first) == set()


async def test_deletion_waits_for_a_checkpoint_and_takes_its_members(migrated: Any) -> None:
    conn, (url, first, _) = migrated
    other = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        checkpoint = conn.transaction()
        await checkpoint.start()
        await members.upsert_members(conn, first, ["late1", "late2"], _keys(2), resent=False)
        deleting = asyncio.create_task(other.execute("DELETE FROM audience WHERE id = $1", first))
        await asyncio.sleep(0.3)
        assert not deleting.done()  # the audience is locked by the open checkpoint
        await checkpoint.commit()
        await asyncio.wait_for(deleting, 10)
    finally:
        await other.close()
    assert await _members(conn, first) == set()  # the late members went with it
