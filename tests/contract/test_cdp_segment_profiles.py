"""``GET /cdp/segments/{id}/profiles`` through the gateway (services/audience-sync/README.md,
a house extension): a segment's profiles page by page, ``q`` finding a person by external id
prefix, email or phone, each profile in the shape subject access (``GET /cdp/people``)
gives it, less the segment and the audiences; another user's segment is 404."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import httpx

from tests.contract.conftest import User, register

sys.path.insert(0, str(Path(__file__).parent))
import cdp_kit as cdp
from cdp_kit import INT, SEGMENTS, STR, TIMESTAMP, kit, list_of, nullable, one_of, shape

CONSENT = one_of("granted", "denied", "unspecified")
# What `fields` may hold: the identifier fields and Meta's Limited Data Use columns.
LDU = (
    "data_processing_options",
    "data_processing_options_country",
    "data_processing_options_state",
)
STORED = (*cdp.FIELDS, *LDU)


def OBJECT(value: Any) -> None:
    assert isinstance(value, dict), f"{value!r} is not a JSON object"


def FIELDS(value: Any) -> None:
    OBJECT(value)
    for name, stored in value.items():
        assert name in STORED, f"{name!r} is not a profile field"
        STR(stored)


PROFILE: dict[str, kit.Check] = {
    "external_id": STR,
    "fields": FIELDS,
    "extra_emails": list_of(STR),
    "extra_phones": list_of(STR),
    "traits": nullable(OBJECT),
    "consent": shape({"ad_user_data": CONSENT, "ad_personalization": CONSENT}),
    "created_at": TIMESTAMP,
    "updated_at": TIMESTAMP,
}
PAGE: dict[str, kit.Check] = {
    "profiles": list_of(shape(PROFILE)),
    "total": INT,
    "page": INT,
    "page_size": INT,
}


async def listed(
    api: httpx.AsyncClient, user: User, segment_id: str, **params: Any
) -> dict[str, Any]:
    response = await api.get(
        f"{SEGMENTS}/{segment_id}/profiles", params=params, headers=user.headers
    )
    assert response.status_code == 200, response.text
    return kit.conforms(response.json(), PAGE)


async def test_a_segments_profiles_are_listed_and_searched(
    api: httpx.AsyncClient, user: User
) -> None:
    rows: list[dict[str, Any]] = cdp.profiles(0, 30)  # p0 .. p29, Person.<i>@Example.com
    rows[7] = {
        **rows[7],
        "first_name": "Ann",
        "country": "US",
        "traits": {"tier": "gold"},
        "consent": {"ad_user_data": "granted"},
    }
    segment_id = await cdp.new_segment(api, user, rows)

    first = await listed(api, user, segment_id, page_size=10)
    assert (first["total"], first["page"], first["page_size"]) == (30, 1, 10)
    second = await listed(api, user, segment_id, page=2, page_size=10)
    ids = [p["external_id"] for p in first["profiles"] + second["profiles"]]
    assert len(set(ids)) == 20  # no profile twice
    assert ids[:3] == ["p0", "p1", "p10"]  # one upsert, one updated_at: by external_id

    by_email = await listed(api, user, segment_id, q=" PERSON.7@example.COM ")
    assert by_email["total"] == 1
    (person,) = by_email["profiles"]
    assert person["external_id"] == "p7"
    assert person["fields"] == {
        "email": "Person.7@Example.com",
        "phone": "+1 415 200 0007",
        "first_name": "Ann",
        "country": "US",
    }
    assert person["traits"] == {"tier": "gold"}
    assert person["consent"] == {"ad_user_data": "granted", "ad_personalization": "unspecified"}
    by_phone = await listed(api, user, segment_id, q="(415) 200-0007")
    assert by_phone["profiles"] == [person]
    by_prefix = await listed(api, user, segment_id, q="p2", page_size=5)
    assert by_prefix["total"] == 11  # p2, p20 .. p29
    assert [p["external_id"] for p in by_prefix["profiles"]] == ["p2", "p20", "p21", "p22", "p23"]
    nothing = await listed(api, user, segment_id, q="nobody@example.com")
    assert (nothing["profiles"], nothing["total"]) == ([], 0)

    # The same profile as subject access shows it, less the segment and the audiences.
    access = await api.get("/cdp/people", params={"external_id": "p7"}, headers=user.headers)
    assert access.status_code == 200, access.text
    (held,) = access.json()["profiles"]
    assert {
        k: v for k, v in held.items() if k not in ("segment_id", "segment_name", "audiences")
    } == person

    stranger = await register(api)
    refused = await api.get(f"{SEGMENTS}/{segment_id}/profiles", headers=stranger.headers)
    assert cdp.error(refused, 404, "SEGMENT_NOT_FOUND")["details"] == {"segment_id": segment_id}
    too_big = await api.get(
        f"{SEGMENTS}/{segment_id}/profiles", params={"page_size": 101}, headers=user.headers
    )
    assert [e["loc"] for e in cdp.validation(too_big)] == [["query", "page_size"]]
