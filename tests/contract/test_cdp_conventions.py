"""audience-sync-api.md "Authentication", "Error Responses" and "Rate Limits", and the
house conventions of services/audience-sync/README.md, across every Platform, Audience and
Sync endpoint and the CDP segment endpoints: Bearer JWT or a paid plan's API key (a Free
plan's key is 403) and the refusals (401); the ``{"error": {code, message, details}}``
envelope on unknown routes, wrong methods and framework 422s; malformed ids and unknown
platforms 400, unknown ids 404; page/page_size pagination; the spec's three rate limits."""

from __future__ import annotations

import asyncio
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from adscale_contracts.api_keys import generate_api_key
from tests.contract.conftest import User, register

sys.path.insert(0, str(Path(__file__).parent))
import cdp_kit as cdp
from cdp_kit import AS, NIL, SEGMENTS, kit

CSV = {"content-type": "text/csv"}

# Every audience-sync route of this suite's scope, with a body it would accept.
ROUTES: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", f"{AS}/platforms", {}),
    ("POST", f"{AS}/platforms/meta/connect", {}),
    ("POST", f"{AS}/platforms/meta/callback", {"json": {"code": "c", "state": "s"}}),
    ("DELETE", f"{AS}/platforms/meta", {}),
    ("GET", f"{AS}/audiences", {}),
    (
        "POST",
        f"{AS}/audiences",
        {
            "json": {
                "segment_id": NIL,
                "platform": "meta",
                "ad_account_id": "act_1",
                "audience_name": "x",
            }
        },
    ),
    ("GET", f"{AS}/audiences/{NIL}", {}),
    ("PATCH", f"{AS}/audiences/{NIL}", {"json": {"auto_sync": False}}),
    ("DELETE", f"{AS}/audiences/{NIL}", {}),
    ("POST", f"{AS}/audiences/{NIL}/sync", {"json": {"operation": "update"}}),
    ("GET", f"{AS}/audiences/{NIL}/history", {}),
    ("GET", f"{AS}/sync-jobs/{NIL}", {}),
    ("POST", SEGMENTS, {"json": {"name": "x"}}),
    ("GET", SEGMENTS, {}),
    ("GET", f"{SEGMENTS}/{NIL}", {}),
    ("DELETE", f"{SEGMENTS}/{NIL}", {}),
    ("POST", f"{SEGMENTS}/{NIL}/profiles", {"json": {"profiles": [{"external_id": "a"}]}}),
    ("DELETE", f"{SEGMENTS}/{NIL}/profiles", {"json": {"external_ids": ["a"]}}),
    ("POST", f"{SEGMENTS}/{NIL}/profiles/import", {"content": b"external_id\na\n", "headers": CSV}),
]

# Every route with an id in its path, the code of its 404, and a body it would accept.
ID_ROUTES: list[tuple[str, str, str, dict[str, Any]]] = [
    ("GET", f"{AS}/audiences/{{}}", "AUDIENCE_NOT_FOUND", {}),
    ("PATCH", f"{AS}/audiences/{{}}", "AUDIENCE_NOT_FOUND", {"json": {}}),
    ("DELETE", f"{AS}/audiences/{{}}", "AUDIENCE_NOT_FOUND", {}),
    ("POST", f"{AS}/audiences/{{}}/sync", "AUDIENCE_NOT_FOUND", {"json": {"operation": "update"}}),
    ("GET", f"{AS}/audiences/{{}}/history", "AUDIENCE_NOT_FOUND", {}),
    ("GET", f"{AS}/sync-jobs/{{}}", "JOB_NOT_FOUND", {}),
    ("GET", f"{SEGMENTS}/{{}}", "SEGMENT_NOT_FOUND", {}),
    ("DELETE", f"{SEGMENTS}/{{}}", "SEGMENT_NOT_FOUND", {}),
    (
        "POST",
        f"{SEGMENTS}/{{}}/profiles",
        "SEGMENT_NOT_FOUND",
        {"json": {"profiles": [{"external_id": "a"}]}},
    ),
    ("DELETE", f"{SEGMENTS}/{{}}/profiles", "SEGMENT_NOT_FOUND", {"json": {"external_ids": ["a"]}}),
    (
        "POST",
        f"{SEGMENTS}/{{}}/profiles/import",
        "SEGMENT_NOT_FOUND",
        {"content": b"external_id\na\n", "headers": CSV},
    ),
]
ID_NAMES = {"sync-jobs": "job_id", "audiences": "audience_id", "segments": "segment_id"}


