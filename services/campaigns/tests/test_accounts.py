"""Ad accounts: connect, list, duplicate, isolation, token encryption, disconnect."""

from __future__ import annotations

import re
import uuid

import httpx
import sqlalchemy as sa
from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.crypto import TokenCipher
from adscale_common.testing import internal_headers
from campaigns.crypto import reencrypt_tokens
from kit import FERNET_KEY, KEY, Api, headers, outbox_types, scalar

ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


async def stored_token(session: AsyncSession, account_id: str) -> str:
    """The account's token as stored (encrypted)."""
    sql = "SELECT access_token_encrypted FROM ad_account WHERE id = :i"
    return str(await scalar(session, sql, i=account_id))


async def test_connect_returns_201_without_the_token(api: Api, session: AsyncSession):
    body = await api.account(
        "google", account_id_external="123-456-7890", account_name="Main", access_token="s3cret"
    )
    assert uuid.UUID(body["id"]).version == 4
    assert body["platform"] == "google" and body["account_name"] == "Main"
    assert body["status"] == "active" and body["is_connected"] is True
    assert ISO_Z.match(body["connected_at"])
    assert "access_token" not in body and "s3cret" not in str(body)
    stored = await stored_token(session, body["id"])
    assert stored != "s3cret" and "s3cret" not in stored
    assert TokenCipher(FERNET_KEY).decrypt(stored) == "s3cret"


async def test_without_token_is_active_but_not_connected(api: Api):
    body = await api.account("meta")
    assert body["status"] == "active" and body["is_connected"] is False


async def test_duplicate_is_409_but_other_platform_or_user_is_fine(api: Api, other: Api):
    await api.account("meta", account_id_external="act1")
    dup = await api.client.post(
        "/api/v1/accounts",
        json={"platform": "meta", "account_id_external": "act1"},
        headers=api.h,
    )
    assert dup.status_code == 409 and "detail" in dup.json()
    await api.account("google", account_id_external="act1")
    await other.account("meta", account_id_external="act1")


async def test_validation_errors_are_422(client: httpx.AsyncClient, api: Api):
    for body in (
        {"platform": "tiktok", "account_id_external": "x"},
        {"platform": "meta"},
        {"platform": "meta", "account_id_external": ""},
        {"platform": "meta", "account_id_external": "x", "surprise": 1},
    ):
        r = await client.post("/api/v1/accounts", json=body, headers=api.h)
        assert r.status_code == 422, body
        assert {"loc", "msg", "type"} <= set(r.json()["detail"][0])


async def test_list_is_paginated_and_scoped(api: Api, other: Api):
    for _ in range(3):
        await api.account()
    theirs = await other.account()
    page = await api.get("/api/v1/accounts?offset=1&limit=1")
    assert page.status_code == 200
    body = page.json()
    assert body["total"] == 3 and body["offset"] == 1 and body["limit"] == 1
    assert len(body["items"]) == 1
    everything = (await api.get("/api/v1/accounts")).json()["items"]
    assert theirs["id"] not in {a["id"] for a in everything}
    bad = await api.get("/api/v1/accounts?limit=0")
    assert bad.status_code == 422


async def test_delete_204_then_404_and_other_users_404(api: Api, other: Api):
    mine = await api.account()
    theirs = await other.account()
    assert (await api.delete(f"/api/v1/accounts/{theirs['id']}")).status_code == 404
    r = await api.delete(f"/api/v1/accounts/{mine['id']}")
    assert r.status_code == 204 and r.content == b""
    assert (await api.delete(f"/api/v1/accounts/{mine['id']}")).status_code == 404
    assert (await api.get(f"/api/v1/accounts/{theirs['id']}")).status_code == 404


async def test_malformed_uuid_is_400(api: Api):
    r = await api.delete("/api/v1/accounts/not-a-uuid")
    assert r.status_code == 400 and "detail" in r.json()


