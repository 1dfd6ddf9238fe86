"""HTTP conventions of the service's routes (``adscale_common.routing`` and its error
handlers): the 401 for a request without a user names its scheme, a 405 lists every method
of the path, a trailing slash is the same resource (never a redirect to the service's own
address)."""

from __future__ import annotations

import uuid

import httpx

from adscale_common.testing import internal_headers
from kit import AS, KEY, SEGMENTS, Api, error_of


async def test_a_request_without_a_user_is_401_with_www_authenticate(
    client: httpx.AsyncClient,
) -> None:
    anonymous = internal_headers(KEY, user_id=None, plan=None, auth="anonymous")
    for path in (f"{AS}/platforms", SEGMENTS, f"{AS}/audiences/{uuid.uuid4()}"):
        response = await client.get(path, headers=anonymous)
        assert response.status_code == 401, response.text
        assert error_of(response)["code"] == "UNAUTHORIZED"
        assert response.headers["www-authenticate"] == "Bearer"


async def test_credentials_expired_is_not_a_challenge_to_the_caller(api: Api) -> None:
    segment = await api.segment(profiles=[{"external_id": "a", "email": "a@example.com"}])
    meta = await api.connect("meta")
    await api.sandbox.revoke_tokens("meta")
    response = await api.post(
        f"{AS}/audiences",
        json={
            "segment_id": segment["id"],
            "platform": "meta",
            "ad_account_id": meta["ad_accounts"][0]["id"],
            "audience_name": "VIPs",
        },
    )
    assert response.status_code == 401, response.text
    assert error_of(response)["code"] == "CREDENTIALS_EXPIRED"
    assert "www-authenticate" not in response.headers


async def test_405_lists_every_method_of_the_path(api: Api) -> None:
    for method, path, allowed in [
        ("PUT", f"{AS}/audiences/{uuid.uuid4()}", "DELETE, GET, PATCH"),
        ("PUT", SEGMENTS, "GET, POST"),
        ("GET", f"{AS}/platforms/meta", "DELETE"),
        ("DELETE", f"{AS}/sync-jobs/{uuid.uuid4()}", "GET"),
    ]:
        response = await api.client.request(method, path, headers=api.headers)
        assert response.status_code == 405, response.text
        assert error_of(response)["code"] == "METHOD_NOT_ALLOWED"
        assert response.headers["allow"] == allowed, path


async def test_a_trailing_slash_is_the_same_resource(api: Api) -> None:
    segment = await api.segment(name="Slash")
    listed = await api.get(f"{SEGMENTS}/")
    assert listed.status_code == 200, listed.text
    assert [s["id"] for s in listed.json()["segments"]] == [segment["id"]]
    one = await api.get(f"{SEGMENTS}/{segment['id']}/")
    assert one.status_code == 200 and one.json()["id"] == segment["id"]
    platforms = await api.get(f"{AS}/platforms/")
    assert platforms.status_code == 200
    assert len(platforms.json()["platforms"]) == 4
