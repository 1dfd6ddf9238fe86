"""Fixtures: a fresh sandbox per test (its own SQLite file) reached through ASGITransport."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import secrets
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from adscale_sandbox import key_index
from adscale_sandbox.main import create_app
from adscale_sandbox.settings import Settings

REDIRECT = "https://app.example.test/oauth/callback"

MemberTables = Callable[[sqlite3.Connection, int], tuple[Any, ...]]


def _member_tables(conn: sqlite3.Connection, pk: int) -> tuple[Any, ...]:
    """An audience's member rows (key, its person's id, matched; ``None`` for a person row
    that is missing) and person rows, sorted by key, and its counters."""
    rows = key_index.span(pk)
    members = conn.execute(
        "SELECT m.hash, p.person, m.matched FROM member m LEFT JOIN person p "
        "ON p.id = m.person_id AND p.id BETWEEN ?1 AND ?2 "
        "WHERE m.id BETWEEN ?1 AND ?2 ORDER BY m.hash",
        rows,
    ).fetchall()
    people = conn.execute(
        "SELECT person, keys, matched_keys, extra FROM person WHERE id BETWEEN ? AND ? "
        "ORDER BY person",
        rows,
    ).fetchall()
    counts = conn.execute(
        "SELECT member_count, matched_count, duplicate_rows, received_rows, removed_rows "
        "FROM audience WHERE pk = ?",
        (pk,),
    ).fetchone()
    return [tuple(r) for r in members], [tuple(r) for r in people], tuple(counts)


@pytest.fixture(scope="session")
def member_tables() -> MemberTables:
    """``(conn, audience_pk) -> (members, people, counters)``, for comparing audiences."""
    return _member_tables


def sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def matches(hex_hash: str, permille: int = 887) -> bool:
    return int(hex_hash[:8], 16) % 1000 < permille


class Kit:
    """Login helpers and test data shared by the test modules."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    # -- data -------------------------------------------------------------------------------
    @staticmethod
    def sha(value: str) -> str:
        return sha(value)

    @staticmethod
    def hashes(count: int, prefix: str = "user", start: int = 0) -> list[str]:
        return [sha(f"{prefix}-{i}@example.com") for i in range(start, start + count)]

    @staticmethod
    def matched(hashes: list[str], permille: int = 887) -> int:
        return sum(1 for h in set(hashes) if matches(h, permille))

    @staticmethod
    def matched_people(people: list[list[str]], permille: int = 887) -> int:
        """People (rows of keys) the sandbox matches: any of their keys matches."""
        return sum(1 for keys in people if any(matches(h, permille) for h in keys))

    @staticmethod
    def pkce_challenge(verifier: str) -> str:
        digest = hashlib.sha256(verifier.encode()).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    # -- redirects --------------------------------------------------------------------------
    @staticmethod
    def redirect_params(response: httpx.Response) -> dict[str, str]:
        assert response.status_code == 302, response.text
        location = response.headers["location"]
        assert location.startswith(REDIRECT)
        return {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}

    # -- logins -----------------------------------------------------------------------------
    async def authorize(self, url: str, params: dict[str, str], key: str = "code") -> str:
        """The code the authorize page ``url`` hands back in its redirect (as ``key``)."""
        r = await self.client.get(url, params=params)
        code: str = self.redirect_params(r)[key]
        return code

    async def token(self, url: str, form: dict[str, str]) -> dict[str, Any]:
        """The body of the token endpoint's 200 answer to ``form``."""
        r = await self.client.post(url, data=form)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    async def refresh(
        self, url: str, refresh_token: str, client_id: str, secret: str
    ) -> dict[str, Any]:
        """The token endpoint's 200 answer to a refresh_token grant."""
        return await self.token(
            url,
            {
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "client_id": client_id,
                "client_secret": secret,
            },
        )

    async def meta_exchange(self, code: str, redirect_uri: str = REDIRECT) -> httpx.Response:
        """Graph's ``oauth/access_token`` answer for an authorization code of app ``app-1``."""
        return await self.client.get(
            "/meta/graph/v25.0/oauth/access_token",
            params={
                "client_id": "app-1",
                "client_secret": "secret",
                "redirect_uri": redirect_uri,
                "code": code,
            },
        )

    async def meta(self) -> str:
        code = await self.authorize(
            "/meta/www/v25.0/dialog/oauth",
            {
                "client_id": "app-1",
                "redirect_uri": REDIRECT,
                "state": "s-meta",
                "scope": "ads_management",
            },
        )
        r = await self.meta_exchange(code)
        assert r.status_code == 200, r.text
        token: str = r.json()["access_token"]
        return token

    async def google_code(self, verifier: str, state: str = "s-google") -> str:
        """An authorization code from Google's consent page, with a PKCE S256 challenge."""
        r = await self.client.get(
            "/google/accounts/o/oauth2/v2/auth",
            params={
                "client_id": "gclient",
                "redirect_uri": REDIRECT,
                "response_type": "code",
                "scope": "https://www.googleapis.com/auth/datamanager",
                "state": state,
                "code_challenge": self.pkce_challenge(verifier),
                "code_challenge_method": "S256",
                "access_type": "offline",
            },
        )
        params = self.redirect_params(r)
        assert params["state"] == state
        code: str = params["code"]
        return code

    async def google(self) -> dict[str, Any]:
        verifier = secrets.token_urlsafe(48)
        return await self.token(
            "/google/oauth2/token",
            {
                "grant_type": "authorization_code",
                "code": await self.google_code(verifier),
                "redirect_uri": REDIRECT,
                "client_id": "gclient",
                "client_secret": "gsecret",
                "code_verifier": verifier,
            },
        )

    async def tiktok(self) -> dict[str, Any]:
        code = await self.authorize(
            "/tiktok/business/portal/auth",
            {"app_id": "tt-app", "redirect_uri": REDIRECT, "state": "s-tiktok"},
            key="auth_code",
        )
        r = await self.client.post(
            "/tiktok/business/open_api/v1.3/oauth2/access_token/",
            json={"app_id": "tt-app", "secret": "tt-secret", "auth_code": code},
        )
        body = r.json()
        assert body["code"] == 0, body
        data: dict[str, Any] = body["data"]
        return data

    async def snapchat(self) -> dict[str, Any]:
        code = await self.authorize(
            "/snapchat/accounts/login/oauth2/authorize",
            {
                "client_id": "snap-app",
                "redirect_uri": REDIRECT,
                "response_type": "code",
                "scope": "snapchat-marketing-api",
                "state": "s-snap",
            },
        )
        return await self.token(
            "/snapchat/accounts/login/oauth2/access_token",
            {
                "grant_type": "authorization_code",
                "client_id": "snap-app",
                "client_secret": "snap-secret",
                "code": code,
                "redirect_uri": REDIRECT,
            },
        )

    # -- accounts ---------------------------------------------------------------------------
    async def meta_account(self, token: str) -> str:
        r = await self.client.get("/meta/graph/v25.0/me/adaccounts", params={"access_token": token})
        account: str = r.json()["data"][0]["account_id"]
        return account

    async def meta_audience(
        self, token: str, account: str | None = None, name: str = "Buyers"
    ) -> str:
        """A new custom audience on ``account`` (by default the user's first ad account)."""
        account = account or await self.meta_account(token)
        r = await self.client.post(
            f"/meta/graph/v25.0/act_{account}/customaudiences",
            data={
                "name": name,
                "subtype": "CUSTOM",
                "description": "people who bought",
                "customer_file_source": "USER_PROVIDED_ONLY",
                "access_token": token,
            },
        )
        assert r.status_code == 200, r.text
        audience_id: str = r.json()["id"]
        return audience_id

    async def google_customer(self, token: str) -> str:
        r = await self.client.get(
            "/google/ads/v21/customers:listAccessibleCustomers",
            headers={"Authorization": f"Bearer {token}", "developer-token": "dev"},
        )
        customer: str = r.json()["resourceNames"][0].split("/")[1]
        return customer

    async def snapchat_account(self, token: str) -> str:
        r = await self.client.get(
            "/snapchat/adsapi/v1/me/organizations",
            params={"with_ad_accounts": "true"},
            headers={"Authorization": f"Bearer {token}"},
        )
        account: str = r.json()["organizations"][0]["organization"]["ad_accounts"][0]["id"]
        return account

    async def members(self, platform: str, audience_id: str, hashes: bool = False) -> Any:
        r = await self.client.get(
            f"/_admin/audiences/{platform}/{audience_id}/members",
            params={"include_hashes": str(hashes).lower()},
        )
        assert r.status_code == 200, r.text
        return r.json()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, processing_delay_seconds=0)


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as c:
        yield c
    app.state.sandbox.store.close()


@pytest.fixture
def kit(client: httpx.AsyncClient) -> Kit:
    return Kit(client)


SandboxFactory = Callable[..., Awaitable[tuple[httpx.AsyncClient, Kit]]]


@pytest.fixture
async def make_sandbox(tmp_path: Path) -> AsyncIterator[SandboxFactory]:
    """Build extra sandboxes with their own settings (e.g. a processing delay)."""
    stack = contextlib.AsyncExitStack()
    apps: list[Any] = []

    async def factory(**overrides: Any) -> tuple[httpx.AsyncClient, Kit]:
        options: dict[str, Any] = {"processing_delay_seconds": 0, **overrides}
        app = create_app(Settings(data_dir=tmp_path / f"sandbox-{len(apps)}", **options))
        apps.append(app)
        client = await stack.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox")
        )
        return client, Kit(client)

    yield factory
    await stack.aclose()
    for app in apps:
        app.state.sandbox.store.close()
