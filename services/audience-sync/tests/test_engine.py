"""The sync engine against the sandbox, for each platform: initial sync, an update after a
membership change sends only the difference, replace, additive-only, invalid identifiers,
token refresh and its failure, platform errors, rate limits."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from audience_sync.sync import planner
from audience_sync.sync.engine import SyncEngine
from kit import AS, PLATFORMS, Api, expected_hashes, make_profiles

FIELDS = ["email", "phone"]  # what make_profiles gives every profile


async def trigger(api: Api, audience_id: str, operation: str = "update") -> dict[str, Any]:
    response = await api.post(f"{AS}/audiences/{audience_id}/sync", json={"operation": operation})
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body


async def setup(
    api: Api, platform: str, profiles: list[dict[str, Any]], **extra: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    segment = await api.segment(profiles=profiles)
    await api.connect(platform)
    created = await api.audience(segment["id"], platform, **extra)
    assert created["initial_sync"]["status"] == "completed", created
    return segment, created["audience"]


def rows_per_profile(platform: str, keys: int) -> int:
    """Rows a platform receives for one profile sent with ``keys`` identifiers: one
    (multi-key row, member, user), or one per identifier for Snapchat's lanes."""
    return keys if platform == "snapchat" else 1


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_initial_update_and_replace(api: Api, sync_engine: SyncEngine, platform: str) -> None:
    profiles = make_profiles(0, 1_200)
    segment, audience = await setup(api, platform, profiles)
    assert audience["identifier_fields"] == FIELDS
    pid = audience["platform_audience_id"]
    assert await api.sandbox.hashes(platform, pid) == expected_hashes(platform, FIELDS, profiles)
    first = await api.sandbox.members(platform, pid)

    # Membership change: 100 profiles leave, 150 join, 20 change their email.
    await api.remove(segment["id"], [p["external_id"] for p in profiles[:100]])
    joined = make_profiles(5_000, 150)
    changed = [{**p, "email": f"new-{p['external_id']}@example.org"} for p in profiles[100:120]]
    await api.upsert(segment["id"], joined + changed)
    current = changed + profiles[120:] + joined
    triggered = await trigger(api, audience["id"])
    # Profiles, not identifiers: 150 new and 20 changed to send, 100 to remove.
    assert triggered["estimated_changes"] == {"to_add": 170, "to_remove": 100, "exact": True}
    assert triggered["segment_size"] == 1_250
    assert await sync_engine.run(uuid.UUID(triggered["job_id"])) == "completed"
    job = await api.job(triggered["job_id"])
    assert job["status"] == "completed", job
    assert (job["profiles_added"], job["profiles_removed"], job["profiles_sent"]) == (150, 100, 270)
    assert job["identifier_counts"]["email"]["sent"] == 170
    assert job["identifier_counts"]["phone"]["sent"] == 170
    # The changed profiles' old emails are gone; their phones stay.
    assert await api.sandbox.hashes(platform, pid) == expected_hashes(platform, FIELDS, current)
    second = await api.sandbox.members(platform, pid)
    # Only the difference travelled: the leaving profiles, the changed ones' old emails,
    # then the new and changed profiles with both identifiers.
    sent_rows = second["stats"]["received_rows"] - first["stats"]["received_rows"]
    one, two = rows_per_profile(platform, 1), rows_per_profile(platform, 2)
    assert sent_rows == 100 * two + 20 * one + 170 * two
    # Snapchat's lanes are keyed by identifier: a resent profile's unchanged phone is one.
    assert second["stats"]["duplicates"] == (20 if platform == "snapchat" else 0)

    # Replace: the platform's own replace primitive; the audience ends exactly as the segment.
    replaced = await trigger(api, audience["id"], "replace")
    assert replaced["estimated_changes"]["to_add"] == 0
    assert await sync_engine.run(uuid.UUID(replaced["job_id"])) == "completed"
    job = await api.job(replaced["job_id"])
    assert job["operation"] == "replace" and job["status"] == "completed", job
    assert job["profiles_sent"] == len(current)
    assert job["profiles_added"] == 0 and job["profiles_removed"] == 0
    assert await api.sandbox.hashes(platform, pid) == expected_hashes(platform, FIELDS, current)


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_changed_phone_is_resent_and_its_old_key_removed_unless_shared(
    api: Api, sync_engine: SyncEngine, platform: str
) -> None:
    profiles = make_profiles(0, 60)
    # c-50 shares c-0's phone (a household): it keeps that phone when c-0 changes its own.
    profiles[50] = {**profiles[50], "phone": profiles[0]["phone"]}
    segment, audience = await setup(api, platform, profiles)
    pid = audience["platform_audience_id"]
    changed = [{**p, "phone": f"+1 (212) 555-{i:04d}"} for i, p in enumerate(profiles[:10])]
    await api.upsert(segment["id"], changed)
    triggered = await trigger(api, audience["id"])
    assert triggered["estimated_changes"] == {"to_add": 10, "to_remove": 0, "exact": True}
    assert await sync_engine.run(uuid.UUID(triggered["job_id"])) == "completed"
    job = await api.job(triggered["job_id"])
    assert (job["profiles_sent"], job["profiles_added"], job["profiles_removed"]) == (10, 0, 0)
    current = changed + profiles[10:]
    held = await api.sandbox.hashes(platform, pid)
    assert held == expected_hashes(platform, FIELDS, current)
    old = expected_hashes(platform, ["phone"], profiles[1:10])
    assert not old & held
    assert expected_hashes(platform, ["phone"], profiles[:1]) <= held  # still c-50's

    # The profile leaves: its keys go, except the shared phone.
    await api.remove(segment["id"], ["c-50"])
    triggered = await trigger(api, audience["id"])
    assert await sync_engine.run(uuid.UUID(triggered["job_id"])) == "completed"
    job = await api.job(triggered["job_id"])
    assert (job["profiles_removed"], job["profiles_sent"]) == (1, 1)
    held = await api.sandbox.hashes(platform, pid)
    assert held == expected_hashes(
        platform, FIELDS, [p for p in current if p["external_id"] != "c-50"]
    )