@dataclass
class Caller:
    """Anything with ``headers`` (a JWT user or an API key) for the shared helpers."""

    headers: dict[str, str]


async def call(
    api: httpx.AsyncClient, method: str, path: str, headers: dict[str, str], extra: dict[str, Any]
) -> httpx.Response:
    options = dict(extra)
    merged = {**headers, **options.pop("headers", {})}
    return await api.request(method, path, headers=merged, **options)


async def test_every_route_refuses_missing_garbage_and_expired_credentials(
    api: httpx.AsyncClient, user: User
) -> None:
    """No credentials, a malformed or expired token (signed by identity's own key), another
    scheme, a refresh token as bearer, a malformed or never-issued API key: 401
    UNAUTHORIZED in the envelope, with ``WWW-Authenticate: Bearer``, on every route."""
    user_id = cdp.user_id_of(user.headers)
    unknown_key = generate_api_key()
    attempts = [
        kit.anonymous(),
        {"Authorization": "Bearer not.a.jwt"},
        {"Authorization": f"Bearer {kit.expired_token(user_id)}"},
        {"Authorization": "Basic dXNlcjpwYXNzd29yZA=="},
        {"Authorization": f"Bearer {user.refresh_token}"},
        {"X-API-Key": "adscale_live_short"},
        {"X-API-Key": unknown_key},
    ]
    for method, path, extra in ROUTES:
        for headers in attempts:
            response = await call(api, method, path, headers, extra)
            cdp.error(response, 401, "UNAUTHORIZED")
            assert response.headers.get("www-authenticate") == "Bearer", (method, path, headers)
    # The user's own access token passes the same routes (the refusals were the credential).
    assert (await api.get(f"{AS}/platforms", headers=user.headers)).status_code == 200


async def test_api_keys_of_paid_plans_work_and_free_plan_keys_are_403(
    api: httpx.AsyncClient,
) -> None:
    """README: a user by JWT or API key. A Pro user's key connects Meta, creates a segment
    and an audience and triggers a sync (``triggered_by: api`` with the user's id); a Free
    user's key is 403 FORBIDDEN on every route, while the same Free user's JWT works."""
    paid = await kit.register(api, "cdp-paid")
    free = await kit.register(api, "cdp-free")
    await kit.upgrade(api, paid, "pro")
    paid_key = Caller({"X-API-Key": await kit.api_key(api, paid)})
    free_key = {"X-API-Key": await kit.api_key(api, free)}

    for method, path, extra in ROUTES:
        refused = cdp.error(await call(api, method, path, free_key, extra), 403, "FORBIDDEN")
        assert "Free plan" in refused["message"], refused
    assert (await api.get(f"{AS}/audiences", headers=free.headers)).status_code == 200

    connection = await cdp.connect(api, paid_key.headers, "meta")
    segment_id = await cdp.new_segment(api, paid_key, cdp.profiles(0, 4))  # type: ignore[arg-type]
    body = await cdp.created(api, paid_key.headers, segment_id, "meta", connection.account)
    initial = await cdp.job_of(api, paid_key.headers, body["initial_sync"]["job_id"])
    assert (initial["triggered_by"], initial["triggered_by_user_id"]) == ("api", paid.id)
    triggered = await api.post(
        f"{AS}/audiences/{body['audience']['id']}/sync",
        json={"operation": "update"},
        headers=paid_key.headers,
    )
    assert triggered.status_code == 202, triggered.text
    job = await cdp.finished(api, paid_key.headers, triggered.json()["job_id"])
    assert (job["triggered_by"], job["triggered_by_user_id"]) == ("api", paid.id)
    # The key and the JWT are the same user.
    by_jwt = await api.get(f"{AS}/audiences", headers=paid.headers)
    assert [a["id"] for a in by_jwt.json()["audiences"]] == [body["audience"]["id"]]


