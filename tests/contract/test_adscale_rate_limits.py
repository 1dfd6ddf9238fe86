"""The gateway's house rate limits on AdScale routes (DESIGN.md "Requests" 3): a default
budget per user and per anonymous client, and the login guard per e-mail (10 per
5 minutes) and per client address. A refusal is 429 {"detail": ...} with Retry-After and
the RateLimit-Policy / RateLimit headers; successful answers carry the headers too.

Each test spends a budget of its own (a fresh user, e-mail or client address), so the
windows are deterministic and nothing else in the suite is throttled.
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
import contract_kit as kit

POLICY = re.compile(r'^"(?P<name>[a-z-]+)";q=(?P<q>\d+);w=(?P<w>\d+)$')
STATE = re.compile(r'^"(?P<name>[a-z-]+)";r=(?P<r>\d+);t=(?P<t>\d+)$')


def limit_headers(response: httpx.Response) -> tuple[str, int, int, int, int]:
    """(policy name, quota, window, remaining, reset) from RateLimit-Policy and RateLimit."""
    policy = POLICY.match(response.headers["ratelimit-policy"])
    state = STATE.match(response.headers["ratelimit"])
    assert policy and state, response.headers
    assert policy["name"] == state["name"]
    return policy["name"], int(policy["q"]), int(policy["w"]), int(state["r"]), int(state["t"])


def refused(response: httpx.Response, policy: str, quota: int, window: int) -> None:
    kit.detail_error(response, 429)
    assert 1 <= int(response.headers["retry-after"]) <= window
    name, q, w, remaining, reset = limit_headers(response)
    assert (name, q, w, remaining) == (policy, quota, window, 0)
    assert 1 <= reset <= window


async def burst(count: int, call: Callable[[], Awaitable[httpx.Response]], width: int = 25):
    gate = asyncio.Semaphore(width)

    async def one() -> httpx.Response:
        async with gate:
            return await call()

    return await asyncio.gather(*(one() for _ in range(count)))


async def test_default_budget_per_user(api: httpx.AsyncClient):
    member = await kit.register(api, "ratelimited")

    async def call() -> httpx.Response:
        return await api.get("/campaigns?limit=1", headers=member.headers)

    first = await call()
    assert first.status_code == 200
    name, quota, window, remaining, _ = limit_headers(first)
    assert (name, window, remaining) == ("default", 60, quota - 1)
    assert quota == 600  # the documented house default
    responses = await burst(quota - 1, call)
    assert [r.status_code for r in responses] == [200] * (quota - 1)
    assert sorted(limit_headers(r)[3] for r in responses) == list(range(quota - 1))
    refused(await call(), "default", quota, window)
    refused(await api.get("/auth/me", headers=member.headers), "default", quota, window)
    # Other users, and this user's anonymous calls, have budgets of their own.
    other = await kit.register(api, "notlimited")
    assert (await api.get("/campaigns", headers=other.headers)).status_code == 200
    assert (await api.get("/billing/plans", headers=member.anonymous)).status_code == 200


async def test_default_budget_per_anonymous_client(api: httpx.AsyncClient):
    address = kit.anonymous()

    async def call() -> httpx.Response:
        return await api.get("/billing/plans", headers=address)

    first = await call()
    assert first.status_code == 200
    name, quota, window, remaining, _ = limit_headers(first)
    assert (name, quota, window, remaining) == ("default-anonymous", 120, 60, 119)
    assert [r.status_code for r in await burst(quota - 1, call)] == [200] * (quota - 1)
    refused(await call(), "default-anonymous", quota, window)
    register = await api.post(
        "/auth/register",
        json={"email": kit.unique_email("throttled"), "password": kit.PASSWORD},
        headers=address,
    )
    refused(register, "default-anonymous", quota, window)
    assert (await api.get("/billing/plans", headers=kit.anonymous())).status_code == 200


async def test_eleven_rapid_wrong_logins_for_one_email(api: httpx.AsyncClient):
    member = await kit.register(api, "bruteforced")
    attacker = kit.anonymous()

    def login(password: str, email: str = member.email) -> Awaitable[httpx.Response]:
        return api.post(
            "/auth/login", json={"email": email, "password": password}, headers=attacker
        )

    for n in range(10):
        kit.detail_error(await login(f"guess number {n}"), 401)
    refused(await login("guess number 10"), "login-email", 10, 300)
    # The e-mail is locked for now, whatever the password and however it is spelled ...
    refused(await login(member.password), "login-email", 10, 300)
    refused(await login(member.password, member.email.upper()), "login-email", 10, 300)
    # ... from any address; other e-mails from the same address are not.
    other_address = await api.post(
        "/auth/login",
        json={"email": member.email, "password": member.password},
        headers=kit.anonymous(),
    )
    refused(other_address, "login-email", 10, 300)
    kit.detail_error(await login("whatever", kit.unique_email("someone-else")), 401)
    # Tokens already issued keep working.
    assert (await api.get("/auth/me", headers=member.headers)).status_code == 200


async def test_login_guard_per_client_address(api: httpx.AsyncClient):
    """Logins and password-reset requests share a per-address budget (30 a minute)."""
    address = kit.anonymous()

    async def attempt(n: int) -> httpx.Response:
        body = {"email": kit.unique_email(f"sprayed{n}")}
        if n % 2:
            return await api.post("/auth/forgot-password", json=body, headers=address)
        return await api.post(
            "/auth/login", json={**body, "password": "password123"}, headers=address
        )

    responses = []
    for start in range(0, 30, 5):
        responses += await asyncio.gather(*(attempt(n) for n in range(start, start + 5)))
    assert sorted(r.status_code for r in responses) == [202] * 15 + [401] * 15
    refused(await attempt(30), "login-ip", 30, 60)
    refused(await attempt(31), "login-ip", 30, 60)
    assert (await api.get("/billing/plans", headers=address)).status_code == 200
    other = await api.post(
        "/auth/login",
        json={"email": kit.unique_email("elsewhere"), "password": "password123"},
        headers=kit.anonymous(),
    )
    kit.detail_error(other, 401)