@pytest.mark.parametrize(
    ("platform", "probe_max_rows"),
    [("meta", planner.PROBE_MAX_ROWS), ("google", planner.PROBE_MAX_ROWS), ("meta", 0)],
    ids=["meta-one-scan", "google-one-scan", "meta-join-per-field"],
)
async def test_old_emails_and_phones_still_used_elsewhere_stay_in_one_update(
    api: Api,
    sync_engine: SyncEngine,
    platform: str,
    probe_max_rows: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Both ways of finding shared old keys (one scan of the digests for small plans, a
    # join per field for large ones) keep the same keys.
    monkeypatch.setattr(planner, "PROBE_MAX_ROWS", probe_max_rows)
    profiles = make_profiles(0, 60)
    profiles[50] = {**profiles[50], "phone": profiles[0]["phone"]}
    profiles[51] = {**profiles[51], "email": profiles[1]["email"]}
    segment, audience = await setup(api, platform, profiles)
    pid = audience["platform_audience_id"]
    changed = [
        {**profiles[0], "phone": "+1 (212) 555-0100"},
        {**profiles[1], "email": "moved.1@example.org"},
        {**profiles[2], "phone": "+1 (212) 555-0102", "email": "moved.2@example.org"},
    ]
    await api.upsert(segment["id"], changed)
    triggered = await trigger(api, audience["id"])
    assert await sync_engine.run(uuid.UUID(triggered["job_id"])) == "completed"
    current = changed + profiles[3:]
    held = await api.sandbox.hashes(platform, pid)
    assert held == expected_hashes(platform, FIELDS, current)
    assert expected_hashes(platform, ["phone"], profiles[:1]) <= held  # c-50's too
    assert expected_hashes(platform, ["email"], profiles[1:2]) <= held  # c-51's too
    assert not expected_hashes(platform, ["email", "phone"], profiles[2:3]) & held


@pytest.mark.parametrize("platform", ["meta", "google"])
async def test_additive_only_sends_no_removals(
    api: Api, sync_engine: SyncEngine, platform: str
) -> None:
    profiles = make_profiles(0, 300)
    segment, audience = await setup(api, platform, profiles, additive_only=True)
    await api.remove(segment["id"], [p["external_id"] for p in profiles[:50]])
    await api.upsert(segment["id"], make_profiles(900, 10))
    triggered = await trigger(api, audience["id"])
    assert triggered["estimated_changes"]["to_remove"] == 0
    assert await sync_engine.run(uuid.UUID(triggered["job_id"])) == "completed"
    job = await api.job(triggered["job_id"])
    assert job["profiles_removed"] == 0 and job["profiles_added"] == 10
    held = await api.sandbox.hashes(platform, audience["platform_audience_id"])
    assert held == expected_hashes(platform, FIELDS, profiles + make_profiles(900, 10))


async def test_invalid_identifiers_are_counted_and_unusable_profiles_failed(
    api: Api, engine: AsyncEngine
) -> None:
    # Stored (they look like an address) but refused by Meta's normalizer (the domain
    # starts with a dot): "odd" has nothing else, so it is failed; "half" still has a phone.
    segment = await api.segment(profiles=make_profiles(0, 20))
    upsert = await api.post(
        f"/api/v1/cdp/segments/{segment['id']}/profiles",
        json={
            "profiles": [
                {"external_id": "odd", "email": "a@.example.com"},
                {"external_id": "half", "email": "b@.example.com", "phone": "+1 415 555 0199"},
            ]
        },
    )
    assert upsert.status_code == 200 and upsert.json()["inserted"] == 2
    await api.connect("meta")
    created = await api.audience(segment["id"], "meta")
    job = await api.job(created["initial_sync"]["job_id"])
    assert job["status"] == "completed"
    assert job["profiles_sent"] == 21 and job["profiles_added"] == 21
    assert job["profiles_failed"] == 1
    assert job["profiles_invalid"] == 2
    assert job["invalid_samples"] == [
        {"external_id": "half", "reason": "email cannot be normalized"},
        {
            "external_id": "odd",
            "reason": "no usable identifier for meta (email cannot be normalized)",
        },
    ]
    assert job["identifier_counts"] == {
        "email": {"sent": 20, "invalid": 2},
        "phone": {"sent": 21, "invalid": 0},
    }
    assert "a@.example.com" not in str(job) and "b@.example.com" not in str(job)


async def test_expired_token_is_refreshed_once(api: Api, sync_engine: SyncEngine) -> None:
    profiles = make_profiles(0, 30)
    segment, audience = await setup(api, "google", profiles)
    await api.sandbox.expire_tokens("google")
    await api.upsert(segment["id"], make_profiles(100, 5))
    triggered = await trigger(api, audience["id"])
    assert await sync_engine.run(uuid.UUID(triggered["job_id"])) == "completed"
    platforms = (await api.get(f"{AS}/platforms")).json()["platforms"]
    google = next(p for p in platforms if p["platform"] == "google")
    assert google["status"] == "connected"


async def test_credentials_expired_when_refresh_fails(api: Api, sync_engine: SyncEngine) -> None:
    segment, audience = await setup(api, "google", make_profiles(0, 10))
    await api.upsert(segment["id"], make_profiles(100, 5))
    triggered = await trigger(api, audience["id"])
    await api.sandbox.revoke_tokens("google")  # access and refresh tokens
    assert await sync_engine.run(uuid.UUID(triggered["job_id"])) == "failed"
    job = await api.job(triggered["job_id"])
    assert job["error_code"] == "CREDENTIALS_EXPIRED", job
    platforms = (await api.get(f"{AS}/platforms")).json()["platforms"]
    assert next(p for p in platforms if p["platform"] == "google")["status"] == "expired"
    again = await api.post(f"{AS}/audiences/{audience['id']}/sync", json={})
    assert again.status_code == 401 and again.json()["error"]["code"] == "CREDENTIALS_EXPIRED"


async def update_under_fault(
    api: Api, sync_engine: SyncEngine, platform: str, outcome: str, kind: str, **fault: Any
) -> dict[str, Any]:
    """Five new profiles for an audience of ten, synced while the sandbox answers ``kind``
    faults (``fault``: its count and path): the job, which ended ``outcome``."""
    segment, audience = await setup(api, platform, make_profiles(0, 10))
    await api.upsert(segment["id"], make_profiles(100, 5))
    triggered = await trigger(api, audience["id"])
    await api.sandbox.fault(platform, kind, **fault)
    assert await sync_engine.run(uuid.UUID(triggered["job_id"])) == outcome
    return await api.job(triggered["job_id"])


@pytest.mark.parametrize(
    ("platform", "code"),
    [("meta", 200), ("google", "PERMISSION_DENIED"), ("tiktok", 40001), ("snapchat", 403)],
)
async def test_platform_error_fails_the_job_with_the_platform_code(
    api: Api, sync_engine: SyncEngine, platform: str, code: Any
) -> None:
    job = await update_under_fault(api, sync_engine, platform, "failed", "permission", count=5)
    assert job["error_code"] == "PLATFORM_ERROR"
    assert job["platform_response"]["error"]["platform_error_code"] == code
    assert job["error_message"]


async def test_rate_limits_are_retried(api: Api, sync_engine: SyncEngine) -> None:
    job = await update_under_fault(
        api, sync_engine, "meta", "completed", "rate_limit", count=2, path_contains="/users"
    )
    assert job["profiles_added"] == 5


async def test_persistent_rate_limit_fails_with_platform_error(
    api: Api, sync_engine: SyncEngine
) -> None:
    job = await update_under_fault(
        api, sync_engine, "snapchat", "failed", "rate_limit", count=50, path_contains="/users"
    )
    assert job["error_code"] == "PLATFORM_ERROR"
    assert job["platform_response"]["error"]["platform_error_code"] == 429


async def test_worker_pool_hashes_large_segments(
    api: Api, worker_engine: SyncEngine, engine: AsyncEngine
) -> None:
    profiles = make_profiles(0, 30_000)
    segment = await api.segment(profiles=profiles)
    await api.connect("meta")
    created = await api.audience(segment["id"], "meta", expect=201)
    # Over the inline threshold? No: 30,000 > 10,000, so the initial sync waits for a worker.
    assert created["initial_sync"]["status"] == "pending"
    assert await worker_engine.run(uuid.UUID(created["initial_sync"]["job_id"])) == "completed"
    held = await api.sandbox.hashes("meta", created["audience"]["platform_audience_id"])
    assert held == expected_hashes("meta", FIELDS, profiles)
    async with engine.connect() as conn:
        members = await conn.scalar(
            sa.text("SELECT count(*) FROM audience_member WHERE audience_id = :a"),
            {"a": created["audience"]["id"]},
        )
    assert members == 30_000  # one member per profile
