"""audience-sync-api.md "Sync Endpoints" through the gateway: POST /audiences/{id}/sync
(update and replace, 202 with the real diff), GET /audiences/{id}/history (days, status,
limit, summary) and GET /sync-jobs/{job_id}, the jobs run by the worker against the
sandbox; SYNC_IN_PROGRESS and a PLATFORM_ERROR failure from real causes."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import httpx

from tests.contract.conftest import User

sys.path.insert(0, str(Path(__file__).parent))
import cdp_kit as cdp
from cdp_kit import AS, SEGMENTS, kit

META_FIELDS = ("email", "phone")


async def meta_audience(
    api: httpx.AsyncClient, user: User, rows: list[dict[str, str]]
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """Meta connected, a segment of ``rows`` and its audience: (segment id, audience,
    initial sync)."""
    connection = await cdp.connect(api, user.headers, "meta")
    segment_id = await cdp.new_segment(api, user, rows)
    body = await cdp.created(api, user.headers, segment_id, "meta", connection.account)
    return segment_id, body["audience"], body["initial_sync"]


async def change_segment(
    api: httpx.AsyncClient,
    user: User,
    segment_id: str,
    leaving: list[str],
    joining: list[dict[str, str]],
) -> None:
    if leaving:
        removed = await api.request(
            "DELETE",
            f"{SEGMENTS}/{segment_id}/profiles",
            json={"external_ids": leaving},
            headers=user.headers,
        )
        assert removed.json()["deleted"] == len(leaving), removed.text
    if joining:
        added = await api.post(
            f"{SEGMENTS}/{segment_id}/profiles", json={"profiles": joining}, headers=user.headers
        )
        assert added.json()["inserted"] == len(joining), added.text


async def history(
    api: httpx.AsyncClient, user: User, audience_id: str, **params: Any
) -> dict[str, Any]:
    response = await api.get(
        f"{AS}/audiences/{audience_id}/history", params=params, headers=user.headers
    )
    assert response.status_code == 200, response.text
    body = kit.conforms(response.json(), cdp.HISTORY)
    assert body["audience_id"] == audience_id
    return body


async def test_update_sync_and_its_job_field_by_field(
    api: httpx.AsyncClient, user: User, sandbox: cdp.Sandbox
) -> None:
    """POST /sync {operation: update}: 202 {job_id, status: pending, operation,
    segment_size, estimated_changes} with the real diff; the job (GET /sync-jobs/{id}) sends
    exactly that diff and records every AudienceSyncJob field; the platform then holds the
    segment; the audience's sizes, last sync and 30-day stats follow."""
    rows = cdp.profiles(0, 20)
    segment_id, audience, initial = await meta_audience(api, user, rows)
    joining = cdp.profiles(500, 3)
    await change_segment(api, user, segment_id, ["p0", "p1"], joining)

    triggered = await api.post(
        f"{AS}/audiences/{audience['id']}/sync", json={"operation": "update"}, headers=user.headers
    )
    assert triggered.status_code == 202, triggered.text
    body = kit.conforms(triggered.json(), cdp.TRIGGERED)
    assert body["operation"] == "update" and body["segment_size"] == 21
    # Profiles: 3 join, 2 leave (each one row with its email and phone).
    assert body["estimated_changes"] == {"to_add": 3, "to_remove": 2, "exact": True}

    job = await cdp.finished(api, user.headers, body["job_id"])
    assert job["status"] == "completed", job
    expected = {
        "job_id": body["job_id"],
        "audience_id": audience["id"],
        "platform": "meta",
        "operation": "update",
        "profiles_sent": 5,
        "profiles_added": 3,
        "profiles_removed": 2,
        "profiles_failed": 0,
        "triggered_by": "manual",
        "triggered_by_user_id": cdp.user_id_of(user.headers),
        "error_message": None,
        "error_code": None,
        "profiles_invalid": 0,
        "invalid_samples": [],
        "segment_size": 21,
        "estimated_changes": body["estimated_changes"],
    }
    assert {k: job[k] for k in expected} == expected
    created, started, completed = (
        cdp.utc(job[k]) for k in ("created_at", "started_at", "completed_at")
    )
    assert created <= started <= completed
    assert abs((completed - started) * 1000 - job["duration_ms"]) <= 1000
    platform_response = kit.conforms(job["platform_response"], cdp.PLATFORM_RESPONSE)
    assert platform_response["audience_id"] == audience["platform_audience_id"]
    assert platform_response["members_uploaded"] == 21
    assert platform_response["status"] == "ready"
    size = platform_response["audience_size"]
    assert job["match_rate"] == round(min(100.0, size * 100 / 21), 1)

    held = await sandbox.members("meta", audience["platform_audience_id"])
    assert set(held.json()["hashes"]) == cdp.hashes("meta", rows[2:] + joining, META_FIELDS)
    assert abs(held.json()["visible_matched_count"] - size) <= 1

    detail = await cdp.audience_detail(api, user.headers, audience["id"])
    assert detail["last_sync_at"] == job["completed_at"]
    assert detail["last_sync_status"] == "completed"
    assert (detail["platform_size"], detail["matched_size"]) == (size, size)
    assert detail["match_rate"] == job["match_rate"]
    assert cdp.utc(detail["next_sync_at"]) - cdp.utc(detail["last_sync_at"]) == 24 * 3600
    assert detail["segment_profile_count"] == 21
    assert detail["sync_stats_30d"] == {
        "total_syncs": 2,
        "successful_syncs": 2,
        "failed_syncs": 0,
        "avg_match_rate": round((initial["match_rate"] + job["match_rate"]) / 2, 1),
        "profiles_added": 23,
        "profiles_removed": 2,
    }

    # No body at all, or an empty one, is an update; nothing changed, nothing to send.
    for payload in (None, {}):
        again = await api.post(
            f"{AS}/audiences/{audience['id']}/sync", json=payload, headers=user.headers
        )
        assert again.status_code == 202, again.text
        assert again.json()["operation"] == "update"
        assert again.json()["estimated_changes"] == {"to_add": 0, "to_remove": 0, "exact": True}
        quiet = await cdp.finished(api, user.headers, again.json()["job_id"])
        assert (quiet["status"], quiet["profiles_sent"]) == ("completed", 0)


