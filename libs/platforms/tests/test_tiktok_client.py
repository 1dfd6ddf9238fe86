"""TikTok client: v1.3 request shapes (segment API, file API, OAuth), asserted with respx."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import httpx
import pytest
import respx

from adscale_platforms import TikTokClient
from adscale_platforms.errors import AudienceTooSmall, PermissionDenied, RateLimited
from adscale_platforms.tiktok import split_audience_id
from kit import body_of, hashes

CLIENT = TikTokClient  # the class the shared ``client`` fixture builds

API = "https://business-api.tiktok.com/open_api/v1.3"


def ok(data: Any = None) -> httpx.Response:
    return httpx.Response(
        200, json={"code": 0, "message": "OK", "request_id": "20260214000000AB", "data": data or {}}
    )


@respx.mock
async def test_exchange_and_refresh(client: TikTokClient) -> None:
    token = respx.post(f"{API}/oauth2/access_token/").mock(
        return_value=ok(
            {
                "access_token": "at-1",
                "refresh_token": "rt-1",
                "access_token_expire_in": 86400,
                "refresh_token_expire_in": 31536000,
                "advertiser_ids": ["700"],
                "scope": ["audience_management"],
            }
        )
    )
    tokens = await client.exchange_code("auth-code", "https://app.test/cb")
    assert body_of(token.calls.last.request) == {
        "app_id": "tt-app",
        "secret": "tt-secret",
        "auth_code": "auth-code",
    }
    assert (tokens.access_token, tokens.refresh_token, tokens.scopes) == (
        "at-1",
        "rt-1",
        ("audience_management",),
    )
    assert tokens.expires_at is not None
    assert "access_token" not in tokens.raw and "refresh_token" not in tokens.raw

    refresh = respx.post(f"{API}/oauth2/refresh_token/").mock(
        return_value=ok(
            {"access_token": "at-2", "refresh_token": "rt-2", "access_token_expire_in": 86400}
        )
    )
    again = await client.refresh("rt-1")
    assert body_of(refresh.calls.last.request)["refresh_token"] == "rt-1"
    assert again.access_token == "at-2"


@respx.mock
async def test_list_ad_accounts(client: TikTokClient) -> None:
    listed = respx.get(f"{API}/oauth2/advertiser/get/").mock(
        return_value=ok({"list": [{"advertiser_id": "700", "advertiser_name": "Shop TT"}]})
    )
    info = respx.get(f"{API}/advertiser/info/").mock(
        return_value=ok({"list": [{"advertiser_id": "700", "name": "Shop TT", "currency": "USD"}]})
    )
    accounts = await client.list_ad_accounts("at-1")
    assert [(a.id, a.name, a.currency) for a in accounts] == [("700", "Shop TT", "USD")]
    request = listed.calls.last.request
    assert request.headers["access-token"] == "at-1"
    assert "authorization" not in request.headers
    assert dict(request.url.params) == {"app_id": "tt-app", "secret": "tt-secret"}
    assert json.loads(info.calls.last.request.url.params["advertiser_ids"]) == ["700"]


@respx.mock
async def test_audience_lifecycle(client: TikTokClient) -> None:
    create = respx.post(f"{API}/segment/audience/").mock(return_value=ok({"audience_id": "55501"}))
    audience_id = await client.create_audience(
        "at", "700", "Buyers", "ignored", schema_field="phone"
    )
    assert audience_id == "700:55501"
    assert split_audience_id(audience_id) == ("700", "55501")
    assert body_of(create.calls.last.request) == {
        "advertiser_id": "700",
        "custom_audience_name": "Buyers",
        "id_type": "PHONE_SHA256",
        "action": "create",
    }
    get = respx.get(f"{API}/dmp/custom_audience/get/").mock(
        return_value=ok(
            {
                "list": [
                    {
                        "audience_details": {
                            "audience_id": "55501",
                            "name": "Buyers",
                            "cover_num": 22100,
                            "is_valid": True,
                        },
                        "audience_history": [],
                    }
                ]
            }
        )
    )
    info = await client.get_audience("at", audience_id)
    assert (info.size, info.status) == (22100, "VALID")
    params = get.calls.last.request.url.params
    assert params["advertiser_id"] == "700"
    assert json.loads(params["custom_audience_ids"]) == ["55501"]
    delete = respx.post(f"{API}/dmp/custom_audience/delete/").mock(return_value=ok())
    await client.delete_audience("at", audience_id)
    assert body_of(delete.calls.last.request) == {
        "advertiser_id": "700",
        "custom_audience_ids": ["55501"],
    }
    with pytest.raises(ValueError):
        await client.get_audience("at", "55501")


@respx.mock
async def test_mapping_add_and_delete(client: TikTokClient) -> None:
    route = respx.post(f"{API}/segment/mapping/").mock(return_value=ok())
    result = await client.members("add", "at", "700:55501", "email", hashes(2_500))
    bodies = [body_of(c.request) for c in route.calls]
    assert [len(b["batch_data"]) for b in bodies] == [1_000, 1_000, 500]
    first = bodies[0]
    assert first["advertiser_ids"] == ["700"]
    assert first["action"] == "add"
    assert first["id_schema"] == ["EMAIL_SHA256"]
    assert first["batch_data"][0] == [{"id": hashes(1)[0], "audience_ids": ["55501"]}]
    assert result.received == 2_500

    await client.members("remove", "at", "700:55501", "madid", hashes(3, "m"))
    last = body_of(route.calls.last.request)
    assert last["action"] == "delete"
    assert last["id_schema"] == ["IDFA_SHA256"]


@respx.mock
async def test_error_on_http_200_is_raised(client: TikTokClient, sleeps: Any) -> None:
    route = respx.post(f"{API}/segment/mapping/").mock(
        return_value=httpx.Response(
            200,
            json={
                "code": 40001,
                "message": "No permission to operate this advertiser.",
                "data": {},
            },
        )
    )
    with pytest.raises(PermissionDenied) as caught:
        await client.members("add", "at", "700:1", "email", hashes(2))
    assert caught.value.code == 40001
    assert route.call_count == 1
    assert sleeps.calls == []


@respx.mock
async def test_rate_limit_code_is_retried(client: TikTokClient, sleeps: Any) -> None:
    route = respx.post(f"{API}/segment/mapping/").mock(
        side_effect=[
            httpx.Response(200, json={"code": 40100, "message": "Too many requests.", "data": {}}),
            ok(),
        ]
    )
    await client.members("add", "at", "700:1", "email", hashes(2))
    assert route.call_count == 2
    assert len(sleeps.calls) == 1 and sleeps.calls[0] <= 4.0


def upload_handler(paths: list[str], files: list[bytes]) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        content = request.content
        boundary = re.search(rb"boundary=([^;]+)", request.headers["content-type"].encode())
        assert boundary is not None
        parts = content.split(b"--" + boundary.group(1))
        fields: dict[str, bytes] = {}
        for part in parts:
            match = re.search(rb'name="([^"]+)"', part)
            if match:
                fields[match.group(1).decode()] = part.split(b"\r\n\r\n", 1)[1].rsplit(b"\r\n", 1)[
                    0
                ]
        assert fields["advertiser_id"] == b"700"
        assert fields["calculate_type"] == b"EMAIL_SHA256"
        assert (
            fields["file_signature"].decode()
            == hashlib.md5(fields["file"], usedforsecurity=False).hexdigest()
        )
        files.append(fields["file"])
        path = f"/tmp/dmp/file-{len(paths)}"
        paths.append(path)
        return ok({"file_path": path})

    return handler


@respx.mock
async def test_replace_uses_file_api_with_explicit_action(
    http: httpx.AsyncClient, settings_factory: Any
) -> None:
    client = TikTokClient(http, settings_factory(tiktok_file_max_rows=10))
    paths: list[str] = []
    files: list[bytes] = []
    respx.post(f"{API}/dmp/custom_audience/file/upload/").mock(
        side_effect=upload_handler(paths, files)
    )
    update = respx.post(f"{API}/dmp/custom_audience/update/").mock(return_value=ok())
    rows = hashes(520)
    reports = [r async for r in client.stream_members("replace", "at", "700:55501", "email", rows)]

    assert len(files) == 52
    assert files[0] == ("\n".join(rows[:10]) + "\n").encode()
    updates = [body_of(c.request) for c in update.calls]
    assert [u["action"] for u in updates] == ["REPLACE", "APPEND"]
    assert updates[0]["file_paths"] == paths[:50]
    assert updates[1]["file_paths"] == paths[50:]
    assert updates[0]["advertiser_id"] == "700"
    assert updates[0]["custom_audience_id"] == "55501"
    assert [(r.rows, r.rows_done, r.last) for r in reports] == [(500, 500, False), (20, 520, True)]


@respx.mock
async def test_replace_refused_below_floor(client: TikTokClient) -> None:
    respx.post(f"{API}/dmp/custom_audience/file/upload/").mock(
        return_value=ok({"file_path": "/f/1"})
    )
    respx.post(f"{API}/dmp/custom_audience/update/").mock(
        return_value=httpx.Response(
            200,
            json={
                "code": 40002,
                "message": "The REPLACE operation would leave the audience with 12 users; "
                "an audience must keep at least 1000 users after an update.",
                "data": {},
            },
        )
    )
    with pytest.raises(AudienceTooSmall) as caught:
        await client.members("replace", "at", "700:55501", "email", hashes(12))
    assert caught.value.code == 40002


@respx.mock
async def test_replace_of_profiles_files_the_first_type_then_maps_every_id(
    http: httpx.AsyncClient, settings_factory: Any
) -> None:
    """A customer file takes one identifier type; profiles with several identifiers are
    mapped with all of them right after their file was applied, one report per batch."""
    client = TikTokClient(http, settings_factory(tiktok_file_max_rows=2))
    paths: list[str] = []
    files: list[bytes] = []
    respx.post(f"{API}/dmp/custom_audience/file/upload/").mock(
        side_effect=upload_handler(paths, files)
    )
    order: list[str] = []

    def update(request: httpx.Request) -> httpx.Response:
        order.append(body_of(request)["action"])
        return ok()

    def mapping(request: httpx.Request) -> httpx.Response:
        order.append("map")
        return ok()

    respx.post(f"{API}/dmp/custom_audience/update/").mock(side_effect=update)
    mapped = respx.post(f"{API}/segment/mapping/").mock(side_effect=mapping)
    e, p = hashes(3), hashes(3, prefix="p")
    rows = [(e[0], p[0]), ("", p[1]), (e[2], "")]
    reports = [
        r
        async for r in client.stream_members("replace", "at", "700:55501", ["email", "phone"], rows)
    ]
    assert files == [(e[0] + "\n").encode(), (e[2] + "\n").encode()]
    assert order == ["REPLACE", "map", "APPEND", "map"]
    first = body_of(mapped.calls[0].request)
    assert first["id_schema"] == ["EMAIL_SHA256", "PHONE_SHA256"]
    assert first["batch_data"] == [
        [{"id": e[0], "audience_ids": ["55501"]}, {"id": p[0], "audience_ids": ["55501"]}],
        [{}, {"id": p[1], "audience_ids": ["55501"]}],
    ]
    assert [(r.rows, r.rows_done, r.last) for r in reports] == [(2, 2, False), (1, 3, True)]


async def test_replace_needs_rows(client: TikTokClient) -> None:
    with pytest.raises(ValueError):
        await client.members("replace", "at", "700:1", "email", [])
    with pytest.raises(ValueError):
        await client.members("replace", "at", "700:1", ["email", "zip"], [("a", "b")])


@respx.mock
async def test_rate_limit_exhausts_attempts(client: TikTokClient, sleeps: Any) -> None:
    route = respx.post(f"{API}/segment/mapping/").mock(
        return_value=httpx.Response(
            200, json={"code": 40100, "message": "Too many requests.", "data": {}}
        )
    )
    with pytest.raises(RateLimited):
        await client.members("add", "at", "700:1", "email", hashes(1))
    assert route.call_count == 4  # max_attempts
    assert len(sleeps.calls) == 3
