"""Where a user is signed in: each sign-in is a session (a refresh-token family) named by
the device it signed in from; its access tokens carry its id (``sid``); the user ends one
from the list, and every way a session ends is told to the gateway
(``identity.sessions_ended``)."""

from __future__ import annotations

import uuid

import httpx
import jwt
from sqlalchemy.ext.asyncio import AsyncSession

from services.identity.tests.conftest import anonymous, as_user, login, outbox, register
from services.identity.tests.test_refresh import use

SESSIONS = "/api/v1/auth/sessions"
LAPTOP = "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36"
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) Mobile/15E148 Safari/604.1"


def sid_of(access_token: str) -> str:
    return jwt.decode(access_token, options={"verify_signature": False})["sid"]


async def sessions_seen_by(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict]:
    response = await client.get(SESSIONS, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["items"])
    return body["items"]


async def test_each_sign_in_is_a_session_named_by_its_device_and_the_callers_is_marked(
    client: httpx.AsyncClient,
):
    user = await register(client, user_agent=LAPTOP)
    phone = (await login(client, user.email, user.password, user_agent=PHONE)).json()
    phone_sid = sid_of(phone["access_token"])
    assert phone_sid != user.session_id

    listed = await sessions_seen_by(client, user.headers)
    assert [s["id"] for s in listed] == [phone_sid, user.session_id]  # active last first
    assert [s["user_agent"] for s in listed] == [PHONE, LAPTOP]
    assert [s["current"] for s in listed] == [False, True]
    for s in listed:
        assert s["signed_in_at"] <= s["last_active_at"] < s["expires_at"]
    # Seen from the phone, the phone's session is the current one.
    from_phone = await sessions_seen_by(client, as_user(user.id, session_id=phone_sid))
    assert [s["current"] for s in from_phone] == [True, False]


async def test_a_refresh_stays_in_its_session_and_keeps_its_device(client: httpx.AsyncClient):
    user = await register(client, user_agent=LAPTOP)
    (before,) = await sessions_seen_by(client, user.headers)
    refreshed = await use(client, user.refresh_token)  # sent with another User-Agent
    assert refreshed.status_code == 200
    assert sid_of(refreshed.json()["access_token"]) == user.session_id
    (after,) = await sessions_seen_by(client, user.headers)
    assert (after["id"], after["user_agent"]) == (user.session_id, LAPTOP)
    assert after["signed_in_at"] == before["signed_in_at"]
    assert after["last_active_at"] > before["last_active_at"]


async def test_ending_a_session_signs_that_device_out_and_tells_the_gateway(
    client: httpx.AsyncClient, session: AsyncSession
):
    user = await register(client, user_agent=LAPTOP)
    phone = (await login(client, user.email, user.password, user_agent=PHONE)).json()
    phone_sid = sid_of(phone["access_token"])

    ended = await client.delete(f"{SESSIONS}/{phone_sid}", headers=user.headers)
    assert ended.status_code == 204 and ended.content == b""
    assert (await use(client, phone["refresh_token"])).status_code == 401
    assert (await use(client, user.refresh_token)).status_code == 200  # this one goes on
    assert [s["id"] for s in await sessions_seen_by(client, user.headers)] == [user.session_id]
    (event,) = await outbox(session, "identity.sessions_ended")
    assert event["subject"] == str(user.id)
    assert event["data"] == {"user_id": str(user.id), "session_ids": [phone_sid]}
    # It is over: ending it again finds nothing.
    again = await client.delete(f"{SESSIONS}/{phone_sid}", headers=user.headers)
    assert again.status_code == 404


async def test_another_users_session_is_404_and_goes_on(
    client: httpx.AsyncClient, session: AsyncSession
):
    alice, mallory = await register(client), await register(client)
    refused = await client.delete(f"{SESSIONS}/{alice.session_id}", headers=mallory.headers)
    assert refused.status_code == 404
    assert refused.json() == {"detail": "Session not found"}
    unknown = await client.delete(f"{SESSIONS}/{uuid.uuid4()}", headers=mallory.headers)
    assert unknown.json() == refused.json()  # indistinguishable from an unknown id
    assert (await use(client, alice.refresh_token)).status_code == 200
    assert await outbox(session, "identity.sessions_ended") == []
    malformed = await client.delete(f"{SESSIONS}/not-a-uuid", headers=mallory.headers)
    assert malformed.status_code == 400


async def test_sessions_are_for_a_signed_in_user_with_a_jwt(client: httpx.AsyncClient):
    user = await register(client)
    assert (await client.get(SESSIONS, headers=as_user(user.id, auth="api_key"))).status_code == 401
    assert (await client.get(SESSIONS)).status_code == 401
    gone = await client.delete(
        f"{SESSIONS}/{user.session_id}", headers=as_user(user.id, auth="api_key")
    )
    assert gone.status_code == 401


async def test_every_way_a_session_ends_is_told_with_its_ids(
    client: httpx.AsyncClient, session: AsyncSession
):
    user = await register(client)
    other = sid_of((await login(client, user.email, user.password)).json()["access_token"])
    # A plain sign-out ends the one session.
    third = (await login(client, user.email, user.password)).json()
    body = {"refresh_token": third["refresh_token"]}
    out = await client.post("/api/v1/auth/logout", json=body, headers=anonymous())
    assert out.status_code == 204
    # Signing out everywhere ends the rest, each named once however many tokens it had.
    assert (await use(client, user.refresh_token)).status_code == 200
    assert (await client.post("/api/v1/auth/logout-all", headers=user.headers)).status_code == 204
    told = [e["data"]["session_ids"] for e in await outbox(session, "identity.sessions_ended")]
    assert told == [[sid_of(third["access_token"])], sorted([user.session_id, other])]
    assert await sessions_seen_by(client, user.headers) == []
