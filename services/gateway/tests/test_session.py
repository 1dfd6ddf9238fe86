"""Browser sessions: refresh token in an httpOnly SameSite=Strict cookie, CSRF on refresh."""

from __future__ import annotations

from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from adscale_common.testing import InfraUrls
from gateway.session import CSRF_COOKIE, REFRESH_COOKIE
from web_kit import AuthState, build_dist, web_gateway

CREDENTIALS = {"email": "ada@example.com", "password": "correct horse"}


@pytest.fixture
def auth_state() -> AuthState:
    return AuthState()


@pytest.fixture
async def gateway(
    upstreams, redis_clean: str, adscale_infra: InfraUrls, tmp_path: Path, auth_state
):
    async with web_gateway(
        upstreams, redis_clean, adscale_infra.kafka_bootstrap, build_dist(tmp_path), auth_state
    ) as client:
        yield client


def _set_cookies(response) -> dict[str, SimpleCookie]:
    found: dict[str, SimpleCookie] = {}
    for header in response.headers.get_list("set-cookie"):
        jar = SimpleCookie()
        jar.load(header)
        for name in jar:
            found[name] = jar
    return found


async def _login(gateway) -> dict[str, str]:
    response = await gateway.post("/api/v1/session/login", json=CREDENTIALS)
    assert response.status_code == 200, response.text
    return response.json()


async def test_login_sets_an_httponly_strict_cookie_and_hides_the_refresh_token(gateway):
    response = await gateway.post("/api/v1/session/login", json=CREDENTIALS)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "csrf_token"}
    assert body["access_token"] == "access-0"
    assert "refresh-0" not in response.text
    cookies = _set_cookies(response)
    refresh = cookies[REFRESH_COOKIE][REFRESH_COOKIE]
    assert refresh.value == "refresh-0"
    assert refresh["httponly"] is True
    assert refresh["samesite"] == "strict"
    assert refresh["path"] == "/api/v1/session"
    assert not refresh["secure"]  # plain HTTP here; see the TLS test
    csrf = cookies[CSRF_COOKIE][CSRF_COOKIE]
    assert csrf.value == body["csrf_token"]
    assert not csrf["httponly"]  # the app reads it to send the header
    assert csrf["samesite"] == "strict"
    assert response.headers["cache-control"] == "no-store"


async def test_cookies_are_secure_behind_tls(gateway):
    response = await gateway.post("https://gw/api/v1/session/login", json=CREDENTIALS)
    assert response.status_code == 200
    cookies = _set_cookies(response)
    assert cookies[REFRESH_COOKIE][REFRESH_COOKIE]["secure"] is True
    assert cookies[CSRF_COOKIE][CSRF_COOKIE]["secure"] is True


async def test_register_answers_201_and_passes_identity_errors_through(gateway):
    created = await gateway.post("/api/v1/session/register", json=CREDENTIALS)
    assert created.status_code == 201
    assert REFRESH_COOKIE in _set_cookies(created)
    taken = await gateway.post(
        "/api/v1/session/register", json={"email": "taken@example.com", "password": "x" * 10}
    )
    assert taken.status_code == 409
    assert taken.json() == {"detail": "Email already registered"}
    assert REFRESH_COOKIE not in _set_cookies(taken)


async def test_wrong_password_is_401_without_cookies(gateway):
    response = await gateway.post(
        "/api/v1/session/login", json={"email": "ada@example.com", "password": "nope"}
    )
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid email or password"}
    assert _set_cookies(response) == {}