async def test_replace_sync_swaps_the_platform_audience(
    api: httpx.AsyncClient, user: User, sandbox: cdp.Sandbox
) -> None:
    """operation: replace uses the platform's replace: afterwards the platform holds exactly
    the segment (what left is gone, what joined is there), and the job says replace."""
    rows = cdp.profiles(0, 12)
    segment_id, audience, _ = await meta_audience(api, user, rows)
    joining = cdp.profiles(900, 2)
    await change_segment(api, user, segment_id, ["p0", "p1", "p2"], joining)
    triggered = await api.post(
        f"{AS}/audiences/{audience['id']}/sync",
        json={"operation": "replace"},
        headers=user.headers,
    )
    assert triggered.status_code == 202, triggered.text
    body = kit.conforms(triggered.json(), cdp.TRIGGERED)
    assert (body["operation"], body["segment_size"]) == ("replace", 11)
    assert body["estimated_changes"] == {"to_add": 2, "to_remove": 3, "exact": True}
    job = await cdp.finished(api, user.headers, body["job_id"])
    assert (job["status"], job["operation"]) == ("completed", "replace"), job
    assert job["profiles_removed"] == 3 and job["profiles_failed"] == 0
    assert job["platform_response"]["members_uploaded"] == 11
    assert await sandbox.held("meta", audience["platform_audience_id"]) == cdp.hashes(
        "meta", rows[3:] + joining, META_FIELDS
    )
    entries = (await history(api, user, audience["id"]))["history"]
    assert [(e["operation"], e["status"]) for e in entries] == [
        ("replace", "completed"),
        ("create", "completed"),
    ]


async def test_operation_must_be_update_or_replace(api: httpx.AsyncClient, user: User) -> None:
    """Any other operation (the job-only create/delete included), a non-string or an
    unknown field is 422 VALIDATION_ERROR, and no job is created."""
    _, audience, _ = await meta_audience(api, user, cdp.profiles(0, 3))
    path = f"{AS}/audiences/{audience['id']}/sync"
    for payload, loc in [
        ({"operation": "delete"}, "operation"),
        ({"operation": "create"}, "operation"),
        ({"operation": "UPDATE"}, "operation"),
        ({"operation": 1}, "operation"),
        ({"operation": "update", "force": True}, "force"),
    ]:
        errors = cdp.validation(
            await api.post(path, json=payload, headers=user.headers), ["body", loc]
        )
        if loc == "operation":
            assert "update" in str(errors[0].get("ctx")) and "replace" in str(errors[0]["ctx"])
    assert [e["operation"] for e in (await history(api, user, audience["id"]))["history"]] == [
        "create"
    ]


