"""adscale-api.md "Conventions" and "Status Code Summary", across every endpoint: the three
auth modes and their refusals, the error format, 400 for malformed ids, 404 for unknown
ones, and the pagination parameters of every list."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import httpx
import pytest

from adscale_contracts.api_keys import generate_api_key

sys.path.insert(0, str(Path(__file__).parent))
import contract_kit as kit

NIL = kit.NIL_UUID4

# Every JWT-only endpoint of the spec (Auth column "JWT").
JWT_ENDPOINTS = [
    ("GET", "/auth/me"),
    ("POST", "/accounts"),
    ("GET", "/accounts"),
    ("DELETE", f"/accounts/{NIL}"),
    ("POST", "/campaigns"),
    ("GET", "/campaigns"),
    ("GET", f"/campaigns/{NIL}"),
    ("PATCH", f"/campaigns/{NIL}"),
    ("DELETE", f"/campaigns/{NIL}"),
    ("POST", "/ad-groups"),
    ("GET", "/ad-groups"),
    ("POST", "/creatives"),
    ("GET", "/creatives"),
    ("GET", f"/creatives/{NIL}"),
    ("PATCH", f"/creatives/{NIL}"),
    ("DELETE", f"/creatives/{NIL}"),
    ("POST", "/creatives/generate-copy"),
    ("GET", "/metrics/overview"),
    ("GET", f"/metrics/campaign/{NIL}"),
    ("POST", "/rules"),
    ("GET", "/rules"),
    ("GET", f"/rules/{NIL}"),
    ("PATCH", f"/rules/{NIL}"),
    ("DELETE", f"/rules/{NIL}"),
    ("POST", f"/rules/{NIL}/execute"),
    ("POST", "/billing/checkout"),
    ("GET", "/billing/overview"),
    ("GET", "/billing/current"),
    ("POST", "/api-keys"),
    ("GET", "/api-keys"),
    ("DELETE", f"/api-keys/{NIL}"),
]

# Every endpoint with an {id} in its path: a malformed id is 400, an unknown one 404.
ID_ENDPOINTS = [
    ("DELETE", "/accounts/{}"),
    ("GET", "/campaigns/{}"),
    ("PATCH", "/campaigns/{}"),
    ("DELETE", "/campaigns/{}"),
    ("GET", "/creatives/{}"),
    ("PATCH", "/creatives/{}"),
    ("DELETE", "/creatives/{}"),
    ("GET", "/metrics/campaign/{}"),
    ("GET", "/rules/{}"),
    ("PATCH", "/rules/{}"),
    ("DELETE", "/rules/{}"),
    ("POST", "/rules/{}/execute"),
    ("DELETE", "/api-keys/{}"),
]

# Every paginated list of the spec.
LISTS = ["/accounts", "/campaigns", "/ad-groups", "/creatives", "/rules", "/api-keys"]


async def test_public_endpoints_need_no_credentials(api: httpx.AsyncClient):
    """Public: /auth/register, /auth/login, /auth/refresh, /auth/forgot-password,
    /billing/plans, /health, each answered without any credentials."""
    anonymous = kit.anonymous()
    email = kit.unique_email("public")
    registered = await api.post(
        "/auth/register", json={"email": email, "password": kit.PASSWORD}, headers=anonymous
    )
    assert registered.status_code == 201, registered.text
    login = await api.post(
        "/auth/login", json={"email": email, "password": kit.PASSWORD}, headers=anonymous
    )
    assert login.status_code == 200, login.text
    refreshed = await api.post(
        "/auth/refresh", json={"refresh_token": login.json()["refresh_token"]}, headers=anonymous
    )
    assert refreshed.status_code == 200, refreshed.text
    forgot = await api.post("/auth/forgot-password", json={"email": email}, headers=anonymous)
    assert forgot.status_code == 202, forgot.text
    assert (await api.get("/billing/plans", headers=anonymous)).status_code == 200
    assert (await api.get("/health")).status_code == 200


async def test_jwt_endpoints_refuse_missing_garbage_expired_tokens_and_api_keys(
    api: httpx.AsyncClient,
):
    """Every JWT endpoint: no credentials, a malformed token, an expired token signed by
    identity's own key, a non-Bearer scheme, and a valid API key of a paid user (JWT-only
    routes take no API key, services' READMEs) are each 401 {"detail": ...}."""
    member = await kit.register(api, "jwtonly")
    await kit.upgrade(api, member, "pro")
    key = await kit.api_key(api, member)
    expired = {"Authorization": f"Bearer {kit.expired_token(member.id, 'pro')}"}
    attempts = [
        {},
        {"Authorization": "Bearer not.a.jwt"},
        expired,
        {"Authorization": "Basic dXNlcjpwYXNzd29yZA=="},
        {"Authorization": "Bearer " + member.refresh_token},  # a refresh token is no access token
        {"X-API-Key": key},
    ]
    for method, path in JWT_ENDPOINTS:
        for headers in attempts:
            response = await api.request(method, path, headers=headers)
            kit.detail_error(response, 401)
    # The same member's access token is fine: the refusals were about the credential.
    assert (await api.get("/auth/me", headers=member.headers)).status_code == 200