async def test_missing_fields_are_422_in_the_adscale_format(gateway):
    response = await gateway.post("/api/v1/session/login", json={"email": "a@example.com"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "password"


async def test_refresh_with_the_csrf_header_rotates_the_cookie(gateway, auth_state):
    tokens = await _login(gateway)
    response = await gateway.post(
        "/api/v1/session/refresh", headers={"X-CSRF-Token": tokens["csrf_token"]}
    )
    assert response.status_code == 200, response.text
    assert response.json()["access_token"] == "access-1"
    assert auth_state.refresh_bodies == [{"refresh_token": "refresh-0"}]
    assert _set_cookies(response)[REFRESH_COOKIE][REFRESH_COOKIE].value == "refresh-1"
    again = await gateway.post(
        "/api/v1/session/refresh", headers={"X-CSRF-Token": tokens["csrf_token"]}
    )
    assert again.json()["access_token"] == "access-2"
    assert auth_state.refresh_bodies[-1] == {"refresh_token": "refresh-1"}


@pytest.mark.parametrize("header", [None, "", "forged-value"])
async def test_refresh_without_the_right_csrf_token_is_refused(gateway, auth_state, header):
    await _login(gateway)
    headers = {"X-CSRF-Token": header} if header is not None else {}
    response = await gateway.post("/api/v1/session/refresh", headers=headers)
    assert response.status_code == 403
    assert response.json() == {"detail": "Missing or invalid CSRF token"}
    assert auth_state.refresh_bodies == []  # identity never saw it


async def test_refresh_without_a_session_cookie_is_401(gateway):
    gateway.cookies.set(CSRF_COOKIE, "t0ken")
    response = await gateway.post("/api/v1/session/refresh", headers={"X-CSRF-Token": "t0ken"})
    assert response.status_code == 401
    assert response.json() == {"detail": "No session: sign in again"}


async def test_a_refused_refresh_token_clears_the_cookies(gateway, auth_state):
    tokens = await _login(gateway)
    auth_state.live.clear()  # identity revoked the family (reuse detected elsewhere)
    response = await gateway.post(
        "/api/v1/session/refresh", headers={"X-CSRF-Token": tokens["csrf_token"]}
    )
    assert response.status_code == 401
    cleared = _set_cookies(response)[REFRESH_COOKIE][REFRESH_COOKIE]
    assert cleared.value == ""
    assert cleared["max-age"] == "0"


async def test_logout_revokes_the_token_at_identity_and_clears_the_cookies(gateway, auth_state):
    tokens = await _login(gateway)
    refused = await gateway.post("/api/v1/session/logout")
    assert refused.status_code == 403
    response = await gateway.post(
        "/api/v1/session/logout", headers={"X-CSRF-Token": tokens["csrf_token"]}
    )
    assert response.status_code == 204
    assert "refresh-0" in auth_state.revoked
    assert "refresh-0" not in auth_state.spent  # revoked, not rotated into a new token
    assert _set_cookies(response)[REFRESH_COOKIE][REFRESH_COOKIE]["max-age"] == "0"
    after = await gateway.post(
        "/api/v1/session/refresh", headers={"X-CSRF-Token": tokens["csrf_token"]}
    )
    assert after.status_code in (401, 403)


async def test_logout_with_a_token_identity_no_longer_knows_still_clears_the_cookies(gateway):
    tokens = await _login(gateway)
    gateway.cookies.set(REFRESH_COOKIE, "refresh-unknown", path="/api/v1/session")
    response = await gateway.post(
        "/api/v1/session/logout", headers={"X-CSRF-Token": tokens["csrf_token"]}
    )
    assert response.status_code == 204
    assert _set_cookies(response)[REFRESH_COOKIE][REFRESH_COOKIE]["max-age"] == "0"


async def test_logout_reports_identity_failing_and_keeps_the_session(gateway, auth_state):
    tokens = await _login(gateway)
    auth_state.logout_status = 503
    response = await gateway.post(
        "/api/v1/session/logout", headers={"X-CSRF-Token": tokens["csrf_token"]}
    )
    assert response.status_code == 503
    assert response.json() == {"detail": "identity is down"}
    assert REFRESH_COOKIE not in _set_cookies(response)  # nothing revoked: the user can retry
    auth_state.logout_status = 204
    again = await gateway.post(
        "/api/v1/session/logout", headers={"X-CSRF-Token": tokens["csrf_token"]}
    )
    assert again.status_code == 204
    assert "refresh-0" in auth_state.revoked


async def test_a_password_change_keeps_the_new_session_in_the_cookie(
    gateway, auth_state, upstreams
):
    tokens = await _login(gateway)
    user = "0b7e6a52-0000-4000-8000-00000000c0de"
    signed_in = {"Authorization": f"Bearer {upstreams.keys[0].token(sub=user)}"}
    body = {"current_password": "correct horse", "new_password": "a new password"}
    path = "/api/v1/session/change-password"

    forged = await gateway.post(path, json=body, headers=signed_in)  # no CSRF header
    assert forged.status_code == 403
    not_signed_in = await gateway.post(
        path, json=body, headers={"X-CSRF-Token": tokens["csrf_token"]}
    )
    assert not_signed_in.status_code == 401
    with_csrf = {**signed_in, "X-CSRF-Token": tokens["csrf_token"]}
    wrong = await gateway.post(path, json={**body, "current_password": "nope"}, headers=with_csrf)
    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["loc"] == ["body", "current_password"]
    assert REFRESH_COOKIE not in _set_cookies(wrong)  # the session is untouched
    assert auth_state.password_changes == []

    response = await gateway.post(path, json=body, headers=with_csrf)
    assert response.status_code == 200, response.text
    assert auth_state.password_changes == [user]  # identity heard it from this user
    answer = response.json()
    assert set(answer) == {"access_token", "token_type", "csrf_token"}
    assert answer["access_token"] == "access-1"
    assert "refresh-1" not in response.text  # script never sees the refresh token
    cookies = _set_cookies(response)
    assert cookies[REFRESH_COOKIE][REFRESH_COOKIE].value == "refresh-1"
    assert cookies[REFRESH_COOKIE][REFRESH_COOKIE]["httponly"] is True
    assert cookies[CSRF_COOKIE][CSRF_COOKIE].value == answer["csrf_token"]
    assert "refresh-0" in auth_state.revoked  # the old session ended with the change
    # This browser goes on: its refresh rotates the new session's token.
    again = await gateway.post(
        "/api/v1/session/refresh", headers={"X-CSRF-Token": answer["csrf_token"]}
    )
    assert again.status_code == 200
    assert auth_state.refresh_bodies[-1] == {"refresh_token": "refresh-1"}


async def test_session_logins_count_against_the_login_rate_limit(gateway):
    statuses = []
    for _ in range(11):
        r = await gateway.post(
            "/api/v1/session/login", json={"email": "ada@example.com", "password": "nope"}
        )
        statuses.append(r.status_code)
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429
