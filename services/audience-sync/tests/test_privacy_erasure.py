"""Erasure: ``POST /cdp/erasures`` → the worker removes the person from every platform
audience (sandbox member sets), deletes their rows, and leaves a receipt with hashes only;
idempotent, tenant-isolated, paginated; bad identifiers are 422 with the field."""

from __future__ import annotations

import hashlib
import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

import privacy_kit
from audience_sync.privacy.eraser import Eraser
from kit import SEGMENTS, Api, error_of, expected_hashes
from privacy_kit import CDP, PERSON, email_of, erase, outbox_events, phone_of, receipt, two_segments

eraser = privacy_kit.eraser
single_registry = privacy_kit.single_registry
settle_erasure_jobs = privacy_kit.settle_erasure_jobs


def sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


async def test_erasure_by_email_removes_the_person_everywhere_and_leaves_a_receipt(
    api: Api, eraser: Eraser, engine: AsyncEngine
) -> None:
    world = await two_segments(api)
    email = email_of(PERSON)
    accepted = await erase(api, email=email, reason="GDPR art. 17")
    assert accepted["status"] == "pending" and accepted["created"] is True
    again = await erase(api, email=email.upper().strip())
    assert again["erasure_id"] == accepted["erasure_id"] and again["created"] is False

    assert await eraser.run(uuid.UUID(accepted["erasure_id"])) == "completed"

    meta = await api.sandbox.hashes("meta", world.meta["platform_audience_id"])
    assert meta == expected_hashes("meta", ["email", "phone"], world.others_a)
    google = await api.sandbox.hashes("google", world.google["platform_audience_id"])
    assert google == expected_hashes("google", ["email", "phone"], world.others_b)

    body = await receipt(api, accepted["erasure_id"])
    normalized_email = email.strip().lower()
    assert body["status"] == "completed" and body["failure_reason"] is None
    assert body["reason"] == "GDPR art. 17"
    assert body["requested"] == {"kind": "email", "sha256": sha(normalized_email)}
    assert body["requested_at"].endswith("Z") and body["completed_at"].endswith("Z")
    assert body["nothing_matched"] is False
    assert body["matched"]["profiles"] == 2 and body["matched"]["segments"] == 2
    hashes = {(h["kind"], h["sha256"]) for h in body["matched"]["identifiers"]}
    assert hashes == {
        ("email", sha(normalized_email)),
        ("external_id", sha(f"c-{PERSON}")),
        ("phone", sha("+1415200" + f"{PERSON:04d}")),
    }
    assert body["deleted"]["profiles"] == 2 and body["deleted"]["audience_members"] == 2
    assert body["deleted"]["digests"] >= 2
    audiences = {a["platform"]: a for a in body["audiences"]}
    assert set(audiences) == {"meta", "google"}
    for platform, audience in (("meta", world.meta), ("google", world.google)):
        entry = audiences[platform]
        assert entry["audience_id"] == audience["id"]
        assert entry["status"] == "completed" and entry["profiles"] == 1
        assert entry["attempts"] == 1 and entry["retries"] == 0
        assert entry["answers"][0]["outcome"] == "ok"
        assert entry["answers"][0]["platform_answer"]["rows_sent"] == 1
    assert "example.com" not in str(body).lower()

    # The profiles are gone from both segments (counts follow), nothing else is.
    for segment, left in ((world.segment_a, 19), (world.segment_b, 10)):
        detail = (await api.get(f"{SEGMENTS}/{segment['id']}")).json()
        assert detail["profile_count"] == left
    mine = {
        "profile": ("segment_id", [world.segment_a["id"], world.segment_b["id"]]),
        "profile_digest": ("segment_id", [world.segment_a["id"], world.segment_b["id"]]),
        "audience_member": ("audience_id", [world.meta["id"], world.google["id"]]),
    }
    async with engine.connect() as conn:
        for table, (column, owners) in mine.items():
            count = await conn.scalar(
                sa.text(
                    f"SELECT count(*) FROM {table} WHERE external_id = :x AND {column} = ANY(:o)"
                ),
                {"x": f"c-{PERSON}", "o": [uuid.UUID(o) for o in owners]},
            )
            assert count == 0, table
        kept = await conn.scalar(
            sa.text("SELECT count(*) FROM erasure_member WHERE erasure_id = :e"),
            {"e": uuid.UUID(accepted["erasure_id"])},
        )
        assert kept == 0
        subject = await conn.scalar(
            sa.text("SELECT subject_encrypted FROM erasure WHERE id = :e"),
            {"e": uuid.UUID(accepted["erasure_id"])},
        )
    assert subject is None

    # One event, with hashes only; a second run changes nothing.
    events = await outbox_events(engine, "cdp.profile_erased", accepted["erasure_id"])
    assert len(events) == 1
    assert await eraser.run(uuid.UUID(accepted["erasure_id"])) == "completed"
    assert len(await outbox_events(engine, "cdp.profile_erased", accepted["erasure_id"])) == 1


