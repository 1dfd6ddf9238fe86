"""audience-sync-api.md "Audience Endpoints" through the gateway (GET/POST /audiences,
GET/PATCH/DELETE /audiences/{id}) on Meta, TikTok and Snapchat, checked field by field and
against what the sandbox's platforms hold; plus the house CDP source endpoints
``/api/v1/cdp/segments...`` (services/audience-sync/README.md)."""

from __future__ import annotations

import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.contract.conftest import User, register

sys.path.insert(0, str(Path(__file__).parent))
import cdp_kit as cdp
from cdp_kit import AS, SEGMENTS, kit

EXTRAS = ("segment_profile_count", "identifier_coverage", "extra_identifiers", "sync_stats_30d")


def listed(response: httpx.Response, page: int = 1, page_size: int = 20) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body = kit.conforms(
        response.json(),
        {
            "audiences": kit.list_of(kit.shape(cdp.AUDIENCE)),
            "total": kit.INT,
            "page": kit.equals(page),
            "page_size": kit.equals(page_size),
        },
    )
    return body


async def test_create_and_get_return_every_documented_field(
    api: httpx.AsyncClient, user: User, sandbox: cdp.Sandbox
) -> None:
    """POST /audiences: 201 {audience, initial_sync}; the initial sync ran in the request
    and the platform holds exactly the segment's hashed emails and phones; sizes, match rate
    and next sync follow; GET /audiences/{id} adds segment_profile_count and
    sync_stats_30d; the initial job is an ``create`` job of the caller."""
    connection = await cdp.connect(api, user.headers, "meta")
    rows = cdp.profiles(0, 40)
    segment_id = await cdp.new_segment(api, user, rows)
    name = f"High Value Customers {uuid.uuid4().hex[:6]}"
    before = time.time()
    response = await cdp.create(
        api,
        user.headers,
        segment_id,
        "meta",
        connection.account,
        audience_name=name,
        description="CDP segment: High Value Customers",
        sync_interval_hours=12,
    )
    assert response.status_code == 201, response.text
    body = kit.conforms(response.json(), cdp.CREATED)
    audience, initial = body["audience"], body["initial_sync"]

    members = await sandbox.members("meta", audience["platform_audience_id"])
    assert members.status_code == 200, members.text
    held = members.json()
    assert set(held["hashes"]) == cdp.hashes("meta", rows, ("email", "phone"))
    # 40 profiles, each one row with its email and phone: 40 people on the platform.
    assert held["name"] == name and held["count"] == 40
    matched = held["visible_matched_count"]
    assert 0 < matched <= 40

    assert initial["status"] == "completed" and initial["profiles_sent"] == 40
    assert abs(initial["matched"] - matched) <= 1
    assert initial["match_rate"] == round(min(100.0, initial["matched"] * 100 / 40), 1)
    assert initial["duration_ms"] >= 0
    assert initial["error_code"] is None and initial["error_message"] is None

    expected = {
        "segment_id": segment_id,
        "segment_name": "VIPs",
        "platform": "meta",
        "platform_audience_name": name,
        "ad_account_id": connection.account,
        "description": "CDP segment: High Value Customers",
        "is_active": True,
        "auto_sync": True,
        "sync_interval_hours": 12,
        "additive_only": False,
        "identifier_fields": ["email", "phone"],  # what Meta takes that the segment has
        "last_sync_status": "completed",
        "platform_size": initial["matched"],
        "matched_size": initial["matched"],
        "match_rate": initial["match_rate"],
    }
    assert {k: audience[k] for k in expected} == expected
    assert audience["platform_audience_id"].isdigit()
    assert before - 5 <= cdp.utc(audience["created_at"]) <= cdp.utc(audience["last_sync_at"])
    assert cdp.utc(audience["last_sync_at"]) <= time.time() + 5
    assert cdp.utc(audience["next_sync_at"]) - cdp.utc(audience["last_sync_at"]) == 12 * 3600
    assert cdp.utc(audience["updated_at"]) >= cdp.utc(audience["created_at"])

    detail = await cdp.audience_detail(api, user.headers, audience["id"])
    assert {k: v for k, v in detail.items() if k not in EXTRAS} == audience
    assert detail["segment_profile_count"] == 40
    assert detail["sync_stats_30d"] == {
        "total_syncs": 1,
        "successful_syncs": 1,
        "failed_syncs": 0,
        "avg_match_rate": initial["match_rate"],
        "profiles_added": 40,
        "profiles_removed": 0,
    }
    assert detail["identifier_coverage"] == {"email": 40, "phone": 40}

    job = await cdp.job_of(api, user.headers, initial["job_id"])
    assert job["operation"] == "create" and job["status"] == "completed"
    assert job["audience_id"] == audience["id"] and job["platform"] == "meta"
    assert (job["profiles_sent"], job["profiles_added"], job["profiles_removed"]) == (40, 40, 0)
    assert job["identifier_counts"] == {
        "email": {"sent": 40, "invalid": 0},
        "phone": {"sent": 40, "invalid": 0},
    }
    assert job["triggered_by"] == "manual"
    assert job["triggered_by_user_id"] == cdp.user_id_of(user.headers)
    assert job["segment_size"] == 40 and job["match_rate"] == initial["match_rate"]
    response_body = kit.conforms(job["platform_response"], cdp.PLATFORM_RESPONSE)
    assert response_body["audience_id"] == audience["platform_audience_id"]
    assert response_body["members_uploaded"] == 40
    assert response_body["audience_size"] == initial["matched"]
    assert response_body["status"] == "ready"

    # The segment now feeds an audience.
    segment = (await api.get(f"{SEGMENTS}/{segment_id}", headers=user.headers)).json()
    assert segment["audience_count"] == 1


