"""Suppression: an erased person's hashes refuse them at every door (profiles upsert, CSV
import, the ``cdp.profiles`` feed) row by row, reason ``suppressed``, while the rest of the
batch goes in; ``DELETE /cdp/suppressions/{hash}`` lifts it, logged."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

import privacy_kit
from adscale_common.kafka import ensure_topics, make_producer
from audience_sync.consumers.cdp_profiles import ProfilesConsumer
from audience_sync.privacy.eraser import Eraser
from kit import SEGMENTS, Api, error_of, make_profiles
from privacy_kit import CDP, PERSON, email_of, erase, phone_of

eraser = privacy_kit.eraser
single_registry = privacy_kit.single_registry
settle_erasure_jobs = privacy_kit.settle_erasure_jobs


def sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


async def erased_person(api: Api, eraser: Eraser) -> dict[str, Any]:
    segment = await api.segment("S", make_profiles(0, 10))
    accepted = await erase(api, email=email_of(PERSON))
    assert await eraser.run(uuid.UUID(accepted["erasure_id"])) == "completed"
    return segment


async def test_upsert_refuses_the_erased_person_row_by_row(api: Api, eraser: Eraser) -> None:
    segment = await erased_person(api, eraser)
    rows = [
        {"external_id": "new-1", "email": "fresh@example.com"},
        {"external_id": "someone-else", "email": f"  {email_of(PERSON).upper()}"},
        {"external_id": f"c-{PERSON}"},
        {"external_id": "by-phone", "phone": f"415-200-{PERSON:04d}"},
        {"external_id": "new-2", "phone": "+1 415 555 0100"},
    ]
    result = await api.upsert(segment["id"], rows)
    assert result["inserted"] == 2 and result["received"] == 5
    assert result["suppressed"] == 3 and result["invalid"] == 0
    assert result["suppressed_rows"] == [
        {"line": None, "index": 1, "external_id": "someone-else", "reason": "suppressed"},
        {"line": None, "index": 2, "external_id": f"c-{PERSON}", "reason": "suppressed"},
        {"line": None, "index": 3, "external_id": "by-phone", "reason": "suppressed"},
    ]
    assert result["profile_count"] == 9 + 2


async def test_csv_import_refuses_the_erased_person_and_takes_the_rest(
    api: Api, eraser: Eraser
) -> None:
    segment = await erased_person(api, eraser)
    csv = (
        "external_id,email,phone\n"
        "a-1,a1@example.com,\n"
        f"a-2,,{phone_of(PERSON)}\n"
        "a-3,a3@example.com,\n"
    )
    body = await api.imported(segment["id"], csv.encode())
    assert body["inserted"] == 2 and body["duplicates"] == 0
    assert body["suppressed"] == 1
    assert body["suppressed_rows"] == [
        {"line": 3, "index": None, "external_id": "a-2", "reason": "suppressed"}
    ]


async def test_lifting_a_suppression_lets_the_person_in_again_and_is_logged(
    api: Api, other: Api, eraser: Eraser, engine: AsyncEngine
) -> None:
    segment = await erased_person(api, eraser)
    email_hash = sha(email_of(PERSON).strip().lower())
    foreign = await other.delete(f"{CDP}/suppressions/{email_hash}")
    assert foreign.status_code == 404
    assert error_of(foreign)["code"] == "SUPPRESSION_NOT_FOUND"
    malformed = await api.delete(f"{CDP}/suppressions/not-a-hash")
    assert malformed.status_code == 400
    assert error_of(malformed)["code"] == "INVALID_PATH_PARAMETER"

    lifted = await api.delete(f"{CDP}/suppressions/{email_hash.upper()}")
    assert lifted.status_code == 200, lifted.text
    assert lifted.json() == {"lifted": True, "hash": email_hash, "kind": "email"}
    again = await api.delete(f"{CDP}/suppressions/{email_hash}")
    assert again.status_code == 404
    async with engine.connect() as conn:
        log = (
            await conn.execute(
                sa.text("SELECT kind, lifted_at FROM suppression_lift WHERE user_id = :u"),
                {"u": api.user_id},
            )
        ).all()
    assert [row.kind for row in log] == ["email"] and log[0].lifted_at is not None

    # The email is free again; the person's external id and phone are still suppressed.
    result = await api.upsert(
        segment["id"],
        [
            {"external_id": "back", "email": email_of(PERSON)},
            {"external_id": f"c-{PERSON}"},
        ],
    )
    assert result["inserted"] == 1 and result["suppressed"] == 1
    # A new erasure of the same email is a new request now that its suppression was lifted.
    fresh = await erase(api, email=email_of(PERSON))
    assert fresh["created"] is True


@pytest.mark.kafka
async def test_the_cdp_profiles_feed_refuses_the_erased_person(
    api: Api, eraser: Eraser, app: FastAPI, settings: Any
) -> None:
    segment = await erased_person(api, eraser)
    topic = f"cdp.profiles.privacy-{uuid.uuid4().hex[:8]}"
    await ensure_topics(settings.kafka_bootstrap, [topic, f"{topic}.dlq"])
    producer = make_producer(settings.kafka_bootstrap, client_id="privacy-feed-tests")
    await producer.start()
    for profile in (
        {"external_id": f"c-{PERSON}", "first_name": "Back"},
        {"external_id": "feed-1", "email": "feed@example.com"},
    ):
        message = {
            "op": "upsert",
            "user_id": str(api.user_id),
            "segment_id": segment["id"],
            "profile": profile,
        }
        await producer.send_and_wait(topic, value=orjson.dumps(message), key=b"k")
    consumer = ProfilesConsumer(
        settings=settings.model_copy(update={"cdp_profiles_topic": topic}),
        sessionmaker=app.state.sessionmaker,
        producer=producer,
        group=f"test-cdp-{uuid.uuid4().hex[:8]}",
    )
    task = asyncio.create_task(consumer.run())
    try:
        for _ in range(300):
            detail = (await api.get(f"{SEGMENTS}/{segment['id']}")).json()
            if detail["profile_count"] == 10:
                break
            await asyncio.sleep(0.1)
    finally:
        consumer.stop()
        await asyncio.wait_for(task, 30)
        await producer.stop()
    detail = (await api.get(f"{SEGMENTS}/{segment['id']}")).json()
    assert detail["profile_count"] == 10  # 9 left after the erasure, + feed-1 only
    access = await api.get(f"{CDP}/people", params={"external_id": f"c-{PERSON}"})
    assert access.status_code == 404 and error_of(access)["code"] == "PERSON_NOT_FOUND"
