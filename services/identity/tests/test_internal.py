"""POST /internal/api-keys/verify: what the gateway asks about an X-API-Key."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.types import utcnow
from adscale_contracts.api_keys import API_KEY_PREFIX, generate_api_key
from adscale_contracts.internal import ApiKeyVerifyResponse
from identity.models import ApiKey, User
from services.identity.tests.conftest import anonymous, as_service, as_user, register

VERIFY = "/internal/api-keys/verify"


async def new_key(client: httpx.AsyncClient, headers: dict[str, str]) -> dict:
    response = await client.post("/api/v1/api-keys", json={"name": "k"}, headers=headers)
    assert response.status_code == 201
    body: dict = response.json()
    return body


async def verify(
    client: httpx.AsyncClient, raw: str, headers: dict | None = None
) -> httpx.Response:
    return await client.post(VERIFY, json={"key": raw}, headers=headers or as_service())


async def last_used(session: AsyncSession, key_id: str):  # type: ignore[no-untyped-def]
    return await session.scalar(
        sa.select(ApiKey.last_used_at).where(ApiKey.id == uuid.UUID(key_id))
    )


async def test_verify_answers_owner_and_current_plan(
    client: httpx.AsyncClient, session: AsyncSession
):
    user = await register(client)
    key = await new_key(client, user.headers)
    response = await verify(client, key["key"])
    assert response.status_code == 200
    answer = ApiKeyVerifyResponse.model_validate(response.json())
    assert answer == ApiKeyVerifyResponse(api_key_id=key["id"], user_id=user.id, plan="free")
    await session.execute(sa.update(User).where(User.id == user.id).values(plan="pro"))
    await session.commit()
    assert (await verify(client, key["key"])).json()["plan"] == "pro"


async def test_revoked_unknown_and_malformed_keys_are_404(client: httpx.AsyncClient):
    user = await register(client)
    key = await new_key(client, user.headers)
    await client.delete(f"/api/v1/api-keys/{key['id']}", headers=user.headers)
    assert (await verify(client, key["key"])).status_code == 404
    assert (await verify(client, generate_api_key())).status_code == 404
    typo = key["key"][:-1] + ("A" if key["key"][-1] != "A" else "B")
    assert (await verify(client, typo)).status_code == 404  # checksum: no lookup needed
    assert (await verify(client, API_KEY_PREFIX + "x")).status_code == 404


async def test_verify_records_use_at_most_once_a_minute(
    client: httpx.AsyncClient, session: AsyncSession
):
    user = await register(client)
    key = await new_key(client, user.headers)
    assert await last_used(session, key["id"]) is None
    await verify(client, key["key"])
    first = await last_used(session, key["id"])
    assert first is not None
    await verify(client, key["key"])
    assert await last_used(session, key["id"]) == first  # within the minute: no write
    earlier = utcnow() - timedelta(seconds=61)
    await session.execute(
        sa.update(ApiKey).where(ApiKey.id == uuid.UUID(key["id"])).values(last_used_at=earlier)
    )
    await session.commit()
    await verify(client, key["key"])
    assert await last_used(session, key["id"]) > earlier
    listed = (await client.get("/api/v1/api-keys", headers=user.headers)).json()
    assert listed["items"][0]["last_used_at"] is not None


async def test_verify_is_for_services_only(client: httpx.AsyncClient):
    user = await register(client)
    key = await new_key(client, user.headers)
    for headers in (user.headers, as_user(user.id, auth="api_key", plan="pro"), anonymous()):
        assert (await verify(client, key["key"], headers)).status_code == 401
    assert (await client.post(VERIFY, json={"key": key["key"]})).status_code == 401


async def test_verify_body_is_validated(client: httpx.AsyncClient):
    response = await client.post(VERIFY, json={"key": "x", "extra": 1}, headers=as_service())
    assert response.status_code == 422
