"""audience-sync-api.md "Platform Endpoints" through the gateway: GET /platforms,
POST /platforms/{platform}/connect, POST /platforms/{platform}/callback and
DELETE /platforms/{platform}, with the sandbox playing Meta, Google, TikTok and Snapchat
(the test is the user at the consent screen and follows its redirect)."""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.contract.conftest import User, register

sys.path.insert(0, str(Path(__file__).parent))
import cdp_kit as cdp
from cdp_kit import AS, kit


async def platforms(api: httpx.AsyncClient, user: User) -> dict[str, dict[str, Any]]:
    response = await api.get(f"{AS}/platforms", headers=user.headers)
    assert response.status_code == 200, response.text
    body = kit.conforms(response.json(), {"platforms": kit.list_of(cdp.ANY)})
    listed = body["platforms"]
    assert [p["platform"] for p in listed] == list(cdp.PLATFORMS)
    for entry in listed:
        kit.conforms(entry, cdp.PLATFORM_ON if entry["connected"] else cdp.PLATFORM_OFF)
    return {p["platform"]: p for p in listed}


async def audience_on(
    api: httpx.AsyncClient, user: User, platform: str, size: int
) -> tuple[cdp.Connection, str, dict[str, Any]]:
    """A connection to ``platform``, a segment of ``size`` profiles and its audience there."""
    connection = await cdp.connect(api, user.headers, platform)
    segment_id = await cdp.new_segment(api, user, cdp.profiles(0, size))
    created = await cdp.created(api, user.headers, segment_id, platform, connection.account)
    return connection, segment_id, created["audience"]


async def grow(
    api: httpx.AsyncClient, user: User, segment_id: str, rows: list[dict[str, str]]
) -> None:
    """Add ``rows`` to the segment: the audience's next update has them to send."""
    await api.post(
        f"{cdp.SEGMENTS}/{segment_id}/profiles", json={"profiles": rows}, headers=user.headers
    )


async def test_list_platforms_before_connecting(api: httpx.AsyncClient, user: User) -> None:
    """All four platforms, in the spec's order, each exactly {platform, connected: false,
    ad_accounts: []} (no scopes or expiry while not connected, as in the spec's example)."""
    listed = await platforms(api, user)
    for name in cdp.PLATFORMS:
        assert listed[name] == {"platform": name, "connected": False, "ad_accounts": []}


