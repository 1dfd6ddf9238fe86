"""Migration 0004 on data written by the identifier-row schema (0003): accepted identifiers
become the profiles they belong to, nothing the platform holds is sent again, identifiers
no profile holds any more are removed by the next sync, and the downgrade gives the rows
back."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from typing import Any

import sqlalchemy as sa

from adscale_common.db import make_engine
from adscale_common.testing import scratch_database
from audience_sync.db import driver_of
from audience_sync.sync import planner
from kit import migrate


def key(value: str) -> bytes:
    return hashlib.sha256(value.encode()).digest()


async def test_identifier_members_become_profiles_without_a_resend(adscale_infra: Any) -> None:
    async with scratch_database(adscale_infra.database_url, prefix="as_mig") as url:
        await asyncio.to_thread(migrate, url, "0003")
        engine = make_engine(url)
        user, segment, audience = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        try:
            async with engine.begin() as conn:
                await conn.execute(
                    sa.text(
                        "INSERT INTO segment (id, user_id, name, profile_count) "
                        "VALUES (:s, :u, 'VIP', 3)"
                    ),
                    {"s": segment, "u": user},
                )
                for ext, email, phone in (
                    ("p1", "e1", "t1"),
                    ("p2", "e2", "t2"),
                    ("p3", "e3", None),
                ):
                    version = await conn.scalar(
                        sa.text(
                            "INSERT INTO profile (segment_id, external_id, email, phone) "
                            "VALUES (:s, :e, :m, :p) RETURNING version"
                        ),
                        {"s": segment, "e": ext, "m": email, "p": phone},
                    )
                    await conn.execute(
                        sa.text(
                            "INSERT INTO profile_digest (segment_id, external_id, platform, "
                            "version, email, phone) VALUES (:s, :e, 'meta', :v, :m, :p)"
                        ),
                        {
                            "s": segment,
                            "e": ext,
                            "v": version,
                            "m": key(email),
                            "p": key(phone) if phone else None,
                        },
                    )
                await conn.execute(
                    sa.text(
                        "INSERT INTO audience (id, user_id, segment_id, platform, ad_account_id, "
                        "platform_audience_id, platform_audience_name, identifier_fields, "
                        "member_count) VALUES (:a, :u, :s, 'meta', 'act_1', '99', 'VIP', "
                        '\'["email", "phone", "madid"]\', 4)'
                    ),
                    {"a": audience, "u": user, "s": segment},
                )
                # Accepted: p1's email and phone, p2's email (its phone was never accepted),
                # and the email of a profile deleted since.
                for value, field in (("e1", 1), ("t1", 2), ("e2", 1), ("gone", 1)):
                    await conn.execute(
                        sa.text(
                            "INSERT INTO audience_member (audience_id, hash, field) "
                            "VALUES (:a, :h, :f)"
                        ),
                        {"a": audience, "h": key(value), "f": field},
                    )
            await engine.dispose()

            await asyncio.to_thread(migrate, url, "head")
            engine = make_engine(url)
            async with engine.connect() as conn:
                members = {
                    r.external_id: (r.email, r.phone, r.extra)
                    for r in await conn.execute(
                        sa.text(
                            "SELECT external_id, email, phone, extra FROM audience_member "
                            "WHERE audience_id = :a"
                        ),
                        {"a": audience},
                    )
                }
                count = await conn.scalar(
                    sa.text("SELECT member_count FROM audience WHERE id = :a"), {"a": audience}
                )
                stale = await conn.scalar(
                    sa.text("SELECT count(*) FROM profile_digest WHERE version = -1")
                )
                apg = await driver_of(conn)
                diff = await planner.estimate(
                    apg, segment, "meta", audience, ["email", "phone", "madid"], removals=True
                )
            assert members == {
                "p1": (key("e1"), key("t1"), None),
                "p2": (key("e2"), None, None),
                f"legacy:{key('gone').hex()}": (key("gone"), None, None),
            }
            assert count == 3 and stale == 3
            # p1 is not sent again; p2 (its phone) and p3 (new) are; the orphan is removed.
            assert (diff.to_add, diff.to_remove) == (2, 1)
            await engine.dispose()

            await asyncio.to_thread(migrate, url, "0003", down=True)
            engine = make_engine(url)
            async with engine.connect() as conn:
                rows = {
                    (bytes(r.hash), r.field)
                    for r in await conn.execute(
                        sa.text("SELECT hash, field FROM audience_member WHERE audience_id = :a"),
                        {"a": audience},
                    )
                }
            assert rows == {(key("e1"), 1), (key("t1"), 2), (key("e2"), 1), (key("gone"), 1)}
        finally:
            await engine.dispose()
