"""``POST /cdp/erasures/batch``: many people in one request, each with the erasure and the
receipt a single request would give; one worker run removes them all from each audience in
one platform operation; a bad item refuses the whole batch with its position."""

from __future__ import annotations

import logging
import uuid

import pytest

import privacy_kit
from audience_sync.privacy.eraser import Eraser
from kit import Api, error_of, expected_hashes
from privacy_kit import CDP, PERSON, email_of, receipt, two_segments

eraser = privacy_kit.eraser
single_registry = privacy_kit.single_registry
settle_erasure_jobs = privacy_kit.settle_erasure_jobs

BATCH = f"{CDP}/erasures/batch"


async def test_a_batch_erases_each_person_once_with_one_removal_per_audience(
    api: Api, eraser: Eraser, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="audience_sync")  # the request logs, as deployed
    world = await two_segments(api)
    # The person of both segments by email (twice, spelled differently), one Meta-only
    # person by external id, and somebody AdScale never held.
    people = [
        {"email": email_of(PERSON)},
        {"external_id": "c-7"},
        {"email": "  " + email_of(PERSON).upper()},
        {"external_id": "never-held"},
    ]
    response = await api.post(BATCH, json={"people": people, "reason": "deletion queue"})
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["created"] == 3 and body["existing"] == 1
    ids = [e["erasure_id"] for e in body["erasures"]]
    assert len(ids) == 4 and ids[0] == ids[2] and len(set(ids)) == 3
    assert [e["created"] for e in body["erasures"]] == [True, True, False, True]
    assert {e["status"] for e in body["erasures"]} == {"pending"}

    # A single request for a person of the pending batch answers with the batch's erasure.
    single = await api.post(f"{CDP}/erasures", json={"external_id": "c-7"})
    assert single.status_code == 202 and single.json()["erasure_id"] == ids[1]
    assert single.json()["created"] is False

    assert await eraser.run(uuid.UUID(ids[0])) == "completed"

    erased = {PERSON, 7}
    meta = await api.sandbox.hashes("meta", world.meta["platform_audience_id"])
    kept_a = [p for p in world.others_a if p["external_id"] != "c-7"]
    assert meta == expected_hashes("meta", ["email", "phone"], kept_a)
    google = await api.sandbox.hashes("google", world.google["platform_audience_id"])
    assert google == expected_hashes("google", ["email", "phone"], world.others_b)

    first, second, nothing = [await receipt(api, i) for i in ids[:2] + ids[3:]]
    both = {a["platform"]: a for a in first["audiences"]}
    assert set(both) == {"meta", "google"}
    meta_only = second["audiences"]
    assert [a["platform"] for a in meta_only] == ["meta"]
    # The Meta audience lost two people in one request: both receipts show that answer.
    meta_answer = both["meta"]["answers"][0]["platform_answer"]
    assert meta_answer == meta_only[0]["answers"][0]["platform_answer"]
    assert meta_answer["rows_sent"] == len(erased) and meta_answer["requests"] == 1
    assert nothing["status"] == "completed" and nothing["nothing_matched"] is True
    assert nothing["reason"] == "deletion queue"

    # Asked again: every person is erased and suppressed, so nothing new is queued.
    again = await api.post(BATCH, json={"people": people})
    assert again.status_code == 202
    assert again.json()["created"] == 0 and again.json()["existing"] == 4
    assert [e["erasure_id"] for e in again.json()["erasures"]] == ids
    assert (await api.get(f"{CDP}/erasures")).json()["total"] == 3
    logged = caplog.text.lower()
    assert "erasures requested" in logged and "example.com" not in logged


async def test_a_bad_item_refuses_the_whole_batch_with_its_position(api: Api) -> None:
    cases = [
        ({"people": [{"external_id": "a"}, {"email": "not-an-email"}]}, ["body", "people", 1]),
        (
            {"people": [{"external_id": "a"}, {"email": "a@b.co", "phone": "+14155550100"}]},
            ["body", "people", 1],
        ),
        ({"people": [{"phone": "12"}]}, ["body", "people", 0]),
        ({"people": []}, ["body", "people"]),
        ({"people": [{"external_id": "a"}], "extra": True}, ["body", "extra"]),
        ({"people": [{"external_id": f"p-{i}"} for i in range(10_001)]}, ["body", "people"]),
    ]
    for body, loc in cases:
        response = await api.post(BATCH, json=body)
        assert response.status_code == 422, response.text[:300]
        error = error_of(response)
        assert error["code"] == "VALIDATION_ERROR"
        assert error["details"]["errors"][0]["loc"][: len(loc)] == loc, error
        assert "not-an-email" not in response.text
    assert (await api.get(f"{CDP}/erasures")).json()["total"] == 0
