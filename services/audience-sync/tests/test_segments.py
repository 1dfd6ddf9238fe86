"""CDP segments and profiles: CRUD, ownership, bulk upsert/remove, streaming CSV import."""

from __future__ import annotations

import tracemalloc
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from audience_sync.main import create_app
from audience_sync.platforms import PlatformRegistry
from kit import SEGMENTS, Api, error_of, make_profiles, service_settings


async def test_create_list_get_delete(api: Api) -> None:
    created = await api.post(SEGMENTS, json={"name": "  VIPs ", "description": "Top spenders"})
    assert created.status_code == 201
    body = created.json()
    assert set(body) == {"id", "name", "description", "profile_count", "created_at", "updated_at"}
    assert body["name"] == "VIPs" and body["profile_count"] == 0
    assert body["created_at"].endswith("Z") and "." not in body["created_at"]
    for i in range(3):
        await api.segment(name=f"s{i}")
    page = (await api.get(SEGMENTS, params={"page": 2, "page_size": 3})).json()
    assert page["total"] == 4 and page["page"] == 2 and page["page_size"] == 3
    assert [s["name"] for s in page["segments"]] == ["VIPs"]  # newest first
    await api.upsert(
        body["id"],
        [
            {"external_id": "a", "email": "a@example.com", "phone": "+14155550100"},
            {"external_id": "b", "first_name": "B", "last_name": "Bee", "zip": "94105"},
            {"external_id": "c", "madid": "6D92078A-8246-4BA4-AE5B-76104861E7DC"},
            {"external_id": "d", "first_name": "D", "last_name": "Dee"},
        ],
    )
    detail = (await api.get(f"{SEGMENTS}/{body['id']}")).json()
    assert detail["profile_count"] == 4 and detail["audience_count"] == 0
    assert detail["identifier_coverage"] == {
        "email": 1,
        "phone": 1,
        "name_zip": 1,
        "madid": 1,
        "extra_emails": 0,
        "extra_phones": 0,
    }
    deleted = await api.delete(f"{SEGMENTS}/{body['id']}")
    assert deleted.status_code == 200
    assert deleted.json() == {"deleted": True, "segment_id": body["id"], "profiles_deleted": 4}
    gone = await api.get(f"{SEGMENTS}/{body['id']}")
    assert gone.status_code == 404 and error_of(gone)["code"] == "SEGMENT_NOT_FOUND"


async def test_segments_are_searched_by_name(api: Api, other: Api) -> None:
    for name in ("Cart abandoners 30d", "cart_value_top", "Cart-value lapsed", "Newsletter"):
        await api.segment(name=name)
    await other.segment(name="Cart abandoners (theirs)")

    async def names(search: str, **params: Any) -> list[str]:
        response = await api.get(SEGMENTS, params={"name_contains": search, **params})
        assert response.status_code == 200, response.text
        return [s["name"] for s in response.json()["segments"]]

    assert await names("CART") == ["Cart-value lapsed", "cart_value_top", "Cart abandoners 30d"]
    assert await names("t_v") == ["cart_value_top"]  # _ is itself, not any character
    page = (await api.get(SEGMENTS, params={"name_contains": "cart", "page_size": 2})).json()
    assert page["total"] == 3 and len(page["segments"]) == 2
    assert await names("") == [
        "Newsletter",
        "Cart-value lapsed",
        "cart_value_top",
        "Cart abandoners 30d",
    ]
    too_long = await api.get(SEGMENTS, params={"name_contains": "x" * 256})
    assert too_long.status_code == 422 and error_of(too_long)["code"] == "VALIDATION_ERROR"


async def test_another_users_segment_is_not_found(api: Api, other: Api) -> None:
    segment = await api.segment(profiles=make_profiles(0, 2))
    sid = segment["id"]
    calls = [
        other.get(f"{SEGMENTS}/{sid}"),
        other.delete(f"{SEGMENTS}/{sid}"),
        other.get(f"{SEGMENTS}/{sid}/profiles"),
        other.post(f"{SEGMENTS}/{sid}/profiles", json={"profiles": [{"external_id": "x"}]}),
        other.delete(f"{SEGMENTS}/{sid}/profiles", json={"external_ids": ["c-0"]}),
        other.post(
            f"{SEGMENTS}/{sid}/profiles/import",
            content=b"external_id\nx\n",
            headers={"content-type": "text/csv"},
        ),
    ]
    for call in calls:
        response = await call
        assert response.status_code == 404, response.text
        error = error_of(response)
        assert error["code"] == "SEGMENT_NOT_FOUND"
    assert (await other.get(SEGMENTS)).json()["total"] == 0
    assert (await api.get(f"{SEGMENTS}/{sid}")).json()["profile_count"] == 2


