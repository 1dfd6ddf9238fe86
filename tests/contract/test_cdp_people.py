"""Audience sync counts people, through the gateway, on each of the four platforms (issue
15): 3,000 profiles with an email, a phone, a name, a zip and a country are 3,000 profiles
sent; 30 leaving are 30 removed; 10 changing their phone are 10 sent again and the old
phone hashes leave the platform's member set; the webhooks carry the same numbers."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))

import cdp_kit as cdp

import xw_kit as xw

kit = xw.kit
AS = xw.AS
IDENTITY = ("email", "phone")  # the keys the platforms hold as members
FIELDS = {
    "meta": ["email", "phone", "first_name", "last_name", "zip", "country"],
    "google": ["email", "phone", "first_name", "last_name", "country", "zip"],
    "tiktok": ["email", "phone"],
    "snapchat": ["email", "phone"],
}


def people(count: int) -> list[dict[str, str]]:
    return [
        {
            **row,
            "first_name": f"Ann{i % 97}",
            "last_name": f"Lee-{i % 89}",
            "zip": f"{94000 + i % 900:05d}",
            "country": "US",
        }
        for i, row in enumerate(cdp.profiles(0, count))
    ]


async def update(
    api: httpx.AsyncClient, member: Any, audience_id: str, expected: dict[str, int]
) -> dict[str, Any]:
    triggered = await api.post(
        f"{AS}/audiences/{audience_id}/sync", json={"operation": "update"}, headers=member.headers
    )
    assert triggered.status_code == 202, triggered.text
    changes = triggered.json()["estimated_changes"]
    assert (changes["to_add"], changes["to_remove"]) == (expected["to_add"], expected["to_remove"])
    job = await cdp.finished(api, member.headers, triggered.json()["job_id"], seconds=120)
    assert job["status"] == "completed", job
    return job


@pytest.mark.parametrize("platform", cdp.PLATFORMS)
async def test_counts_are_people_on_every_platform(
    api: httpx.AsyncClient, receiver: xw.Receiver, sandbox: cdp.Sandbox, platform: str
) -> None:
    member = await kit.register(api, "people")
    hook = await api.post(
        f"{AS}/webhooks",
        json={"url": receiver.url(f"/{platform}"), "events": [xw.COMPLETED]},
        headers=member.headers,
    )
    assert hook.status_code == 201, hook.text
    rows = people(3_000)
    segment_id = await cdp.new_segment(api, member, rows)
    connection = await cdp.connect(api, member.headers, platform, f"people-{uuid.uuid4().hex[:8]}")
    body = await cdp.created(api, member.headers, segment_id, platform, connection.account)
    audience, initial = body["audience"], body["initial_sync"]
    assert audience["identifier_fields"] == FIELDS[platform]
    assert initial["profiles_sent"] == 3_000
    assert initial["match_rate"] is not None and 0 <= initial["match_rate"] <= 100
    pid = audience["platform_audience_id"]
    assert await sandbox.held(platform, pid) == cdp.hashes(platform, rows, IDENTITY)
    detail = await cdp.audience_detail(api, member.headers, audience["id"])
    assert detail["identifier_coverage"] == {name: 3_000 for name in FIELDS[platform]}
    first = await cdp.job_of(api, member.headers, initial["job_id"])
    assert (first["profiles_sent"], first["profiles_added"]) == (3_000, 3_000)
    assert first["identifier_counts"] == {
        name: {"sent": 3_000, "invalid": 0} for name in FIELDS[platform]
    }

    # 30 profiles leave: 30 removed, whatever the number of their identifiers.
    leaving = [r["external_id"] for r in rows[:30]]
    removed = await api.request(
        "DELETE",
        f"{cdp.SEGMENTS}/{segment_id}/profiles",
        json={"external_ids": leaving},
        headers=member.headers,
    )
    assert removed.json()["deleted"] == 30
    gone = await update(api, member, audience["id"], {"to_add": 0, "to_remove": 30})
    assert (gone["profiles_removed"], gone["profiles_sent"], gone["profiles_added"]) == (30, 30, 0)
    current = rows[30:]
    assert await sandbox.held(platform, pid) == cdp.hashes(platform, current, IDENTITY)

    # 10 profiles change their phone: 10 sent again, their old phones leave the platform.
    changed = [{**r, "phone": f"+1 212 555 {i:04d}"} for i, r in enumerate(current[:10])]
    upserted = await api.post(
        f"{cdp.SEGMENTS}/{segment_id}/profiles", json={"profiles": changed}, headers=member.headers
    )
    assert upserted.json()["updated"] == 10, upserted.text
    moved = await update(api, member, audience["id"], {"to_add": 10, "to_remove": 0})
    assert (moved["profiles_sent"], moved["profiles_added"], moved["profiles_removed"]) == (
        10,
        0,
        0,
    )
    assert moved["identifier_counts"]["phone"]["sent"] == 10
    held = await sandbox.held(platform, pid)
    assert not held & cdp.hashes(platform, current[:10], ("phone",))
    assert held == cdp.hashes(platform, changed + current[10:], IDENTITY)

    # Each job's webhook carries the job's own numbers.
    jobs = {job["job_id"]: job for job in (first, gone, moved)}

    def delivered(hits: list[xw.Hit]) -> bool:
        seen = {h.json()["data"]["job_id"] for h in hits if h.path == f"/{platform}"}
        return set(jobs) <= seen

    hits = await receiver.wait_for(delivered, seconds=60)
    for hit in hits:
        data = hit.json()["data"]
        job = jobs.get(data["job_id"])
        if hit.path != f"/{platform}" or job is None:
            continue
        assert (data["profiles_sent"], data["profiles_added"]) == (
            job["profiles_sent"],
            job["profiles_added"],
        )
        assert data["match_rate"] == job["match_rate"] and data["platform"] == platform
