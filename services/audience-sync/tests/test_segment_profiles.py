"""``GET /cdp/segments/{id}/profiles``: a segment's profiles page by page, most recently
updated first; ``q`` finds a person by external id prefix, email or phone; each profile is
shown as subject access (``GET /cdp/people``) shows it."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import pytest

from kit import SEGMENTS, Api, email_of, error_of, make_profiles

PEOPLE = "/api/v1/cdp/people"
PROFILE_KEYS = {
    "external_id",
    "fields",
    "extra_emails",
    "extra_phones",
    "traits",
    "consent",
    "created_at",
    "updated_at",
}


async def _page(api: Api, segment_id: str, **params: Any) -> dict[str, Any]:
    response = await api.get(f"{SEGMENTS}/{segment_id}/profiles", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"profiles", "total", "page", "page_size"}
    return body


async def _ids(api: Api, segment_id: str, **params: Any) -> list[str]:
    return [p["external_id"] for p in (await _page(api, segment_id, **params))["profiles"]]


async def test_pages_are_newest_updated_first_and_never_overlap(api: Api) -> None:
    segment = await api.segment(profiles=make_profiles(0, 5))  # one upsert: c-0 .. c-4
    sid = segment["id"]
    await api.upsert(sid, make_profiles(5, 3))  # later: c-5 .. c-7
    moved = await api.upsert(sid, [{"external_id": "c-2", "first_name": "Moved"}])
    assert moved["updated"] == 1
    # Upserted again without a change: its updated_at, and so its place, stay.
    same = await api.upsert(sid, [{"external_id": "c-0", "email": email_of(0)}])
    assert same["unchanged"] == 1

    pages = [await _page(api, sid, page=n, page_size=3) for n in (1, 2, 3, 4)]
    for n, body in enumerate(pages, start=1):
        assert (body["total"], body["page"], body["page_size"]) == (8, n, 3)
    seen = [p["external_id"] for body in pages for p in body["profiles"]]
    # Same updated_at (one upsert): by external_id.
    assert seen == ["c-2", "c-5", "c-6", "c-7", "c-0", "c-1", "c-3", "c-4"]
    assert len(set(seen)) == 8 and pages[3]["profiles"] == []
    updated = [p["updated_at"] for body in pages for p in body["profiles"]]
    assert updated == sorted(updated, reverse=True)
    assert pages[0]["profiles"][0]["fields"]["first_name"] == "Moved"

    default = await _page(api, sid)
    assert (default["total"], default["page"], default["page_size"]) == (8, 1, 20)
    assert [p["external_id"] for p in default["profiles"]] == seen


async def test_each_profile_is_shown_as_subject_access_shows_it(api: Api) -> None:
    segment = await api.segment()
    sid = segment["id"]
    await api.upsert(
        sid,
        [
            {
                "external_id": "ann",
                "email": " Ann.Lee@Example.com ",
                "phone": "+1 (415) 555-0100",
                "first_name": "Ann",
                "last_name": "Lee",
                "zip": "94105",
                "country": "US",
                "madid": "6D92078A-8246-4BA4-AE5B-76104861E7DC",
                "traits": {"tier": "gold", "ltv": 120.5, "tags": ["vip"]},
                "consent": {"ad_user_data": "granted", "ad_personalization": "denied"},
            },
            {"external_id": "bob", "email": "bob@example.com"},
        ],
    )
    body = await _page(api, sid)
    assert body["total"] == 2
    by_id = {p["external_id"]: p for p in body["profiles"]}
    ann, bob = by_id["ann"], by_id["bob"]
    assert set(ann) == PROFILE_KEYS
    assert ann["fields"] == {
        "email": "Ann.Lee@Example.com",  # as stored: trimmed, case kept
        "phone": "+1 (415) 555-0100",
        "first_name": "Ann",
        "last_name": "Lee",
        "zip": "94105",
        "country": "US",
        "madid": "6D92078A-8246-4BA4-AE5B-76104861E7DC",
    }
    assert ann["traits"] == {"tier": "gold", "ltv": 120.5, "tags": ["vip"]}
    assert ann["consent"] == {"ad_user_data": "granted", "ad_personalization": "denied"}
    assert ann["created_at"].endswith("Z") and "." not in ann["created_at"]
    assert bob["traits"] is None and bob["extra_emails"] == [] and bob["extra_phones"] == []
    assert bob["consent"] == {"ad_user_data": "unspecified", "ad_personalization": "unspecified"}

    # The very shape subject access gives, less the segment and the audiences.
    person = await api.get(PEOPLE, params={"external_id": "ann"})
    assert person.status_code == 200, person.text
    (held,) = person.json()["profiles"]
    assert held["segment_id"] == sid and held["audiences"] == []
    assert {
        k: v for k, v in held.items() if k not in ("segment_id", "segment_name", "audiences")
    } == ann


async def test_q_is_an_external_id_prefix_in_exact_case(api: Api) -> None:
    ids = ["cust-1", "cust-10", "cust-11", "cust-2", "CUST-12", "xcust-1", "cust_1x"]
    segment = await api.segment(profiles=[{"external_id": i} for i in ids])
    sid = segment["id"]
    found = await _page(api, sid, q="cust-1")
    assert found["total"] == 3
    assert [p["external_id"] for p in found["profiles"]] == ["cust-1", "cust-10", "cust-11"]
    assert await _ids(api, sid, q="cust_1") == ["cust_1x"]  # _ is itself, not any character
    assert await _ids(api, sid, q="CUST") == ["CUST-12"]
    second = await _page(api, sid, q="cust-1", page=2, page_size=2)
    assert second["total"] == 3 and [p["external_id"] for p in second["profiles"]] == ["cust-11"]
    past = await _page(api, sid, q="cust-1", page=3, page_size=2)
    assert (past["total"], past["profiles"]) == (3, [])


async def test_q_is_an_email_in_any_case_first_or_further(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    segment = await api.segment(
        profiles=[
            {"external_id": "a1", "email": "Jane.Doe@Example.com"},
            {"external_id": "a2", "email": "jane.doe@example.com.au"},
            {"external_id": "a3", "email": "john@example.com"},
        ]
    )
    sid = segment["id"]
    # b1's first email is another; its second one is Jane's.
    csv = b"external_id,email,email\nb1,other@example.com,JANE.DOE@example.com\n"
    assert (await api.imported(sid, csv))["inserted"] == 1
    caplog.set_level(logging.DEBUG)
    found = await _page(api, sid, q="  JANE.doe@EXAMPLE.com ")
    assert found["total"] == 2
    assert sorted(p["external_id"] for p in found["profiles"]) == ["a1", "b1"]
    b1 = next(p for p in found["profiles"] if p["external_id"] == "b1")
    assert b1["fields"]["email"] == "other@example.com"
    assert b1["extra_emails"] == ["JANE.DOE@example.com"]
    # The service logs the request (its path, never its query): the search is not in it.
    logged = [str(vars(r)).lower() for r in caplog.records if r.name != "httpx"]  # the test's
    assert any("/profiles" in text for text in logged)
    assert not any("jane.doe" in text for text in logged)


async def test_q_is_a_phone_however_it_is_written(api: Api) -> None:
    segment = await api.segment(
        profiles=[
            {"external_id": "p1", "phone": "+1 (415) 555-0100"},
            {"external_id": "p2", "phone": "(212) 555-0100"},  # the same last seven digits
            {"external_id": "p3", "phone": "+44 20 7946 0958"},
            {"external_id": "p4", "email": "p4@example.com"},
        ]
    )
    sid = segment["id"]
    assert await _ids(api, sid, q="415.555.0100") == ["p1"]  # the default region's
    assert await _ids(api, sid, q="0014155550100") == ["p1"]
    assert await _ids(api, sid, q="+1 212 555 0100") == ["p2"]
    assert await _ids(api, sid, q="+442079460958") == ["p3"]
    found = await _page(api, sid, q="(415) 555 0100")
    assert found["total"] == 1 and found["profiles"][0]["fields"]["phone"] == "+1 (415) 555-0100"


async def test_q_is_an_email_and_an_id_prefix_at_once(api: Api) -> None:
    """Keys that are emails: a profile matched by its key and its email counts once."""
    segment = await api.segment(
        profiles=[
            {"external_id": "jane@example.com", "email": "other@example.com"},
            {"external_id": "jane@example.com.old"},
            {"external_id": "jane@example.com-2", "email": "JANE@example.com"},
            {"external_id": "k1", "email": "Jane@Example.com"},
            {"external_id": "k2", "email": "jane@example.co"},
        ]
    )
    found = await _page(api, segment["id"], q="jane@example.com")
    assert found["total"] == 4
    assert sorted(p["external_id"] for p in found["profiles"]) == [
        "jane@example.com",
        "jane@example.com-2",
        "jane@example.com.old",
        "k1",
    ]


async def test_q_finds_the_segments_own_people_page_by_page(api: Api) -> None:
    """The email and phone lookups stay in the segment; many holders of one email page."""
    shared = [
        {"external_id": f"s{i:02d}", "email": "Family@Example.com", "phone": "+1 415 555 0199"}
        for i in range(25)
    ]
    # t1 here is someone else than t1 there, who holds the email and the phone.
    segment = await api.segment(profiles=[*shared, {"external_id": "t1", "email": "t@example.com"}])
    elsewhere = await api.segment(
        profiles=[
            {"external_id": "x1", "email": "family@example.com"},
            {"external_id": "t1", "email": "FAMILY@example.com", "phone": "4155550199"},
        ]
    )
    csv = b"external_id,email,email\nx2,x2@example.com,FAMILY@example.com\n"
    assert (await api.imported(elsewhere["id"], csv))["inserted"] == 1
    for q in ("family@example.com", "(415) 555-0199"):
        first = await _page(api, segment["id"], q=q)
        second = await _page(api, segment["id"], q=q, page=2)
        assert first["total"] == second["total"] == 25
        ids = [p["external_id"] for p in first["profiles"] + second["profiles"]]
        assert sorted(ids) == [p["external_id"] for p in shared]
    assert sorted(await _ids(api, elsewhere["id"], q="Family@example.com")) == ["t1", "x1", "x2"]
    assert await _ids(api, elsewhere["id"], q="415 555 0199") == ["t1"]


async def test_q_matching_nothing_is_an_empty_page(api: Api) -> None:
    segment = await api.segment(profiles=make_profiles(0, 3))
    for q in ("nobody@example.com", "+1 999 555 0100", "zz"):
        body = await _page(api, segment["id"], q=q)
        assert body == {"profiles": [], "total": 0, "page": 1, "page_size": 20}
    assert (await _page(api, segment["id"], q=""))["total"] == 3  # empty: no search


async def test_another_users_segment_and_bad_paging(api: Api, other: Api) -> None:
    segment = await api.segment(profiles=make_profiles(0, 2))
    sid = segment["id"]
    for who, segment_id in ((other, sid), (api, str(uuid.uuid4()))):
        response = await who.get(f"{SEGMENTS}/{segment_id}/profiles", params={"q": "c-"})
        assert response.status_code == 404, response.text
        error = error_of(response)
        assert error["code"] == "SEGMENT_NOT_FOUND"
        assert error["details"] == {"segment_id": segment_id}
    bad_id = await api.get(f"{SEGMENTS}/not-a-uuid/profiles")
    assert bad_id.status_code == 400 and error_of(bad_id)["code"] == "INVALID_PATH_PARAMETER"
    for params, loc in (
        ({"page_size": 101}, ["query", "page_size"]),
        ({"page_size": 0}, ["query", "page_size"]),
        ({"page": 0}, ["query", "page"]),
        ({"q": "x" * 256}, ["query", "q"]),
    ):
        response = await api.get(f"{SEGMENTS}/{sid}/profiles", params=params)
        assert response.status_code == 422, response.text
        error = error_of(response)
        assert error["code"] == "VALIDATION_ERROR"
        assert [e["loc"] for e in error["details"]["errors"]] == [loc]
    assert (await _page(api, sid, page_size=100))["page_size"] == 100
