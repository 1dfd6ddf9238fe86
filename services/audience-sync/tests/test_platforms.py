"""Platform connections: OAuth connect and callback (state, PKCE), listing, tokens at rest
with key rotation, disconnect."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from adscale_common.crypto import TokenCipher
from adscale_common.db import make_sessionmaker
from audience_sync.db import unit_of_work
from audience_sync.platform.service import rotate_keys
from kit import AS, PLATFORMS, Api, error_of, make_profiles, read_rows


async def test_list_platforms_before_connecting(api: Api) -> None:
    response = await api.get(f"{AS}/platforms")
    assert response.status_code == 200
    assert response.json() == {
        "platforms": [{"platform": p, "connected": False, "ad_accounts": []} for p in PLATFORMS]
    }


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_connect_and_callback(api: Api, platform: str, engine: AsyncEngine) -> None:
    started = await api.post(f"{AS}/platforms/{platform}/connect")
    assert started.status_code == 200
    body = started.json()
    assert set(body) == {"authorization_url", "state", "expires_at"}
    query = parse_qs(urlsplit(body["authorization_url"]).query)
    assert query["state"] == [body["state"]]
    if platform == "google":  # PKCE S256; the verifier stays on the server
        assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    else:
        assert "code_challenge" not in query
    remaining = datetime.fromisoformat(body["expires_at"]) - datetime.now(UTC)
    assert 500 < remaining.total_seconds() <= 600

    grant = await api.sandbox.follow(body["authorization_url"])
    done = await api.post(f"{AS}/platforms/{platform}/callback", json=grant)
    assert done.status_code == 200, done.text
    connected = done.json()
    assert connected["platform"] == platform and connected["connected"] is True
    assert connected["status"] == "connected"
    assert len(connected["ad_accounts"]) == 3
    account = connected["ad_accounts"][0]
    assert set(account) == {"id", "name", "currency", "connected_at"}
    if platform == "meta":
        assert account["id"].startswith("act_")
    assert connected["scopes"]
    listed = (await api.get(f"{AS}/platforms")).json()["platforms"]
    assert next(p for p in listed if p["platform"] == platform) == connected

    # Single use: the same state again is refused.
    again = await api.post(f"{AS}/platforms/{platform}/callback", json=grant)
    assert again.status_code == 400 and error_of(again)["code"] == "INVALID_OAUTH_STATE"

    # Tokens are encrypted at rest.
    (row,) = await read_rows(
        engine,
        "SELECT access_token_encrypted, refresh_token_encrypted "
        "FROM platform_connection WHERE user_id = :u AND platform = :p",
        u=api.user_id,
        p=platform,
    )
    assert row.access_token_encrypted.startswith("gAAAA")
    assert grant["code"] not in row.access_token_encrypted


async def test_state_is_bound_to_user_platform_and_time(
    api: Api, other: Api, engine: AsyncEngine
) -> None:
    started = (await api.post(f"{AS}/platforms/meta/connect")).json()
    grant = await api.sandbox.follow(started["authorization_url"])
    stolen = await other.post(f"{AS}/platforms/meta/callback", json=grant)
    assert stolen.status_code == 400 and error_of(stolen)["code"] == "INVALID_OAUTH_STATE"
    wrong_platform = await api.post(f"{AS}/platforms/google/callback", json=grant)
    assert wrong_platform.status_code == 400
    unknown = await api.post(
        f"{AS}/platforms/meta/callback", json={"code": "x", "state": "made-up"}
    )
    assert unknown.status_code == 400
    # The rightful owner still can (the refusals above did not burn the state) ...
    assert (await api.post(f"{AS}/platforms/meta/callback", json=grant)).status_code == 200
    # ... and an expired state is refused.
    late = (await api.post(f"{AS}/platforms/tiktok/connect")).json()
    async with engine.begin() as conn:
        await conn.execute(
            sa.text(
                "UPDATE oauth_state SET expires_at = now() - interval '1 second' WHERE user_id = :u"
            ),
            {"u": api.user_id},
        )
    grant = await api.sandbox.follow(late["authorization_url"])
    expired = await api.post(f"{AS}/platforms/tiktok/callback", json=grant)
    assert expired.status_code == 400 and error_of(expired)["code"] == "INVALID_OAUTH_STATE"


async def test_code_the_platform_refuses_is_a_bad_request(api: Api) -> None:
    """A wrong or used authorization code is the caller's input (400), not an outage (502);
    the platform's own code and message still come back in the details."""
    started = (await api.post(f"{AS}/platforms/google/connect")).json()
    response = await api.post(
        f"{AS}/platforms/google/callback",
        json={"code": "not-a-real-code", "state": started["state"]},
    )
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "INVALID_OAUTH_CODE"
    assert error["details"]["platform"] == "google"
    assert error["details"]["platform_error_code"] == "invalid_grant"
    assert error["details"]["platform_error_message"]


