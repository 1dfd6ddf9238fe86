"""API keys: raw key once, keyed hash at rest, owner-scoped list and revoke."""

from __future__ import annotations

import hashlib
import hmac
import uuid

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from adscale_contracts.api_keys import API_KEY_PREFIX, is_well_formed_api_key
from identity.models import ApiKey
from services.identity.tests.conftest import (
    API_KEY_SECRET,
    Registered,
    anonymous,
    as_user,
    outbox,
    register,
)

KEYS = "/api/v1/api-keys"


async def create_key(client: httpx.AsyncClient, user: Registered, name: str = "ci") -> dict:
    response = await client.post(KEYS, json={"name": name}, headers=user.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_create_returns_the_raw_key_once(client: httpx.AsyncClient, session: AsyncSession):
    user = await register(client)
    body = await create_key(client, user, "  Production sync  ")
    assert set(body) == {"id", "name", "prefix", "created_at", "key"}
    assert body["name"] == "Production sync"
    raw = body["key"]
    assert raw.startswith(API_KEY_PREFIX) and is_well_formed_api_key(raw)
    assert raw.startswith(body["prefix"]) and len(body["prefix"]) == len(API_KEY_PREFIX) + 6
    events = await outbox(session, "identity.api_key_created")
    assert events[-1]["data"] == {
        "user_id": str(user.id),
        "api_key_id": body["id"],
        "prefix": body["prefix"],
    }
    assert raw not in str(events)


async def test_key_is_stored_as_hmac_never_in_clear(
    client: httpx.AsyncClient, session: AsyncSession
):
    user = await register(client)
    body = await create_key(client, user)
    row = await session.get(ApiKey, uuid.UUID(body["id"]))
    assert row is not None
    expected = hmac.new(API_KEY_SECRET.encode(), body["key"].encode(), hashlib.sha256).hexdigest()
    assert row.key_hash == expected
    assert row.key_hash != hashlib.sha256(body["key"].encode()).hexdigest()  # keyed, not plain
    dump = (await session.execute(sa.text("SELECT api_key::text FROM api_key"))).all()
    assert body["key"] not in str(dump)


async def test_list_never_shows_the_raw_key(client: httpx.AsyncClient):
    user = await register(client)
    created = [await create_key(client, user, f"key {i}") for i in range(3)]
    response = await client.get(KEYS, headers=user.headers)
    assert response.status_code == 200
    page = response.json()
    assert page["total"] == 3 and page["offset"] == 0 and page["limit"] == 50
    assert [k["id"] for k in page["items"]] == [c["id"] for c in reversed(created)]
    for item in page["items"]:
        assert set(item) == {"id", "name", "prefix", "created_at", "last_used_at"}
        assert item["last_used_at"] is None
    for c in created:
        assert c["key"] not in response.text


async def test_list_paginates(client: httpx.AsyncClient):
    user = await register(client)
    for i in range(5):
        await create_key(client, user, f"k{i}")
    page = (await client.get(KEYS, params={"offset": 2, "limit": 2}, headers=user.headers)).json()
    assert (page["total"], page["offset"], page["limit"], len(page["items"])) == (5, 2, 2, 2)
    assert [i["name"] for i in page["items"]] == ["k2", "k1"]
    bad = await client.get(KEYS, params={"limit": 0}, headers=user.headers)
    assert bad.status_code == 422


async def test_list_shows_only_own_active_keys(client: httpx.AsyncClient):
    alice, bob = await register(client), await register(client)
    mine = await create_key(client, alice)
    revoked = await create_key(client, alice)
    await create_key(client, bob)
    await client.delete(f"{KEYS}/{revoked['id']}", headers=alice.headers)
    page = (await client.get(KEYS, headers=alice.headers)).json()
    assert [k["id"] for k in page["items"]] == [mine["id"]] and page["total"] == 1


async def test_delete_revokes_and_emits(client: httpx.AsyncClient, session: AsyncSession):
    user = await register(client)
    body = await create_key(client, user)
    response = await client.delete(f"{KEYS}/{body['id']}", headers=user.headers)
    assert response.status_code == 204
    assert response.content == b""
    row = await session.get(ApiKey, uuid.UUID(body["id"]))
    assert row is not None
    await session.refresh(row)
    assert row.revoked_at is not None
    events = await outbox(session, "identity.api_key_revoked")
    assert events[-1]["subject"] == str(user.id)
    assert events[-1]["data"] == {"user_id": str(user.id), "api_key_id": body["id"]}
    # Revoking again: there is no such active key any more.
    assert (await client.delete(f"{KEYS}/{body['id']}", headers=user.headers)).status_code == 404


async def test_another_users_key_is_404_and_untouched(
    client: httpx.AsyncClient, session: AsyncSession
):
    alice, mallory = await register(client), await register(client)
    body = await create_key(client, alice)
    response = await client.delete(f"{KEYS}/{body['id']}", headers=mallory.headers)
    assert response.status_code == 404
    assert response.json() == {"detail": "API key not found"}
    unknown = await client.delete(f"{KEYS}/{uuid.uuid4()}", headers=mallory.headers)
    assert unknown.json() == response.json()  # indistinguishable from an unknown id
    row = await session.get(ApiKey, uuid.UUID(body["id"]))
    assert row is not None and row.revoked_at is None
    assert await outbox(session, "identity.api_key_revoked") == []


async def test_bad_uuid_is_400(client: httpx.AsyncClient):
    user = await register(client)
    response = await client.delete(f"{KEYS}/not-a-uuid", headers=user.headers)
    assert response.status_code == 400
    assert isinstance(response.json()["detail"], str)


async def test_invalid_names_are_422(client: httpx.AsyncClient):
    user = await register(client)
    for body in ({}, {"name": ""}, {"name": "   "}, {"name": "x" * 101}):
        response = await client.post(KEYS, json=body, headers=user.headers)
        assert response.status_code == 422, body


async def test_api_keys_need_a_jwt(client: httpx.AsyncClient):
    user = await register(client)
    key_caller = as_user(user.id, auth="api_key", plan="pro")
    assert (await client.post(KEYS, json={"name": "x"}, headers=key_caller)).status_code == 401
    assert (await client.get(KEYS, headers=key_caller)).status_code == 401
    assert (await client.get(KEYS, headers=anonymous())).status_code == 401
    assert (await client.delete(f"{KEYS}/{uuid.uuid4()}", headers=anonymous())).status_code == 401