async def test_create_validation(api: httpx.AsyncClient, user: User) -> None:
    """422 VALIDATION_ERROR naming each refused field of CreateAudienceRequest."""
    connection = await cdp.connect(api, user.headers, "meta")
    segment_id = await cdp.new_segment(api, user, [])
    post = f"{AS}/audiences"
    cdp.validation(
        await api.post(post, json={}, headers=user.headers),
        ["body", "segment_id"],
        ["body", "platform"],
        ["body", "ad_account_id"],
        ["body", "audience_name"],
    )
    good = {
        "segment_id": segment_id,
        "platform": "meta",
        "ad_account_id": connection.account,
        "audience_name": "VIPs",
    }
    for change, loc in [
        ({"platform": "myspace"}, "platform"),
        ({"segment_id": "not-a-uuid"}, "segment_id"),
        ({"audience_name": "  "}, "audience_name"),
        ({"sync_interval_hours": 0}, "sync_interval_hours"),
        ({"sync_interval_hours": 721}, "sync_interval_hours"),
        ({"auto_sync": "sometimes"}, "auto_sync"),
        ({"colour": "blue"}, "colour"),
    ]:
        errors = cdp.validation(
            await api.post(post, json={**good, **change}, headers=user.headers), ["body", loc]
        )
        assert len(errors) == 1, errors
    listed_now = listed(await api.get(f"{AS}/audiences", headers=user.headers))
    assert listed_now["total"] == 0


