"""Consent per profile: set through the upsert (nested or flat), CSV columns and shown by
subject access; a profile that denied either kind is never sent and leaves the audiences it
was in on their next sync (counted in ``profiles_skipped_consent``); Google members carry
their own consent (the sandbox's request log shows it), the request-level one stays the
default for the unspecified."""

from __future__ import annotations

import uuid
from typing import Any

from audience_sync.sync.engine import SyncEngine
from kit import AS, SEGMENTS, Api, error_of, expected_hashes, make_profiles
from privacy_kit import CDP


async def google_log(api: Api) -> list[dict[str, Any]]:
    return await api.sandbox.requests("google")


async def test_consent_travels_per_member_and_denied_profiles_leave_the_audience(
    api: Api, sync_engine: SyncEngine
) -> None:
    profiles = make_profiles(0, 6)
    profiles[0]["consent"] = {"ad_user_data": "granted", "ad_personalization": "granted"}
    profiles[1]["consent_ad_user_data"] = "granted"  # flat form; personalization unspecified
    profiles[2]["consent"] = {"ad_personalization": "denied"}
    segment = await api.segment("Consent", profiles)
    await api.connect("google")
    created = await api.audience(segment["id"], "google")
    audience, initial = created["audience"], created["initial_sync"]
    assert initial["status"] == "completed" and initial["profiles_sent"] == 5
    pid = audience["platform_audience_id"]
    sent = [p for i, p in enumerate(profiles) if i != 2]
    assert await api.sandbox.hashes("google", pid) == expected_hashes(
        "google", ["email", "phone"], sent
    )
    job = await api.job(initial["job_id"])
    assert job["profiles_skipped_consent"] == 1

    (ingest,) = [r for r in await google_log(api) if r["kind"] == "ingest"][:1]
    assert ingest["consent"] == {
        "adUserData": "CONSENT_GRANTED",
        "adPersonalization": "CONSENT_GRANTED",
    }
    own = {tuple(sorted(m["identifiers"])): m["consent"] for m in ingest["member_consent"]}
    p0 = tuple(sorted(expected_hashes("google", ["email", "phone"], [profiles[0]])))
    p1 = tuple(sorted(expected_hashes("google", ["email", "phone"], [profiles[1]])))
    assert own == {
        p0: {"adUserData": "CONSENT_GRANTED", "adPersonalization": "CONSENT_GRANTED"},
        p1: {"adUserData": "CONSENT_GRANTED"},
    }

    # Consent withdrawn: the profile leaves the audience on the next sync.
    await api.upsert(segment["id"], [{"external_id": "c-0", "consent_ad_user_data": "denied"}])
    triggered = await api.post(
        f"{AS}/audiences/{audience['id']}/sync", json={"operation": "update"}
    )
    assert triggered.status_code == 202 and triggered.json()["estimated_changes"]["to_remove"] == 1
    job_id = triggered.json()["job_id"]
    assert await sync_engine.run(uuid.UUID(job_id)) == "completed"
    job = await api.job(job_id)
    assert job["profiles_removed"] == job["profiles_sent"] == 1
    assert job["profiles_skipped_consent"] == 2
    assert await api.sandbox.hashes("google", pid) == expected_hashes(
        "google", ["email", "phone"], sent[1:]
    )
    history = (await api.get(f"{AS}/audiences/{audience['id']}/history")).json()["history"]
    assert history[0]["profiles_skipped_consent"] == 2

    person = (await api.get(f"{CDP}/people", params={"external_id": "c-0"})).json()
    assert person["profiles"][0]["consent"] == {
        "ad_user_data": "denied",
        "ad_personalization": "granted",
    }
    assert person["profiles"][0]["audiences"] == []


async def test_consent_values_are_checked_at_every_door(api: Api) -> None:
    segment = await api.segment("Consent input")
    bad = await api.post(
        f"{SEGMENTS}/{segment['id']}/profiles",
        json={"profiles": [{"external_id": "x", "consent": {"ad_user_data": "maybe"}}]},
    )
    assert bad.status_code == 422
    assert error_of(bad)["details"]["errors"][0]["loc"][-1] == "consent_ad_user_data"
    csv = (
        "external_id,email,consent_ad_user_data,consent_ad_personalization\n"
        "a,a@example.com,GRANTED,unspecified\n"
        "b,b@example.com,perhaps,\n"
    )
    body = await api.imported(segment["id"], csv.encode())
    assert body["inserted"] == 1 and body["invalid"] == 1
    assert body["invalid_samples"][0]["reason"] == (
        "consent_ad_user_data must be granted, denied or unspecified"
    )
    person = (await api.get(f"{CDP}/people", params={"external_id": "a"})).json()
    assert person["profiles"][0]["consent"] == {
        "ad_user_data": "granted",
        "ad_personalization": "unspecified",
    }