async def test_meta_connect_callback_and_listing(api: httpx.AsyncClient, user: User) -> None:
    """connect answers the dialog URL and a single-use state (+ expires_at, 10 minutes);
    the callback answers the platform entry with ad accounts, scopes, token expiry; GET
    /platforms shows the same entry and leaves the others disconnected."""
    before = time.time()
    started = await cdp.start_connect(api, user.headers, "meta")
    url = urlsplit(started["authorization_url"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{cdp.SANDBOX}/meta/www/v25.0/dialog/oauth"
    query = parse_qs(url.query)
    assert query["state"] == [started["state"]] and len(started["state"]) >= 32
    assert query["response_type"] == ["code"] and query["client_id"][0]
    assert query["redirect_uri"][0].startswith("http")
    assert "ads_management" in query["scope"][0]
    assert before + 540 <= cdp.utc(started["expires_at"]) <= time.time() + 660

    # A redirect URI given to connect is the one the platform sends the user back to.
    custom = "https://app.example.com/oauth/meta"
    other = await cdp.start_connect(api, user.headers, "meta", redirect_uri=custom)
    assert other["state"] != started["state"]
    assert parse_qs(urlsplit(other["authorization_url"]).query)["redirect_uri"] == [custom]

    cdp.validation(
        await api.post(
            f"{AS}/platforms/meta/connect", json={"redirect_uri": 5}, headers=user.headers
        ),
        ["body", "redirect_uri"],
    )

    sandbox_user = f"cdp-{uuid.uuid4().hex[:10]}"
    back = await cdp.consent(other["authorization_url"], sandbox_user)
    done = await api.post(
        f"{AS}/platforms/meta/callback",
        json={"code": cdp.code_of(back), "state": other["state"]},
        headers=user.headers,
    )
    assert done.status_code == 200, done.text
    entry = kit.conforms(done.json(), cdp.PLATFORM_ON)
    assert entry["platform"] == "meta" and entry["status"] == "connected"
    assert len(entry["ad_accounts"]) == 3
    assert all(a["id"].startswith("act_") and a["id"][4:].isdigit() for a in entry["ad_accounts"])
    assert sorted(a["name"] for a in entry["ad_accounts"]) == [
        f"Sandbox Meta Account {i}" for i in (1, 2, 3)
    ]
    assert {a["currency"] for a in entry["ad_accounts"]} == {"USD"}
    for account in entry["ad_accounts"]:
        assert before - 5 <= cdp.utc(account["connected_at"]) <= time.time() + 5
    assert entry["scopes"] == ["ads_management", "ads_read"]
    assert entry["expires_at"] is not None and cdp.utc(entry["expires_at"]) > time.time() + 600

    listed = await platforms(api, user)
    assert listed["meta"] == entry
    for name in ("google", "tiktok", "snapchat"):
        assert listed[name]["connected"] is False


@pytest.mark.parametrize("platform", ["tiktok", "snapchat"])
async def test_tiktok_and_snapchat_connect_through_the_sandbox(
    api: httpx.AsyncClient, user: User, platform: str
) -> None:
    """The dev stack's PLATFORMS_* point TikTok and Snapchat at the sandbox: OAuth completes
    with their own ad account ids (TikTok advertiser ids, Snapchat UUIDs) and scopes."""
    started = await cdp.start_connect(api, user.headers, platform)
    url = urlsplit(started["authorization_url"])
    expected = {
        "tiktok": f"{cdp.SANDBOX}/tiktok/business/portal/auth",
        "snapchat": f"{cdp.SANDBOX}/snapchat/accounts/login/oauth2/authorize",
    }[platform]
    assert f"{url.scheme}://{url.netloc}{url.path}" == expected
    assert parse_qs(url.query)["state"] == [started["state"]]
    entry = (await cdp.finish_connect(api, user.headers, platform, started)).body
    assert entry["platform"] == platform and entry["status"] == "connected"
    ids = [a["id"] for a in entry["ad_accounts"]]
    assert len(ids) == 3
    if platform == "tiktok":
        assert all(i.isdigit() and len(i) == 19 for i in ids), ids
        assert entry["scopes"] == ["audience_management"]
    else:
        assert all(str(uuid.UUID(i)) == i for i in ids), ids
        assert entry["scopes"] == ["snapchat-marketing-api"]
    listed = await platforms(api, user)
    assert listed[platform] == entry
    assert [n for n, p in listed.items() if p["connected"]] == [platform]


async def test_google_connect_uses_pkce(api: httpx.AsyncClient, user: User) -> None:
    """Google's dialog URL carries a PKCE S256 challenge and asks for offline access
    (README, OAuth); the callback loads the accessible customers through the Google Ads
    API, which `make up` configures with a developer token (the API refuses calls without
    one: libs/platforms maps that refusal to PLATFORM_ERROR)."""
    started = await cdp.start_connect(api, user.headers, "google")
    query = parse_qs(urlsplit(started["authorization_url"]).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43  # base64url of a SHA-256, no padding
    assert query["access_type"] == ["offline"]
    entry = (await cdp.finish_connect(api, user.headers, "google", started)).body
    assert entry["platform"] == "google" and len(entry["ad_accounts"]) == 3
    assert (await platforms(api, user))["google"]["connected"] is True


async def test_callback_refusals(api: httpx.AsyncClient, user: User, sandbox: cdp.Sandbox) -> None:
    """400 INVALID_OAUTH_STATE for an unknown state, another user's, another platform's or a
    used one (a refused attempt does not burn the state for its owner); 400
    INVALID_OAUTH_CODE when the platform refuses the code (its code and message in details);
    502 PLATFORM_ERROR when the platform fails while the connection is made; 422 for a body
    without code or state."""
    callback = f"{AS}/platforms/meta/callback"
    cdp.error(
        await api.post(callback, json={"code": "x", "state": "nope"}, headers=user.headers),
        400,
        "INVALID_OAUTH_STATE",
    )
    started = await cdp.start_connect(api, user.headers, "meta")
    back = await cdp.consent(started["authorization_url"], f"cdp-{uuid.uuid4().hex[:10]}")
    good = {"code": cdp.code_of(back), "state": started["state"]}

    stranger = await register(api)
    cdp.error(
        await api.post(callback, json=good, headers=stranger.headers), 400, "INVALID_OAUTH_STATE"
    )
    cdp.error(
        await api.post(f"{AS}/platforms/tiktok/callback", json=good, headers=user.headers),
        400,
        "INVALID_OAUTH_STATE",
    )
    assert (await platforms(api, stranger))["meta"]["connected"] is False
    assert (await api.post(callback, json=good, headers=user.headers)).status_code == 200
    cdp.error(await api.post(callback, json=good, headers=user.headers), 400, "INVALID_OAUTH_STATE")

    # A code the platform does not know: the caller's mistake, not a platform failure.
    fresh = await cdp.start_connect(api, user.headers, "meta")
    refused = cdp.error(
        await api.post(
            callback, json={"code": "not-a-code", "state": fresh["state"]}, headers=user.headers
        ),
        400,
        "INVALID_OAUTH_CODE",
    )
    assert refused["details"]["platform"] == "meta"
    assert refused["details"]["platform_error_code"] == 100
    assert refused["details"]["platform_error_message"]
    # The state was spent on that attempt.
    cdp.error(
        await api.post(
            callback, json={"code": "not-a-code", "state": fresh["state"]}, headers=user.headers
        ),
        400,
        "INVALID_OAUTH_STATE",
    )

    # Snapchat refuses to list the organizations' ad accounts after the code exchange.
    snap = await cdp.start_connect(api, user.headers, "snapchat")
    back = await cdp.consent(snap["authorization_url"], f"cdp-{uuid.uuid4().hex[:10]}")
    await sandbox.fault("snapchat", "permission", "/v1/me/organizations", method="GET")
    failed = cdp.error(
        await api.post(
            f"{AS}/platforms/snapchat/callback",
            json={"code": cdp.code_of(back), "state": snap["state"]},
            headers=user.headers,
        ),
        502,
        "PLATFORM_ERROR",
    )
    assert failed["message"] == "Failed to connect on Snapchat"
    assert failed["details"]["platform"] == "snapchat"
    assert failed["details"]["platform_error_code"] is not None
    assert failed["details"]["platform_error_message"]
    assert (await platforms(api, user))["snapchat"]["connected"] is False

    cdp.validation(
        await api.post(callback, json={"state": "s"}, headers=user.headers), ["body", "code"]
    )
    cdp.validation(
        await api.post(callback, json={"code": "c", "state": ""}, headers=user.headers),
        ["body", "state"],
    )
    cdp.validation(await api.post(callback, headers=user.headers), ["body"])


async def test_disconnect_pauses_audiences_until_reconnected_and_resumed(
    api: httpx.AsyncClient, user: User
) -> None:
    """DELETE /platforms/{platform}: {disconnected, platform, ad_accounts_removed}; the
    platform's audiences are paused (no next sync) and cannot sync (400
    PLATFORM_NOT_CONNECTED), nor be deleted from the platform (400, the default
    delete_from_platform=true); a second disconnect is 400 PLATFORM_NOT_CONNECTED. After
    reconnecting, the paused audience can be synced by hand and PATCH is_active: true
    resumes its schedule."""
    connection, _, audience = await audience_on(api, user, "meta", 10)
    assert audience["is_active"] is True and audience["next_sync_at"] is not None

    gone = await api.delete(f"{AS}/platforms/meta", headers=user.headers)
    assert gone.status_code == 200, gone.text
    assert gone.json() == {"disconnected": True, "platform": "meta", "ad_accounts_removed": 3}
    assert (await platforms(api, user))["meta"] == {
        "platform": "meta",
        "connected": False,
        "ad_accounts": [],
    }
    paused = await cdp.audience_detail(api, user.headers, audience["id"])
    assert paused["is_active"] is False and paused["next_sync_at"] is None
    listed = await api.get(f"{AS}/audiences", params={"status": "paused"}, headers=user.headers)
    assert [a["id"] for a in listed.json()["audiences"]] == [audience["id"]]

    sync = f"{AS}/audiences/{audience['id']}/sync"
    not_connected = cdp.error(
        await api.post(sync, json={"operation": "update"}, headers=user.headers),
        400,
        "PLATFORM_NOT_CONNECTED",
    )
    assert not_connected["details"] == {"platform": "meta"}
    again = cdp.error(
        await api.delete(f"{AS}/platforms/meta", headers=user.headers),
        400,
        "PLATFORM_NOT_CONNECTED",
    )
    assert again["details"] == {"platform": "meta"}

    # Without the connection the platform audience cannot be deleted there: say so, or
    # delete here only.
    cdp.error(
        await api.delete(f"{AS}/audiences/{audience['id']}", headers=user.headers),
        400,
        "PLATFORM_NOT_CONNECTED",
    )

    await cdp.connect(api, user.headers, "meta", connection.sandbox_user)
    still = await cdp.audience_detail(api, user.headers, audience["id"])
    assert still["is_active"] is False and still["next_sync_at"] is None
    # A paused audience can still be synced by hand (README); it stays paused.
    by_hand = await api.post(sync, json={"operation": "update"}, headers=user.headers)
    assert by_hand.status_code == 202, by_hand.text
    assert (await cdp.finished(api, user.headers, by_hand.json()["job_id"]))[
        "status"
    ] == "completed"
    assert (await cdp.audience_detail(api, user.headers, audience["id"]))["next_sync_at"] is None
    resumed = await api.patch(
        f"{AS}/audiences/{audience['id']}", json={"is_active": True}, headers=user.headers
    )
    assert resumed.status_code == 200, resumed.text
    body = kit.conforms(resumed.json(), cdp.AUDIENCE_DETAIL)
    assert body["is_active"] is True
    assert cdp.utc(body["next_sync_at"]) - cdp.utc(body["last_sync_at"]) == 24 * 3600


async def test_credentials_expired_until_the_user_reconnects(
    api: httpx.AsyncClient, user: User, sandbox: cdp.Sandbox
) -> None:
    """The platform revokes the token and refuses its refresh: the sync that meets it fails
    with error_code CREDENTIALS_EXPIRED, GET /platforms shows status: expired, and every
    later create, sync or platform delete is 401 CREDENTIALS_EXPIRED until the user
    connects again."""
    connection, segment_id, audience = await audience_on(api, user, "meta", 10)
    assert await sandbox.revoke("meta", connection.sandbox_user) >= 1

    # Nobody knows yet: the sync is accepted, the worker meets the refusal, the refresh
    # fails, the job fails with CREDENTIALS_EXPIRED and the connection shows it.
    sync = f"{AS}/audiences/{audience['id']}/sync"
    await grow(api, user, segment_id, cdp.profiles(100, 2))
    accepted = await cdp.accepted_sync(api, user.headers, audience["id"])
    job = await cdp.finished(api, user.headers, accepted["job_id"])
    assert (job["status"], job["error_code"]) == ("failed", "CREDENTIALS_EXPIRED"), job
    entry = (await platforms(api, user))["meta"]
    assert entry["connected"] is True and entry["status"] == "expired"

    expired = cdp.error(
        await cdp.create(api, user.headers, segment_id, "meta", connection.account),
        401,
        "CREDENTIALS_EXPIRED",
    )
    assert expired["details"] == {"platform": "meta"}
    cdp.error(
        await api.post(sync, json={"operation": "update"}, headers=user.headers),
        401,
        "CREDENTIALS_EXPIRED",
    )
    cdp.error(
        await api.delete(f"{AS}/audiences/{audience['id']}", headers=user.headers),
        401,
        "CREDENTIALS_EXPIRED",
    )

    again = await cdp.connect(api, user.headers, "meta", connection.sandbox_user)
    assert again.body["status"] == "connected"
    assert (await platforms(api, user))["meta"]["status"] == "connected"
    triggered = await cdp.accepted_sync(api, user.headers, audience["id"])
    assert (await cdp.finished(api, user.headers, triggered["job_id"]))["status"] == "completed"


async def test_disconnecting_cancels_the_running_sync(
    api: httpx.AsyncClient, user: User, sandbox: cdp.Sandbox
) -> None:
    """README: disconnecting cancels the platform's pending and running jobs; the worker
    that holds one stops at its next checkpoint and the job stays cancelled."""
    _, segment_id, audience = await audience_on(api, user, "meta", 5)
    await grow(api, user, segment_id, cdp.profiles(60, 2))
    # The platform is slow to answer the read-back: the job is running meanwhile.
    await sandbox.fault(
        "meta", "latency", audience["platform_audience_id"], method="GET", latency_ms=2500
    )
    job_id = (await cdp.accepted_sync(api, user.headers, audience["id"]))["job_id"]
    await cdp.until(
        lambda: cdp.job_of(api, user.headers, job_id), lambda j: j["status"] == "running"
    )
    assert (await api.delete(f"{AS}/platforms/meta", headers=user.headers)).status_code == 200
    cancelled = await cdp.job_of(api, user.headers, job_id)
    assert (cancelled["status"], cancelled["error_code"]) == ("cancelled", "PLATFORM_NOT_CONNECTED")
    assert cancelled["completed_at"] is not None
    # Once the worker is past the slow call, the job is still the cancelled one.
    await asyncio.sleep(3)
    assert await cdp.job_of(api, user.headers, job_id) == cancelled


async def test_an_expired_access_token_is_refreshed_on_the_way(
    api: httpx.AsyncClient, user: User, sandbox: cdp.Sandbox
) -> None:
    """README: the platform client refreshes an expired token once. Snapchat answers the
    upload with 401 (token expired): the job refreshes the token with the stored refresh
    token, resends, completes; the connection stays connected."""
    connection, segment_id, audience = await audience_on(api, user, "snapchat", 5)
    await grow(api, user, segment_id, cdp.profiles(70, 3))
    await sandbox.fault(
        "snapchat", "token_expired", f"{audience['platform_audience_id']}/users", method="POST"
    )
    triggered = await cdp.accepted_sync(api, user.headers, audience["id"])
    job = await cdp.finished(api, user.headers, triggered["job_id"])
    assert (job["status"], job["profiles_added"], job["error_code"]) == ("completed", 3, None), job
    entry = (await platforms(api, user))["snapchat"]
    assert entry["status"] == "connected"
    assert cdp.utc(entry["expires_at"]) >= cdp.utc(connection.body["expires_at"])