async def test_create_refusals(api: httpx.AsyncClient, user: User, sandbox: cdp.Sandbox) -> None:
    """404 SEGMENT_NOT_FOUND (unknown or another user's segment), 400
    PLATFORM_NOT_CONNECTED (platform not connected, or an ad account it does not grant),
    502 PLATFORM_ERROR with the platform's code when the platform refuses the audience; no
    audience is recorded for any of them."""
    connection = await cdp.connect(api, user.headers, "meta")
    segment_id = await cdp.new_segment(api, user, cdp.profiles(0, 5))
    unknown = str(uuid.uuid4())
    missing = cdp.error(
        await cdp.create(api, user.headers, unknown, "meta", connection.account),
        404,
        "SEGMENT_NOT_FOUND",
    )
    assert missing["details"] == {"segment_id": unknown}
    stranger = await register(api)
    foreign = await cdp.new_segment(api, stranger, cdp.profiles(0, 2))
    cdp.error(
        await cdp.create(api, user.headers, foreign, "meta", connection.account),
        404,
        "SEGMENT_NOT_FOUND",
    )
    not_connected = cdp.error(
        await cdp.create(api, user.headers, segment_id, "tiktok", "6578796534666304567"),
        400,
        "PLATFORM_NOT_CONNECTED",
    )
    assert not_connected["details"] == {"platform": "tiktok"}
    not_granted = cdp.error(
        await cdp.create(api, user.headers, segment_id, "meta", "act_1"),
        400,
        "PLATFORM_NOT_CONNECTED",
    )
    assert not_granted["details"] == {"platform": "meta", "ad_account_id": "act_1"}

    await sandbox.fault(
        "meta", "permission", f"{connection.account}/customaudiences", method="POST"
    )
    failed = cdp.error(
        await cdp.create(api, user.headers, segment_id, "meta", connection.account),
        502,
        "PLATFORM_ERROR",
    )
    assert failed["message"] == "Failed to create the audience on Meta"
    assert failed["details"]["platform"] == "meta"
    assert failed["details"]["platform_error_code"] == 200
    assert failed["details"]["platform_error_message"]
    assert listed(await api.get(f"{AS}/audiences", headers=user.headers))["total"] == 0
    # The fault was the platform's only refusal: the next attempt goes through.
    await cdp.created(api, user.headers, segment_id, "meta", connection.account)
    assert listed(await api.get(f"{AS}/audiences", headers=user.headers))["total"] == 1


@pytest.mark.parametrize("platform", ["tiktok", "snapchat"])
async def test_tiktok_and_snapchat_audiences_hold_the_segment(
    api: httpx.AsyncClient, user: User, sandbox: cdp.Sandbox, platform: str
) -> None:
    """An audience on TikTok (users with several id types) or Snapchat (one identifier type
    per request: lanes) holds exactly the segment's hashed identifiers after the initial
    sync and after an update sync, and every count is of profiles."""
    connection = await cdp.connect(api, user.headers, platform)
    rows = [
        {"external_id": f"p{i}", "phone": f"+1 415 555 {i:04d}"}
        | ({"email": f"person.{i}@example.com"} if i % 3 else {})
        for i in range(30)
    ]
    segment_id = await cdp.new_segment(api, user, rows)
    body = await cdp.created(api, user.headers, segment_id, platform, connection.account)
    audience, initial = body["audience"], body["initial_sync"]
    fields = ("email", "phone")
    assert audience["platform"] == platform
    assert audience["ad_account_id"] == connection.account
    assert audience["identifier_fields"] == ["email", "phone"]
    assert initial["profiles_sent"] == 30
    assert await sandbox.held(platform, audience["platform_audience_id"]) == cdp.hashes(
        platform, rows, fields
    )

    removed = await api.request(
        "DELETE",
        f"{SEGMENTS}/{segment_id}/profiles",
        json={"external_ids": ["p0", "p1", "p2"]},
        headers=user.headers,
    )
    assert removed.json()["deleted"] == 3
    joining = [
        {"external_id": f"n{i}", "phone": f"+1 650 555 {i:04d}", "email": f"new.{i}@example.com"}
        for i in range(4)
    ]
    added = await api.post(
        f"{SEGMENTS}/{segment_id}/profiles", json={"profiles": joining}, headers=user.headers
    )
    assert added.json()["inserted"] == 4
    triggered = await cdp.accepted_sync(api, user.headers, audience["id"])
    # Profiles: 4 join, 3 leave (whatever identifiers each has).
    to_add, to_remove = 4, 3
    assert triggered["estimated_changes"] == {
        "to_add": to_add,
        "to_remove": to_remove,
        "exact": True,
    }
    job = await cdp.finished(api, user.headers, triggered["job_id"])
    assert job["status"] == "completed", job
    assert (job["profiles_added"], job["profiles_removed"]) == (to_add, to_remove)
    assert job["platform"] == platform
    assert await sandbox.held(platform, audience["platform_audience_id"]) == cdp.hashes(
        platform, rows[3:] + joining, fields
    )


