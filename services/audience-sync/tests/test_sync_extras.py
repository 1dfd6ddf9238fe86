"""A person's extra emails and phones travel in their one row / member: Meta's repeated
EMAIL/PHONE schema keys, Google's userIdentifiers, TikTok's repeated id types, Snapchat's
lanes; a changed extra email is sent again and the old one removed unless another profile
still has it; unchanged extras resend nothing."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

import privacy_kit
from adscale_platforms.identifiers import hash_many
from audience_sync.privacy.eraser import Eraser
from audience_sync.sync.engine import SyncEngine
from kit import AS, PLATFORMS, Api
from privacy_kit import erase

eraser = privacy_kit.eraser
single_registry = privacy_kit.single_registry
settle_erasure_jobs = privacy_kit.settle_erasure_jobs

HEADER = b"uid,email,email,email,phone,phone\n"
TRI = (
    b"p1,tri.one@example.com,Tri.Two@Example.com,tri.three@example.com,"
    b"+1 650 555 0171,+1 650 555 0172\n"
)
OTHERS = b"p2,solo@example.com,,,,\np3,tri.four@example.com,,,+1 650 555 0199,\n"


def hashes(platform: str, field: str, values: list[str]) -> set[str]:
    return {h for h in hash_many(platform, field, values) if h}


TRI_EMAILS = ["tri.one@example.com", "tri.two@example.com", "tri.three@example.com"]
TRI_PHONES = ["+1 650 555 0171", "+1 650 555 0172"]


async def sync(api: Api, engine: SyncEngine, audience_id: str) -> dict[str, Any]:
    response = await api.post(f"{AS}/audiences/{audience_id}/sync", json={"operation": "update"})
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]
    assert await engine.run(uuid.UUID(job_id)) == "completed"
    job: dict[str, Any] = await api.job(job_id)
    return job


async def test_meta_row_holds_every_email_and_a_changed_extra_is_removed(
    api: Api, sync_engine: SyncEngine
) -> None:
    segment = await api.segment()
    sid = segment["id"]
    await api.imported(sid, HEADER + TRI + OTHERS)
    await api.connect("meta")
    created = await api.audience(sid, "meta")
    assert created["initial_sync"]["status"] == "completed", created
    assert created["initial_sync"]["profiles_sent"] == 3  # people, not identifiers
    pid = created["audience"]["platform_audience_id"]
    detail = (await api.get(f"{AS}/audiences/{created['audience']['id']}")).json()
    assert detail["identifier_coverage"]["email"] == 3  # people with any email
    assert detail["extra_identifiers"] == {"emails": 2, "phones": 1}

    # One row for the person, its schema naming EMAIL three times and PHONE twice (as many
    # columns as the batch needs).
    logged = (await api.sandbox.requests("meta"))[0]
    assert logged["schema"].count("EMAIL") == 3 and logged["schema"].count("PHONE") == 2
    email_cols = [i for i, k in enumerate(logged["schema"]) if k == "EMAIL"]
    tri = hashes("meta", "email", TRI_EMAILS)
    rows = [r for r in logged["rows"] if {r[i] for i in email_cols} & tri]
    assert len(rows) == 1 and {rows[0][i] for i in email_cols} == tri
    held = await api.sandbox.hashes("meta", pid)
    assert tri | hashes("meta", "phone", TRI_PHONES) <= held

    # Nothing changed: nothing is sent again.
    again = await sync(api, sync_engine, created["audience"]["id"])
    assert again["profiles_sent"] == 0

    # The third email changes, the second becomes one another person (p3) also has.
    changed = TRI.replace(b"tri.three@example.com", b"tri.new@example.com")
    changed = changed.replace(b"Tri.Two@Example.com", b"tri.four@example.com")
    await api.imported(sid, HEADER + changed + OTHERS)
    job = await sync(api, sync_engine, created["audience"]["id"])
    assert (job["profiles_sent"], job["profiles_added"], job["profiles_removed"]) == (1, 0, 0)
    held = await api.sandbox.hashes("meta", pid)
    assert hashes("meta", "email", ["tri.new@example.com", "tri.four@example.com"]) <= held
    # The gone emails leave; tri.one (still the primary) stays.
    assert not hashes("meta", "email", ["tri.three@example.com", "tri.two@example.com"]) & held
    assert hashes("meta", "email", ["tri.one@example.com"]) <= held

    # The person leaves: every key of theirs goes, except the one p3 still has.
    await api.remove(sid, ["p1"])
    job = await sync(api, sync_engine, created["audience"]["id"])
    assert job["profiles_removed"] == 1
    held = await api.sandbox.hashes("meta", pid)
    assert not hashes("meta", "email", ["tri.one@example.com", "tri.new@example.com"]) & held
    assert hashes("meta", "email", ["tri.four@example.com"]) <= held


async def test_google_member_carries_its_identifiers_up_to_ten(
    api: Api, sync_engine: SyncEngine
) -> None:
    segment = await api.segment()
    sid = segment["id"]
    header = "uid," + ",".join(["email"] * 11) + "," + ",".join(["phone"] * 2) + "\n"
    many = [f"m{i}@example.com" for i in range(10)]
    row = "g1," + ",".join(many) + ",," + ",".join(TRI_PHONES) + "\n"
    await api.imported(sid, (header + row).encode())
    await api.connect("google")
    created = await api.audience(sid, "google")
    job = created["initial_sync"]
    assert job["status"] == "completed" and job["profiles_sent"] == 1, created
    logged = (await api.sandbox.requests("google"))[0]
    # 10 emails + 2 phones: the member takes 10 (the first email and phone, then extras).
    assert logged["identifier_count"] == 10 and logged["unique"] == 1
    detail = await api.job(job["job_id"])
    assert "2 extra emails/phones" in (detail.get("error_message") or ""), detail


@pytest.mark.parametrize("platform", [p for p in PLATFORMS if p in ("tiktok", "snapchat")])
async def test_every_email_reaches_tiktok_and_snapchat(api: Api, platform: str) -> None:
    segment = await api.segment()
    await api.imported(segment["id"], HEADER + TRI + OTHERS)
    await api.connect(platform)
    created = await api.audience(segment["id"], platform)
    assert created["initial_sync"]["status"] == "completed", created
    assert created["initial_sync"]["profiles_sent"] == 3
    held = await api.sandbox.hashes(platform, created["audience"]["platform_audience_id"])
    assert hashes(platform, "email", TRI_EMAILS) | hashes(platform, "phone", TRI_PHONES) <= held


async def test_erasure_removes_the_extra_emails_except_one_another_member_holds(
    api: Api, sync_engine: SyncEngine, eraser: Eraser
) -> None:
    segment = await api.segment()
    await api.imported(segment["id"], HEADER + TRI + OTHERS)
    await api.connect("meta")
    created = await api.audience(segment["id"], "meta")
    pid = created["audience"]["platform_audience_id"]
    # p3 holds tri.four, which p1 now also has as an extra email.
    shared = TRI.replace(b"tri.three@example.com", b"tri.four@example.com")
    await api.imported(segment["id"], HEADER + shared + OTHERS)
    assert (await sync(api, sync_engine, created["audience"]["id"]))["profiles_sent"] == 1

    accepted = await erase(api, email="tri.two@example.com")  # an extra email finds p1
    assert await eraser.run(uuid.UUID(accepted["erasure_id"])) == "completed"
    held = await api.sandbox.hashes("meta", pid)
    gone = hashes("meta", "email", ["tri.one@example.com", "tri.two@example.com"])
    assert not gone & held and not hashes("meta", "phone", TRI_PHONES) & held
    assert hashes("meta", "email", ["tri.four@example.com", "solo@example.com"]) <= held
