"""Forgot / reset password: always 202, single-use 1-hour token, sessions ended."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.types import utcnow
from identity.models import PasswordReset, PasswordResetMail
from services.identity.tests.conftest import (
    NEW_PASSWORD,
    RESET_SECRET,
    Registered,
    anonymous,
    forgot,
    outbox,
    pending_token,
    register,
    reset,
    unique_email,
)

FORGOT = "/api/v1/auth/forgot-password"
LOGIN = "/api/v1/auth/login"


async def latest_token(session: AsyncSession, user: Registered) -> str:
    return await pending_token(session, user.id)


async def test_forgot_password_is_202_whatever_the_email(
    client: httpx.AsyncClient, session: AsyncSession
):
    user = await register(client)
    known = await forgot(client, user.email.upper())
    unknown = await forgot(client, unique_email("ghost"))
    garbage = await forgot(client, "not even an address")
    assert known.status_code == unknown.status_code == garbage.status_code == 202
    assert known.json() == unknown.json() == garbage.json()
    # Only the known address got a token; the event says so without the token or the address.
    events = await outbox(session, "identity.password_reset_requested")
    assert len(events) == 1
    assert events[0]["subject"] == str(user.id)
    assert set(events[0]["data"]) == {"user_id", "expires_at"}
    assert events[0]["version"] == 2
    mails = (await session.execute(sa.select(PasswordResetMail))).scalars().all()
    assert len(mails) == 1
    token = await pending_token(session, user.id)
    assert token not in mails[0].sealed_token
    assert token not in json.dumps(await outbox(session))


async def test_forgot_password_missing_email_is_422(client: httpx.AsyncClient):
    assert (await client.post(FORGOT, json={}, headers=anonymous())).status_code == 422


async def test_reset_token_is_stored_keyed_and_valid_one_hour(
    client: httpx.AsyncClient, session: AsyncSession
):
    user = await register(client)
    await forgot(client, user.email)
    token = await latest_token(session, user)
    row = (
        await session.execute(sa.select(PasswordReset).where(PasswordReset.user_id == user.id))
    ).scalar_one()
    assert (
        row.token_hash
        == hmac.new(RESET_SECRET.encode(), token.encode(), hashlib.sha256).hexdigest()
    )
    assert timedelta(minutes=59) < row.expires_at - utcnow() <= timedelta(hours=1)
    event = (await outbox(session, "identity.password_reset_requested"))[-1]
    assert event["data"]["expires_at"].startswith(row.expires_at.strftime("%Y-%m-%dT%H:%M:%S"))


async def test_reset_sets_the_password_and_ends_every_session(
    client: httpx.AsyncClient, session: AsyncSession
):
    user = await register(client)
    await forgot(client, user.email)
    response = await reset(client, await latest_token(session, user))
    assert response.status_code == 204
    assert response.content == b""
    old = await client.post(
        LOGIN, json={"email": user.email, "password": user.password}, headers=anonymous()
    )
    new = await client.post(
        LOGIN, json={"email": user.email, "password": NEW_PASSWORD}, headers=anonymous()
    )
    assert old.status_code == 401 and new.status_code == 200
    # The refresh token issued before the reset is dead.
    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": user.refresh_token}, headers=anonymous()
    )
    assert refreshed.status_code == 401
    changed = await outbox(session, "identity.password_changed")
    assert [e["data"] for e in changed] == [{"user_id": str(user.id)}]
    ended = await outbox(session, "identity.sessions_ended")
    assert [e["data"] for e in ended] == [
        {"user_id": str(user.id), "session_ids": [user.session_id]}
    ]


async def test_a_reset_token_works_once(client: httpx.AsyncClient, session: AsyncSession):
    user = await register(client)
    await forgot(client, user.email)
    token = await latest_token(session, user)
    assert (await reset(client, token)).status_code == 204
    second = await reset(client, token, "yet another password")
    assert second.status_code == 400
    assert isinstance(second.json()["detail"], str)


async def test_a_reset_spends_every_open_token_of_the_user(
    client: httpx.AsyncClient, session: AsyncSession
):
    user = await register(client)
    await forgot(client, user.email)
    first = await latest_token(session, user)
    await forgot(client, user.email)
    second = await latest_token(session, user)
    assert first != second
    assert (await reset(client, second)).status_code == 204
    assert (await reset(client, first)).status_code == 400


async def test_expired_and_unknown_tokens_are_400(client: httpx.AsyncClient, session: AsyncSession):
    user = await register(client)
    await forgot(client, user.email)
    token = await latest_token(session, user)
    await session.execute(
        sa.update(PasswordReset)
        .where(PasswordReset.user_id == user.id)
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    await session.commit()
    assert (await reset(client, token)).status_code == 400
    assert (await reset(client, "made-up-token")).status_code == 400
    # Nothing changed: the old password still works.
    login = await client.post(
        LOGIN, json={"email": user.email, "password": user.password}, headers=anonymous()
    )
    assert login.status_code == 200


async def test_reset_with_a_short_password_is_422(client: httpx.AsyncClient, session: AsyncSession):
    user = await register(client)
    await forgot(client, user.email)
    response = await reset(client, await latest_token(session, user), "short")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "new_password"]