async def test_list_filters_and_pages(api: httpx.AsyncClient, user: User) -> None:
    """GET /audiences: {audiences, total, page, page_size}, newest first; filters platform,
    segment_id, status (active, paused) alone and together; page/page_size walk the list;
    bad filter values are 422; another user's list is empty."""
    meta = await cdp.connect(api, user.headers, "meta")
    snap = await cdp.connect(api, user.headers, "snapchat")
    seg_a = await cdp.new_segment(api, user, cdp.profiles(0, 5))
    seg_b = await cdp.new_segment(api, user, cdp.profiles(10, 5))
    a1 = (await cdp.created(api, user.headers, seg_a, "meta", meta.account))["audience"]
    a2 = (await cdp.created(api, user.headers, seg_b, "meta", meta.account))["audience"]
    a3 = (await cdp.created(api, user.headers, seg_a, "snapchat", snap.account))["audience"]
    paused = await api.patch(
        f"{AS}/audiences/{a2['id']}", json={"is_active": False}, headers=user.headers
    )
    assert paused.status_code == 200, paused.text

    async def ids(**params: Any) -> list[str]:
        body = listed(await api.get(f"{AS}/audiences", params=params, headers=user.headers))
        assert body["total"] == len(body["audiences"])
        return [a["id"] for a in body["audiences"]]

    everything = listed(await api.get(f"{AS}/audiences", headers=user.headers))
    assert everything["total"] == 3
    assert [a["id"] for a in everything["audiences"]] == [a3["id"], a2["id"], a1["id"]]
    first = everything["audiences"][2]
    detail = await cdp.audience_detail(api, user.headers, a1["id"])
    assert first == {k: v for k, v in detail.items() if k not in EXTRAS}

    assert await ids(platform="meta") == [a2["id"], a1["id"]]
    assert await ids(platform="snapchat") == [a3["id"]]
    assert await ids(platform="tiktok") == []
    assert await ids(segment_id=seg_a) == [a3["id"], a1["id"]]
    assert await ids(segment_id=str(uuid.uuid4())) == []
    assert await ids(status="paused") == [a2["id"]]
    assert await ids(status="active") == [a3["id"], a1["id"]]
    assert await ids(platform="meta", status="active", segment_id=seg_a) == [a1["id"]]

    pages = []
    for number in (1, 2, 3):
        body = listed(
            await api.get(
                f"{AS}/audiences", params={"page": number, "page_size": 2}, headers=user.headers
            ),
            page=number,
            page_size=2,
        )
        assert body["total"] == 3
        pages.append([a["id"] for a in body["audiences"]])
    assert pages == [[a3["id"], a2["id"]], [a1["id"]], []]

    for params, loc in [
        ({"platform": "myspace"}, "platform"),
        ({"status": "deleted"}, "status"),
        ({"segment_id": "nope"}, "segment_id"),
    ]:
        cdp.validation(
            await api.get(f"{AS}/audiences", params=params, headers=user.headers), ["query", loc]
        )
    stranger = await register(api)
    assert listed(await api.get(f"{AS}/audiences", headers=stranger.headers)) == {
        "audiences": [],
        "total": 0,
        "page": 1,
        "page_size": 20,
    }