async def test_unknown_routes_methods_and_bodies_keep_the_envelope(
    api: httpx.AsyncClient, user: User
) -> None:
    """An unknown route (in the service or not routed at all) is 404 NOT_FOUND, a wrong
    method 405 METHOD_NOT_ALLOWED (Allow lists every method of the path), a body that is not
    JSON or not an object 422 VALIDATION_ERROR: all in the audience-sync envelope, never
    ``{"detail": ...}``. A trailing slash is the same resource, never a redirect."""
    h = user.headers
    segment = await api.post(SEGMENTS, json={"name": "slash"}, headers=h)
    for path in (f"{SEGMENTS}/", f"{AS}/audiences/", f"{AS}/platforms/"):
        response = await api.get(path, headers=h)
        assert response.status_code == 200, (path, response.status_code, response.headers)
        assert response.json() == (await api.get(path.rstrip("/"), headers=h)).json()
    one = await api.get(f"{SEGMENTS}/{segment.json()['id']}/", headers=h)
    assert one.status_code == 200 and one.json()["id"] == segment.json()["id"]
    cdp.error(await api.get(f"{AS}/audience", headers=h), 404, "NOT_FOUND")
    cdp.error(await api.get(f"{AS}/platforms/meta/status", headers=h), 404, "NOT_FOUND")
    cdp.error(await api.get("/cdp/unknown", headers=kit.anonymous()), 404, "NOT_FOUND")
    for method, path, allowed in [
        ("PUT", f"{AS}/audiences/{NIL}", {"GET", "PATCH", "DELETE"}),
        ("GET", f"{AS}/platforms/meta", {"DELETE"}),
        ("DELETE", f"{AS}/sync-jobs/{NIL}", {"GET"}),
        ("PUT", SEGMENTS, {"GET", "POST"}),
    ]:
        response = await api.request(method, path, headers=h)
        cdp.error(response, 405, "METHOD_NOT_ALLOWED")
        assert {m.strip() for m in response.headers["allow"].split(",")} == allowed, path
    malformed = await api.post(
        f"{AS}/audiences", content=b"{not json", headers={**h, "content-type": "application/json"}
    )
    assert cdp.validation(malformed)[0]["type"] == "json_invalid"
    cdp.validation(await api.post(SEGMENTS, json=["VIPs"], headers=h), ["body"])
    cdp.validation(
        await api.post(f"{AS}/platforms/meta/callback", json="code", headers=h), ["body"]
    )


async def test_malformed_ids_and_unknown_platforms_are_400_unknown_ids_404(
    api: httpx.AsyncClient, user: User
) -> None:
    """README's house rule: a path id that is not a UUID is 400 INVALID_PATH_PARAMETER
    naming the parameter, a platform other than meta/google/tiktok/snapchat too (the
    allowed values in ``details``); a well-formed id that is unknown is 404 with the
    resource's code and the id in ``details``."""
    h = user.headers
    for method, template, code, extra in ID_ROUTES:
        name = next(v for k, v in ID_NAMES.items() if f"/{k}/" in template)
        for bad in ("not-a-uuid", "123", "00000000-0000-4000-8000-00000000000g"):
            cdp.bad_path(await call(api, method, template.format(bad), h, extra), name)
        unknown = str(uuid.uuid4())
        missing = cdp.error(await call(api, method, template.format(unknown), h, extra), 404, code)
        assert missing["details"] == {name: unknown}, (method, template)

    for method, path, extra in [
        ("POST", f"{AS}/platforms/{{}}/connect", {}),
        ("POST", f"{AS}/platforms/{{}}/callback", {"json": {"code": "c", "state": "s"}}),
        ("DELETE", f"{AS}/platforms/{{}}", {}),
    ]:
        for bad in ("myspace", "Meta", "facebook"):
            inner = cdp.bad_path(await call(api, method, path.format(bad), h, extra), "platform")
            expected = inner["details"]["errors"][0]["ctx"]["expected"]
            assert all(p in expected for p in cdp.PLATFORMS), inner


