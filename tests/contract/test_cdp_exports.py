"""Segment exports through the gateway (spec audience-sync-api.md "Export Endpoints",
"Error Responses", "Rate Limits"; house rules: services/audience-sync/docs/
exports-and-webhooks.md).

A segment is filled through the API, exported by the worker, and the file is fetched
through the gateway by its signed link, without logging in, as the person the link was
given to. Every hashed cell is checked against ``adscale_platforms.identifiers
.hash_identifier`` of the value the test uploaded. For the link's expiry and signature the
test plays the link's signer (``xw_kit.sign_link``), as other contract tests play Stripe.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import sys
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from adscale_platforms.identifiers import hash_identifier

sys.path.insert(0, str(Path(__file__).parent))
import cdp_kit as cdp

import xw_kit as xw

kit = xw.kit  # contract_kit: shape checks, users, tokens
AS = xw.AS
# options.identifier_types: all ten by default, in this order (exports-and-webhooks.md)
FIELDS = (
    "email",
    "phone",
    "first_name",
    "last_name",
    "city",
    "state",
    "zip",
    "country",
    "madid",
    "external_id",
)
LINK = re.compile(
    r"^(?P<base>https?://[^/]+)/api/v1/cdp/audience-sync/exports/(?P<id>[0-9a-f-]{36})/download"
    r"\?expires=(?P<expires>\d+)&signature=(?P<signature>[A-Za-z0-9_-]{43})$"
)


def source_profiles() -> list[dict[str, Any]]:
    """Profiles whose identifiers exercise Meta's normalisation (case, spaces, punctuation,
    ZIP+4, UK postcodes, non-Latin letters, international and national phones) and some
    values it refuses (an unknown country)."""
    rows: list[dict[str, Any]] = [
        {
            "external_id": "c-000",
            "email": "  Ann.Lee+News@Example.COM ",
            "phone": "+1 (415) 555-0100",
            "first_name": "Ann-Marie",
            "last_name": "O'Neil Smith",
            "city": "San Francisco",
            "state": "CA",
            "zip": "94107-1234",
            "country": "US",
            "madid": "6D92078A-8246-4BA4-AE5B-76104861E7DC",
            "traits": {"tier": "gold", "ltv": 1250.5, "vip": True, "tags": ["a", "b"]},
        },
        {
            "external_id": "c-001",
            "email": "joran@example.se",
            "phone": "+46 70 123 45 67",
            "first_name": "Jöran",
            "last_name": "Åberg",
            "city": "Malmö",
            "state": "Skåne",
            "zip": "211 22",
            "country": "se",
            "traits": {"tier": "silver"},
        },
        {
            "external_id": "c-002",
            "email": "Valery@Example.fr",
            "phone": "0033 1 23 45 67 89",
            "first_name": "Valéry",
            "last_name": "Giscard d'Estaing",
            "city": "Paris",
            "zip": "75001",
            "country": "FR",
        },
        {
            "external_id": "c-003",
            "phone": "(212) 555-0142",
            "city": "London",
            "zip": "SW1A 1AA",
            "country": "GB",
            "madid": "cdda802e-fb9c-47ad-9866-0794d394c912",
        },
        {"external_id": "c-004", "email": "only@example.io", "country": "Atlantis"},
        {"external_id": "c-005", "first_name": "정", "last_name": "Müller", "state": "NY"},
    ]
    for i in range(6, 40):
        rows.append(
            {
                "external_id": f"c-{i:03d}",
                "email": f"Person.{i}@Example.com",
                "phone": f"+1 415 555 {i:04d}",
                "first_name": f"Name{i}",
                "last_name": "Doe",
                "city": "Austin",
                "state": "TX",
                "zip": f"{78700 + i}",
                "country": "US",
                "madid": str(uuid.UUID(int=i * 7919, version=4)),
                "traits": {"tier": "bronze", "orders": i},
            }
        )
    return rows


async def request_export(
    api: httpx.AsyncClient, member: kit.Member, segment_id: str, **body: Any
) -> dict[str, Any]:
    response = await api.post(
        f"{AS}/audiences/export", json={"segment_id": segment_id, **body}, headers=member.headers
    )
    assert response.status_code == 202, response.text
    accepted: dict[str, Any] = kit.conforms(response.json(), xw.EXPORT_ACCEPTED)
    assert accepted["segment_id"] == segment_id
    return accepted


async def completed_export(
    api: httpx.AsyncClient, member: kit.Member, segment_id: str, **body: Any
) -> dict[str, Any]:
    accepted = await request_export(api, member, segment_id, **body)
    done = await xw.wait_export(api, member.headers, accepted["export_id"])
    assert done["status"] == "completed", done
    return done


async def download(api: httpx.AsyncClient, url: str, **headers: str) -> httpx.Response:
    """Follow a link as an anonymous client of its own address (plus any ``headers``)."""
    return await api.get(url, headers={**kit.anonymous(), **headers})


def link_parts(url: str) -> re.Match[str]:
    match = LINK.match(url)
    assert match, url
    return match


# --- the file ------------------------------------------------------------------------


async def test_a_hashed_csv_export_holds_meta_hashes_of_every_source_value_and_its_link_expires(
    api: httpx.AsyncClient,
) -> None:
    member = await kit.register(api, "export")
    rows = source_profiles()
    segment_id = await cdp.new_segment(api, member, rows)

    started = time.time()
    accepted = await request_export(api, member, segment_id, format="csv")
    assert accepted["profile_count"] == len(rows)
    done = await xw.wait_export(api, member.headers, accepted["export_id"])
    assert done["status"] == "completed", done
    assert (done["export_id"], done["segment_id"], done["format"]) == (
        accepted["export_id"],
        segment_id,
        "csv",
    )
    assert done["profile_count"] == len(rows) and done["error"] is None
    created, completed = xw.iso_to_epoch(done["created_at"]), xw.iso_to_epoch(done["completed_at"])
    assert started - 2 <= created <= completed <= time.time() + 2
    expires_at = xw.iso_to_epoch(done["expires_at"])
    assert abs(expires_at - (completed + 24 * 3600)) <= 2, done  # the link lives 24 hours

    link = link_parts(done["download_url"])
    assert link["id"] == accepted["export_id"]
    assert int(link["expires"]) == int(expires_at)

    file = await download(api, done["download_url"])
    assert file.status_code == 200, file.text
    assert file.headers["content-type"] == "text/csv; charset=utf-8"
    assert file.headers["content-disposition"] == (
        f'attachment; filename="segment-export-{accepted["export_id"]}.csv"'
    )
    assert len(file.content) == done["file_size_bytes"]
    assert b"\r\n" not in file.content and file.content.endswith(b"\n")

    table = list(csv.reader(io.StringIO(file.content.decode("utf-8"))))
    assert table[0] == list(FIELDS)  # all ten identifiers by default, in this order
    body = table[1:]
    by_id = {r["external_id"]: r for r in rows}
    assert [line[FIELDS.index("external_id")] for line in body] == sorted(by_id)
    hashed_cells = 0
    for line in body:
        source = by_id[line[FIELDS.index("external_id")]]
        for name, cell in zip(FIELDS, line, strict=True):
            value = source.get(name)
            expected = hash_identifier("meta", name, value) if value is not None else None
            assert cell == (expected or ""), (source["external_id"], name, value, cell)
            if name not in ("madid", "external_id") and cell:
                assert re.fullmatch(r"[0-9a-f]{64}", cell), (name, cell)
                hashed_cells += 1
    assert hashed_cells > 300
    # Meta takes mobile ad ids and external ids normalised but in clear; a value its rules
    # refuse (an unknown country) is an empty cell, never a hash of garbage.
    first = dict(zip(FIELDS, body[0], strict=True))
    assert first["madid"] == "6d92078a-8246-4ba4-ae5b-76104861e7dc"
    atlantis = dict(zip(FIELDS, body[4], strict=True))
    assert atlantis["external_id"] == "c-004" and atlantis["country"] == ""

    # The link expires: the same link signed for a moment already past is 410.
    past = xw.sign_link(accepted["export_id"], int(time.time()) - 1)
    xw.envelope(await download(api, past), 410, "EXPORT_EXPIRED")
    again = await download(api, done["download_url"])
    assert again.status_code == 200 and again.content == file.content


async def test_jsonl_with_chosen_identifiers_another_platforms_rules_and_traits(
    api: httpx.AsyncClient,
) -> None:
    member = await kit.register(api, "export")
    rows = source_profiles()[:12]
    segment_id = await cdp.new_segment(api, member, rows)

    done = await completed_export(
        api,
        member,
        segment_id,
        format="jsonl",
        options={
            "identifier_types": ["phone", "email", "zip", "phone"],
            "hash_identifiers": True,
            "platform": "google",
            "include_traits": True,
        },
    )
    assert done["format"] == "jsonl" and done["profile_count"] == 12
    file = await download(api, done["download_url"])
    assert file.status_code == 200, file.text
    assert file.headers["content-type"] == "application/x-ndjson"
    assert file.headers["content-disposition"].endswith('.jsonl"')
    assert len(file.content) == done["file_size_bytes"]
    lines = file.content.decode().splitlines()
    assert len(lines) == 12 and file.content.endswith(b"\n")
    for line, source in zip(lines, sorted(rows, key=lambda r: r["external_id"]), strict=True):
        item = json.loads(line)
        # identifier_types chooses the columns, in its order, duplicates dropped
        assert list(item) == ["phone", "email", "zip", "traits"], item
        for name in ("phone", "email", "zip"):
            value = source.get(name)
            expected = hash_identifier("google", name, value) if value is not None else None
            assert item[name] == expected, (source["external_id"], name, value, item[name])
        assert item["traits"] == source.get("traits"), item
    # Google's rules, not Meta's: E.164 with "+" hashed, ZIP in clear.
    first = json.loads(lines[0])
    assert first["phone"] == hash_identifier("google", "phone", "+14155550100")
    assert first["phone"] != hash_identifier("meta", "phone", "+14155550100")
    assert first["zip"] == "94107-1234"


async def test_unhashed_csv_writes_stored_values_and_one_column_per_trait(
    api: httpx.AsyncClient,
) -> None:
    member = await kit.register(api, "export")
    rows = [
        {
            "external_id": "b",
            "email": "Bea@Example.com",
            "first_name": 'Bea "B", Jr',
            "traits": {"tier": "gold", "ltv": 12.5, "vip": True, "tags": ["x", "y"]},
        },
        {"external_id": "a", "email": "al@example.com", "traits": {"tier": "silver", "n": 3}},
        {"external_id": "c", "phone": "+44 20 7946 0958"},
    ]
    segment_id = await cdp.new_segment(api, member, rows)
    empty_id = await cdp.new_segment(api, member, [])
    # more distinct trait keys than the 200 columns a CSV gets: one JSON column instead
    many = {f"k{i:03d}": i for i in range(201)}
    many_id = await cdp.new_segment(api, member, [{"external_id": "m", "traits": many}])
    unhashed_with_traits = {"hash_identifiers": False, "include_traits": True}
    (done, empty_csv, empty_jsonl, wide) = await asyncio.gather(
        completed_export(
            api,
            member,
            segment_id,
            options={
                "identifier_types": ["external_id", "email", "first_name", "phone"],
                **unhashed_with_traits,
            },
        ),
        # all ten types and a repeat: the repeat is dropped, not counted as an eleventh
        completed_export(api, member, empty_id, options={"identifier_types": [*FIELDS, "email"]}),
        completed_export(api, member, empty_id, format="jsonl"),
        completed_export(
            api,
            member,
            many_id,
            options={"identifier_types": ["external_id"], **unhashed_with_traits},
        ),
    )
    file = await download(api, done["download_url"])
    assert file.status_code == 200, file.text
    table = list(csv.reader(io.StringIO(file.content.decode())))
    assert table == [
        [
            "external_id",
            "email",
            "first_name",
            "phone",
            "trait_ltv",
            "trait_n",
            "trait_tags",
            "trait_tier",
            "trait_vip",
        ],
        ["a", "al@example.com", "", "", "", "3", "", "silver", ""],
        ["b", "Bea@Example.com", 'Bea "B", Jr', "", "12.5", "", '["x", "y"]', "gold", "true"],
        ["c", "", "", "+44 20 7946 0958", "", "", "", "", ""],
    ]
    # RFC 4180 quoting of the quote and the comma
    assert b'"Bea ""B"", Jr"' in file.content

    assert (empty_csv["profile_count"], empty_jsonl["profile_count"]) == (0, 0)
    header_only = await download(api, empty_csv["download_url"])
    assert header_only.status_code == 200, header_only.text
    assert header_only.content == (",".join(FIELDS) + "\n").encode()
    assert empty_csv["file_size_bytes"] == len(header_only.content)
    nothing = await download(api, empty_jsonl["download_url"])
    assert nothing.status_code == 200 and nothing.content == b""
    assert empty_jsonl["file_size_bytes"] == 0

    one_column = await download(api, wide["download_url"])
    header, row = list(csv.reader(io.StringIO(one_column.content.decode())))
    assert header == ["external_id", "traits"] and row[0] == "m"
    assert json.loads(row[1]) == many


async def test_deleting_the_segment_fails_a_waiting_export_and_keeps_a_finished_one(
    api: httpx.AsyncClient,
) -> None:
    member = await kit.register(api, "export")
    kept_id = await cdp.new_segment(api, member, source_profiles()[:2])
    kept = await completed_export(api, member, kept_id, options={"identifier_types": ["email"]})
    doomed_id = await cdp.new_segment(api, member, source_profiles()[:2])
    waiting = await request_export(api, member, doomed_id)
    # The segment goes before a worker takes the export up (the request travels through
    # Kafka first); only a worker faster than this DELETE could finish it.
    for segment in (doomed_id, kept_id):
        deleted = await api.delete(f"/cdp/segments/{segment}", headers=member.headers)
        assert deleted.status_code == 200, deleted.text

    failed = await xw.wait_export(api, member.headers, waiting["export_id"])
    if failed["status"] == "failed":
        assert failed["error"] == {
            "code": "SEGMENT_NOT_FOUND",
            "message": "Source segment was deleted",
        }, failed
        assert (failed["download_url"], failed["expires_at"], failed["file_size_bytes"]) == (
            None,
            None,
            None,
        )
    else:  # the worker won the race: a finished export like the other one
        assert failed["status"] == "completed" and failed["error"] is None, failed
    assert failed["segment_id"] is None and failed["completed_at"] is not None

    after = await xw.wait_export(api, member.headers, kept["export_id"])
    assert after["status"] == "completed" and after["segment_id"] is None
    assert after["download_url"] is not None
    file = await download(api, after["download_url"])
    assert file.status_code == 200 and len(file.content) == kept["file_size_bytes"]


# --- the link ------------------------------------------------------------------------


async def test_the_download_link_is_public_signed_and_expiring(api: httpx.AsyncClient) -> None:
    """Anyone holding the link downloads without logging in (stale credentials sent along
    are ignored); a changed signature or expiry is 403, a link past its expiry 410."""
    member = await kit.register(api, "export")
    segment_id = await cdp.new_segment(api, member, source_profiles()[:3])
    done = await completed_export(api, member, segment_id, options={"identifier_types": ["email"]})
    url = done["download_url"]
    parts = link_parts(url)
    export_id, expires, signature = parts["id"], int(parts["expires"]), parts["signature"]
    path = url.split("?")[0]  # the full address: the link names the gateway itself
    assert parse_qs(urlsplit(url).query) == {"expires": [str(expires)], "signature": [signature]}

    plain = await download(api, url)
    assert plain.status_code == 200, plain.text
    assert plain.headers["cache-control"] == "private, no-store"
    for credentials in (
        "Bearer garbage",
        f"Bearer {kit.expired_token(member.id)}",
        member.headers["Authorization"],
    ):
        stale = await download(api, url, Authorization=credentials)
        assert stale.status_code == 200, (credentials[:20], stale.text)
        assert stale.content == plain.content

    # The test signs like the service: the same link, byte for byte.
    assert xw.sign_link(export_id, expires) == f"{AS}/exports/{export_id}/download?" + (
        urlsplit(url).query
    )
    assert (await download(api, xw.sign_link(export_id, expires))).content == plain.content

    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    forged = [
        f"{path}?expires={expires}&signature={flipped}",  # tampered signature
        f"{path}?expires={expires + 3600}&signature={signature}",  # extended expiry
        f"{path}?expires={expires}",  # no signature
        f"{path}?signature={signature}",  # no expiry
        f"{path}",
        f"{path}?expires=soon&signature={signature}",
        xw.sign_link(export_id, expires, key="not-the-stack-key"),
        xw.sign_link(str(uuid.uuid4()), expires, key="not-the-stack-key"),
    ]
    for link in forged:
        xw.envelope(await download(api, link), 403, "INVALID_SIGNATURE")
    # A valid signature proves nothing about a file that never existed.
    xw.envelope(
        await download(api, xw.sign_link(str(uuid.uuid4()), expires)), 404, "EXPORT_NOT_FOUND"
    )
    xw.envelope(
        await download(api, f"{AS}/exports/not-an-id/download?expires={expires}&signature=x"),
        400,
        "INVALID_PATH_PARAMETER",
    )
    # Past its expiry, even correctly signed: 410, also with credentials attached.
    expired = xw.sign_link(export_id, int(time.time()) - 3600)
    xw.envelope(await download(api, expired), 410, "EXPORT_EXPIRED")
    xw.envelope(
        await download(api, expired, Authorization=member.headers["Authorization"]),
        410,
        "EXPORT_EXPIRED",
    )


# --- errors --------------------------------------------------------------------------


async def test_include_events_and_malformed_requests_are_422(api: httpx.AsyncClient) -> None:
    members = [await kit.register(api, "export"), await kit.register(api, "export")]
    segment_id = await cdp.new_segment(api, members[0], source_profiles()[:2])
    # Refused requests count towards the five a minute too: the nine bad bodies are split
    # between two users, each sending its own segment.
    second_segment = await cdp.new_segment(api, members[1], source_profiles()[:2])
    cases: list[tuple[dict[str, Any], list[str | int]]] = [
        ({"options": {"include_events": True}}, ["body", "options", "include_events"]),
        ({"format": "xlsx"}, ["body", "format"]),
        ({"options": {"identifier_types": ["ssn"]}}, ["body", "options", "identifier_types", 0]),
        ({"options": {"identifier_types": []}}, ["body", "options", "identifier_types"]),
        ({"options": {"platform": "linkedin"}}, ["body", "options", "platform"]),
        ({"options": {"hash": True}}, ["body", "options", "hash"]),
        ({"compression": "gzip"}, ["body", "compression"]),
        ({"segment_id": "not-a-uuid"}, ["body", "segment_id"]),
        ({"segment_id": None}, ["body", "segment_id"]),
    ]
    for i, (extra, loc) in enumerate(cases):
        member, segment = (members[0], segment_id) if i < 5 else (members[1], second_segment)
        response = await api.post(
            f"{AS}/audiences/export",
            json={"segment_id": segment, **extra},
            headers=member.headers,
        )
        errors = xw.validation(response, loc)
        if i == 0:
            # a clear refusal, never a silently ignored option
            (error,) = errors
            assert "event data is not available" in error["msg"], error


async def test_unknown_foreign_and_malformed_ids_and_missing_credentials(
    api: httpx.AsyncClient,
) -> None:
    owner, stranger = await kit.register(api, "export"), await kit.register(api, "export")
    segment_id = await cdp.new_segment(api, owner, source_profiles()[:2])
    accepted = await request_export(api, owner, segment_id)
    export_id = accepted["export_id"]

    for segment in (str(uuid.uuid4()), segment_id):  # unknown, and another user's
        refused = await api.post(
            f"{AS}/audiences/export", json={"segment_id": segment}, headers=stranger.headers
        )
        xw.envelope(refused, 404, "SEGMENT_NOT_FOUND")
    for missing in (str(uuid.uuid4()), export_id):
        xw.envelope(
            await api.get(f"{AS}/exports/{missing}", headers=stranger.headers),
            404,
            "EXPORT_NOT_FOUND",
        )
    malformed = xw.envelope(
        await api.get(f"{AS}/exports/12345", headers=owner.headers), 400, "INVALID_PATH_PARAMETER"
    )
    assert malformed["details"]["errors"][0]["loc"] == ["path", "export_id"]

    for credentials in ({}, {"Authorization": "Bearer garbage"}, {"Authorization": "Basic eDp5"}):
        headers = {**kit.anonymous(), **credentials}
        xw.envelope(
            await api.post(
                f"{AS}/audiences/export", json={"segment_id": segment_id}, headers=headers
            ),
            401,
            "UNAUTHORIZED",
        )
        xw.envelope(
            await api.get(f"{AS}/exports/{export_id}", headers=headers), 401, "UNAUTHORIZED"
        )
    expired = {"Authorization": f"Bearer {kit.expired_token(owner.id)}", **kit.anonymous()}
    xw.envelope(await api.get(f"{AS}/exports/{export_id}", headers=expired), 401, "UNAUTHORIZED")

    # The owner still sees it.
    done = await xw.wait_export(api, owner.headers, export_id)
    assert done["status"] == "completed" and done["segment_id"] == segment_id


async def test_five_exports_a_minute_per_user_then_429(api: httpx.AsyncClient) -> None:
    member, other = await kit.register(api, "export"), await kit.register(api, "export")
    segment_id = await cdp.new_segment(api, member, source_profiles()[:2])
    remaining = []
    for _ in range(5):
        response = await api.post(
            f"{AS}/audiences/export", json={"segment_id": segment_id}, headers=member.headers
        )
        assert response.status_code == 202, response.text
        assert response.headers["ratelimit-policy"] == '"audiences-export";q=5;w=60'
        remaining.append(int(response.headers["ratelimit"].split(";r=")[1].split(";")[0]))
    assert remaining == [4, 3, 2, 1, 0]
    limited = await api.post(
        f"{AS}/audiences/export", json={"segment_id": segment_id}, headers=member.headers
    )
    xw.envelope(limited, 429, "RATE_LIMIT_EXCEEDED")
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert limited.headers["ratelimit-policy"] == '"audiences-export";q=5;w=60'
    # Other routes and other users keep their own budgets.
    assert (await api.get(f"/cdp/segments/{segment_id}", headers=member.headers)).status_code == 200
    other_segment = await cdp.new_segment(api, other, [])
    await request_export(api, other, other_segment)