async def test_patch_settings(api: httpx.AsyncClient, user: User) -> None:
    """PATCH /audiences/{id} answers the audience as GET does: auto_sync, sync_interval_hours
    (1-720), is_active and additive_only change, next_sync_at follows (null unless auto_sync
    and active); an empty body changes nothing; bad values are 422."""
    connection = await cdp.connect(api, user.headers, "meta")
    segment_id = await cdp.new_segment(api, user, cdp.profiles(0, 5))
    audience = (await cdp.created(api, user.headers, segment_id, "meta", connection.account))[
        "audience"
    ]
    path = f"{AS}/audiences/{audience['id']}"

    async def patch(body: dict[str, Any]) -> dict[str, Any]:
        response = await api.patch(path, json=body, headers=user.headers)
        assert response.status_code == 200, response.text
        return kit.conforms(response.json(), cdp.AUDIENCE_DETAIL)

    off = await patch({"auto_sync": False})
    assert off["auto_sync"] is False and off["next_sync_at"] is None
    assert cdp.utc(off["updated_at"]) >= cdp.utc(audience["updated_at"])
    on = await patch({"auto_sync": True, "sync_interval_hours": 6})
    assert (on["auto_sync"], on["sync_interval_hours"]) == (True, 6)
    assert cdp.utc(on["next_sync_at"]) - cdp.utc(on["last_sync_at"]) == 6 * 3600
    additive = await patch({"additive_only": True})
    assert additive["additive_only"] is True and additive["next_sync_at"] == on["next_sync_at"]
    stopped = await patch({"is_active": False})
    assert stopped["is_active"] is False and stopped["next_sync_at"] is None
    unchanged = await patch({})
    assert unchanged == stopped
    assert await cdp.audience_detail(api, user.headers, audience["id"]) == stopped
    kept = {k: audience[k] for k in ("platform_audience_id", "ad_account_id", "segment_id")}
    assert {k: stopped[k] for k in kept} == kept

    for body, loc in [
        ({"sync_interval_hours": 0}, "sync_interval_hours"),
        ({"sync_interval_hours": 721}, "sync_interval_hours"),
        ({"sync_interval_hours": "soon"}, "sync_interval_hours"),
        ({"is_active": "perhaps"}, "is_active"),
        ({"platform": "tiktok"}, "platform"),
    ]:
        cdp.validation(await api.patch(path, json=body, headers=user.headers), ["body", loc])
    missing = str(uuid.uuid4())
    not_found = cdp.error(
        await api.patch(f"{AS}/audiences/{missing}", json={}, headers=user.headers),
        404,
        "AUDIENCE_NOT_FOUND",
    )
    assert not_found["details"] == {"audience_id": missing}


async def test_delete_from_the_platform_or_not(
    api: httpx.AsyncClient, user: User, sandbox: cdp.Sandbox
) -> None:
    """DELETE /audiences/{id}: {deleted, audience_id, platform_audience_deleted}. By default
    the platform audience goes too (the sandbox no longer has it); with
    delete_from_platform=false it stays on the platform with its members. A platform refusal
    is 502 PLATFORM_ERROR and deletes nothing. The segment can be deleted once no audience
    uses it (409 SEGMENT_IN_USE before)."""
    connection = await cdp.connect(api, user.headers, "meta")
    rows = cdp.profiles(0, 8)
    segment_id = await cdp.new_segment(api, user, rows)
    first = (await cdp.created(api, user.headers, segment_id, "meta", connection.account))[
        "audience"
    ]
    second = (await cdp.created(api, user.headers, segment_id, "meta", connection.account))[
        "audience"
    ]
    in_use = cdp.error(
        await api.delete(f"{SEGMENTS}/{segment_id}", headers=user.headers), 409, "SEGMENT_IN_USE"
    )
    assert in_use["message"]

    await sandbox.fault("meta", "permission", first["platform_audience_id"], method="DELETE")
    refused = cdp.error(
        await api.delete(f"{AS}/audiences/{first['id']}", headers=user.headers),
        502,
        "PLATFORM_ERROR",
    )
    assert refused["details"]["platform_error_code"] == 200
    await cdp.audience_detail(api, user.headers, first["id"])
    assert (await sandbox.members("meta", first["platform_audience_id"])).status_code == 200

    deleted = await api.delete(f"{AS}/audiences/{first['id']}", headers=user.headers)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json() == {
        "deleted": True,
        "audience_id": first["id"],
        "platform_audience_deleted": True,
    }
    assert (await sandbox.members("meta", first["platform_audience_id"])).status_code == 404
    cdp.error(
        await api.get(f"{AS}/audiences/{first['id']}", headers=user.headers),
        404,
        "AUDIENCE_NOT_FOUND",
    )
    cdp.error(
        await api.delete(f"{AS}/audiences/{first['id']}", headers=user.headers),
        404,
        "AUDIENCE_NOT_FOUND",
    )

    cdp.validation(
        await api.delete(
            f"{AS}/audiences/{second['id']}",
            params={"delete_from_platform": "perhaps"},
            headers=user.headers,
        ),
        ["query", "delete_from_platform"],
    )
    kept = await api.delete(
        f"{AS}/audiences/{second['id']}",
        params={"delete_from_platform": "false"},
        headers=user.headers,
    )
    assert kept.status_code == 200, kept.text
    assert kept.json() == {
        "deleted": True,
        "audience_id": second["id"],
        "platform_audience_deleted": False,
    }
    assert await sandbox.held("meta", second["platform_audience_id"]) == cdp.hashes(
        "meta", rows, ("email", "phone")
    )
    cdp.error(
        await api.get(f"{AS}/audiences/{second['id']}", headers=user.headers),
        404,
        "AUDIENCE_NOT_FOUND",
    )
    assert listed(await api.get(f"{AS}/audiences", headers=user.headers))["total"] == 0

    gone = await api.delete(f"{SEGMENTS}/{segment_id}", headers=user.headers)
    assert gone.status_code == 200, gone.text
    assert gone.json() == {"deleted": True, "segment_id": segment_id, "profiles_deleted": 8}