async def test_no_user_is_401_and_api_keys_are_refused(client: httpx.AsyncClient):
    assert (await client.get("/api/v1/accounts")).status_code == 401
    anonymous = internal_headers(KEY, user_id=None, plan=None, auth="anonymous")
    assert (await client.get("/api/v1/accounts", headers=anonymous)).status_code == 401
    api_key = headers(uuid.uuid4(), plan="pro", auth="api_key")
    r = await client.get("/api/v1/accounts", headers=api_key)
    assert r.status_code == 401 and "detail" in r.json()


async def test_patch_renames_and_reconnects(api: Api, session: AsyncSession):
    account = await api.account("meta")
    await session.execute(
        sa.text("UPDATE ad_account SET status = 'disconnected' WHERE id = :i"), {"i": account["id"]}
    )
    r = await api.client.patch(
        f"/api/v1/accounts/{account['id']}",
        json={"account_name": "Renamed", "access_token": "fresh"},
        headers=api.h,
    )
    assert r.status_code == 200, r.text
    assert r.json()["account_name"] == "Renamed"
    assert r.json()["status"] == "active" and r.json()["is_connected"] is True


async def test_delete_account_cascades_its_campaigns_with_events(api: Api, session: AsyncSession):
    account = await api.account()
    campaign = await api.campaign(account["id"])
    await api.ad_group(campaign["id"])
    assert (await api.delete(f"/api/v1/accounts/{account['id']}")).status_code == 204
    assert (await api.get(f"/api/v1/campaigns/{campaign['id']}")).status_code == 404
    assert "campaigns.campaign_deleted" in await outbox_types(session, campaign["id"])


async def test_key_rotation_reencrypts_with_the_new_primary(api: Api, session: AsyncSession):
    account = await api.account("meta", access_token="rotate-me")
    new_key = Fernet.generate_key().decode()
    rotated = TokenCipher(f"{new_key},{FERNET_KEY}")
    assert await reencrypt_tokens(session, rotated) >= 1
    stored = await stored_token(session, account["id"])
    assert TokenCipher(new_key).decrypt(stored) == "rotate-me"
    assert await reencrypt_tokens(session, rotated) == 0


async def test_rotation_disconnects_an_account_whose_token_no_key_opens_and_rotates_the_others(
    api: Api, session: AsyncSession
):
    lost = await api.account("meta", access_token="lost")
    kept = await api.account("google", access_token="kept")
    foreign = TokenCipher(Fernet.generate_key().decode()).encrypt("from-elsewhere")
    await session.execute(
        sa.text("UPDATE ad_account SET access_token_encrypted = :t WHERE id = :i"),
        {"t": foreign, "i": lost["id"]},
    )
    new_key = Fernet.generate_key().decode()
    assert await reencrypt_tokens(session, TokenCipher(f"{new_key},{FERNET_KEY}")) >= 1

    assert await stored_token(session, lost["id"]) == foreign  # left as it was, not lost
    assert TokenCipher(new_key).decrypt(await stored_token(session, kept["id"])) == "kept"
    # The user sees why and what to do at once, not at the next metrics sync ...
    body = (await api.get(f"/api/v1/accounts/{lost['id']}")).json()
    assert body["status"] == "disconnected" and body["is_connected"] is False
    assert "reconnect" in body["disconnected_reason"]
    assert (await api.get(f"/api/v1/accounts/{kept['id']}")).json()["status"] == "active"
    # ... the next start-up passes over it ...
    newer = Fernet.generate_key().decode()
    assert await reencrypt_tokens(session, TokenCipher(f"{newer},{new_key}")) == 1  # `kept`
    assert await stored_token(session, lost["id"]) == foreign
    # ... and a new token reconnects it.
    r = await api.client.patch(
        f"/api/v1/accounts/{lost['id']}", json={"access_token": "fresh"}, headers=api.h
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "active" and r.json()["disconnected_reason"] is None
