"""Refresh tokens: opaque, hashed at rest, rotated on use, reuse revokes the family."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.types import utcnow
from identity.models import RefreshToken
from services.identity.tests.conftest import anonymous, login, outbox, register

REFRESH = "/api/v1/auth/refresh"


async def use(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post(REFRESH, json={"refresh_token": token}, headers=anonymous())


async def row_of(session: AsyncSession, raw: str) -> RefreshToken:
    digest = hashlib.sha256(raw.encode()).hexdigest()
    row = (
        await session.execute(sa.select(RefreshToken).where(RefreshToken.token_hash == digest))
    ).scalar_one()
    await session.refresh(row)
    return row


async def expire(session: AsyncSession, raw: str) -> None:
    """The refresh token ``raw`` expired a second ago (committed)."""
    row = await row_of(session, raw)
    row.expires_at = utcnow() - timedelta(seconds=1)
    await session.commit()


async def test_refresh_rotates_the_pair(client: httpx.AsyncClient, session: AsyncSession):
    user = await register(client)
    response = await use(client, user.refresh_token)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["refresh_token"] != user.refresh_token
    assert body["access_token"] != user.access_token
    old, new = (
        await row_of(session, user.refresh_token),
        await row_of(session, body["refresh_token"]),
    )
    assert old.used_at is not None and old.revoked_at is None
    assert new.family_id == old.family_id and new.parent_id == old.id
    assert timedelta(days=29, hours=23) < new.expires_at - utcnow() <= timedelta(days=30)
    # The rotated token works once more down the chain.
    assert (await use(client, body["refresh_token"])).status_code == 200


async def test_tokens_are_stored_hashed(client: httpx.AsyncClient, session: AsyncSession):
    user = await register(client)
    row = await row_of(session, user.refresh_token)
    assert row.token_hash != user.refresh_token
    dump = (await session.execute(sa.text("SELECT refresh_token::text FROM refresh_token"))).all()
    assert user.refresh_token not in str(dump)


async def test_reuse_revokes_the_whole_family(client: httpx.AsyncClient, session: AsyncSession):
    user = await register(client)
    legit = (await use(client, user.refresh_token)).json()["refresh_token"]
    # An attacker replays the spent token: refused, and the family dies.
    replay = await use(client, user.refresh_token)
    assert replay.status_code == 401
    assert replay.json() == {"detail": "Invalid or expired refresh token"}
    # So the legitimate holder's next refresh fails too.
    assert (await use(client, legit)).status_code == 401
    # The revocation was committed with the 401, not rolled back.
    assert (await row_of(session, legit)).revoked_at is not None
    assert (await row_of(session, user.refresh_token)).revoked_at is not None
    # And the gateway is told, so the session's access tokens stop too.
    ended = await outbox(session, "identity.sessions_ended")
    assert [e["data"]["session_ids"] for e in ended] == [[user.session_id]]


async def test_reuse_leaves_other_sessions_alone(client: httpx.AsyncClient):
    user = await register(client)
    other = await login(client, user.email, user.password)
    other_refresh = other.json()["refresh_token"]
    await use(client, user.refresh_token)
    assert (await use(client, user.refresh_token)).status_code == 401
    assert (await use(client, other_refresh)).status_code == 200


async def test_unknown_expired_and_malformed_tokens_are_401(
    client: httpx.AsyncClient, session: AsyncSession
):
    user = await register(client)
    assert (await use(client, "not-a-token")).status_code == 401
    assert (await use(client, "")).status_code == 401
    await expire(session, user.refresh_token)
    assert (await use(client, user.refresh_token)).status_code == 401


async def test_missing_field_is_422(client: httpx.AsyncClient):
    response = await client.post(REFRESH, json={}, headers=anonymous())
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "refresh_token"]


async def test_refresh_carries_the_current_plan(client: httpx.AsyncClient, session: AsyncSession):
    import jwt

    from identity.models import User

    user = await register(client)
    await session.execute(sa.update(User).where(User.id == user.id).values(plan="pro"))
    await session.commit()
    body = (await use(client, user.refresh_token)).json()
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["plan"] == "pro"