async def test_unknown_person_is_accepted_and_the_receipt_says_nothing_matched(
    api: Api, other: Api, eraser: Eraser
) -> None:
    await two_segments(other)  # another user holds this very person
    accepted = await erase(api, phone=phone_of(PERSON))
    assert await eraser.run(uuid.UUID(accepted["erasure_id"])) == "completed"
    body = await receipt(api, accepted["erasure_id"])
    assert body["nothing_matched"] is True
    assert body["matched"] == {
        "profiles": 0,
        "segments": 0,
        "identifiers": [body["requested"]],
    }
    assert body["audiences"] == [] and body["deleted"]["profiles"] == 0
    # The other user's person is untouched.
    people = (await other.get(f"{SEGMENTS}")).json()["segments"]
    assert sorted(s["profile_count"] for s in people) == [11, 20]


async def test_erasure_by_external_id_and_by_phone_match_the_same_person(
    api: Api, eraser: Eraser
) -> None:
    world = await two_segments(api)
    by_phone = await erase(api, phone=f"(415) 200-{PERSON:04d}")  # national form, region US
    assert await eraser.run(uuid.UUID(by_phone["erasure_id"])) == "completed"
    body = await receipt(api, by_phone["erasure_id"])
    assert body["matched"]["profiles"] == 2
    assert {a["status"] for a in body["audiences"]} == {"completed"}
    meta = await api.sandbox.hashes("meta", world.meta["platform_audience_id"])
    assert meta == expected_hashes("meta", ["email", "phone"], world.others_a)

    by_id = await erase(api, external_id="c-3")
    assert await eraser.run(uuid.UUID(by_id["erasure_id"])) == "completed"
    body = await receipt(api, by_id["erasure_id"])
    assert body["matched"]["profiles"] == 1 and len(body["audiences"]) == 1
    assert body["audiences"][0]["platform"] == "meta"


async def test_erasures_are_listed_paginated_and_tenant_isolated(
    api: Api, other: Api, eraser: Eraser
) -> None:
    ids = [(await erase(api, external_id=f"nobody-{i}"))["erasure_id"] for i in range(3)]
    await eraser.run(uuid.UUID(ids[0]))
    first = (await api.get(f"{CDP}/erasures", params={"page": 1, "page_size": 2})).json()
    assert first["total"] == 3 and first["page"] == 1 and first["page_size"] == 2
    second = (await api.get(f"{CDP}/erasures", params={"page": 2, "page_size": 2})).json()
    listed = [e["erasure_id"] for e in first["erasures"] + second["erasures"]]
    assert sorted(listed) == sorted(ids) and listed == list(reversed(ids))
    assert {e["status"] for e in first["erasures"] + second["erasures"]} == {"completed"}

    foreign = await other.get(f"{CDP}/erasures/{ids[0]}")
    assert foreign.status_code == 404
    error = error_of(foreign)
    assert error["code"] == "ERASURE_NOT_FOUND"
    assert error["details"] == {"erasure_id": ids[0]}
    assert (await other.get(f"{CDP}/erasures")).json()["total"] == 0
    # Another user asking for the same identifier gets an erasure of their own.
    theirs = await erase(other, external_id="nobody-0")
    assert theirs["erasure_id"] not in ids and theirs["created"] is True


async def test_malformed_requests_are_422_with_the_field(api: Api) -> None:
    cases = [
        ({"email": "not-an-email"}, ["body", "email"]),
        ({"phone": "12"}, ["body", "phone"]),
        ({"phone": "call me maybe"}, ["body", "phone"]),
        ({}, ["body"]),
        ({"email": "a@b.co", "phone": "+14155550100"}, ["body"]),
        ({"external_id": "x", "surprise": 1}, ["body", "surprise"]),
    ]
    for body, loc in cases:
        response = await api.post(f"{CDP}/erasures", json=body)
        assert response.status_code == 422, (body, response.text)
        error = error_of(response)
        assert error["code"] == "VALIDATION_ERROR"
        assert error["details"]["errors"][0]["loc"] == loc, body
        assert "not-an-email" not in response.text
    missing = await api.get(f"{CDP}/erasures/{uuid.uuid4()}")
    assert missing.status_code == 404 and error_of(missing)["code"] == "ERASURE_NOT_FOUND"
    bad = await api.get(f"{CDP}/erasures/not-a-uuid")
    assert bad.status_code == 400 and error_of(bad)["code"] == "INVALID_PATH_PARAMETER"