async def test_other_users_audiences_and_jobs_do_not_exist_for_them(
    api: httpx.AsyncClient, user: User
) -> None:
    """Another user's audience is 404 AUDIENCE_NOT_FOUND on every audience route and its
    job 404 JOB_NOT_FOUND, exactly like ids that do not exist; nothing of it is changed."""
    connection = await cdp.connect(api, user.headers, "meta")
    segment_id = await cdp.new_segment(api, user, cdp.profiles(0, 5))
    body = await cdp.created(api, user.headers, segment_id, "meta", connection.account)
    audience, job_id = body["audience"], body["initial_sync"]["job_id"]
    stranger = await register(api)
    path = f"{AS}/audiences/{audience['id']}"
    calls = [
        ("GET", path, None),
        ("PATCH", path, {"is_active": False}),
        ("DELETE", path, None),
        ("POST", f"{path}/sync", {"operation": "update"}),
        ("GET", f"{path}/history", None),
    ]
    for method, url, json in calls:
        refused = cdp.error(
            await api.request(method, url, json=json, headers=stranger.headers),
            404,
            "AUDIENCE_NOT_FOUND",
        )
        assert refused["details"] == {"audience_id": audience["id"]}, (method, url)
    job = cdp.error(
        await api.get(f"{AS}/sync-jobs/{job_id}", headers=stranger.headers), 404, "JOB_NOT_FOUND"
    )
    assert job["details"] == {"job_id": job_id}
    assert listed(await api.get(f"{AS}/audiences", headers=stranger.headers))["total"] == 0
    still = await cdp.audience_detail(api, user.headers, audience["id"])
    assert still["is_active"] is True and still["sync_stats_30d"]["total_syncs"] == 1