async def test_unknown_platform_is_a_bad_request(api: Api) -> None:
    response = await api.post(f"{AS}/platforms/myspace/connect")
    assert response.status_code == 400
    assert error_of(response)["code"] == "INVALID_PATH_PARAMETER"


async def test_disconnect(api: Api, engine: AsyncEngine) -> None:
    segment = await api.segment(profiles=make_profiles(0, 5))
    await api.connect("meta")
    created = await api.audience(segment["id"], "meta")
    response = await api.delete(f"{AS}/platforms/meta")
    assert response.status_code == 200
    assert response.json() == {"disconnected": True, "platform": "meta", "ad_accounts_removed": 3}
    listed = (await api.get(f"{AS}/platforms")).json()["platforms"]
    assert listed[0] == {"platform": "meta", "connected": False, "ad_accounts": []}
    audience = (await api.get(f"{AS}/audiences/{created['audience']['id']}")).json()
    assert audience["is_active"] is False and audience["next_sync_at"] is None
    sync = await api.post(f"{AS}/audiences/{audience['id']}/sync", json={})
    assert sync.status_code == 400 and error_of(sync)["code"] == "PLATFORM_NOT_CONNECTED"
    twice = await api.delete(f"{AS}/platforms/meta")
    assert twice.status_code == 400 and error_of(twice)["code"] == "PLATFORM_NOT_CONNECTED"


async def test_key_rotation(api: Api, app: FastAPI, engine: AsyncEngine, settings: Any) -> None:
    await api.connect("snapchat")
    old: TokenCipher = app.state.cipher
    new_key = Fernet.generate_key().decode()
    current = settings.encryption_keys.get_secret_value()
    rotated_cipher = TokenCipher(f"{new_key},{current}")
    sessionmaker = make_sessionmaker(engine)
    async with unit_of_work(sessionmaker) as session:
        assert await rotate_keys(session, rotated_cipher) >= 1
    async with engine.connect() as conn:
        stored = await conn.scalar(
            sa.text(
                "SELECT access_token_encrypted FROM platform_connection "
                "WHERE user_id = :u AND platform = 'snapchat'"
            ),
            {"u": api.user_id},
        )
    assert rotated_cipher.is_current(stored)
    assert not old.is_current(stored)
    assert TokenCipher(new_key).decrypt(stored) == rotated_cipher.decrypt(stored)
    async with unit_of_work(sessionmaker) as session:  # nothing left to rotate for this user
        await rotate_keys(session, rotated_cipher)
    # Put the old primary key back for the other tests.
    async with unit_of_work(sessionmaker) as session:
        await rotate_keys(session, TokenCipher(f"{current},{new_key}"))


async def seal_elsewhere(
    engine: AsyncEngine, statement: str, plaintext: str, **params: Any
) -> None:
    """Stores ``plaintext`` encrypted under a key the service does not have (a dropped key,
    a database restored elsewhere), as ``statement``'s ``:sealed`` parameter."""
    foreign = TokenCipher(Fernet.generate_key().decode())
    async with engine.begin() as conn:
        await conn.execute(sa.text(statement), {"sealed": foreign.encrypt(plaintext), **params})