@pytest.mark.parametrize(
    ("path", "key"), [(f"{AS}/audiences", "audiences"), (SEGMENTS, "segments")]
)
async def test_lists_take_page_and_page_size(
    api: httpx.AsyncClient, user: User, path: str, key: str
) -> None:
    """page (from 1) and page_size (1-100, default 20) are echoed with total; pages walk the
    list newest first without overlap; offset/limit are not this API family's paging (they
    change nothing); out-of-range or non-integer values are 422 naming the parameter."""
    h = user.headers
    if key == "segments":
        ids = [
            (await api.post(SEGMENTS, json={"name": f"s{i}"}, headers=h)).json()["id"]
            for i in range(5)
        ][::-1]
    else:
        connection = await cdp.connect(api, h, "meta")
        segment_id = await cdp.new_segment(api, user, cdp.profiles(0, 2))
        ids = [
            (await cdp.created(api, h, segment_id, "meta", connection.account))["audience"]["id"]
            for _ in range(5)
        ][::-1]
    shape = cdp.SEGMENT if key == "segments" else cdp.AUDIENCE

    default = await api.get(path, headers=h)
    body = kit.conforms(
        default.json(),
        {
            key: kit.list_of(kit.shape(shape)),
            "total": kit.INT,
            "page": kit.INT,
            "page_size": kit.INT,
        },
    )
    assert (body["total"], body["page"], body["page_size"]) == (5, 1, 20)
    assert [i["id"] for i in body[key]] == ids
    walked = []
    for number, size in [(1, 2), (2, 2), (3, 2)]:
        page = (await api.get(path, params={"page": number, "page_size": size}, headers=h)).json()
        assert (page["total"], page["page"], page["page_size"]) == (5, number, size)
        walked.extend(i["id"] for i in page[key])
    assert walked == ids
    beyond = (await api.get(path, params={"page": 4, "page_size": 2}, headers=h)).json()
    assert (beyond[key], beyond["total"]) == ([], 5)
    largest = (await api.get(path, params={"page_size": 100}, headers=h)).json()
    assert (largest["page_size"], len(largest[key])) == (100, 5)
    ignored = (await api.get(path, params={"offset": 3, "limit": 1}, headers=h)).json()
    assert (ignored["page"], ignored["page_size"], len(ignored[key])) == (1, 20, 5)
    for params, name in [
        ({"page": 0}, "page"),
        ({"page": -1}, "page"),
        ({"page": "two"}, "page"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": 101}, "page_size"),
    ]:
        cdp.validation(await api.get(path, params=params, headers=h), ["query", name])


def limited(response: httpx.Response, policy: str, limit: int) -> None:
    """429 RATE_LIMIT_EXCEEDED in the envelope, Retry-After and the RateLimit fields."""
    refused = cdp.error(response, 429, "RATE_LIMIT_EXCEEDED")
    assert refused["details"] == {"policy": policy, "limit": limit, "window_seconds": 60}
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert response.headers["ratelimit-policy"] == f'"{policy}";q={limit};w=60'
    assert response.headers["ratelimit"].startswith(f'"{policy}";r=0;')


async def test_get_audiences_is_limited_to_60_a_minute(api: httpx.AsyncClient, user: User) -> None:
    """GET /audiences: 60 a minute per user, then 429; other routes and other users keep
    their own budgets."""
    path = f"{AS}/audiences"
    answers = []
    for _ in range(6):
        answers += await asyncio.gather(*(api.get(path, headers=user.headers) for _ in range(10)))
    assert [r.status_code for r in answers] == [200] * 60
    remaining = sorted(int(r.headers["ratelimit"].split("r=")[1].split(";")[0]) for r in answers)
    assert remaining == list(range(60))
    assert answers[0].headers["ratelimit-policy"] == '"audiences-list";q=60;w=60'
    limited(await api.get(path, headers=user.headers), "audiences-list", 60)
    assert (await api.get(f"{AS}/platforms", headers=user.headers)).status_code == 200
    other = await register(api)
    assert (await api.get(path, headers=other.headers)).status_code == 200


async def test_post_audiences_is_limited_to_10_a_minute(api: httpx.AsyncClient, user: User) -> None:
    """POST /audiences: 10 a minute per user, refused ones included, then 429 even for a
    valid request; listing is not affected."""
    for _ in range(10):
        cdp.validation(await api.post(f"{AS}/audiences", json={}, headers=user.headers))
    connection = await cdp.connect(api, user.headers, "meta")
    segment_id = await cdp.new_segment(api, user, cdp.profiles(0, 2))
    limited(
        await cdp.create(api, user.headers, segment_id, "meta", connection.account),
        "audiences-create",
        10,
    )
    body = (await api.get(f"{AS}/audiences", headers=user.headers)).json()
    assert body["total"] == 0


async def test_sync_is_limited_to_10_a_minute_per_audience(
    api: httpx.AsyncClient, user: User
) -> None:
    """POST /audiences/{id}/sync: 10 a minute for each audience (409s count), then 429; the
    user's other audience can still be synced."""
    connection = await cdp.connect(api, user.headers, "meta")
    segment_id = await cdp.new_segment(api, user, cdp.profiles(0, 2))
    first, second = [
        (await cdp.created(api, user.headers, segment_id, "meta", connection.account))["audience"]
        for _ in range(2)
    ]
    path = f"{AS}/audiences/{first['id']}/sync"
    statuses = [
        (await api.post(path, json={"operation": "update"}, headers=user.headers)).status_code
        for _ in range(10)
    ]
    assert set(statuses) <= {202, 409} and statuses[0] == 202, statuses
    limited(
        await api.post(path, json={"operation": "update"}, headers=user.headers),
        "audience-sync",
        10,
    )
    other = await api.post(
        f"{AS}/audiences/{second['id']}/sync", json={"operation": "update"}, headers=user.headers
    )
    assert other.status_code == 202, other.text