async def test_segments_field_by_field(api: httpx.AsyncClient, user: User) -> None:
    """The house CDP source: POST/GET/DELETE /cdp/segments, GET /cdp/segments/{id} with
    identifier coverage, bulk upsert and removal of profiles, CSV import, each body exactly
    as README documents; another user's segment is 404 SEGMENT_NOT_FOUND."""
    created = await api.post(
        SEGMENTS, json={"name": " Churn risk ", "description": "30d"}, headers=user.headers
    )
    assert created.status_code == 201, created.text
    segment = kit.conforms(created.json(), cdp.SEGMENT)
    assert (segment["name"], segment["description"], segment["profile_count"]) == (
        "Churn risk",
        "30d",
        0,
    )
    path = f"{SEGMENTS}/{segment['id']}"

    upserted = await api.post(
        f"{path}/profiles",
        json={
            "profiles": [
                {"external_id": "a", "email": "a@example.com", "phone": "+1 415 555 0100"},
                {"external_id": "b", "first_name": "B", "last_name": "Bee", "zip": "94105"},
                {"external_id": "c", "madid": "6D92078A-8246-4BA4-AE5B-76104861E7DC"},
                {"external_id": "d", "email": "not an email"},
            ]
        },
        headers=user.headers,
    )
    assert upserted.status_code == 200, upserted.text
    assert upserted.json() == {
        "received": 4,
        "inserted": 3,
        "updated": 0,
        "unchanged": 0,
        "invalid": 1,
        "invalid_samples": [
            {"line": None, "index": 3, "external_id": "d", "reason": "email is not a valid address"}
        ],
        "profile_count": 3,
        "suppressed": 0,  # additive (issue 18): rows refused for an erased person
        "suppressed_rows": [],
    }
    again = await api.post(
        f"{path}/profiles",
        json={"profiles": [{"external_id": "a", "email": "a@example.com"}, {"external_id": "e"}]},
        headers=user.headers,
    )
    assert {k: again.json()[k] for k in ("inserted", "updated", "unchanged", "profile_count")} == {
        "inserted": 1,
        "updated": 0,
        "unchanged": 1,
        "profile_count": 4,
    }
    imported = await api.post(
        f"{path}/profiles/import",
        content=b"external_id,email,plan\nf,f@example.com,gold\nf,f2@example.com,gold\ng,x,\n",
        headers={**user.headers, "content-type": "text/csv"},
    )
    assert imported.status_code == 200, imported.text
    body = imported.json()
    assert set(body) == {
        "received",
        "inserted",
        "updated",
        "unchanged",
        "duplicates",
        "invalid",
        "invalid_samples",
        "profile_count",
        "suppressed",  # additive (issue 18)
        "suppressed_rows",
    }
    assert (body["received"], body["inserted"], body["duplicates"], body["invalid"]) == (3, 1, 1, 1)
    assert body["invalid_samples"][0]["line"] == 4 and body["profile_count"] == 5
    refusals = [  # (content type, body, status, code, details): not CSV, no identifier column
        (
            "application/json",
            b"{}",
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            {"content_type": "application/json"},
        ),
        ("text/csv", b"first_name\nAnn\n", 422, "NO_IDENTIFIER_COLUMN", {"header": ["first_name"]}),
    ]
    for content_type, content, status, code, details in refusals:
        refused = await api.post(
            f"{path}/profiles/import",
            content=content,
            headers={**user.headers, "content-type": content_type},
        )
        assert cdp.error(refused, status, code)["details"] == details

    removed = await api.request(
        "DELETE", f"{path}/profiles", json={"external_ids": ["e", "zz"]}, headers=user.headers
    )
    assert removed.json() == {"deleted": 1, "not_found": 1, "profile_count": 4}

    detail = await api.get(path, headers=user.headers)
    assert detail.status_code == 200
    shown = kit.conforms(
        detail.json(),
        {
            **cdp.SEGMENT,
            "identifier_coverage": kit.shape(
                {
                    "email": kit.INT,
                    "phone": kit.INT,
                    "name_zip": kit.INT,
                    "madid": kit.INT,
                    "extra_emails": kit.INT,
                    "extra_phones": kit.INT,
                }
            ),
            "audience_count": kit.INT,
        },
    )
    assert shown["identifier_coverage"] == {
        "email": 2,
        "phone": 1,
        "name_zip": 1,
        "madid": 1,
        "extra_emails": 0,
        "extra_phones": 0,
    }
    assert shown["profile_count"] == 4 and shown["audience_count"] == 0
    assert cdp.utc(shown["updated_at"]) >= cdp.utc(shown["created_at"])

    cdp.validation(
        await api.post(f"{path}/profiles", json={"profiles": []}, headers=user.headers),
        ["body", "profiles"],
    )
    cdp.validation(
        await api.request(
            "DELETE", f"{path}/profiles", json={"external_ids": []}, headers=user.headers
        ),
        ["body", "external_ids"],
    )
    cdp.validation(
        await api.post(
            f"{path}/profiles",
            json={"profiles": [{"external_id": str(i)} for i in range(10_001)]},
            headers=user.headers,
        ),
        ["body", "profiles"],
    )
    cdp.validation(
        await api.post(SEGMENTS, json={"name": " "}, headers=user.headers), ["body", "name"]
    )

    stranger = await register(api)
    for method, url, extra in [
        ("GET", path, {}),
        ("DELETE", path, {}),
        ("POST", f"{path}/profiles", {"json": {"profiles": [{"external_id": "x"}]}}),
        ("DELETE", f"{path}/profiles", {"json": {"external_ids": ["a"]}}),
    ]:
        refused = cdp.error(
            await api.request(method, url, headers=stranger.headers, **extra),
            404,
            "SEGMENT_NOT_FOUND",
        )
        assert refused["details"] == {"segment_id": segment["id"]}
    theirs = await api.get(SEGMENTS, headers=stranger.headers)
    assert theirs.json() == {"segments": [], "total": 0, "page": 1, "page_size": 20}

    gone = await api.delete(path, headers=user.headers)
    assert gone.json() == {"deleted": True, "segment_id": segment["id"], "profiles_deleted": 4}
    cdp.error(await api.get(path, headers=user.headers), 404, "SEGMENT_NOT_FOUND")


