"""Logout: the refresh token's family is revoked, so no token of that login refreshes again."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from services.identity.tests.conftest import anonymous, login, register
from services.identity.tests.test_refresh import expire, row_of, use

LOGOUT = "/api/v1/auth/logout"


async def logout(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post(LOGOUT, json={"refresh_token": token}, headers=anonymous())


async def test_a_refresh_token_used_after_logout_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
):
    user = await register(client)
    current = (await use(client, user.refresh_token)).json()["refresh_token"]
    response = await logout(client, current)
    assert response.status_code == 204
    assert response.content == b""
    refused = await use(client, current)
    assert refused.status_code == 401
    assert refused.json() == {"detail": "Invalid or expired refresh token"}
    # Every token of the family is revoked, the spent parent too.
    assert (await row_of(session, current)).revoked_at is not None
    assert (await row_of(session, user.refresh_token)).revoked_at is not None


async def test_logout_ends_only_that_login(client: httpx.AsyncClient):
    user = await register(client)
    other = (await login(client, user.email, user.password)).json()["refresh_token"]
    assert (await logout(client, user.refresh_token)).status_code == 204
    assert (await use(client, other)).status_code == 200


async def test_logout_with_a_spent_token_of_the_family_ends_the_session(
    client: httpx.AsyncClient,
):
    user = await register(client)
    newest = (await use(client, user.refresh_token)).json()["refresh_token"]
    assert (await logout(client, user.refresh_token)).status_code == 204
    assert (await use(client, newest)).status_code == 401


async def test_logging_out_twice_is_not_an_error(client: httpx.AsyncClient):
    user = await register(client)
    assert (await logout(client, user.refresh_token)).status_code == 204
    assert (await logout(client, user.refresh_token)).status_code == 204


async def test_unknown_and_expired_tokens_are_401_invalid_refresh_token(
    client: httpx.AsyncClient, session: AsyncSession
):
    unknown = await logout(client, "not-a-token")
    assert unknown.status_code == 401
    assert unknown.json() == {"detail": "Invalid or expired refresh token"}
    user = await register(client)
    await expire(session, user.refresh_token)
    assert (await logout(client, user.refresh_token)).status_code == 401


async def test_missing_or_oversized_token_is_422(client: httpx.AsyncClient):
    missing = await client.post(LOGOUT, json={}, headers=anonymous())
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body", "refresh_token"]
    long = await logout(client, "x" * 4097)
    assert long.status_code == 422
    # An access token sent by mistake fits the bound: a refused token, not a malformed body.
    user = await register(client)
    assert (await logout(client, user.access_token)).status_code == 401