async def test_dual_auth_endpoints_take_a_jwt_or_a_paid_api_key(api: httpx.AsyncClient):
    """/auth/provision and /usage: JWT or API key; the Free plan has no API access (403);
    nothing, or a key nobody issued, is 401."""
    paid = await kit.register(api, "dualpaid")
    await kit.upgrade(api, paid, "pro")
    paid_key = await kit.api_key(api, paid)
    free = await kit.register(api, "dualfree")
    free_key = await kit.api_key(api, free)
    # Well formed, right checksum, never issued: identity is asked and does not know it.
    unknown = generate_api_key()

    def provision() -> dict[str, str]:
        return {"email": kit.unique_email("dual"), "external_user_id": uuid.uuid4().hex}

    for headers in (paid.headers, {"X-API-Key": paid_key}, free.headers):
        created = await api.post("/auth/provision", json=provision(), headers=headers)
        assert created.status_code == 201, created.text
    by_jwt = await api.get("/usage", headers=paid.headers)
    by_key = await api.get("/usage", headers={"X-API-Key": paid_key})
    assert by_jwt.status_code == by_key.status_code == 200
    assert by_key.json() == by_jwt.json()
    assert (await api.get("/usage", headers=free.headers)).status_code == 200

    for method, path, body in (
        ("POST", "/auth/provision", provision()),
        ("GET", "/usage", None),
    ):
        refused = await api.request(method, path, json=body, headers={"X-API-Key": free_key})
        assert "Free plan" in kit.detail_error(refused, 403)
        for headers in (
            {},
            {"X-API-Key": unknown},
            {"X-API-Key": unknown[:-1] + ("A" if unknown[-1] != "A" else "B")},  # bad checksum
            {"X-API-Key": "adscale_live_short"},
        ):
            kit.detail_error(await api.request(method, path, json=body, headers=headers), 401)
        kit.detail_error(
            await api.request(
                method, path, json=body, headers={"Authorization": "Bearer " + "x" * 20}
            ),
            401,
        )


@pytest.mark.parametrize(("method", "template"), ID_ENDPOINTS)
async def test_malformed_ids_are_400_and_unknown_ids_404(
    api: httpx.AsyncClient, method: str, template: str, known_member: kit.Member
):
    body = {} if method in ("PATCH",) else None
    for bad in ("not-a-uuid", "123", "00000000-0000-4000-8000-00000000000g"):
        response = await api.request(
            method, template.format(bad), headers=known_member.headers, json=body
        )
        kit.detail_error(response, 400)
    unknown = await api.request(
        method, template.format(uuid.uuid4()), headers=known_member.headers, json=body
    )
    kit.detail_error(unknown, 404)


@pytest.mark.parametrize("path", LISTS)
async def test_every_list_takes_offset_and_limit(
    api: httpx.AsyncClient, path: str, known_member: kit.Member
):
    h = known_member.headers
    default = await api.get(path, headers=h)
    assert default.status_code == 200, default.text
    assert set(default.json()) == {"items", "total", "offset", "limit"}
    assert (default.json()["offset"], default.json()["limit"]) == (0, 50)
    echoed = await api.get(f"{path}?offset=7&limit=3", headers=h)
    assert echoed.status_code == 200
    assert (echoed.json()["offset"], echoed.json()["limit"]) == (7, 3)
    assert echoed.json()["items"] == []
    assert (await api.get(f"{path}?limit=200", headers=h)).json()["limit"] == 200
    for query, field in (
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=ten", "limit"),
        ("offset=-1", "offset"),
    ):
        kit.validation_error(await api.get(f"{path}?{query}", headers=h), ["query", field])


async def test_unknown_routes_and_methods_keep_the_detail_format(api: httpx.AsyncClient):
    member = await kit.register(api, "routes")
    kit.detail_error(await api.get("/campaign", headers=member.headers), 404)
    kit.detail_error(await api.get("/nothing-here", headers=kit.anonymous()), 404)
    kit.detail_error(await api.put("/accounts", headers=member.headers, json={}), 405)
    malformed = await api.post(
        "/accounts",
        content=b"{not json",
        headers={**member.headers, "Content-Type": "application/json"},
    )
    kit.validation_error(malformed)


@pytest.fixture(scope="module")
async def known_member(stack: str) -> kit.Member:
    async with httpx.AsyncClient(base_url=stack, timeout=30) as client:
        return await kit.register(client, "conventions")
