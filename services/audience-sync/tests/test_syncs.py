"""Sync triggers (with their real diff), one active job per audience under concurrency,
history with its summary, job details, and the outbox events of finished jobs."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from audience_sync.sync.engine import SyncEngine
from kit import AS, Api, error_of, expected_hashes, make_profiles, read_rows

JOB_FIELDS = {
    "job_id",
    "audience_id",
    "platform",
    "operation",
    "status",
    "profiles_sent",
    "profiles_added",
    "profiles_removed",
    "profiles_failed",
    "match_rate",
    "triggered_by",
    "triggered_by_user_id",
    "started_at",
    "completed_at",
    "duration_ms",
    "error_message",
    "platform_response",
    "error_code",
    "profiles_invalid",
    "profiles_skipped_consent",
    "invalid_samples",
    "identifier_counts",
    "segment_size",
    "estimated_changes",
    "created_at",
}


async def audience_for(
    api: Api, platform: str = "meta", count: int = 50
) -> tuple[dict[str, Any], dict[str, Any]]:
    segment = await api.segment(profiles=make_profiles(0, count))
    await api.connect(platform)
    created = await api.audience(segment["id"], platform)
    return segment, created["audience"]


async def test_trigger_answers_the_real_diff_and_refuses_a_second_job(api: Api) -> None:
    _segment, audience = await audience_for(api)
    path = f"{AS}/audiences/{audience['id']}/sync"
    nothing = await api.post(path, json={"operation": "update"})
    assert nothing.status_code == 202
    body = nothing.json()
    assert body == {
        "job_id": body["job_id"],
        "status": "pending",
        "operation": "update",
        "segment_size": 50,
        "estimated_changes": {"to_add": 0, "to_remove": 0, "exact": True},
    }
    busy = await api.post(path, json={"operation": "replace"})
    assert busy.status_code == 409
    error = error_of(busy)
    assert error["code"] == "SYNC_IN_PROGRESS"
    assert error["details"] == {"audience_id": audience["id"]}
    job = await api.job(body["job_id"])
    assert set(job) == JOB_FIELDS
    assert job["status"] == "pending" and job["started_at"] is None
    assert job["estimated_changes"] == {"to_add": 0, "to_remove": 0, "exact": True}
    bad = await api.post(path, json={"operation": "delete"})
    assert bad.status_code == 422


async def test_concurrent_triggers_create_one_job(api: Api, engine: AsyncEngine) -> None:
    _, audience = await audience_for(api, "snapchat")
    path = f"{AS}/audiences/{audience['id']}/sync"
    responses = await asyncio.gather(*(api.post(path, json={}) for _ in range(6)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [202, 409, 409, 409, 409, 409], [r.text for r in responses]
    assert all(error_of(r)["code"] == "SYNC_IN_PROGRESS" for r in responses if r.status_code == 409)
    async with engine.connect() as conn:
        active = await conn.scalar(
            sa.text(
                "SELECT count(*) FROM sync_job WHERE audience_id = :a "
                "AND status IN ('pending', 'running')"
            ),
            {"a": audience["id"]},
        )
    assert active == 1


async def test_history_job_details_and_events(
    api: Api, sync_engine: SyncEngine, engine: AsyncEngine
) -> None:
    segment, audience = await audience_for(api, "google", 40)
    path = f"{AS}/audiences/{audience['id']}"
    api_key = Api(api.client, api.sandbox, user_id=api.user_id, auth="api_key")
    await api.upsert(segment["id"], make_profiles(100, 10))
    first = (await api_key.post(f"{path}/sync", json={})).json()
    assert first["estimated_changes"]["to_add"] == 10  # profiles, not identifiers
    assert await sync_engine.run(uuid.UUID(first["job_id"])) == "completed"
    await api.remove(segment["id"], ["c-0", "c-1"])
    second = (await api.post(f"{path}/sync", json={})).json()
    await api.sandbox.fault("google", "permission", count=3)
    assert await sync_engine.run(uuid.UUID(second["job_id"])) == "failed"

    history = (await api.get(f"{path}/history")).json()
    assert history["audience_id"] == audience["id"]
    assert [h["job_id"] for h in history["history"]][:2] == [second["job_id"], first["job_id"]]
    newest = history["history"][0]
    assert newest["status"] == "failed" and newest["error_code"] == "PLATFORM_ERROR"
    ok = history["history"][1]
    assert ok["triggered_by"] == "api" and ok["operation"] == "update"
    assert ok["profiles_added"] == 10 and ok["profiles_sent"] == 10
    assert ok["duration_ms"] is not None and ok["completed_at"].endswith("Z")
    assert history["summary"]["total_syncs"] == 3
    assert history["summary"]["successful"] == 2 and history["summary"]["failed"] == 1
    assert history["summary"]["avg_match_rate"] is not None
    failed_only = (await api.get(f"{path}/history", params={"status": "failed"})).json()
    assert [h["job_id"] for h in failed_only["history"]] == [second["job_id"]]
    limited = (await api.get(f"{path}/history", params={"limit": 1})).json()
    assert len(limited["history"]) == 1 and limited["summary"]["total_syncs"] == 3
    assert (await api.get(f"{path}/history", params={"days": 0})).status_code == 422

    job = await api.job(first["job_id"])
    assert job["triggered_by"] == "api" and job["triggered_by_user_id"] == str(api.user_id)
    assert job["platform"] == "google" and job["match_rate"] is not None
    assert job["platform_response"]["audience_size"] is not None
    failed = await api.job(second["job_id"])
    assert failed["error_code"] == "PLATFORM_ERROR"
    assert failed["platform_response"]["error"]["platform_error_code"] == "PERMISSION_DENIED"
    assert failed["error_message"].startswith("Google (code PERMISSION_DENIED)")

    detail = (await api.get(path)).json()
    assert detail["last_sync_status"] == "failed"
    assert detail["sync_stats_30d"]["total_syncs"] == 3
    assert detail["sync_stats_30d"]["profiles_added"] == 50

    events = await read_rows(
        engine,
        "SELECT event_type, topic, key, payload FROM outbox_event "
        "WHERE key = :a AND topic = 'audience_sync.events' ORDER BY seq",
        a=audience["id"],
    )
    assert [e.event_type for e in events] == [
        "audience_sync.completed",
        "audience_sync.completed",
        "audience_sync.failed",
    ]
    completed = events[1].payload["data"]
    assert completed == {
        "job_id": first["job_id"],
        "audience_id": audience["id"],
        "user_id": str(api.user_id),
        "platform": "google",
        "operation": "update",
        "profiles_sent": 10,
        "profiles_added": 10,
        "profiles_removed": 0,
        "profiles_failed": 0,
        "match_rate": job["match_rate"],
        "duration_ms": job["duration_ms"],
    }
    failure = events[2].payload["data"]
    assert failure["error_code"] == "PLATFORM_ERROR" and failure["job_id"] == second["job_id"]


async def test_other_users_job_is_not_found(api: Api, other: Api) -> None:
    _, audience = await audience_for(api, "tiktok", 5)
    job_id = (await api.get(f"{AS}/audiences/{audience['id']}/history")).json()["history"][0][
        "job_id"
    ]
    assert (await api.get(f"{AS}/sync-jobs/{job_id}")).status_code == 200
    for caller, job in ((other, job_id), (api, str(uuid.uuid4()))):
        response = await caller.get(f"{AS}/sync-jobs/{job}")
        assert response.status_code == 404 and error_of(response)["code"] == "JOB_NOT_FOUND"


async def test_estimate_beyond_the_rehash_limit_is_marked_inexact(
    api: Api, app: Any, settings: Any
) -> None:
    segment, audience = await audience_for(api, "meta", 5)
    await api.upsert(segment["id"], make_profiles(100, 30))
    previous = settings.estimate_rehash_limit
    settings.estimate_rehash_limit = 10
    try:
        response = await api.post(f"{AS}/audiences/{audience['id']}/sync", json={})
    finally:
        settings.estimate_rehash_limit = previous
    assert response.status_code == 202
    # The 30 unhashed profiles count as additions (profiles, whatever their identifiers).
    assert response.json()["estimated_changes"] == {"to_add": 30, "to_remove": 0, "exact": False}


async def backdate(engine: AsyncEngine, job_id: str, days: int) -> None:
    """Move a finished job ``days`` into the past (its creation, start and end)."""
    async with engine.begin() as conn:
        moved = await conn.execute(
            sa.text(
                "UPDATE sync_job SET created_at = created_at - make_interval(days => :d), "
                "started_at = started_at - make_interval(days => :d), "
                "completed_at = completed_at - make_interval(days => :d) WHERE id = :j"
            ),
            {"d": days, "j": job_id},
        )
    assert moved.rowcount == 1


async def test_history_keeps_to_the_days_window_and_so_does_its_summary(
    api: Api, sync_engine: SyncEngine, engine: AsyncEngine
) -> None:
    segment, audience = await audience_for(api, "meta", 10)
    path = f"{AS}/audiences/{audience['id']}"
    initial_id = (await api.get(f"{path}/history")).json()["history"][0]["job_id"]
    initial = await api.job(initial_id)
    assert initial["status"] == "completed" and initial["profiles_added"] == 10
    rate = initial["match_rate"]
    assert rate is not None and rate > 20

    # 40 days ago: a completed update that added 5 profiles.
    await api.upsert(segment["id"], make_profiles(100, 5))
    old = (await api.post(f"{path}/sync", json={})).json()
    assert await sync_engine.run(uuid.UUID(old["job_id"])) == "completed"
    async with engine.begin() as conn:
        # A match rate of its own, so the summary's average shows whether it counted.
        await conn.execute(
            sa.text("UPDATE sync_job SET match_rate = :r WHERE id = :j"),
            {"r": rate - 20, "j": old["job_id"]},
        )
    await backdate(engine, old["job_id"], 40)
    # 3 days ago: an update the platform refused on the upload.
    await api.upsert(segment["id"], make_profiles(200, 2))
    recent = (await api.post(f"{path}/sync", json={})).json()
    await api.sandbox.fault("meta", "permission", count=2, path_contains="/users", method="POST")
    assert await sync_engine.run(uuid.UUID(recent["job_id"])) == "failed"
    await backdate(engine, recent["job_id"], 3)

    async def history(**params: Any) -> tuple[list[str], dict[str, Any]]:
        response = await api.get(f"{path}/history", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["audience_id"] == audience["id"]
        return [h["job_id"] for h in body["history"]], body["summary"]

    today = {"total_syncs": 1, "successful": 1, "failed": 0, "avg_match_rate": rate}
    month = {"total_syncs": 2, "successful": 1, "failed": 1, "avg_match_rate": rate}
    assert await history(days=1) == ([initial_id], today)
    assert await history(days=7) == ([initial_id, recent["job_id"]], month)
    # Default: 30 days, the 40-day-old job is out of the list and of the summary.
    assert await history() == ([initial_id, recent["job_id"]], month)
    assert await history(days=30) == ([initial_id, recent["job_id"]], month)
    everything = {
        "total_syncs": 3,
        "successful": 2,
        "failed": 1,
        "avg_match_rate": round(rate - 10, 1),
    }
    assert await history(days=41) == ([initial_id, recent["job_id"], old["job_id"]], everything)
    # ``status`` and ``limit`` narrow the list, never the summary (the whole period).
    assert await history(days=1, status="failed") == ([], today)
    assert await history(days=7, status="failed") == ([recent["job_id"]], month)
    assert await history(days=41, limit=1) == ([initial_id], everything)

    stats = (await api.get(path)).json()["sync_stats_30d"]
    assert stats == {
        "total_syncs": 2,
        "successful_syncs": 1,
        "failed_syncs": 1,
        "avg_match_rate": rate,
        "profiles_added": 10,
        "profiles_removed": 0,
    }


async def test_inexact_estimate_bounds_the_real_diff_and_the_job_sends_it_exactly(
    api: Api, settings: Any, sync_engine: SyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    profiles = make_profiles(0, 20)
    segment, audience = await audience_for(api, "meta", 20)  # 20 members: email + phone
    path = f"{AS}/audiences/{audience['id']}"
    # 12 new profiles, 4 removed, 2 with a new email (phone kept): 14 profiles are not
    # hashed for Meta yet.
    await api.upsert(segment["id"], make_profiles(100, 12))
    await api.remove(segment["id"], [f"c-{i}" for i in range(4)])
    changed = [{"external_id": f"c-{i}", "email": f"moved.{i}@example.com"} for i in (10, 11)]
    await api.upsert(segment["id"], changed)
    # Real diff: 12 added, 2 sent again (their old emails removed), 4 removed.
    real_added, resent, real_removed = 12, 2, 4

    monkeypatch.setattr(settings, "estimate_rehash_limit", 13)
    response = await api.post(f"{path}/sync", json={})
    assert response.status_code == 202, response.text
    triggered = response.json()
    # Beyond the limit nothing is hashed: the 14 unhashed profiles count as profiles to
    # send; the old digests of the changed ones still look sent (not counted twice).
    estimate = {"to_add": 14, "to_remove": 4, "exact": False}
    assert triggered["estimated_changes"] == estimate
    assert triggered["segment_size"] == 28
    # The bound: profiles to send never under-counted, off by at most the changed ones.
    assert 0 <= estimate["to_add"] - (real_added + resent) <= len(changed)
    assert estimate["to_remove"] == real_removed

    assert await sync_engine.run(uuid.UUID(triggered["job_id"])) == "completed"
    job = await api.job(triggered["job_id"])
    assert job["estimated_changes"] == estimate
    assert (job["profiles_added"], job["profiles_removed"]) == (real_added, real_removed)
    assert job["profiles_sent"] == real_added + resent + real_removed
    assert job["profiles_failed"] == 0
    moved = {c["external_id"]: c for c in changed}
    current = [{**p, **moved.get(p["external_id"], {})} for p in profiles[4:]] + make_profiles(
        100, 12
    )
    held = await api.sandbox.hashes("meta", audience["platform_audience_id"])
    assert held == expected_hashes("meta", ["email", "phone"], current)

    # At the limit (3 unhashed profiles, limit 3) the request hashes them: exact.
    await api.upsert(segment["id"], make_profiles(300, 3))
    monkeypatch.setattr(settings, "estimate_rehash_limit", 3)
    exact = (await api.post(f"{path}/sync", json={})).json()
    assert exact["estimated_changes"] == {"to_add": 3, "to_remove": 0, "exact": True}
    assert await sync_engine.run(uuid.UUID(exact["job_id"])) == "completed"
    done = await api.job(exact["job_id"])
    assert (done["profiles_added"], done["profiles_removed"], done["profiles_sent"]) == (3, 0, 3)