async def platform_status(api: Api, platform: str) -> str | None:
    listed = (await api.get(f"{AS}/platforms")).json()["platforms"]
    found: str | None = next(p for p in listed if p["platform"] == platform).get("status")
    return found


async def unreadable_connection(api: Api, engine: AsyncEngine, platform: str) -> dict[str, Any]:
    """Connects ``platform``, then stores its token under a key the service does not have;
    answers the body of an audience on the connection's first ad account."""
    segment = await api.segment(profiles=make_profiles(0, 5))
    connected = await api.connect(platform)
    await seal_elsewhere(
        engine,
        "UPDATE platform_connection SET access_token_encrypted = :sealed, "
        "refresh_token_encrypted = NULL WHERE user_id = :u AND platform = :p",
        "a-token-from-elsewhere",
        u=api.user_id,
        p=platform,
    )
    return {
        "segment_id": segment["id"],
        "platform": platform,
        "ad_account_id": connected["ad_accounts"][0]["id"],
        "audience_name": "VIPs",
    }


async def refused_as_expired(api: Api, body: dict[str, Any]) -> None:
    refused = await api.post(f"{AS}/audiences", json=body)
    assert refused.status_code == 401, refused.text
    assert error_of(refused)["code"] == "CREDENTIALS_EXPIRED"


async def test_a_token_no_key_opens_is_skipped_by_rotation_and_asks_for_a_reconnect(
    api: Api, engine: AsyncEngine, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A stored token under a key that is no longer configured (a dropped key, a database
    restored elsewhere) neither stops the worker's start-up rotation for everyone else nor
    turns into a 500: the connection shows as expired, using it answers
    CREDENTIALS_EXPIRED, later rotations pass over it, and reconnecting mends it."""
    body = await unreadable_connection(api, engine, "meta")
    assert await platform_status(api, "meta") == "connected"
    current = settings.encryption_keys.get_secret_value()
    sessionmaker = make_sessionmaker(engine)
    async with unit_of_work(sessionmaker) as session:
        assert await rotate_keys(session, TokenCipher(current)) == 0  # no exception
    assert await platform_status(api, "meta") == "expired"
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="audience_sync.platform.service"):
        async with unit_of_work(sessionmaker) as session:
            await rotate_keys(session, TokenCipher(current))
    # Every unreadable token was marked by the first rotation: the next one reports none.
    assert [r.getMessage() for r in caplog.records if "no configured key" in r.getMessage()] == []
    await refused_as_expired(api, body)
    await api.connect("meta")
    assert await platform_status(api, "meta") == "connected"
    created = await api.post(f"{AS}/audiences", json=body)
    assert created.status_code == 201, created.text


async def test_a_token_no_key_opens_marks_the_connection_expired_when_used(
    api: Api, engine: AsyncEngine
) -> None:
    """Without a worker restart in between, the first use of such a token finds it: the
    request answers CREDENTIALS_EXPIRED and GET /platforms shows the connection expired,
    where it kept saying connected while every sync failed."""
    await refused_as_expired(api, await unreadable_connection(api, engine, "tiktok"))
    assert await platform_status(api, "tiktok") == "expired"


async def test_a_state_whose_pkce_verifier_no_key_opens_is_invalid_not_a_500(
    api: Api, engine: AsyncEngine
) -> None:
    """The encryption key was dropped between connect and callback: the state can't be
    completed (400 INVALID_OAUTH_STATE, connect again), where it was a 500."""
    started = (await api.post(f"{AS}/platforms/google/connect")).json()
    await seal_elsewhere(
        engine,
        "UPDATE oauth_state SET code_verifier_encrypted = :sealed "
        "WHERE user_id = :u AND platform = 'google'",
        "a-verifier-" + "v" * 40,
        u=api.user_id,
    )
    grant = await api.sandbox.follow(started["authorization_url"])
    response = await api.post(f"{AS}/platforms/google/callback", json=grant)
    assert response.status_code == 400, response.text
    assert error_of(response)["code"] == "INVALID_OAUTH_STATE"