async def test_bad_input_statuses(api: Api, client: httpx.AsyncClient) -> None:
    assert (await client.get(SEGMENTS)).status_code == 401  # no internal token
    bad_id = await api.get(f"{SEGMENTS}/not-a-uuid")
    assert bad_id.status_code == 400 and error_of(bad_id)["code"] == "INVALID_PATH_PARAMETER"
    empty = await api.post(SEGMENTS, json={"name": " "})
    assert empty.status_code == 422
    error = error_of(empty)
    assert error["code"] == "VALIDATION_ERROR"
    assert error["details"]["errors"][0]["loc"] == ["body", "name"]
    missing = await api.get(f"{SEGMENTS}/{uuid.uuid4()}")
    assert missing.status_code == 404 and error_of(missing)["code"] == "SEGMENT_NOT_FOUND"


async def test_upsert_counts_partial_fields_and_invalid_rows(api: Api) -> None:
    segment = await api.segment()
    path = f"{SEGMENTS}/{segment['id']}/profiles"
    first = await api.post(
        path,
        json={
            "profiles": [
                {
                    "external_id": "a",
                    "email": "a@example.com",
                    "phone": "+1 415 555 0100",
                    "traits": {"ltv": 120},
                },
                {"external_id": "b", "email": "b@example.com", "city": "Paris"},
                {"external_id": "bad-email", "email": "not an email"},
                {"external_id": "bad-phone", "phone": "call me"},
                {"external_id": "bad-madid", "madid": "1234"},
            ]
        },
    )
    assert first.status_code == 200
    body = first.json()
    assert (body["received"], body["inserted"], body["updated"], body["unchanged"]) == (5, 2, 0, 0)
    assert body["invalid"] == 3 and body["profile_count"] == 2
    assert body["invalid_samples"][0] == {
        "line": None,
        "index": 2,
        "external_id": "bad-email",
        "reason": "email is not a valid address",
    }
    assert "not an email" not in first.text and "call me" not in first.text
    second = await api.post(
        path,
        json={
            "profiles": [
                {"external_id": "a", "email": "a@example.com"},  # unchanged
                {"external_id": "b", "city": None, "first_name": "Bob"},  # partial
                {"external_id": "c", "email": "c@example.com"},
            ]
        },
    )
    body = second.json()
    assert (body["inserted"], body["updated"], body["unchanged"]) == (1, 1, 1)
    assert body["profile_count"] == 3
    detail = (await api.get(f"{SEGMENTS}/{segment['id']}")).json()
    # a keeps its phone (not sent), b keeps its email and lost its city
    assert detail["identifier_coverage"]["phone"] == 1
    assert detail["identifier_coverage"]["email"] == 3


async def test_upsert_and_remove_limits(api: Api) -> None:
    segment = await api.segment(profiles=make_profiles(0, 5))
    path = f"{SEGMENTS}/{segment['id']}/profiles"
    too_many = await api.post(
        path, json={"profiles": [{"external_id": str(i)} for i in range(10_001)]}
    )
    assert too_many.status_code == 422 and error_of(too_many)["code"] == "VALIDATION_ERROR"
    empty = await api.post(path, json={"profiles": []})
    assert empty.status_code == 422
    removed = await api.delete(path, json={"external_ids": ["c-0", "c-1", "c-1", "nope"]})
    assert removed.status_code == 200
    assert removed.json() == {"deleted": 2, "not_found": 1, "profile_count": 3}
    too_many = await api.delete(path, json={"external_ids": [str(i) for i in range(10_001)]})
    assert too_many.status_code == 422


CSV = (
    "\ufeffExternal ID,Email_Address,phone_number,First Name,last_name,zip,traits,plan\r\n"
    'c1,one@example.com,+1 415 555 0101,"Ann, Marie",Lee,94105,"{""ltv"": 10}",gold\r\n'
    'c2,two@example.com,,"Multi\nLine",Smith,,,\r\n'
    "c3,not-an-email,,,,,,\r\n"
    ",,,Solo,Person,,,\r\n"
    'c4,four@example.com,,,,,"[1,2]",\r\n'
    "c1,one@example.com,+1 415 555 0101,Ann,Lee,94105,,silver\r\n"
    "c5,five@example.com,,,,,,,extra\r\n"
    "\r\n"
    "c6,six@example.com"
)


