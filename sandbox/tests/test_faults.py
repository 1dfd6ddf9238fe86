"""Fault injection and rate limits: each platform's own error for each kind."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

Call = Callable[[], Awaitable[httpx.Response]]


async def meta_call(kit: Any, client: httpx.AsyncClient) -> Call:
    token = await kit.meta()
    return lambda: client.get("/meta/graph/v25.0/me/adaccounts", params={"access_token": token})


async def google_call(kit: Any, client: httpx.AsyncClient) -> Call:
    token = (await kit.google())["access_token"]
    headers = {"Authorization": f"Bearer {token}", "developer-token": "d"}
    return lambda: client.get("/google/ads/v21/customers:listAccessibleCustomers", headers=headers)


async def tiktok_call(kit: Any, client: httpx.AsyncClient) -> Call:
    token = (await kit.tiktok())["access_token"]
    return lambda: client.get(
        "/tiktok/business/open_api/v1.3/oauth2/advertiser/get/",
        params={"app_id": "a", "secret": "s"},
        headers={"Access-Token": token},
    )


async def snapchat_call(kit: Any, client: httpx.AsyncClient) -> Call:
    token = (await kit.snapchat())["access_token"]
    return lambda: client.get(
        "/snapchat/adsapi/v1/me/organizations", headers={"Authorization": f"Bearer {token}"}
    )


CALLS = {"meta": meta_call, "google": google_call, "tiktok": tiktok_call, "snapchat": snapchat_call}

# platform -> kind -> (HTTP status, a check on the response)
EXPECTED: dict[str, dict[str, tuple[int, Callable[[httpx.Response], bool]]]] = {
    "meta": {
        "rate_limit": (
            400,
            lambda r: r.json()["error"]["code"] == 17 and "X-Business-Use-Case-Usage" in r.headers,
        ),
        "token_expired": (400, lambda r: r.json()["error"]["code"] == 190),
        "permission": (403, lambda r: r.json()["error"]["code"] == 200),
        "server_error": (500, lambda r: r.json()["error"]["is_transient"] is True),
        "invalid_request": (400, lambda r: r.json()["error"]["code"] == 100),
    },
    "google": {
        "rate_limit": (429, lambda r: r.json()["error"]["status"] == "RESOURCE_EXHAUSTED"),
        "token_expired": (401, lambda r: r.json()["error"]["status"] == "UNAUTHENTICATED"),
        "permission": (403, lambda r: r.json()["error"]["status"] == "PERMISSION_DENIED"),
        "server_error": (500, lambda r: r.json()["error"]["status"] == "INTERNAL"),
        "invalid_request": (400, lambda r: r.json()["error"]["status"] == "INVALID_ARGUMENT"),
    },
    "tiktok": {
        "rate_limit": (200, lambda r: r.json()["code"] == 40100),
        "token_expired": (200, lambda r: r.json()["code"] == 40102),
        "permission": (200, lambda r: r.json()["code"] == 40001),
        "server_error": (200, lambda r: r.json()["code"] == 50000),
        "invalid_request": (200, lambda r: r.json()["code"] == 40002),
    },
    "snapchat": {
        "rate_limit": (429, lambda r: int(r.headers["Retry-After"]) > 0),
        "token_expired": (401, lambda r: r.json()["request_status"] == "ERROR"),
        "permission": (403, lambda r: r.json()["request_status"] == "ERROR"),
        "server_error": (500, lambda r: r.json()["request_status"] == "ERROR"),
        "invalid_request": (400, lambda r: r.json()["request_status"] == "ERROR"),
    },
}


def succeeded(platform: str, response: httpx.Response) -> bool:
    if platform == "tiktok":
        return response.status_code == 200 and response.json()["code"] == 0
    return response.status_code == 200


@pytest.mark.parametrize("platform", list(CALLS))
@pytest.mark.parametrize(
    "kind", ["rate_limit", "token_expired", "permission", "server_error", "invalid_request"]
)
async def test_fault_fires_next_n_calls(
    platform: str, kind: str, kit: Any, client: httpx.AsyncClient
) -> None:
    call = await CALLS[platform](kit, client)
    assert succeeded(platform, await call())
    r = await client.post("/_admin/faults", json={"platform": platform, "kind": kind, "count": 2})
    assert r.status_code == 201
    status, check = EXPECTED[platform][kind]
    for _ in range(2):
        failed = await call()
        assert failed.status_code == status, failed.text
        assert check(failed), failed.text
    assert succeeded(platform, await call())


@pytest.mark.parametrize("platform", list(CALLS))
async def test_latency_fault(platform: str, kit: Any, client: httpx.AsyncClient) -> None:
    call = await CALLS[platform](kit, client)
    await client.post(
        "/_admin/faults", json={"platform": platform, "kind": "latency", "latency_ms": 200}
    )
    started = time.perf_counter()
    response = await call()
    assert time.perf_counter() - started >= 0.2
    assert succeeded(platform, response)
    started = time.perf_counter()
    await call()
    assert time.perf_counter() - started < 0.2


async def test_fault_filters_by_path_and_lists(kit: Any, client: httpx.AsyncClient) -> None:
    call = await meta_call(kit, client)
    token = await kit.meta()
    await client.post(
        "/_admin/faults",
        json={"platform": "meta", "kind": "server_error", "path_contains": "/users"},
    )
    assert (await client.get("/_admin/faults")).json()["faults"][0]["remaining"] == 1
    assert (await call()).status_code == 200
    account = await kit.meta_account(token)
    r = await client.post(
        f"/meta/graph/v25.0/act_{account}/customaudiences",
        data={"name": "a", "customer_file_source": "USER_PROVIDED_ONLY", "access_token": token},
    )
    audience = r.json()["id"]
    r = await client.post(
        f"/meta/graph/v25.0/{audience}/users",
        data={
            "payload": json.dumps({"schema": "EMAIL_SHA256", "data": kit.hashes(1)}),
            "access_token": token,
        },
    )
    assert r.status_code == 500
    assert (await client.get("/_admin/faults")).json()["faults"] == []
    bad = await client.post("/_admin/faults", json={"platform": "myspace", "kind": "latency"})
    assert bad.status_code == 422


async def test_rate_limits_use_platform_signals(kit: Any, client: httpx.AsyncClient) -> None:
    calls = {name: await make(kit, client) for name, make in CALLS.items()}
    r = await client.patch(
        "/_admin/config",
        json={"rate_limits": {"meta": 2, "google": 2, "tiktok": 2, "snapchat": 2}},
    )
    assert r.json()["rate_limits"]["meta"] == 2
    for name, call in calls.items():
        assert succeeded(name, await call())
        assert succeeded(name, await call())
    meta = await calls["meta"]()
    assert meta.json()["error"]["code"] == 17
    usage = json.loads(meta.headers["X-Business-Use-Case-Usage"])
    entry = next(iter(usage.values()))[0]
    assert entry["estimated_time_to_regain_access"] >= 1
    assert entry["call_count"] == 100
    google = await calls["google"]()
    assert google.status_code == 429
    assert google.json()["error"]["status"] == "RESOURCE_EXHAUSTED"
    tiktok = await calls["tiktok"]()
    assert tiktok.json()["code"] == 40100
    snap = await calls["snapchat"]()
    assert snap.status_code == 429 and int(snap.headers["Retry-After"]) >= 1


async def test_meta_audience_calls_throttle_with_80003(kit: Any, client: httpx.AsyncClient) -> None:
    token = await kit.meta()
    account = await kit.meta_account(token)
    await client.patch("/_admin/config", json={"rate_limits": {"meta": 1}})
    form = {"name": "a", "customer_file_source": "USER_PROVIDED_ONLY", "access_token": token}
    url = f"/meta/graph/v25.0/act_{account}/customaudiences"
    assert (await client.post(url, data=form)).status_code == 200
    r = await client.post(url, data=form)
    assert r.json()["error"]["code"] == 80003
    usage = json.loads(r.headers["X-Business-Use-Case-Usage"])
    assert usage[account][0]["type"] == "custom_audience"
