"""Snapchat client: Marketing API v1 request shapes, asserted with respx."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx

from adscale_platforms import SnapchatClient
from adscale_platforms.errors import InvalidRequest, RateLimited
from kit import body_of, form_of, hashes

CLIENT = SnapchatClient  # the class the shared ``client`` fixture builds

API = "https://adsapi.snapchat.com/v1"
TOKEN_URL = "https://accounts.snapchat.com/login/oauth2/access_token"


def snap_ok(key: str, inner: str, value: dict[str, Any], **top: Any) -> httpx.Response:
    """Snapchat's 200 answer: ``request_status`` SUCCESS and one successful sub-request
    holding ``value`` as ``inner`` in the ``key`` list."""
    item = {"sub_request_status": "SUCCESS", inner: value}
    return httpx.Response(200, json={"request_status": "SUCCESS", **top, key: [item]})


def users_ok(request: httpx.Request) -> httpx.Response:
    count = len(body_of(request)["users"][0]["data"])
    return snap_ok("users", "user", {"number_uploaded_users": count}, request_id="r")


@respx.mock
async def test_exchange_and_refresh(client: SnapchatClient) -> None:
    route = respx.post(TOKEN_URL).mock(
        return_value=httpx.Response(
            200,
            json={
                "access_token": "sat",
                "token_type": "Bearer",
                "expires_in": 1800,
                "refresh_token": "srt",
                "scope": "snapchat-marketing-api",
            },
        )
    )
    tokens = await client.exchange_code("c0de", "https://app.test/cb")
    assert form_of(route.calls.last.request) == {
        "grant_type": "authorization_code",
        "client_id": "snap-client",
        "client_secret": "snap-secret",
        "code": "c0de",
        "redirect_uri": "https://app.test/cb",
    }
    assert (tokens.access_token, tokens.refresh_token, tokens.scopes) == (
        "sat",
        "srt",
        ("snapchat-marketing-api",),
    )
    await client.refresh("srt")
    form = form_of(route.calls.last.request)
    assert form["grant_type"] == "refresh_token"
    assert form["refresh_token"] == "srt"


@respx.mock
async def test_list_ad_accounts(client: SnapchatClient) -> None:
    route = respx.get(f"{API}/me/organizations").mock(
        return_value=snap_ok(
            "organizations",
            "organization",
            {
                "id": "org-1",
                "ad_accounts": [
                    {"id": "acc-1", "name": "Snap Shop", "currency": "USD"},
                    {"id": "acc-2", "name": "Snap EU", "currency": "EUR"},
                ],
            },
        )
    )
    accounts = await client.list_ad_accounts("sat")
    assert [(a.id, a.currency) for a in accounts] == [("acc-1", "USD"), ("acc-2", "EUR")]
    assert route.calls.last.request.url.params["with_ad_accounts"] == "true"
    assert route.calls.last.request.headers["authorization"] == "Bearer sat"


@respx.mock
async def test_segment_lifecycle(client: SnapchatClient) -> None:
    create = respx.post(f"{API}/adaccounts/acc-1/segments").mock(
        return_value=snap_ok("segments", "segment", {"id": "seg-1", "name": "Buyers"})
    )
    assert await client.create_audience("sat", "acc-1", "Buyers", "CRM buyers") == "seg-1"
    assert body_of(create.calls.last.request) == {
        "segments": [
            {
                "name": "Buyers",
                "description": "CRM buyers",
                "source_type": "FIRST_PARTY",
                "retention_in_days": 9999,
                "ad_account_id": "acc-1",
            }
        ]
    }
    respx.get(f"{API}/segments/seg-1").mock(
        return_value=snap_ok(
            "segments",
            "segment",
            {
                "id": "seg-1",
                "approximate_number_users": 21500,
                "upload_status": "COMPLETE",
                "targetable_status": "READY",
            },
        )
    )
    info = await client.get_audience("sat", "seg-1")
    assert (info.size, info.status, info.match_rate) == (21500, "READY", None)
    delete = respx.delete(f"{API}/segments/seg-1").mock(
        return_value=httpx.Response(200, json={"request_status": "SUCCESS"})
    )
    await client.delete_audience("sat", "seg-1")
    assert delete.called


@respx.mock
async def test_add_remove_request_shapes(http: httpx.AsyncClient, settings_factory: Any) -> None:
    client = SnapchatClient(http, settings_factory(snapchat_batch_max_rows=1_000))
    add = respx.post(f"{API}/segments/seg-1/users").mock(side_effect=users_ok)
    result = await client.members("add", "sat", "seg-1", "email", hashes(2_500))
    bodies = [body_of(c.request) for c in add.calls]
    assert [len(b["users"][0]["data"]) for b in bodies] == [1_000, 1_000, 500]
    assert bodies[0]["users"][0]["schema"] == ["EMAIL_SHA256"]
    assert bodies[0]["users"][0]["data"][0] == [hashes(1)[0]]
    assert result.received == 2_500

    remove = respx.delete(f"{API}/segments/seg-1/users").mock(side_effect=users_ok)
    await client.members("remove", "sat", "seg-1", "madid", hashes(2))
    assert body_of(remove.calls.last.request)["users"][0] == {
        "id": "seg-1",
        "schema": ["MOBILE_AD_ID_SHA256"],
        "data": [[h] for h in hashes(2)],
    }


@respx.mock
async def test_replace_removes_all_users_then_adds(client: SnapchatClient) -> None:
    order: list[str] = []

    def remove_all(request: httpx.Request) -> httpx.Response:
        order.append("all_users")
        return httpx.Response(200, json={"request_status": "SUCCESS"})

    def add(request: httpx.Request) -> httpx.Response:
        order.append("users")
        return users_ok(request)

    respx.delete(f"{API}/segments/seg-1/all_users").mock(side_effect=remove_all)
    respx.post(f"{API}/segments/seg-1/users").mock(side_effect=add)
    result = await client.members("replace", "sat", "seg-1", "phone", hashes(10))
    assert order == ["all_users", "users"]
    assert result.received == 10


@respx.mock
async def test_profiles_go_out_in_one_lane_per_identifier_type(client: SnapchatClient) -> None:
    """Snapchat takes one identifier type per request: a batch of profiles is one request
    per type it holds, and the report counts each profile once."""
    route = respx.post(f"{API}/segments/seg-1/users").mock(side_effect=users_ok)
    e, p, m = hashes(3), hashes(6)[3:], hashes(9)[6:]
    rows = [(e[0], p[0], ""), (e[1], "", m[1]), ("", p[2], ""), ("", "", "")]
    result = await client.members("add", "sat", "seg-1", ["email", "phone", "madid"], rows)
    bodies = [body_of(c.request)["users"][0] for c in route.calls]
    assert [(b["schema"], b["data"]) for b in bodies] == [
        (["EMAIL_SHA256"], [[e[0]], [e[1]]]),
        (["PHONE_SHA256"], [[p[0]], [p[2]]]),
        (["MOBILE_AD_ID_SHA256"], [[m[1]]]),
    ]
    assert (result.received, result.invalid, result.batches) == (3, 1, 1)

    remove = respx.delete(f"{API}/segments/seg-1/users").mock(side_effect=users_ok)
    await client.members("remove", "sat", "seg-1", ["email", "phone"], [("", p[0])])
    assert [body_of(c.request)["users"][0] for c in remove.calls] == [
        {"id": "seg-1", "schema": ["PHONE_SHA256"], "data": [[p[0]]]}
    ]


async def test_fields_snapchat_does_not_take_are_refused(client: SnapchatClient) -> None:
    with pytest.raises(ValueError):
        await client.members("add", "sat", "seg-1", "first_name", ["x"])
    with pytest.raises(ValueError):
        await client.members("add", "sat", "seg-1", ["email", "zip"], [("a", "b")])


@respx.mock
async def test_429_retry_after_is_honoured(client: SnapchatClient, sleeps: Any) -> None:
    route = respx.post(f"{API}/segments/seg-1/users").mock(
        side_effect=[
            httpx.Response(
                429,
                headers={"Retry-After": "7"},
                json={"request_status": "ERROR", "debug_message": "Too many requests."},
            ),
            users_ok,
        ]
    )
    await client.members("add", "sat", "seg-1", "email", hashes(3))
    assert route.call_count == 2
    assert sleeps.calls == [7.0]


@respx.mock
async def test_sub_request_error_is_invalid_request(client: SnapchatClient) -> None:
    respx.post(f"{API}/segments/seg-1/users").mock(
        return_value=httpx.Response(
            200,
            json={
                "request_status": "PARTIAL",
                "users": [
                    {"sub_request_status": "ERROR", "sub_request_error_reason": "Invalid hash"}
                ],
            },
        )
    )
    with pytest.raises(InvalidRequest, match="Invalid hash"):
        await client.members("add", "sat", "seg-1", "email", hashes(1))


@respx.mock
async def test_rate_limit_wait_capped_by_setting(
    http: httpx.AsyncClient, settings_factory: Any, sleeps: Any
) -> None:
    client = SnapchatClient(
        http, settings_factory(max_retry_wait_seconds=2.5, max_attempts=2), sleep=sleeps
    )
    respx.post(f"{API}/segments/seg-1/users").mock(
        return_value=httpx.Response(
            429, headers={"Retry-After": "600"}, json={"request_status": "ERROR"}
        )
    )
    with pytest.raises(RateLimited) as caught:
        await client.members("add", "sat", "seg-1", "email", hashes(1))
    assert caught.value.retry_after == 600
    assert sleeps.calls == [2.5]