async def test_a_second_sync_while_one_runs_is_409(
    api: httpx.AsyncClient, user: User, sandbox: cdp.Sandbox
) -> None:
    """While a job is pending or running, another trigger (update or replace, or two at
    once) is 409 SYNC_IN_PROGRESS with the audience id; once it has finished, a new one is
    accepted."""
    segment_id, audience, _ = await meta_audience(api, user, cdp.profiles(0, 5))
    path = f"{AS}/audiences/{audience['id']}/sync"
    first, second = await asyncio.gather(
        api.post(path, json={"operation": "update"}, headers=user.headers),
        api.post(path, json={"operation": "replace"}, headers=user.headers),
    )
    assert sorted([first.status_code, second.status_code]) == [202, 409], (first, second)
    busy = cdp.error(first if first.status_code == 409 else second, 409, "SYNC_IN_PROGRESS")
    assert busy["details"] == {"audience_id": audience["id"]}
    accepted = first if first.status_code == 202 else second
    await cdp.finished(api, user.headers, accepted.json()["job_id"])

    # The platform is slow to read the audience back: the job stays running meanwhile.
    await change_segment(api, user, segment_id, [], cdp.profiles(700, 1))
    await sandbox.fault(
        "meta", "latency", audience["platform_audience_id"], method="GET", latency_ms=2500
    )
    slow = await api.post(path, json={"operation": "update"}, headers=user.headers)
    assert slow.status_code == 202, slow.text
    await cdp.until(
        lambda: cdp.job_of(api, user.headers, slow.json()["job_id"]),
        lambda j: j["status"] == "running",
    )
    for operation in ("update", "replace"):
        refused = cdp.error(
            await api.post(path, json={"operation": operation}, headers=user.headers),
            409,
            "SYNC_IN_PROGRESS",
        )
        assert refused["details"] == {"audience_id": audience["id"]}
    assert (await cdp.finished(api, user.headers, slow.json()["job_id"]))["status"] == "completed"
    after = await api.post(path, json={"operation": "update"}, headers=user.headers)
    assert after.status_code == 202, after.text


async def test_failed_sync_and_history_filters(
    api: httpx.AsyncClient, user: User, sandbox: cdp.Sandbox
) -> None:
    """The platform refuses an upload: the job fails with PLATFORM_ERROR, the platform's
    code in platform_response, the audience's last_sync_status is failed. History: newest
    first, ``status`` and ``limit`` filter the entries while the summary covers the whole
    period; ``days`` 1-365, ``limit`` 1-200, a known ``status`` (422 otherwise)."""
    segment_id, audience, initial = await meta_audience(api, user, cdp.profiles(0, 6))
    # Two new emails: one upload request, which the platform refuses.
    joining = [{"external_id": f"e{i}", "email": f"e.{i}@example.com"} for i in range(2)]
    await change_segment(api, user, segment_id, [], joining)
    platform_id = audience["platform_audience_id"]
    await sandbox.fault("meta", "permission", f"{platform_id}/users", method="POST")
    triggered = await api.post(
        f"{AS}/audiences/{audience['id']}/sync", json={"operation": "update"}, headers=user.headers
    )
    assert triggered.status_code == 202, triggered.text
    failed = await cdp.finished(api, user.headers, triggered.json()["job_id"])
    assert failed["status"] == "failed", failed
    assert failed["error_code"] == "PLATFORM_ERROR" and failed["error_message"]
    assert failed["profiles_added"] == 0 and failed["completed_at"] is not None
    refusal = kit.conforms(failed["platform_response"], cdp.PLATFORM_FAILURE)["error"]
    assert refusal["platform"] == "meta" and refusal["platform_error_code"] == 200
    detail = await cdp.audience_detail(api, user.headers, audience["id"])
    assert detail["last_sync_status"] == "failed"
    assert detail["last_sync_at"] == failed["completed_at"]
    assert detail["sync_stats_30d"]["failed_syncs"] == 1
    assert detail["sync_stats_30d"]["successful_syncs"] == 1

    retried = await api.post(
        f"{AS}/audiences/{audience['id']}/sync", json={"operation": "update"}, headers=user.headers
    )
    assert retried.status_code == 202, retried.text
    assert retried.json()["estimated_changes"]["to_add"] == 2
    done = await cdp.finished(api, user.headers, retried.json()["job_id"])
    assert (done["status"], done["profiles_added"]) == ("completed", 2)

    jobs = [done["job_id"], failed["job_id"], initial["job_id"]]
    summary = {
        "total_syncs": 3,
        "successful": 2,
        "failed": 1,
        "avg_match_rate": round((initial["match_rate"] + done["match_rate"]) / 2, 1),
    }
    everything = await history(api, user, audience["id"])
    assert [e["job_id"] for e in everything["history"]] == jobs
    assert everything["summary"] == summary
    entry = everything["history"][1]
    assert (entry["status"], entry["error_code"], entry["operation"]) == (
        "failed",
        "PLATFORM_ERROR",
        "update",
    )
    assert entry["triggered_by"] == "manual" and entry["error_message"] == failed["error_message"]
    newest = everything["history"][0]
    job = await cdp.job_of(api, user.headers, done["job_id"])
    assert {k: job[k] for k in newest} == newest

    only_failed = await history(api, user, audience["id"], status="failed")
    assert [e["job_id"] for e in only_failed["history"]] == [failed["job_id"]]
    assert only_failed["summary"] == summary
    completed = await history(api, user, audience["id"], status="completed", limit=1)
    assert [e["job_id"] for e in completed["history"]] == [done["job_id"]]
    assert (await history(api, user, audience["id"], status="cancelled"))["history"] == []
    limited = await history(api, user, audience["id"], limit=2, days=1)
    assert [e["job_id"] for e in limited["history"]] == jobs[:2]
    assert limited["summary"] == summary
    assert [
        e["job_id"] for e in (await history(api, user, audience["id"], days=365))["history"]
    ] == jobs

    for params, loc in [
        ({"days": 0}, "days"),
        ({"days": 366}, "days"),
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"status": "done"}, "status"),
        ({"days": "week"}, "days"),
    ]:
        cdp.validation(
            await api.get(
                f"{AS}/audiences/{audience['id']}/history", params=params, headers=user.headers
            ),
            ["query", loc],
        )


