"""Migration 0008 on data written by 0007: the extra-key columns arrive empty, only the
profiles that already held extras are hashed and sent again, and it goes back down."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from typing import Any

import asyncpg

from adscale_common.testing import scratch_database
from audience_sync.sync import digest, planner
from audience_sync.sync.hashing import Hasher
from kit import migrate


async def test_migration_0008_resends_only_people_with_extras(adscale_infra: Any) -> None:
    async with scratch_database(adscale_infra.database_url, prefix="as_mig8") as url:
        await asyncio.to_thread(migrate, url, "0007")
        conn = await asyncpg.connect(url.replace("+asyncpg", ""))
        segment, audience = uuid.uuid4(), uuid.uuid4()
        try:
            await conn.execute(
                "INSERT INTO segment (id, user_id, name, profile_count) VALUES ($1, $2, 'VIP', 3)",
                segment,
                uuid.uuid4(),
            )
            await conn.execute(
                "INSERT INTO profile (segment_id, external_id, email, extra_emails) VALUES "
                "($1, 'p1', 'a@example.com', ARRAY['b@example.com']), "
                "($1, 'p2', 'c@example.com', NULL), ($1, 'p3', 'd@example.com', '{}')",
                segment,
            )
            await conn.execute(
                "INSERT INTO profile_digest (segment_id, external_id, platform, version, email) "
                "SELECT segment_id, external_id, 'meta', version, "
                "sha256(convert_to(email, 'UTF8')) FROM profile WHERE segment_id = $1",
                segment,
            )
            await conn.execute(
                "INSERT INTO audience (id, user_id, segment_id, platform, ad_account_id, "
                "platform_audience_name, identifier_fields) VALUES "
                "($1, $2, $3, 'meta', 'act_1', 'VIP', '[\"email\"]')",
                audience,
                uuid.uuid4(),
                segment,
            )
            await conn.execute(
                "INSERT INTO audience_member (audience_id, external_id, email) "
                "SELECT $1, external_id, email FROM profile_digest WHERE segment_id = $2",
                audience,
                segment,
            )
            await asyncio.to_thread(migrate, url, "0008")
            left = await conn.fetch(
                "SELECT external_id, extra_email_keys FROM profile_digest ORDER BY 1"
            )
            # p1's digest goes (its extra email was never sent); the others stay untouched.
            assert [(r[0], r[1]) for r in left] == [("p2", None), ("p3", None)]
            members = await conn.fetch("SELECT extra_email_keys FROM audience_member")
            assert len(members) == 3 and all(r[0] is None for r in members)
            # The next sync (today's code, on today's schema) hashes p1 alone and sends only
            # p1 again (with its extra email).
            await asyncio.to_thread(migrate, url, "head")
            async with conn.transaction():
                stats = await digest.refresh_digests(
                    conn, Hasher(0), segment, "meta", chunk_rows=1_000
                )
            assert stats.hashed == 1
            keys = await conn.fetchval(
                "SELECT extra_email_keys FROM profile_digest WHERE external_id = 'p1'"
            )
            assert keys == [hashlib.sha256(b"b@example.com").digest()]
            diff = await planner.estimate(conn, segment, "meta", audience, ["email"], removals=True)
            assert (diff.to_add, diff.to_remove) == (1, 0)
            await asyncio.to_thread(migrate, url, "0007", down=True)
            columns = await conn.fetch(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name IN ('profile_digest', 'audience_member', 'sync_job_plan', "
                "'sync_job_stage') AND column_name LIKE '%extra_%_keys'"
            )
            assert columns == []
        finally:
            await conn.close()
