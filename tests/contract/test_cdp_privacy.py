"""Privacy through the gateway (issue 18), against the sandbox and the running worker: a
person in two segments synced to Meta and Google is erased by email → both sandbox member
sets lose exactly their hashes, the receipt lists both audiences completed, an export of
their segment answers 410, ``cdp.profile_erased`` reaches Kafka once and ``profile.erased``
the subscriber once; re-importing them reports the row ``suppressed``; a profile whose
consent becomes denied leaves the Google audience, and the Google ingest carried each
member's own consent (the sandbox's request log)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer

sys.path.insert(0, str(Path(__file__).parent))

import cdp_kit as cdp

import xw_kit as xw

kit = xw.kit
AS = xw.AS
IDENTITY = ("email", "phone")
PERSON = 7


async def receipt_done(api: httpx.AsyncClient, headers: dict[str, str], erasure_id: str) -> Any:
    deadline = time.monotonic() + 90
    while True:
        response = await api.get(f"/cdp/erasures/{erasure_id}", headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        if body["status"] in ("completed", "failed"):
            return body
        assert time.monotonic() < deadline, body
        await asyncio.sleep(0.3)


async def kafka_events(erasure_id: str, seconds: float = 30) -> list[dict[str, Any]]:
    """Every ``cdp.profile_erased`` of this erasure on ``cdp.events``."""
    consumer = AIOKafkaConsumer(
        "cdp.events",
        bootstrap_servers=kit.stack_setting("ADSCALE_KAFKA_BOOTSTRAP"),
        group_id=f"contract-privacy-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[dict[str, Any]] = []
    try:
        deadline = time.monotonic() + seconds
        quiet_until = None
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                for record in records:
                    envelope = json.loads(record.value)
                    if envelope.get("subject") == erasure_id:
                        found.append(envelope)
            if found and quiet_until is None:
                quiet_until = time.monotonic() + 3  # wait a little for a duplicate
            if quiet_until is not None and time.monotonic() > quiet_until:
                break
    finally:
        await consumer.stop()
    return found


async def test_erasure_consent_and_suppression_end_to_end(
    api: httpx.AsyncClient, receiver: xw.Receiver, sandbox: cdp.Sandbox
) -> None:
    member = await kit.register(api, "privacy")
    headers = member.headers
    rows_a = cdp.profiles(0, 20)
    person = rows_a[PERSON]
    rows_b = [*cdp.profiles(100, 10), dict(person)]
    segment_a = await cdp.new_segment(api, member, rows_a)
    segment_b = await cdp.new_segment(api, member, rows_b)
    meta = await cdp.connect(api, headers, "meta")
    google = await cdp.connect(api, headers, "google")
    audience_meta = (await cdp.created(api, headers, segment_a, "meta", meta.account))["audience"]
    audience_google = (await cdp.created(api, headers, segment_b, "google", google.account))[
        "audience"
    ]
    hook = await api.post(
        f"{AS}/webhooks",
        json={"url": receiver.url("/privacy"), "events": ["profile.erased"]},
        headers=headers,
    )
    assert hook.status_code == 201, hook.text
    export = await api.post(
        f"{AS}/audiences/export", json={"segment_id": segment_b, "format": "csv"}, headers=headers
    )
    assert export.status_code == 202, export.text
    done = await xw.wait_export(api, headers, export.json()["export_id"])
    link = done["download_url"]
    assert (await api.get(link.split("/api/v1", 1)[1])).status_code == 200

    # Erase by email: accepted, idempotent.
    asked = await api.post("/cdp/erasures", json={"email": person["email"]}, headers=headers)
    assert asked.status_code == 202, asked.text
    erasure_id = asked.json()["erasure_id"]
    again = await api.post(
        "/cdp/erasures", json={"email": person["email"].upper()}, headers=headers
    )
    assert again.status_code == 202 and again.json()["erasure_id"] == erasure_id
    body = await receipt_done(api, headers, erasure_id)
    assert body["status"] == "completed", body
    assert body["matched"]["profiles"] == 2 and body["deleted"]["exports_revoked"] == 1
    audiences = {a["audience_id"]: a for a in body["audiences"]}
    assert set(audiences) == {audience_meta["id"], audience_google["id"]}
    assert {a["status"] for a in audiences.values()} == {"completed"}
    assert person["email"].lower() not in json.dumps(body).lower()

    others_a = [r for r in rows_a if r is not person]
    others_b = rows_b[:-1]
    assert await sandbox.held("meta", audience_meta["platform_audience_id"]) == cdp.hashes(
        "meta", others_a, IDENTITY
    )
    assert await sandbox.held("google", audience_google["platform_audience_id"]) == cdp.hashes(
        "google", others_b, IDENTITY
    )
    assert (await api.get(link.split("/api/v1", 1)[1])).status_code == 410

    events = await kafka_events(erasure_id)
    assert len(events) == 1 and events[0]["type"] == "cdp.profile_erased"
    assert events[0]["data"]["profiles_erased"] == 2
    hits = await receiver.wait_for(lambda h: len(h) >= 1, seconds=60)
    await asyncio.sleep(2)
    assert len(receiver.at("/privacy")) == 1
    payload = hits[0].json()
    assert payload["event"] == "profile.erased"
    assert payload["data"]["erasure_id"] == erasure_id

    # Re-import: the row is refused, the rest goes in.
    reimport = await api.post(
        f"/cdp/segments/{segment_a}/profiles",
        json={"profiles": [person, *cdp.profiles(500, 2)]},
        headers=headers,
    )
    assert reimport.status_code == 200, reimport.text
    result = reimport.json()
    assert result["inserted"] == 2 and result["suppressed"] == 1
    assert result["suppressed_rows"][0]["reason"] == "suppressed"

    # Access: nothing held about the erased person any more.
    gone = await api.get("/cdp/people", params={"email": person["email"]}, headers=headers)
    assert gone.status_code == 404
    assert kit.envelope_error(gone, 404, "PERSON_NOT_FOUND")

    # Consent: a new member's granted consent travels with it; denied leaves the audience.
    (granted,) = cdp.profiles(900, 1)
    changed = await api.post(
        f"/cdp/segments/{segment_b}/profiles",
        json={
            "profiles": [
                {**granted, "consent": {"ad_user_data": "granted"}},
                {
                    "external_id": rows_b[1]["external_id"],
                    "consent": {"ad_personalization": "denied"},
                },
            ]
        },
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    triggered = await api.post(
        f"{AS}/audiences/{audience_google['id']}/sync",
        json={"operation": "update"},
        headers=headers,
    )
    assert triggered.status_code == 202, triggered.text
    job = await cdp.finished(api, headers, triggered.json()["job_id"], seconds=120)
    assert job["status"] == "completed", job
    assert job["profiles_removed"] == 1 and job["profiles_added"] == 1
    assert job["profiles_skipped_consent"] == 1
    held = await sandbox.held("google", audience_google["platform_audience_id"])
    kept = [r for r in others_b if r is not rows_b[1]]
    assert held == cdp.hashes("google", [*kept, granted], IDENTITY)
    log = (await sandbox.client.get("/_admin/requests/google", params={"limit": 50})).json()
    wanted = sorted(cdp.hashes("google", [granted], IDENTITY))
    consented = [
        m
        for r in log["requests"]
        if r["kind"] == "ingest"
        for m in r.get("member_consent") or []
        if sorted(m["identifiers"]) == wanted
    ]
    assert consented and consented[0]["consent"] == {"adUserData": "CONSENT_GRANTED"}


async def test_privacy_routes_are_tenant_isolated_and_check_their_input(
    api: httpx.AsyncClient,
) -> None:
    owner = await kit.register(api, "privacy-owner")
    stranger = await kit.register(api, "privacy-stranger")
    asked = await api.post("/cdp/erasures", json={"external_id": "nobody"}, headers=owner.headers)
    assert asked.status_code == 202, asked.text
    erasure_id = asked.json()["erasure_id"]
    body = await receipt_done(api, owner.headers, erasure_id)
    assert body["nothing_matched"] is True and body["audiences"] == []
    foreign = await api.get(f"/cdp/erasures/{erasure_id}", headers=stranger.headers)
    kit.envelope_error(foreign, 404, "ERASURE_NOT_FOUND")
    listed = await api.get("/cdp/erasures", headers=owner.headers)
    assert listed.status_code == 200 and listed.json()["total"] == 1
    bad = await api.post("/cdp/erasures", json={"email": "nope"}, headers=owner.headers)
    kit.envelope_validation(bad, ["body", "email"])
    digest = hashlib.sha256(b"nobody").hexdigest()
    foreign_lift = await api.delete(f"/cdp/suppressions/{digest}", headers=stranger.headers)
    kit.envelope_error(foreign_lift, 404, "SUPPRESSION_NOT_FOUND")
    lifted = await api.delete(f"/cdp/suppressions/{digest}", headers=owner.headers)
    assert lifted.status_code == 200 and lifted.json()["kind"] == "external_id"


async def test_a_batch_of_erasures_through_the_gateway(api: httpx.AsyncClient) -> None:
    owner = await kit.register(api, "privacy-batch")
    people = [{"external_id": f"gone-{i}"} for i in range(3)] + [{"email": "Gone@Example.com"}]
    asked = await api.post(
        "/cdp/erasures/batch", json={"people": people, "reason": "queue"}, headers=owner.headers
    )
    assert asked.status_code == 202, asked.text
    body = asked.json()
    assert set(body) == {"erasures", "created", "existing"}
    assert body["created"] == 4 and body["existing"] == 0
    ids = [e["erasure_id"] for e in body["erasures"]]
    assert len(set(ids)) == 4
    for erasure_id in ids:  # the worker takes them through Kafka like single requests
        done = await receipt_done(api, owner.headers, erasure_id)
        assert done["status"] == "completed" and done["nothing_matched"] is True
    listed = await api.get("/cdp/erasures", headers=owner.headers)
    assert listed.json()["total"] == 4
    bad = await api.post(
        "/cdp/erasures/batch",
        json={"people": [{"external_id": "ok"}, {"email": "nope"}]},
        headers=owner.headers,
    )
    kit.envelope_validation(bad, ["body", "people", 1, "email"])
    assert (await api.get("/cdp/erasures", headers=owner.headers)).json()["total"] == 4


async def test_a_batch_request_spends_one_unit_of_the_default_budget(
    api: httpx.AsyncClient,
) -> None:
    """A deletion queue of thousands goes in a few requests: the gateway counts each batch
    request once against the user's default 600 a minute, whatever the number of people."""
    owner = await kit.register(api, "privacy-batch-budget")

    async def remaining(count: int, start: int) -> tuple[str, int]:
        people = [{"external_id": f"budget-{start + i}"} for i in range(count)]
        answer = await api.post(
            "/cdp/erasures/batch", json={"people": people}, headers=owner.headers
        )
        assert answer.status_code == 202, answer.text
        assert answer.json()["created"] == count
        assert answer.headers["ratelimit-policy"] == '"default";q=600;w=60'
        name, left = answer.headers["ratelimit"].split(";")[:2]
        return name, int(left.removeprefix("r="))

    first = await remaining(1, 0)
    second = await remaining(2_000, 1)
    third = await remaining(1, 2_001)
    assert first[0] == second[0] == third[0] == '"default"'
    assert (first[1] - second[1], second[1] - third[1]) == (1, 1)
