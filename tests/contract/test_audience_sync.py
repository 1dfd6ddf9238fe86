"""Audience sync through the gateway, as a client sees it (spec: audience-sync-api.md).

A segment is filled, Meta is connected through the sandbox's OAuth dialog (the test plays
the user and follows its 302), an audience is created with its initial sync, the
membership changes and an update sync runs on the worker; then history and job details.
Every error code of the spec is produced from a real cause, with its status and envelope.
The sandbox's admin API (faults, token expiry, member hashes) is reached directly.
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.contract.conftest import User

sys.path.insert(0, str(Path(__file__).parent))
import cdp_kit as cdp

SANDBOX = os.environ.get("ADSCALE_SANDBOX_URL", "http://127.0.0.1:8110")
AS = "/cdp/audience-sync"


@pytest.fixture
async def sandbox() -> Any:
    async with httpx.AsyncClient(base_url=SANDBOX, timeout=30) as client:
        await client.delete("/_admin/faults")
        yield client
        await client.delete("/_admin/faults")


async def test_segment_to_meta_audience_initial_and_update_sync(
    api: httpx.AsyncClient, user: User, sandbox: httpx.AsyncClient
) -> None:
    rows = cdp.profiles(0, 300)
    segment_id = await cdp.new_segment(api, user, rows)

    listed = (await api.get(f"{AS}/platforms", headers=user.headers)).json()["platforms"]
    assert [p["platform"] for p in listed] == ["meta", "google", "tiktok", "snapchat"]
    assert not any(p["connected"] for p in listed)
    meta = (await cdp.connect(api, user.headers, "meta", f"contract-{uuid.uuid4().hex[:8]}")).body
    assert meta["connected"] is True and meta["ad_accounts"][0]["id"].startswith("act_")
    assert meta["scopes"]
    account = meta["ad_accounts"][0]["id"]

    created = await cdp.create(
        api,
        user.headers,
        segment_id,
        "meta",
        account,
        description="CDP segment: VIPs",
        sync_interval_hours=12,
    )
    assert created.status_code == 201, created.text
    audience, initial = created.json()["audience"], created.json()["initial_sync"]
    # People, not identifiers: 300 profiles, each one row with its email and phone.
    assert initial["status"] == "completed" and initial["profiles_sent"] == 300
    assert 90 < initial["match_rate"] <= 100 and initial["matched"] > 0
    assert audience["platform"] == "meta" and audience["ad_account_id"] == account
    assert audience["last_sync_status"] == "completed" and audience["next_sync_at"].endswith("Z")
    held = await sandbox.get(
        f"/_admin/audiences/meta/{audience['platform_audience_id']}/members",
        params={"include_hashes": "true", "limit": 100_000},
    )
    assert set(held.json()["hashes"]) == cdp.hashes("meta", rows, ("email", "phone"))

    # 20 profiles leave, 30 join: the update sends only that.
    removed = await api.request(
        "DELETE",
        f"/cdp/segments/{segment_id}/profiles",
        json={"external_ids": [r["external_id"] for r in rows[:20]]},
        headers=user.headers,
    )
    assert removed.json()["deleted"] == 20
    joining = cdp.profiles(1_000, 30)
    added = await api.post(
        f"/cdp/segments/{segment_id}/profiles", json={"profiles": joining}, headers=user.headers
    )
    assert added.json()["inserted"] == 30
    body = await cdp.accepted_sync(api, user.headers, audience["id"])
    assert body["status"] == "pending" and body["operation"] == "update"
    assert body["segment_size"] == 310
    assert body["estimated_changes"]["to_add"] == 30
    assert body["estimated_changes"]["to_remove"] == 20
    job = await cdp.finished(api, user.headers, body["job_id"], seconds=120)
    assert job["status"] == "completed", job
    assert (job["profiles_added"], job["profiles_removed"], job["profiles_sent"]) == (30, 20, 50)
    held = await sandbox.get(
        f"/_admin/audiences/meta/{audience['platform_audience_id']}/members",
        params={"include_hashes": "true", "limit": 100_000},
    )
    assert set(held.json()["hashes"]) == cdp.hashes("meta", rows[20:] + joining, ("email", "phone"))

    expected_job_fields = {
        "job_id",
        "audience_id",
        "platform",
        "operation",
        "status",
        "profiles_sent",
        "profiles_added",
        "profiles_removed",
        "profiles_failed",
        "profiles_skipped_consent",
        "match_rate",
        "triggered_by",
        "triggered_by_user_id",
        "started_at",
        "completed_at",
        "duration_ms",
        "error_message",
        "platform_response",
    }
    assert expected_job_fields <= set(job)
    assert job["triggered_by"] == "manual" and job["platform"] == "meta"
    assert job["platform_response"]["audience_id"] == audience["platform_audience_id"]
    assert job["completed_at"].endswith("Z") and job["duration_ms"] >= 0

    history = await api.get(f"{AS}/audiences/{audience['id']}/history", headers=user.headers)
    assert history.status_code == 200
    entries = history.json()["history"]
    assert [e["operation"] for e in entries] == ["update", "create"]
    assert history.json()["summary"]["total_syncs"] == 2
    assert history.json()["summary"]["successful"] == 2

    detail = (await api.get(f"{AS}/audiences/{audience['id']}", headers=user.headers)).json()
    assert detail["segment_profile_count"] == 310
    assert detail["sync_stats_30d"]["profiles_added"] == 330
    assert detail["sync_stats_30d"]["profiles_removed"] == 20

    patched = await api.patch(
        f"{AS}/audiences/{audience['id']}", json={"auto_sync": False}, headers=user.headers
    )
    assert patched.status_code == 200 and patched.json()["next_sync_at"] is None
    gone = await api.delete(f"{AS}/audiences/{audience['id']}", headers=user.headers)
    assert gone.json() == {
        "deleted": True,
        "audience_id": audience["id"],
        "platform_audience_deleted": True,
    }


async def test_csv_import_streams_through_the_gateway(api: httpx.AsyncClient, user: User) -> None:
    segment_id = await cdp.new_segment(api, user, [])

    async def body() -> Any:
        yield b"external_id,email,phone\n"
        for start in range(0, 30_000, 1_000):
            yield "".join(
                f"c{i},someone.{i}@example.com,+1 415 555 {i % 10000:04d}\n"
                for i in range(start, start + 1_000)
            ).encode()
        yield b"bad,not-an-email,\n"

    response = await api.post(
        f"/cdp/segments/{segment_id}/profiles/import",
        content=body(),
        headers={**user.headers, "content-type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["inserted"] == 30_000 and result["invalid"] == 1
    assert result["invalid_samples"] == [
        {
            "line": 30_002,
            "index": None,
            "external_id": "bad",
            "reason": "email is not a valid address",
        }
    ]
    detail = (await api.get(f"/cdp/segments/{segment_id}", headers=user.headers)).json()
    assert detail["identifier_coverage"]["phone"] == 30_000


async def test_error_codes(api: httpx.AsyncClient, user: User, sandbox: httpx.AsyncClient) -> None:
    unknown = str(uuid.uuid4())
    cdp.error(
        await api.get(f"/cdp/segments/{unknown}", headers=user.headers), 404, "SEGMENT_NOT_FOUND"
    )
    cdp.error(
        await cdp.create(
            api, user.headers, unknown, "meta", "act_1", description="CDP segment: VIPs"
        ),
        404,
        "SEGMENT_NOT_FOUND",
    )
    cdp.error(
        await api.get(f"{AS}/audiences/{unknown}", headers=user.headers), 404, "AUDIENCE_NOT_FOUND"
    )

    segment_id = await cdp.new_segment(api, user, cdp.profiles(0, 20))
    not_connected = await cdp.create(
        api, user.headers, segment_id, "meta", "act_1", description="CDP segment: VIPs"
    )
    cdp.error(not_connected, 400, "PLATFORM_NOT_CONNECTED")
    cdp.error(
        await api.delete(f"{AS}/platforms/snapchat", headers=user.headers),
        400,
        "PLATFORM_NOT_CONNECTED",
    )

    sandbox_user = f"contract-{uuid.uuid4().hex[:8]}"
    account = (await cdp.connect(api, user.headers, "meta", sandbox_user)).account
    await sandbox.post(
        "/_admin/faults",
        json={"platform": "meta", "kind": "permission", "path_contains": "customaudiences"},
    )
    failed = cdp.error(
        await cdp.create(
            api, user.headers, segment_id, "meta", account, description="CDP segment: VIPs"
        ),
        502,
        "PLATFORM_ERROR",
    )
    assert failed["details"]["platform_error_code"] == 200
    assert failed["details"]["platform_error_message"]

    created = await cdp.create(
        api, user.headers, segment_id, "meta", account, description="CDP segment: VIPs"
    )
    assert created.status_code == 201, created.text
    audience_id = created.json()["audience"]["id"]
    path = f"{AS}/audiences/{audience_id}/sync"
    first, second = await asyncio.gather(
        api.post(path, json={"operation": "update"}, headers=user.headers),
        api.post(path, json={"operation": "update"}, headers=user.headers),
    )
    statuses = sorted([first.status_code, second.status_code])
    assert statuses == [202, 409], (first.text, second.text)
    busy = first if first.status_code == 409 else second
    cdp.error(busy, 409, "SYNC_IN_PROGRESS")

    # 10 per minute per audience: the spec's limit, enforced by the gateway.
    limited = None
    for _ in range(12):
        response = await api.post(path, json={}, headers=user.headers)
        if response.status_code == 429:
            limited = response
            break
    assert limited is not None
    cdp.error(limited, 429, "RATE_LIMIT_EXCEEDED")
    assert limited.headers.get("retry-after")

    # A revoked Meta token cannot be exchanged for a new one: the user must reconnect.
    revoked = await sandbox.post(
        "/_admin/tokens/revoke", json={"platform": "meta", "user_id": sandbox_user}
    )
    assert revoked.status_code == 200 and revoked.json()["revoked"] >= 1
    cdp.error(
        await cdp.create(
            api, user.headers, segment_id, "meta", account, description="CDP segment: VIPs"
        ),
        401,
        "CREDENTIALS_EXPIRED",
    )
