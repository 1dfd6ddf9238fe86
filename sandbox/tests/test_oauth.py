"""OAuth per platform: redirect with code and state, PKCE, refresh, expired and revoked tokens."""

from __future__ import annotations

from typing import Any

import httpx

REDIRECT = "https://app.example.test/oauth/callback"


async def expire(client: httpx.AsyncClient, platform: str) -> None:
    r = await client.post("/_admin/tokens/expire", json={"platform": platform})
    assert r.json()["expired"] >= 1


async def test_meta_flow_exchange_and_expiry(kit: Any, client: httpx.AsyncClient) -> None:
    r = await client.get(
        "/meta/www/v25.0/dialog/oauth",
        params={"client_id": "app-1", "redirect_uri": REDIRECT, "state": "xyz"},
    )
    params = kit.redirect_params(r)
    assert params["state"] == "xyz" and params["code"]
    r = await kit.meta_exchange(params["code"])
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    token = body["access_token"]
    reused = await kit.meta_exchange(params["code"])
    assert reused.status_code == 400 and reused.json()["error"]["error_subcode"] == 36009

    long_lived = await client.get(
        "/meta/graph/v25.0/oauth/access_token",
        params={
            "grant_type": "fb_exchange_token",
            "client_id": "app-1",
            "client_secret": "s",
            "fb_exchange_token": token,
        },
    )
    assert long_lived.status_code == 200
    assert long_lived.json()["expires_in"] > 3600

    bearer = await client.get("/meta/graph/v25.0/me", headers={"Authorization": f"Bearer {token}"})
    assert bearer.status_code == 200
    r = await client.post("/_admin/tokens/expire", json={"platform": "meta", "token": token})
    assert r.json() == {"expired": 1}
    r = await client.get("/meta/graph/v25.0/me", params={"access_token": token})
    assert r.status_code == 400
    error = r.json()["error"]
    assert (error["code"], error["error_subcode"], error["type"]) == (190, 463, "OAuthException")
    assert "invalid_token" in r.headers["WWW-Authenticate"]
    fresh = await client.get(
        "/meta/graph/v25.0/me", params={"access_token": long_lived.json()["access_token"]}
    )
    assert fresh.status_code == 200, "fb_exchange_token issued a 60-day token"

    missing = await client.get("/meta/graph/v25.0/me")
    assert missing.json()["error"]["code"] == 104
    garbage = await client.get("/meta/graph/v25.0/me", params={"access_token": "nope"})
    assert garbage.json()["error"]["code"] == 190


async def test_meta_redirect_uri_must_match(kit: Any, client: httpx.AsyncClient) -> None:
    code = await kit.authorize(
        "/meta/www/v25.0/dialog/oauth", {"client_id": "app-1", "redirect_uri": REDIRECT}
    )
    r = await kit.meta_exchange(code, "https://evil.test/")
    assert r.status_code == 400 and r.json()["error"]["error_subcode"] == 36008


async def test_google_pkce_is_verified(kit: Any, client: httpx.AsyncClient) -> None:
    verifier = "v" * 50
    form = {
        "grant_type": "authorization_code",
        "redirect_uri": REDIRECT,
        "client_id": "gclient",
        "client_secret": "x",
    }
    wrong = await client.post(
        "/google/oauth2/token",
        data={**form, "code": await kit.google_code(verifier, "st8"), "code_verifier": "w" * 50},
    )
    assert wrong.status_code == 400
    assert wrong.json() == {"error": "invalid_grant", "error_description": "Invalid code verifier."}
    missing = await client.post(
        "/google/oauth2/token", data={**form, "code": await kit.google_code(verifier, "st8")}
    )
    assert missing.json()["error_description"] == "Missing code verifier."
    good = await client.post(
        "/google/oauth2/token",
        data={**form, "code": await kit.google_code(verifier, "st8"), "code_verifier": verifier},
    )
    assert good.status_code == 200
    assert set(good.json()) >= {"access_token", "refresh_token", "expires_in", "token_type"}


async def test_google_expiry_and_refresh(kit: Any, client: httpx.AsyncClient) -> None:
    tokens = await kit.google()
    headers = {"Authorization": f"Bearer {tokens['access_token']}", "developer-token": "d"}
    url = "/google/datamanager/v1/accountTypes/GOOGLE_ADS/accounts/1/userLists"
    await expire(client, "google")
    r = await client.get(url, headers=headers)
    assert r.status_code == 401
    error = r.json()["error"]
    assert error["status"] == "UNAUTHENTICATED"
    assert error["details"][0]["reason"] == "ACCESS_TOKEN_EXPIRED"
    ads = await client.get("/google/ads/v21/customers:listAccessibleCustomers", headers=headers)
    assert ads.status_code == 401
    assert ads.json()["error"]["details"][0]["errors"][0]["errorCode"] == {
        "authenticationError": "OAUTH_TOKEN_EXPIRED"
    }
    refreshed = await kit.refresh(
        "/google/oauth2/token", tokens["refresh_token"], "gclient", "gsecret"
    )
    assert "refresh_token" not in refreshed
    new_headers = {**headers, "Authorization": f"Bearer {refreshed['access_token']}"}
    ok = await client.get("/google/ads/v21/customers:listAccessibleCustomers", headers=new_headers)
    assert ok.status_code == 200
    no_token = await client.get(url)
    assert no_token.status_code == 401
    assert no_token.json()["error"]["details"][0]["reason"] == "CREDENTIALS_MISSING"