async def test_unknown_job_is_404(api: httpx.AsyncClient, user: User) -> None:
    """GET /sync-jobs/{job_id} of a job that does not exist: 404 JOB_NOT_FOUND."""
    missing = cdp.NIL
    refused = cdp.error(
        await api.get(f"{AS}/sync-jobs/{missing}", headers=user.headers), 404, "JOB_NOT_FOUND"
    )
    assert refused["details"] == {"job_id": missing}


async def test_additive_only_updates_never_remove_but_a_replace_does(
    api: httpx.AsyncClient, user: User, sandbox: cdp.Sandbox
) -> None:
    """README: with additive_only an update sends additions only (estimate and job say 0
    removals, the platform keeps what left the segment); a replace removes it."""
    connection = await cdp.connect(api, user.headers, "meta")
    rows = cdp.profiles(0, 6)
    segment_id = await cdp.new_segment(api, user, rows)
    audience = (
        await cdp.created(
            api, user.headers, segment_id, "meta", connection.account, additive_only=True
        )
    )["audience"]
    assert audience["additive_only"] is True
    await change_segment(api, user, segment_id, ["p0", "p1"], cdp.profiles(40, 1))
    path = f"{AS}/audiences/{audience['id']}/sync"
    update = await api.post(path, json={"operation": "update"}, headers=user.headers)
    assert update.json()["estimated_changes"] == {"to_add": 1, "to_remove": 0, "exact": True}
    job = await cdp.finished(api, user.headers, update.json()["job_id"])
    assert (job["status"], job["profiles_added"], job["profiles_removed"]) == ("completed", 1, 0)
    assert await sandbox.held("meta", audience["platform_audience_id"]) == cdp.hashes(
        "meta", rows + cdp.profiles(40, 1), META_FIELDS
    )
    replace = await api.post(path, json={"operation": "replace"}, headers=user.headers)
    assert replace.json()["estimated_changes"] == {"to_add": 0, "to_remove": 2, "exact": True}
    job = await cdp.finished(api, user.headers, replace.json()["job_id"])
    assert (job["status"], job["profiles_removed"]) == ("completed", 2)
    assert await sandbox.held("meta", audience["platform_audience_id"]) == cdp.hashes(
        "meta", rows[2:] + cdp.profiles(40, 1), META_FIELDS
    )
