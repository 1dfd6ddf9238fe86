"""Helpers shared by the audience-sync tests: settings, a caller, the sandbox's admin API."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine

from adscale_common.testing import internal_headers
from adscale_platforms.google import parse_user_list_name
from adscale_platforms.identifiers import hash_many
from adscale_platforms.settings import PlatformSettings
from adscale_platforms.tiktok import split_audience_id
from audience_sync.settings import Settings

KEY = "test-internal-key-0123456789abcdef"
SANDBOX = "http://sandbox"
AS = "/api/v1/cdp/audience-sync"
SEGMENTS = "/api/v1/cdp/segments"
PLATFORMS = ("meta", "google", "tiktok", "snapchat")


def platform_settings(base: str) -> PlatformSettings:
    return PlatformSettings.for_sandbox(
        base,
        redirect_uri="https://app.adscale.test/oauth/callback",
        max_attempts=3,
        max_retry_wait_seconds=0.05,
        backoff_initial_seconds=0.01,
        backoff_max_seconds=0.05,
    )


def service_settings(database_url: str, kafka: str, encryption_key: str, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "internal_token_key": KEY,
        "kafka_bootstrap": kafka,
        "encryption_keys": SecretStr(encryption_key),
        "log_json": False,
        "log_level": "WARNING",
        "readback_timeout_seconds": 0,
        "job_lease_seconds": 5,
        "hash_processes": 0,
        "hash_chunk_rows": 5_000,
        "cdp_profiles_topic": f"cdp.profiles.test-{uuid.uuid4().hex[:8]}",
    }
    values.update(extra)
    return Settings(**values)


def sandbox_id(platform: str, platform_audience_id: str) -> str:
    """The id the sandbox's admin API knows an audience by."""
    if platform == "google":
        return parse_user_list_name(platform_audience_id)[2]
    if platform == "tiktok":
        return split_audience_id(platform_audience_id)[1]
    return platform_audience_id


def email_of(i: int, tag: str = "") -> str:
    return f"Customer.{tag}{i}@Example.com "


def phone_of(i: int) -> str:
    return f"+1 (415) {200 + i // 10000 % 800:03d}-{i % 10000:04d}"


def make_profiles(
    start: int, count: int, *, tag: str = "", phone: bool = True, madid: bool = False
) -> list[dict[str, Any]]:
    out = []
    for i in range(start, start + count):
        p: dict[str, Any] = {"external_id": f"c-{tag}{i}", "email": email_of(i, tag)}
        if phone:
            p["phone"] = phone_of(i)
        if madid:
            p["madid"] = str(uuid.UUID(int=i + 1))
        out.append(p)
    return out


def expected_hashes(platform: str, fields: list[str], profiles: list[dict[str, Any]]) -> set[str]:
    """What the sandbox should hold: every identifier of the profiles, per the platform."""
    out: set[str] = set()
    for name in fields:
        values = [p.get(name) for p in profiles]
        present = [v for v in values if v]
        out.update(h for h in hash_many(platform, name, present) if h)
    return out