async def test_csv_import_counts_and_samples(api: Api) -> None:
    segment = await api.segment()
    path = f"{SEGMENTS}/{segment['id']}/profiles/import"
    response = await api.post(
        path, content=CSV.encode(), headers={"content-type": "text/csv; charset=utf-8"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["received"] == 8
    assert body["inserted"] == 3  # c1, c2, c6
    assert body["duplicates"] == 1  # c1 twice: the last row wins
    assert body["invalid"] == 4
    assert [(s["line"], s["external_id"], s["reason"]) for s in body["invalid_samples"]] == [
        (5, "c3", "email is not a valid address"),
        (6, None, "no external_id and no email, phone or mobile ad id to key the row on"),
        (7, "c4", "traits is not a JSON object"),
        (9, None, "9 fields, the header has 8"),
    ]
    assert "not-an-email" not in response.text
    detail = (await api.get(f"{SEGMENTS}/{segment['id']}")).json()
    assert detail["profile_count"] == 3
    assert detail["identifier_coverage"]["name_zip"] == 1
    # A second import of a file without the phone column leaves phones as they are.
    again = await api.post(
        path,
        content=b"external_id,email\nc1,one@example.com\nc2,TWO@example.com\nc7,s@example.com\n",
        headers={"content-type": "text/csv"},
    )
    body = again.json()
    assert (body["inserted"], body["updated"], body["unchanged"]) == (1, 1, 1)
    detail = (await api.get(f"{SEGMENTS}/{segment['id']}")).json()
    assert detail["identifier_coverage"]["phone"] == 1 and detail["profile_count"] == 4


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"external_id\nx\n", "application/json", 415),
        (b"first_name\nAnn\n", "text/csv", 422),
        (b"", "text/csv", 422),
        (b"external_id,email\nx,\xff\xfe\n", "text/csv", 415),
        (b'external_id,email\nx,"open quote\n', "text/csv", 422),
    ],
)
async def test_csv_import_refusals(
    api: Api, content: bytes, content_type: str, status: int
) -> None:
    segment = await api.segment()
    response = await api.post(
        f"{SEGMENTS}/{segment['id']}/profiles/import",
        content=content,
        headers={"content-type": content_type},
    )
    assert response.status_code == status, response.text
    assert error_of(response)["code"] in (
        "UNSUPPORTED_MEDIA_TYPE",
        "UNSUPPORTED_ENCODING",
        "NO_IDENTIFIER_COLUMN",
        "VALIDATION_ERROR",
    )
    assert (await api.get(f"{SEGMENTS}/{segment['id']}")).json()["profile_count"] == 0


# --------------------------------------------------------------------------- memory


@pytest.fixture(scope="module")
async def small_chunk_app(
    database_url: str, adscale_infra: Any, registry: PlatformRegistry
) -> AsyncIterator[FastAPI]:
    from conftest import ENCRYPTION_KEY

    settings = service_settings(
        database_url, adscale_infra.kafka_bootstrap, ENCRYPTION_KEY, import_chunk_rows=2_500
    )
    application = create_app(settings, platforms=registry)
    async with application.router.lifespan_context(application):
        yield application


async def csv_stream(rows: int, counter: list[int]) -> AsyncIterator[bytes]:
    yield b"external_id,email,phone,first_name,last_name,city,zip,traits\n"
    block: list[str] = []
    for i in range(rows):
        block.append(
            f"p{i:07d},person.{i}@example.com,+1 415 {200 + i % 700:03d} {i % 10000:04d},"
            f'First{i},Last{i},San Francisco,94{i % 1000:03d},"{{""score"": {i % 97}}}"\n'
        )
        if len(block) == 500:
            chunk = "".join(block).encode()
            counter[0] += len(chunk)
            yield chunk
            block = []
    if block:
        chunk = "".join(block).encode()
        counter[0] += len(chunk)
        yield chunk


async def test_csv_import_of_100k_rows_streams_in_bounded_memory(
    small_chunk_app: FastAPI, api: Api
) -> None:
    segment = await api.segment()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=small_chunk_app), base_url="http://as", timeout=300
    ) as client:

        async def run(rows: int) -> tuple[int, int, dict[str, Any]]:
            size = [0]
            tracemalloc.start()
            try:
                response = await client.post(
                    f"{SEGMENTS}/{segment['id']}/profiles/import",
                    content=csv_stream(rows, size),
                    headers={**api.headers, "content-type": "text/csv"},
                )
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
            assert response.status_code == 200, response.text
            return size[0], peak, response.json()

        _small_bytes, small_peak, _ = await run(20_000)
        big_bytes, big_peak, body = await run(100_000)
    assert body["inserted"] == 80_000 and body["unchanged"] == 20_000 and body["invalid"] == 0
    assert big_bytes > 10_000_000
    # Memory follows the chunk size, not the body: five times the rows, about the same peak,
    # and far less than the body itself.
    assert big_peak < small_peak * 1.5, (small_peak, big_peak)
    assert big_peak < big_bytes / 2, (big_peak, big_bytes)
    print(f"CSV {big_bytes / 1e6:.1f} MB, peak {big_peak / 1e6:.1f} MB", end=" ")
    print(f"({small_peak / 1e6:.1f} MB at 20k rows)")
