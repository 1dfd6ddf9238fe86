"""A signed-in user changes their password (the current one checked) or signs out
everywhere: every session ends, and a password change answers a new one."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from services.identity.tests.conftest import (
    NEW_PASSWORD,
    as_user,
    forgot,
    login,
    outbox,
    pending_token,
    register,
    reset,
)
from services.identity.tests.test_refresh import use
from services.identity.tests.test_sessions import sid_of

CHANGE = "/api/v1/auth/change-password"
EVERYWHERE = "/api/v1/auth/logout-all"


async def change(
    client: httpx.AsyncClient, headers: dict[str, str], current: str, new: str = NEW_PASSWORD
) -> httpx.Response:
    body = {"current_password": current, "new_password": new}
    return await client.post(CHANGE, json=body, headers=headers)


async def test_a_change_ends_every_session_and_answers_a_new_one(
    client: httpx.AsyncClient, session: AsyncSession
):
    user = await register(client)
    elsewhere_pair = (await login(client, user.email, user.password)).json()
    elsewhere = elsewhere_pair["refresh_token"]
    changed = await change(client, user.headers, user.password)
    assert changed.status_code == 200, changed.text
    pair = changed.json()
    assert set(pair) == {"access_token", "refresh_token", "token_type", "expires_in"}
    # Both earlier sessions are over; the new one refreshes.
    assert (await use(client, user.refresh_token)).status_code == 401
    assert (await use(client, elsewhere)).status_code == 401
    assert (await use(client, pair["refresh_token"])).status_code == 200
    # The new password signs in, the old one no longer does.
    assert (await login(client, user.email, NEW_PASSWORD)).status_code == 200
    assert (await login(client, user.email, user.password)).status_code == 401
    changes = await outbox(session, "identity.password_changed")
    assert [e["data"]["user_id"] for e in changes] == [str(user.id)]
    # Both earlier sessions are named to the gateway; the new one goes on.
    (ended,) = await outbox(session, "identity.sessions_ended")
    earlier = {user.session_id, sid_of(elsewhere_pair["access_token"])}
    assert set(ended["data"]["session_ids"]) == earlier
    assert sid_of(pair["access_token"]) not in earlier


async def test_a_wrong_current_password_is_a_422_on_its_field_and_changes_nothing(
    client: httpx.AsyncClient, session: AsyncSession
):
    user = await register(client)
    refused = await change(client, user.headers, "not my password")
    assert refused.status_code == 422
    assert refused.json() == {
        "detail": [
            {
                "loc": ["body", "current_password"],
                "msg": "Current password is incorrect",
                "type": "password_incorrect",
            }
        ]
    }
    assert (await use(client, user.refresh_token)).status_code == 200  # still signed in
    assert (await login(client, user.email, user.password)).status_code == 200
    assert await outbox(session, "identity.password_changed") == []


async def test_the_new_password_must_be_new_and_long_enough(client: httpx.AsyncClient):
    user = await register(client)
    same = await change(client, user.headers, user.password, user.password)
    assert same.status_code == 422
    (problem,) = same.json()["detail"]
    assert problem["loc"] == ["body", "new_password"]
    assert problem["type"] == "password_unchanged"
    short = await change(client, user.headers, user.password, "short")
    assert short.status_code == 422
    (problem,) = short.json()["detail"]
    assert (problem["loc"], problem["type"]) == (["body", "new_password"], "string_too_short")
    assert (await login(client, user.email, user.password)).status_code == 200


async def test_a_pending_reset_link_is_spent_by_a_change(client: httpx.AsyncClient, session):
    user = await register(client)
    assert (await forgot(client, user.email)).status_code == 202
    link = await pending_token(session, user.id)
    assert (await change(client, user.headers, user.password)).status_code == 200
    assert (await reset(client, link, "another new password")).status_code == 400


async def test_only_a_signed_in_user_with_a_jwt_may_change_it(client: httpx.AsyncClient):
    user = await register(client)
    with_key = await change(client, as_user(user.id, auth="api_key"), user.password)
    assert with_key.status_code == 401
    anonymous = await client.post(
        CHANGE, json={"current_password": "x", "new_password": NEW_PASSWORD}
    )
    assert anonymous.status_code == 401


async def test_signing_out_everywhere_ends_every_session(client: httpx.AsyncClient):
    user = await register(client)
    elsewhere = (await login(client, user.email, user.password)).json()["refresh_token"]
    response = await client.post(EVERYWHERE, headers=user.headers)
    assert response.status_code == 204 and response.content == b""
    assert (await use(client, user.refresh_token)).status_code == 401
    assert (await use(client, elsewhere)).status_code == 401
    # The password still works: a new sign-in is a new session.
    fresh = (await login(client, user.email, user.password)).json()["refresh_token"]
    assert (await use(client, fresh)).status_code == 200
    assert (await client.post(EVERYWHERE)).status_code == 401
