"""Register and login: status codes, case-insensitive email, argon2id, enumeration resistance."""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Callable

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from identity.models import User
from identity.settings import Settings
from services.identity.tests.conftest import (
    PASSWORD,
    anonymous,
    app_for,
    outbox,
    register,
    unique_email,
)

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"


async def stored_user(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = (await session.execute(sa.select(User).where(User.id == user_id))).scalar_one()
    await session.refresh(user)
    return user


async def test_register_returns_a_token_pair(client: httpx.AsyncClient, session: AsyncSession):
    response = await client.post(
        REGISTER, json={"email": unique_email(), "password": PASSWORD}, headers=anonymous()
    )
    assert response.status_code == 201
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["access_token"].count(".") == 2
    assert len(body["refresh_token"]) >= 40
    assert body["expires_in"] == 900


async def test_register_stores_lowercase_email_and_an_argon2id_hash(
    client: httpx.AsyncClient, session: AsyncSession
):
    email = unique_email("MixedCase").replace("example", "Example")
    user = await register(client, email)
    row = await stored_user(session, user.id)
    assert row.email == email.lower()
    assert row.plan == "free"
    assert row.password_hash is not None
    assert row.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert PASSWORD not in row.password_hash


async def test_register_emits_user_registered(client: httpx.AsyncClient, session: AsyncSession):
    user = await register(client)
    events = await outbox(session, "identity.user_registered")
    assert len(events) == 1
    assert events[0]["subject"] == str(user.id)
    assert events[0]["data"] == {"user_id": str(user.id), "plan": "free", "external_user_id": None}
    assert user.email not in str(events[0])


async def test_duplicate_email_is_409_whatever_the_case(client: httpx.AsyncClient):
    email = unique_email("dup")
    await register(client, email)
    for variant in (email, email.upper(), email.capitalize()):
        response = await client.post(
            REGISTER, json={"email": variant, "password": PASSWORD}, headers=anonymous()
        )
        assert response.status_code == 409
        assert isinstance(response.json()["detail"], str)


async def test_short_password_is_422_with_the_field_list(client: httpx.AsyncClient):
    response = await client.post(
        REGISTER, json={"email": unique_email(), "password": "1234567"}, headers=anonymous()
    )
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert isinstance(errors, list)
    assert errors[0]["loc"] == ["body", "password"]
    assert {"loc", "msg", "type"} <= set(errors[0])
    assert "1234567" not in response.text  # the submitted password is not echoed


async def test_invalid_or_missing_fields_are_422(client: httpx.AsyncClient):
    for body in ({"email": "not-an-email", "password": PASSWORD}, {"password": PASSWORD}, {}):
        response = await client.post(REGISTER, json=body, headers=anonymous())
        assert response.status_code == 422, body


async def test_exactly_eight_characters_is_enough(client: httpx.AsyncClient):
    await register(client, password="12345678")


async def test_login_returns_a_token_pair_and_ignores_email_case(client: httpx.AsyncClient):
    user = await register(client)
    response = await client.post(
        LOGIN, json={"email": user.email.upper(), "password": PASSWORD}, headers=anonymous()
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert body["refresh_token"] != user.refresh_token


async def test_bad_credentials_are_401_with_the_same_answer(client: httpx.AsyncClient):
    user = await register(client)
    wrong_password = await client.post(
        LOGIN, json={"email": user.email, "password": "wrong password"}, headers=anonymous()
    )
    unknown_email = await client.post(
        LOGIN, json={"email": unique_email("nobody"), "password": PASSWORD}, headers=anonymous()
    )
    short = await client.post(LOGIN, json={"email": "x", "password": "x"}, headers=anonymous())
    assert wrong_password.status_code == unknown_email.status_code == short.status_code == 401
    assert wrong_password.json() == unknown_email.json() == short.json()
    assert wrong_password.json() == {"detail": "Invalid email or password"}


async def test_unknown_email_costs_the_same_argon2_work(client: httpx.AsyncClient):
    user = await register(client)

    async def timed(email: str) -> float:
        started = time.perf_counter()
        response = await client.post(
            LOGIN, json={"email": email, "password": "wrong password"}, headers=anonymous()
        )
        assert response.status_code == 401
        return time.perf_counter() - started

    await timed(unique_email())  # warm the dummy hash
    known = statistics.median([await timed(user.email) for _ in range(5)])
    unknown = statistics.median([await timed(unique_email()) for _ in range(5)])
    assert 1 / 3 < unknown / known < 3, (known, unknown)
    assert unknown > 0.005  # a real argon2 verification happened, not a short cut


async def test_login_rehashes_when_parameters_changed(
    client: httpx.AsyncClient, session: AsyncSession, make_settings: Callable[..., Settings]
):
    user = await register(client)
    before = (await stored_user(session, user.id)).password_hash
    stronger = app_for(make_settings(password_time_cost=3), session)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=stronger), base_url="http://identity"
    ) as other:
        response = await other.post(
            LOGIN, json={"email": user.email, "password": PASSWORD}, headers=anonymous()
        )
    assert response.status_code == 200
    after = (await stored_user(session, user.id)).password_hash
    assert before is not None and after is not None
    assert ",t=2," in before and ",t=3," in after
    # The new hash still verifies through the old app.
    again = await client.post(
        LOGIN, json={"email": user.email, "password": PASSWORD}, headers=anonymous()
    )
    assert again.status_code == 200


async def test_login_without_a_password_set_is_401(
    client: httpx.AsyncClient, session: AsyncSession
):
    email = unique_email("provisioned")
    session.add(User(email=email))
    await session.commit()
    response = await client.post(
        LOGIN, json={"email": email, "password": PASSWORD}, headers=anonymous()
    )
    assert response.status_code == 401


async def test_requests_without_the_internal_token_are_refused(client: httpx.AsyncClient):
    response = await client.post(REGISTER, json={"email": unique_email(), "password": PASSWORD})
    assert response.status_code == 401
