"""Several emails and phones per person: stored with the profile, counted once as a person,
every one in the identifier counts; migration 0006 on data written by the 0005 schema."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adscale_common.db import make_engine
from adscale_common.testing import scratch_database
from kit import SEGMENTS, Api, migrate

FIXTURES = Path(__file__).parent / "fixtures" / "customer_lists"


async def test_a_person_with_three_emails_is_one_person(api: Api) -> None:
    segment = await api.segment()
    sid = segment["id"]
    content = (FIXTURES / "meta_customer_list.csv").read_bytes()
    preview = await api.imported(sid, content, dry_run="true")
    assert preview["people"] == 3
    assert preview["identifier_coverage"]["email"] == 2  # people with an email
    assert preview["identifier_counts"] == {"emails": 4, "phones": 3}  # every one of them
    body = await api.imported(sid, content)
    assert (body["received"], body["inserted"], body["invalid"]) == (3, 3, 0)
    detail = (await api.get(f"{SEGMENTS}/{sid}")).json()
    assert detail["profile_count"] == 3 and detail["identifier_coverage"]["email"] == 2
    # ...and how many further emails and phones those people hold beyond their first.
    assert detail["identifier_coverage"]["extra_emails"] == 2
    assert detail["identifier_coverage"]["extra_phones"] == 1
    # All three are stored: the file without the third changes that person, the same file
    # again changes nobody.
    assert (await api.imported(sid, content))["unchanged"] == 3
    fewer = content.replace(b"tri.three@example.com", b"")
    assert (await api.imported(sid, fewer))["updated"] == 1


async def test_repeats_are_one_identifier_and_more_than_ten_is_refused(api: Api) -> None:
    segment = await api.segment()
    header = ",".join(["uid"] + ["email"] * 11) + "\n"
    same = "r1," + ",".join(["Dup@Example.com", "dup@example.com", " DUP@example.com "]) + ","
    same += "," * 7 + "\n"
    many = "r2," + ",".join(f"m{i}@example.com" for i in range(11)) + "\n"
    body = await api.imported(segment["id"], (header + same + many).encode(), dry_run="true")
    assert body["identifier_counts"]["emails"] == 1
    assert body["invalid_samples"] == [
        {
            "line": 3,
            "index": None,
            "external_id": "r2",
            "reason": "more than 10 emails for one person",
        }
    ]


async def test_json_upsert_of_an_email_replaces_the_extra_ones(api: Api) -> None:
    segment = await api.segment()
    sid = segment["id"]
    await api.imported(sid, b"id,email,email\nj1,a@example.com,b@example.com\n")
    # The upsert sets the person's emails to exactly the one it names.
    result = await api.upsert(sid, [{"external_id": "j1", "email": "a@example.com"}])
    assert result["updated"] == 1
    # The file again brings the second one back (it had been dropped).
    assert (await api.imported(sid, b"id,email,email\nj1,a@example.com,b@example.com\n"))[
        "updated"
    ] == 1


async def fetch(conn: AsyncConnection, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in await conn.execute(sa.text(sql))]


async def test_migration_0006_on_profiles_written_by_0005(adscale_infra: Any) -> None:
    async with scratch_database(adscale_infra.database_url, prefix="as_mig6") as url:
        await asyncio.to_thread(migrate, url, "0005")
        engine = make_engine(url)
        segment = uuid.uuid4()
        try:
            async with engine.begin() as conn:
                await conn.execute(
                    sa.text(
                        "INSERT INTO segment (id, user_id, name, profile_count) "
                        "VALUES (:s, :u, 'VIP', 2)"
                    ),
                    {"s": segment, "u": uuid.uuid4()},
                )
                await conn.execute(
                    sa.text(
                        "INSERT INTO profile (segment_id, external_id, email, phone) "
                        "VALUES (:s, 'p1', 'a@example.com', '+14155550100'), "
                        "(:s, 'p2', NULL, '+14155550101')"
                    ),
                    {"s": segment},
                )
                before = await fetch(
                    conn, "SELECT external_id, email, phone, version FROM profile ORDER BY 1"
                )
            await asyncio.to_thread(migrate, url, "0006")
            async with engine.begin() as conn:
                after = await fetch(
                    conn,
                    "SELECT external_id, email, phone, version, extra_emails, extra_phones "
                    "FROM profile ORDER BY 1",
                )
                assert [r[:4] for r in after] == before
                assert all(r[4:] == (None, None) for r in after)  # no extra emails or phones
                await conn.execute(
                    sa.text(
                        "UPDATE profile SET extra_emails = ARRAY['b@example.com'] "
                        "WHERE external_id = 'p1'"
                    )
                )
            await asyncio.to_thread(migrate, url, "0005", down=True)
            async with engine.begin() as conn:
                columns = await fetch(
                    conn,
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_name = 'profile'",
                )
                assert ("extra_emails",) not in columns
                kept = await fetch(conn, "SELECT external_id, email FROM profile ORDER BY 1")
                assert kept == [("p1", "a@example.com"), ("p2", None)]
        finally:
            await engine.dispose()