async def test_tiktok_flow_expiry_and_refresh(kit: Any, client: httpx.AsyncClient) -> None:
    r = await client.get(
        "/tiktok/business/portal/auth",
        params={"app_id": "tt-app", "redirect_uri": REDIRECT, "state": "t1"},
    )
    params = kit.redirect_params(r)
    assert params["state"] == "t1" and params["auth_code"] == params["code"]
    token_url = "/tiktok/business/open_api/v1.3/oauth2/access_token/"
    r = await client.post(
        token_url, json={"app_id": "tt-app", "secret": "s", "auth_code": params["auth_code"]}
    )
    data = r.json()["data"]
    assert len(data["advertiser_ids"]) == 3
    headers = {"Access-Token": data["access_token"]}
    url = "/tiktok/business/open_api/v1.3/oauth2/advertiser/get/"
    query = {"app_id": "tt-app", "secret": "s"}
    assert (await client.get(url, params=query, headers=headers)).json()["code"] == 0
    await expire(client, "tiktok")
    expired = await client.get(url, params=query, headers=headers)
    assert expired.status_code == 200
    assert expired.json()["code"] == 40102
    r = await client.post(
        "/tiktok/business/open_api/v1.3/oauth2/refresh_token/",
        json={"app_id": "tt-app", "secret": "s", "refresh_token": data["refresh_token"]},
    )
    new = r.json()["data"]["access_token"]
    assert (await client.get(url, params=query, headers={"Access-Token": new})).json()["code"] == 0
    bad_code = await client.post(
        token_url, json={"app_id": "tt-app", "secret": "s", "auth_code": params["auth_code"]}
    )
    assert bad_code.json()["code"] == 40110
    await client.post("/_admin/tokens/revoke", json={"platform": "tiktok"})
    revoked = await client.get(url, params=query, headers={"Access-Token": new})
    assert revoked.json()["code"] == 40105


async def test_snapchat_flow_expiry_and_refresh(kit: Any, client: httpx.AsyncClient) -> None:
    tokens = await kit.snapchat()
    assert tokens["token_type"] == "Bearer"
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert (await client.get("/snapchat/adsapi/v1/me", headers=headers)).status_code == 200
    await expire(client, "snapchat")
    r = await client.get("/snapchat/adsapi/v1/me", headers=headers)
    assert r.status_code == 401
    assert r.json()["request_status"] == "ERROR"
    refreshed = await kit.refresh(
        "/snapchat/accounts/login/oauth2/access_token", tokens["refresh_token"], "snap-app", "x"
    )
    new = {"Authorization": f"Bearer {refreshed['access_token']}"}
    assert (await client.get("/snapchat/adsapi/v1/me", headers=new)).status_code == 200
    bad = await client.post(
        "/snapchat/accounts/login/oauth2/access_token",
        data={
            "grant_type": "authorization_code",
            "code": "nope",
            "client_id": "a",
            "client_secret": "b",
        },
    )
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_grant"


async def test_revocation_per_platform(kit: Any, client: httpx.AsyncClient) -> None:
    meta = await kit.meta()
    google = (await kit.google())["access_token"]
    r = await client.post("/_admin/tokens/revoke", json={"platform": "meta"})
    assert r.json()["revoked"] >= 1
    assert (await client.get("/meta/graph/v25.0/me", params={"access_token": meta})).json()[
        "error"
    ]["code"] == 190
    ok = await client.get(
        "/google/ads/v21/customers:listAccessibleCustomers",
        headers={"Authorization": f"Bearer {google}", "developer-token": "d"},
    )
    assert ok.status_code == 200


async def test_snapchat_pkce_when_a_challenge_is_sent(kit: Any, client: httpx.AsyncClient) -> None:
    verifier = "s" * 60

    async def code() -> str:
        value: str = await kit.authorize(
            "/snapchat/accounts/login/oauth2/authorize",
            {
                "client_id": "snap-app",
                "redirect_uri": REDIRECT,
                "response_type": "code",
                "code_challenge": kit.pkce_challenge(verifier),
                "code_challenge_method": "S256",
            },
        )
        return value

    form = {
        "grant_type": "authorization_code",
        "client_id": "snap-app",
        "client_secret": "x",
        "redirect_uri": REDIRECT,
    }
    url = "/snapchat/accounts/login/oauth2/access_token"
    without = await client.post(url, data={**form, "code": await code()})
    assert without.status_code == 400
    good = await client.post(url, data={**form, "code": await code(), "code_verifier": verifier})
    assert good.status_code == 200