@dataclass
class Sandbox:
    client: httpx.AsyncClient

    async def members(self, platform: str, platform_audience_id: str) -> dict[str, Any]:
        response = await self.client.get(
            f"/_admin/audiences/{platform}/{sandbox_id(platform, platform_audience_id)}/members",
            params={"include_hashes": "true", "limit": 10_000_000},
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def hashes(self, platform: str, platform_audience_id: str) -> set[str]:
        return set((await self.members(platform, platform_audience_id))["hashes"])

    async def requests(self, platform: str) -> list[dict[str, Any]]:
        """The member requests the sandbox logged for ``platform``, newest first."""
        response = await self.client.get(f"/_admin/requests/{platform}")
        assert response.status_code == 200, response.text
        found: list[dict[str, Any]] = response.json()["requests"]
        return found

    async def fault(self, platform: str, kind: str, **extra: Any) -> None:
        body = {"platform": platform, "kind": kind, "count": 1, **extra}
        response = await self.client.post("/_admin/faults", json=body)
        assert response.status_code == 201, response.text

    async def expire_tokens(self, platform: str) -> None:
        response = await self.client.post("/_admin/tokens/expire", json={"platform": platform})
        assert response.status_code == 200, response.text

    async def revoke_tokens(self, platform: str) -> None:
        response = await self.client.post("/_admin/tokens/revoke", json={"platform": platform})
        assert response.status_code == 200, response.text

    async def follow(self, authorization_url: str) -> dict[str, str]:
        """Play the user at the consent screen: follow the 302 back to the redirect URI."""
        parts = urlsplit(authorization_url)
        response = await self.client.get(f"{parts.path}?{parts.query}")
        assert response.status_code == 302, response.text
        query = parse_qs(urlsplit(response.headers["location"]).query)
        code = (query.get("code") or query.get("auth_code") or [""])[0]
        return {"code": code, "state": query["state"][0]}


@dataclass
class Api:
    client: httpx.AsyncClient
    sandbox: Sandbox
    user_id: uuid.UUID = field(default_factory=uuid.uuid4)
    auth: str = "jwt"

    @property
    def headers(self) -> dict[str, str]:
        return internal_headers(KEY, user_id=self.user_id, plan="pro", auth=self.auth)  # type: ignore[arg-type]

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        return await self.client.get(path, headers=self.headers, **kw)

    async def post(self, path: str, **kw: Any) -> httpx.Response:
        return await self.client.post(path, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    async def patch(self, path: str, **kw: Any) -> httpx.Response:
        return await self.client.patch(path, headers=self.headers, **kw)

    async def delete(self, path: str, **kw: Any) -> httpx.Response:
        return await self.client.request("DELETE", path, headers=self.headers, **kw)

    # -- flows -----------------------------------------------------------------------

    async def segment(
        self, name: str = "High Value Customers", profiles: list[dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        response = await self.post(SEGMENTS, json={"name": name, "description": "test"})
        assert response.status_code == 201, response.text
        segment: dict[str, Any] = response.json()
        if profiles:
            await self.upsert(segment["id"], profiles)
        return segment

    async def upsert(self, segment_id: str, profiles: list[dict[str, Any]]) -> dict[str, Any]:
        body: dict[str, Any] = {}
        for start in range(0, len(profiles), 10_000):
            response = await self.post(
                f"{SEGMENTS}/{segment_id}/profiles",
                json={"profiles": profiles[start : start + 10_000]},
            )
            assert response.status_code == 200, response.text
            body = response.json()
        return body

    async def import_csv(
        self,
        segment_id: str,
        content: bytes,
        *,
        headers: dict[str, str] | None = None,
        **params: str,
    ) -> httpx.Response:
        """``POST .../profiles/import`` of ``content`` as ``text/csv`` (``headers`` add to or
        replace that; ``params`` go in the query: ``mapping``, ``dry_run``)."""
        return await self.post(
            f"{SEGMENTS}/{segment_id}/profiles/import",
            content=content,
            params=params,
            headers={"content-type": "text/csv", **(headers or {})},
        )

    async def imported(self, segment_id: str, content: bytes, **params: str) -> dict[str, Any]:
        """:meth:`import_csv` that must succeed: its body."""
        response = await self.import_csv(segment_id, content, **params)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def remove(self, segment_id: str, external_ids: list[str]) -> dict[str, Any]:
        response = await self.delete(
            f"{SEGMENTS}/{segment_id}/profiles", json={"external_ids": external_ids}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def connect(self, platform: str) -> dict[str, Any]:
        started = await self.post(f"{AS}/platforms/{platform}/connect")
        assert started.status_code == 200, started.text
        grant = await self.sandbox.follow(started.json()["authorization_url"])
        assert grant["state"] == started.json()["state"]
        done = await self.post(f"{AS}/platforms/{platform}/callback", json=grant)
        assert done.status_code == 200, done.text
        body: dict[str, Any] = done.json()
        return body

    async def audience(
        self, segment_id: str, platform: str, *, expect: int = 201, **extra: Any
    ) -> dict[str, Any]:
        platforms = (await self.get(f"{AS}/platforms")).json()["platforms"]
        entry = next(p for p in platforms if p["platform"] == platform)
        account = extra.pop("ad_account_id", None) or (
            entry["ad_accounts"][0]["id"] if entry["ad_accounts"] else "none"
        )
        body = {
            "segment_id": segment_id,
            "platform": platform,
            "ad_account_id": account,
            "audience_name": f"{platform} audience {uuid.uuid4().hex[:8]}",
            "description": "CDP segment",
            **extra,
        }
        response = await self.post(f"{AS}/audiences", json=body)
        assert response.status_code == expect, response.text
        created: dict[str, Any] = response.json()
        return created

    async def job(self, job_id: str) -> dict[str, Any]:
        response = await self.get(f"{AS}/sync-jobs/{job_id}")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


async def read_rows(engine: AsyncEngine, sql: str, **params: Any) -> list[Any]:
    """The rows a query reads back (what the service wrote), in a connection of its own."""
    async with engine.connect() as conn:
        return list((await conn.execute(sa.text(sql), params)).all())


def asgi_client(
    app: Any, base_url: str = "http://audience-sync", timeout: float = 120
) -> httpx.AsyncClient:
    """A client calling ``app`` in process."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=base_url, timeout=timeout
    )


def error_of(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    error: dict[str, Any] = body["error"]
    return error


ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"


def migrate(url: str, revision: str, *, down: bool = False) -> None:
    """Run the service's Alembic history on ``url`` up (or down) to ``revision``."""
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(ALEMBIC_INI.parent / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    (command.downgrade if down else command.upgrade)(config, revision)


async def insert_audience(conn: Any, segment_id: uuid.UUID, fields: list[str]) -> uuid.UUID:
    """A Meta audience row of the segment written straight into the table (migration tests,
    where the API of the current schema does not apply); ``conn`` is an asyncpg connection."""
    audience = uuid.uuid4()
    await conn.execute(
        "INSERT INTO audience (id, user_id, segment_id, platform, ad_account_id, "
        "platform_audience_name, identifier_fields) VALUES "
        "($1, $2, $3, 'meta', 'act_1', 'VIP', $4::jsonb)",
        audience,
        uuid.uuid4(),
        segment_id,
        json.dumps(fields),
    )
    return audience