async def test_a_large_segment_initial_sync_runs_on_a_worker(
    api: httpx.AsyncClient, user: User, sandbox: cdp.Sandbox
) -> None:
    """README: beyond 10,000 profiles the initial sync is a worker's: POST /audiences
    answers 201 at once with initial_sync.status pending (nothing sent, sizes unknown);
    meanwhile another sync is 409 SYNC_IN_PROGRESS; the create job then completes and the
    platform holds every identifier."""
    connection = await cdp.connect(api, user.headers, "meta")
    rows = cdp.profiles(0, 10_001)
    segment_id = await cdp.new_segment(api, user, rows[:10_000])
    await api.post(
        f"{SEGMENTS}/{segment_id}/profiles", json={"profiles": rows[10_000:]}, headers=user.headers
    )
    response = await cdp.create(api, user.headers, segment_id, "meta", connection.account)
    assert response.status_code == 201, response.text
    body = kit.conforms(response.json(), cdp.CREATED)
    initial = body["initial_sync"]
    assert {k: v for k, v in initial.items() if k != "job_id"} == {
        "status": "pending",
        "profiles_sent": 0,
        "matched": None,
        "match_rate": None,
        "duration_ms": None,
        "error_code": None,
        "error_message": None,
    }
    assert body["audience"]["last_sync_status"] is None
    assert body["audience"]["last_sync_at"] is None
    busy = cdp.error(
        await api.post(
            f"{AS}/audiences/{body['audience']['id']}/sync",
            json={"operation": "update"},
            headers=user.headers,
        ),
        409,
        "SYNC_IN_PROGRESS",
    )
    assert busy["details"] == {"audience_id": body["audience"]["id"]}
    job = await cdp.finished(api, user.headers, initial["job_id"])
    assert (job["status"], job["operation"], job["profiles_sent"]) == (
        "completed",
        "create",
        10_001,  # profiles (each one row with its email and phone)
    )
    assert job["triggered_by"] == "manual" and job["segment_size"] == 10_001
    members = await sandbox.members("meta", body["audience"]["platform_audience_id"])
    assert members.json()["count"] == 10_001  # people
    detail = await cdp.audience_detail(api, user.headers, body["audience"]["id"])
    assert detail["last_sync_status"] == "completed"
    assert detail["last_sync_at"] == job["completed_at"]
