"""GET /auth/me and POST /auth/provision."""

from __future__ import annotations

import re
import uuid

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from identity.models import User
from services.identity.tests.conftest import (
    anonymous,
    as_user,
    forgot,
    login,
    outbox,
    pending_token,
    register,
    reset,
    unique_email,
)

ME = "/api/v1/auth/me"
PROVISION = "/api/v1/auth/provision"
ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


async def test_me_returns_id_email_plan(client: httpx.AsyncClient):
    user = await register(client, unique_email("Me").upper())
    response = await client.get(ME, headers=user.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(user.id)
    assert body["email"] == user.email.lower()
    assert body["plan"] == "free"
    assert ISO_Z.match(body["created_at"])


async def test_me_needs_a_jwt(client: httpx.AsyncClient):
    user = await register(client)
    assert (await client.get(ME, headers=anonymous())).status_code == 401
    api_key_caller = as_user(user.id, auth="api_key", plan="pro")
    assert (await client.get(ME, headers=api_key_caller)).status_code == 401
    assert (await client.get(ME)).status_code == 401


async def test_me_of_a_vanished_user_is_401(client: httpx.AsyncClient):
    assert (await client.get(ME, headers=as_user(uuid.uuid4()))).status_code == 401


async def provision(
    client: httpx.AsyncClient, headers: dict[str, str], email: str, external_user_id: str
) -> httpx.Response:
    return await client.post(
        PROVISION, json={"email": email, "external_user_id": external_user_id}, headers=headers
    )


async def count_users(session: AsyncSession, email: str) -> int:
    return int(
        await session.scalar(
            sa.select(sa.func.count()).select_from(User).where(User.email == email)
        )
        or 0
    )


async def test_provision_creates_a_user(client: httpx.AsyncClient, session: AsyncSession):
    platform = await register(client)
    email = unique_email("prov")
    response = await provision(client, platform.headers, email, "ext-1")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"user_id", "email", "plan"}
    assert body["email"] == email and body["plan"] == "free"
    row = await session.get(User, uuid.UUID(body["user_id"]))
    assert row is not None
    assert row.external_user_id == "ext-1"
    assert row.password_hash is None
    assert row.provisioned_by_user_id == platform.id
    events = await outbox(session, "identity.user_registered")
    assert events[-1]["data"] == {
        "user_id": body["user_id"],
        "plan": "free",
        "external_user_id": "ext-1",
    }


async def test_provision_is_idempotent_on_external_user_id(
    client: httpx.AsyncClient, session: AsyncSession
):
    platform = await register(client)
    email = unique_email("idem")
    ext = f"ext-{uuid.uuid4().hex}"
    first = await provision(client, platform.headers, email, ext)
    again = await provision(client, platform.headers, email.upper(), ext)
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    assert await count_users(session, email) == 1
    assert len(await outbox(session, "identity.user_registered")) == 2  # platform + one user


async def test_provision_accepts_an_api_key_caller(client: httpx.AsyncClient):
    platform = await register(client)
    headers = as_user(platform.id, auth="api_key", plan="pro")
    response = await provision(client, headers, unique_email(), f"ext-{uuid.uuid4().hex}")
    assert response.status_code == 201


async def test_provision_conflicts_are_409(client: httpx.AsyncClient):
    platform = await register(client)
    taken = await register(client)
    ext = f"ext-{uuid.uuid4().hex}"
    # The email of another user, whatever its case.
    response = await provision(client, platform.headers, taken.email.upper(), ext)
    assert response.status_code == 409
    assert isinstance(response.json()["detail"], str)
    # The same external id with another email.
    email = unique_email()
    assert (await provision(client, platform.headers, email, ext)).status_code == 201
    assert (await provision(client, platform.headers, unique_email(), ext)).status_code == 409
    # The same external id from another caller: no echo of somebody else's user.
    rival = await register(client)
    response = await provision(client, rival.headers, email, ext)
    assert response.status_code == 409
    assert email not in response.text


async def test_provision_needs_a_user_and_a_valid_body(client: httpx.AsyncClient):
    platform = await register(client)
    assert (await provision(client, anonymous(), unique_email(), "x")).status_code == 401
    for body in (
        {"email": "nope", "external_user_id": "x"},
        {"email": unique_email()},
        {"email": unique_email(), "external_user_id": "   "},
    ):
        response = await client.post(PROVISION, json=body, headers=platform.headers)
        assert response.status_code == 422, body


async def test_provisioned_user_sets_a_password_through_the_reset_flow(
    client: httpx.AsyncClient, session: AsyncSession
):
    platform = await register(client)
    email = unique_email("later")
    created = await provision(client, platform.headers, email, f"ext-{uuid.uuid4().hex}")
    await forgot(client, email)
    token = await pending_token(session, uuid.UUID(created.json()["user_id"]))
    assert (await reset(client, token, "brand new secret")).status_code == 204
    assert (await login(client, email, "brand new secret")).status_code == 200
