"""Subject access: ``GET /cdp/people`` returns every profile of the person across segments
with the platform audiences they were sent to; 404 for a person not held (or another
user's); 422 naming the query field for a malformed identifier."""

from __future__ import annotations

import uuid

import privacy_kit
from audience_sync.privacy.eraser import Eraser
from kit import Api, error_of
from privacy_kit import CDP, PERSON, email_of, erase, phone_of, two_segments

eraser = privacy_kit.eraser
single_registry = privacy_kit.single_registry
settle_erasure_jobs = privacy_kit.settle_erasure_jobs


async def test_access_returns_everything_held_about_the_person(
    api: Api, other: Api, eraser: Eraser
) -> None:
    world = await two_segments(api)
    response = await api.get(f"{CDP}/people", params={"email": email_of(PERSON).upper()})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["requested"]["kind"] == "email"
    assert body["suppressed"] is False
    assert body["platforms"] == ["google", "meta"]
    assert {k["kind"] for k in body["identifiers"]} == {"email", "phone", "external_id"}
    by_segment = {p["segment_name"]: p for p in body["profiles"]}
    assert set(by_segment) == {"A", "B"}
    for name, audience, platform in (("A", world.meta, "meta"), ("B", world.google, "google")):
        held = by_segment[name]
        assert held["external_id"] == f"c-{PERSON}"
        assert held["fields"] == {"email": email_of(PERSON).strip(), "phone": phone_of(PERSON)}
        (membership,) = held["audiences"]
        assert membership["audience_id"] == audience["id"]
        assert membership["platform"] == platform
        assert membership["platform_audience_id"] == audience["platform_audience_id"]
        assert membership["first_sent_by_sync_at"].endswith("Z")
        assert membership["last_sync_at"].endswith("Z")
        assert "email" in membership["identifier_fields"]

    by_phone = await api.get(f"{CDP}/people", params={"phone": f"+1 415 200 {PERSON:04d}"})
    assert by_phone.status_code == 200 and len(by_phone.json()["profiles"]) == 2
    by_id = await api.get(f"{CDP}/people", params={"external_id": f"c-{PERSON}"})
    assert len(by_id.json()["profiles"]) == 2

    foreign = await other.get(f"{CDP}/people", params={"email": email_of(PERSON)})
    assert foreign.status_code == 404 and error_of(foreign)["code"] == "PERSON_NOT_FOUND"
    assert "example.com" not in foreign.text.lower()

    accepted = await erase(api, external_id=f"c-{PERSON}")
    assert await eraser.run(uuid.UUID(accepted["erasure_id"])) == "completed"
    gone = await api.get(f"{CDP}/people", params={"email": email_of(PERSON)})
    assert gone.status_code == 404 and error_of(gone)["code"] == "PERSON_NOT_FOUND"


async def test_access_refuses_malformed_or_ambiguous_queries(api: Api) -> None:
    cases = [
        ({"phone": "12"}, ["query", "phone"]),
        ({"email": "nope"}, ["query", "email"]),
        ({}, ["query"]),
        ({"email": "a@b.co", "external_id": "x"}, ["query"]),
    ]
    for params, loc in cases:
        response = await api.get(f"{CDP}/people", params=params)
        assert response.status_code == 422, (params, response.text)
        error = error_of(response)
        assert error["code"] == "VALIDATION_ERROR"
        assert error["details"]["errors"][0]["loc"] == loc


async def test_extra_emails_show_in_access_and_erasure_finds_the_person_by_one(
    api: Api, eraser: Eraser
) -> None:
    segment = await api.segment()
    await api.imported(
        segment["id"],
        b"id,email,email,phone,phone\n"
        b"x1,first@example.com,Second@Example.com,+1 415 555 0101,+1 415 555 0102\n"
        b"x2,other@example.com,,,\n",
    )
    response = await api.get(f"{CDP}/people", params={"email": "second@example.com"})
    assert response.status_code == 200, response.text
    body = response.json()
    (held,) = body["profiles"]
    assert held["external_id"] == "x1" and held["fields"]["email"] == "first@example.com"
    assert held["extra_emails"] == ["Second@Example.com"]
    assert held["extra_phones"] == ["+1 415 555 0102"]
    # The receipt's hashes cover the extras too (4 identifiers and the external id).
    assert [k["kind"] for k in body["identifiers"]].count("email") == 2
    assert [k["kind"] for k in body["identifiers"]].count("phone") == 2

    accepted = await erase(api, email="SECOND@example.com")
    assert await eraser.run(uuid.UUID(accepted["erasure_id"])) == "completed"
    receipt = (await api.get(f"{CDP}/erasures/{accepted['erasure_id']}")).json()
    assert receipt["matched"]["profiles"] == 1, receipt
    gone = await api.get(f"{CDP}/people", params={"external_id": "x1"})
    assert gone.status_code == 404
    kept = await api.get(f"{CDP}/people", params={"external_id": "x2"})
    assert kept.status_code == 200


async def test_access_by_phone_matches_the_number_not_its_last_digits(api: Api) -> None:
    """Candidates come by the last seven digits; only the same number in E.164 is held."""
    segment = await api.segment(
        profiles=[
            {"external_id": "us", "phone": "(415) 555-0100"},
            {"external_id": "uk", "phone": "+44 20 7555 0100"},  # the same last seven digits
        ]
    )
    response = await api.get(f"{CDP}/people", params={"phone": "+1 415.555.0100"})
    assert response.status_code == 200, response.text
    (held,) = response.json()["profiles"]
    assert (held["segment_id"], held["external_id"]) == (segment["id"], "us")
    response = await api.get(f"{CDP}/people", params={"phone": "+442075550100"})
    assert [p["external_id"] for p in response.json()["profiles"]] == ["uk"]
