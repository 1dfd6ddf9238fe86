"""adscale-api.md "Auth": register, login, refresh, me, provision, field by field.

(test_identity.py covers refresh rotation and reuse, password reset and the API-key
lifecycle; the auth refusals of every JWT endpoint are in test_adscale_conventions.py.)
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
import contract_kit as kit

ME = {"id": kit.UUID4, "email": kit.STR, "plan": kit.PLAN, "created_at": kit.TIMESTAMP}
PROVISIONED = {"user_id": kit.UUID4, "email": kit.STR, "plan": kit.PLAN}


def check_pair(body: dict[str, object]) -> dict[str, object]:
    """A token pair; the access token is a JWT naming the user, the plan and its lifetime."""
    kit.conforms(body, kit.TOKEN_PAIR)
    access = str(body["access_token"])
    assert access.count(".") == 2
    claims = kit.claims(access)
    kit.UUID4(claims["sub"])
    kit.PLAN(claims["plan"])
    assert claims["exp"] - claims["iat"] == body["expires_in"] > 0
    assert abs(claims["iat"] - time.time()) < 120
    assert len(str(body["refresh_token"])) >= 32 and "." not in str(body["refresh_token"])
    return claims


async def test_register_returns_a_bearer_token_pair_for_a_free_account(api: httpx.AsyncClient):
    anonymous = kit.anonymous()
    email = f"ReGister-{uuid.uuid4().hex[:12]}@Example.COM"
    response = await api.post(
        "/auth/register", json={"email": email, "password": "8 chars!"}, headers=anonymous
    )  # exactly the minimum length
    assert response.status_code == 201, response.text
    claims = check_pair(response.json())
    assert claims["plan"] == "free"
    me = await api.get(
        "/auth/me", headers={"Authorization": f"Bearer {response.json()['access_token']}"}
    )
    profile = kit.conforms(me.json(), ME)
    assert profile["id"] == claims["sub"] and profile["plan"] == "free"
    assert profile["email"] == email.lower()
    assert abs((kit.utc(profile["created_at"]).timestamp()) - time.time()) < 120


async def test_register_refusals(api: httpx.AsyncClient):
    anonymous = kit.anonymous()
    member = await kit.register(api, "taken")
    duplicate = await api.post(
        "/auth/register",
        json={"email": member.email.upper(), "password": "another password"},
        headers=anonymous,
    )
    kit.detail_error(duplicate, 409)
    short = await api.post(
        "/auth/register",
        json={"email": kit.unique_email("short"), "password": "7 chars"},
        headers=anonymous,
    )
    kit.validation_error(short, ["body", "password"])
    bad_email = await api.post(
        "/auth/register",
        json={"email": "not-an-email", "password": kit.PASSWORD},
        headers=anonymous,
    )
    kit.validation_error(bad_email, ["body", "email"])
    empty = await api.post("/auth/register", json={}, headers=anonymous)
    kit.validation_error(empty, ["body", "email"], ["body", "password"])


async def test_login_returns_a_new_pair_and_refuses_bad_credentials(api: httpx.AsyncClient):
    member = await kit.register(api, "login")
    ok = await api.post(
        "/auth/login",
        json={"email": member.email, "password": member.password},
        headers=member.anonymous,
    )
    assert ok.status_code == 200, ok.text
    claims = check_pair(ok.json())
    assert claims["sub"] == member.id
    assert ok.json()["refresh_token"] != member.refresh_token
    assert (await api.get("/auth/me", headers=member.headers)).status_code == 200  # both live

    wrong = await api.post(
        "/auth/login",
        json={"email": member.email, "password": "wrong password"},
        headers=member.anonymous,
    )
    kit.detail_error(wrong, 401)
    missing = await api.post("/auth/login", json={"email": member.email}, headers=member.anonymous)
    kit.validation_error(missing, ["body", "password"])


async def test_refresh_exchanges_a_refresh_token_for_a_new_pair(api: httpx.AsyncClient):
    member = await kit.register(api, "refresh")
    response = await api.post(
        "/auth/refresh", json={"refresh_token": member.refresh_token}, headers=member.anonymous
    )
    assert response.status_code == 200, response.text
    claims = check_pair(response.json())
    assert claims["sub"] == member.id
    pair = response.json()
    assert pair["access_token"] != member.access_token
    assert pair["refresh_token"] != member.refresh_token
    fresh = {"Authorization": f"Bearer {pair['access_token']}"}
    assert (await api.get("/auth/me", headers=fresh)).json()["id"] == member.id

    unknown = await api.post(
        "/auth/refresh", json={"refresh_token": "x" * 43}, headers=member.anonymous
    )
    kit.detail_error(unknown, 401)
    access_as_refresh = await api.post(
        "/auth/refresh", json={"refresh_token": pair["access_token"]}, headers=member.anonymous
    )
    kit.detail_error(access_as_refresh, 401)
    not_a_string = await api.post(
        "/auth/refresh", json={"refresh_token": 12345}, headers=member.anonymous
    )
    kit.validation_error(not_a_string, ["body", "refresh_token"])


async def test_me_follows_the_current_plan(api: httpx.AsyncClient):
    """/auth/me shows the plan the user has now, not the one in the token."""
    member = await kit.register(api, "meplan")
    await kit.upgrade(api, member, "enterprise")
    body = kit.conforms((await api.get("/auth/me", headers=member.headers)).json(), ME)
    assert body["plan"] == "enterprise" and kit.claims(member.access_token)["plan"] == "free"


async def test_provision_creates_a_user_once_and_returns_it_again(api: httpx.AsyncClient):
    caller = await kit.register(api, "provisioner")
    await kit.upgrade(api, caller, "pro")
    key = {"X-API-Key": await kit.api_key(api, caller)}
    body = {"email": kit.unique_email("Provisioned").upper(), "external_user_id": uuid.uuid4().hex}

    created = await api.post("/auth/provision", json=body, headers=key)
    assert created.status_code == 201, created.text
    user = kit.conforms(created.json(), PROVISIONED)
    assert user["email"] == body["email"].lower() and user["plan"] == "free"
    assert user["user_id"] != caller.id
    again = await api.post("/auth/provision", json=body, headers=key)
    assert again.status_code == 200 and again.json() == user

    # The provisioned user is a real account: its email is taken for registration.
    taken = await api.post(
        "/auth/register",
        json={"email": body["email"], "password": kit.PASSWORD},
        headers=caller.anonymous,
    )
    kit.detail_error(taken, 409)
    other_email = await api.post(
        "/auth/provision",
        json={"email": kit.unique_email("other"), "external_user_id": body["external_user_id"]},
        headers=key,
    )
    kit.detail_error(other_email, 409)
    kit.validation_error(
        await api.post("/auth/provision", json={}, headers=key),
        ["body", "email"],
        ["body", "external_user_id"],
    )
    kit.validation_error(
        await api.post(
            "/auth/provision",
            json={"email": "nope", "external_user_id": "x"},
            headers=caller.headers,
        ),
        ["body", "email"],
    )


async def test_a_signed_in_member_changes_the_password_and_every_old_session_ends(
    api: httpx.AsyncClient,
):
    member = await kit.register(api, "change-password")
    wrong = await api.post(
        "/auth/change-password",
        json={"current_password": "not it", "new_password": "a new password"},
        headers=member.headers,
    )
    kit.validation_error(wrong, ["body", "current_password"])
    changed = await api.post(
        "/auth/change-password",
        json={"current_password": member.password, "new_password": "a new password"},
        headers=member.headers,
    )
    assert changed.status_code == 200, changed.text
    assert check_pair(changed.json())["sub"] == member.id
    old = await api.post(
        "/auth/refresh", json={"refresh_token": member.refresh_token}, headers=member.anonymous
    )
    kit.detail_error(old, 401)
    signed_in = await api.post(
        "/auth/login",
        json={"email": member.email, "password": "a new password"},
        headers=member.anonymous,
    )
    assert signed_in.status_code == 200

    # The old session's access token is refused too (the gateway heard it ended); the new
    # session's goes on.
    deadline = time.monotonic() + 5
    while (await api.get("/auth/me", headers=member.headers)).status_code == 200:
        assert time.monotonic() < deadline, "the ended session's access token still works"
        await asyncio.sleep(0.1)
    now_signed_in = {"Authorization": f"Bearer {changed.json()['access_token']}"}
    everywhere = await api.post("/auth/logout-all", headers=now_signed_in)
    assert everywhere.status_code == 204
    for pair in (changed.json(), signed_in.json()):
        ended = await api.post(
            "/auth/refresh", json={"refresh_token": pair["refresh_token"]}, headers=member.anonymous
        )
        kit.detail_error(ended, 401)
    kit.detail_error(await api.post("/auth/logout-all"), 401)


SESSION = {
    "id": kit.UUID4,
    "user_agent": kit.nullable(kit.STR),
    "signed_in_at": kit.TIMESTAMP,
    "last_active_at": kit.TIMESTAMP,
    "expires_at": kit.TIMESTAMP,
    "current": kit.BOOL,
}


async def test_a_member_sees_each_sign_in_and_signs_one_out_at_once(api: httpx.AsyncClient):
    """House extension (identity README): `GET /auth/sessions`, `DELETE /auth/sessions/{id}`.
    The ended session's access token is refused by the gateway, not only its refresh token."""
    member = await kit.register(api, "sessions")
    phone = await api.post(
        "/auth/login",
        json={"email": member.email, "password": member.password},
        headers=member.anonymous | {"User-Agent": "contract-phone/1.0"},
    )
    assert phone.status_code == 200
    phone_headers = {"Authorization": f"Bearer {phone.json()['access_token']}"}
    listed = await api.get("/auth/sessions", headers=member.headers)
    assert listed.status_code == 200
    page = listed.json()
    assert (page["total"], page["offset"]) == (2, 0)
    for item in page["items"]:
        kit.conforms(item, SESSION)
    newest, mine = page["items"]
    assert (newest["user_agent"], newest["current"], mine["current"]) == (
        "contract-phone/1.0",
        False,
        True,
    )
    assert newest["id"] == kit.claims(phone.json()["access_token"])["sid"]

    ended = await api.delete(f"/auth/sessions/{newest['id']}", headers=member.headers)
    assert ended.status_code == 204
    deadline = time.monotonic() + 5
    while (await api.get("/auth/me", headers=phone_headers)).status_code == 200:
        assert time.monotonic() < deadline, "the ended session's access token still works"
        await asyncio.sleep(0.1)
    kit.detail_error(await api.get("/auth/me", headers=phone_headers), 401)
    assert (await api.get("/auth/me", headers=member.headers)).status_code == 200
    kit.detail_error(
        await api.delete(f"/auth/sessions/{newest['id']}", headers=member.headers), 404
    )
    kit.detail_error(await api.get("/auth/sessions"), 401)
