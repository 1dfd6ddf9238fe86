"""Helpers shared by the campaigns tests (imported by name; conftest puts this dir on sys.path)."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import sqlalchemy as sa
from aiokafka import AIOKafkaProducer
from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from adscale_common.consumer import ConsumerRunner
from adscale_common.db import make_sessionmaker
from adscale_common.kafka import ensure_topics, make_producer
from adscale_common.testing import internal_headers
from adscale_common.testing_consumers import group_from, running
from campaigns.settings import Settings

KEY = "test-internal-key-0123456789abcdef"
FERNET_KEY = Fernet.generate_key().decode()
SANDBOX = "http://sandbox"
META_VERSION = "v25.0"


@dataclass
class MetaLogin:
    token: str
    account_id: str
    campaign_ids: list[str]


async def meta_login(sandbox: httpx.AsyncClient, sandbox_user: str | None = None) -> MetaLogin:
    """OAuth against the sandbox (as a user would), then its first ad account and campaigns."""
    user = sandbox_user or f"u-{uuid.uuid4().hex[:10]}"
    redirect = "http://localhost/cb"
    dialog = await sandbox.get(
        f"/meta/www/{META_VERSION}/dialog/oauth",
        params={"client_id": "adscale-test", "redirect_uri": redirect, "sandbox_user": user},
    )
    assert dialog.status_code == 302, dialog.text
    code = parse_qs(urlsplit(dialog.headers["location"]).query)["code"][0]
    tokens = await sandbox.post(
        f"/meta/graph/{META_VERSION}/oauth/access_token",
        data={
            "client_id": "adscale-test",
            "client_secret": "secret",
            "redirect_uri": redirect,
            "code": code,
        },
    )
    assert tokens.status_code == 200, tokens.text
    token = tokens.json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    accounts = await sandbox.get(f"/meta/graph/{META_VERSION}/me/adaccounts", headers=auth)
    account_id = accounts.json()["data"][0]["id"].removeprefix("act_")
    campaigns = await sandbox.get(
        f"/meta/graph/{META_VERSION}/act_{account_id}/campaigns", headers=auth
    )
    return MetaLogin(token, account_id, [c["id"] for c in campaigns.json()["data"]])


@dataclass
class GoogleLogin:
    token: str
    customer_id: str
    campaigns: dict[str, dict[str, Any]]  # id -> status, budget micros


GOOGLE_ADS = "/google/ads/v21"


async def google_campaigns(
    sandbox: httpx.AsyncClient, token: str, customer_id: str
) -> dict[str, dict[str, Any]]:
    """The sandbox's Google campaigns as Google Ads answers them (GAQL search)."""
    r = await sandbox.post(
        f"{GOOGLE_ADS}/customers/{customer_id}/googleAds:search",
        json={
            "query": "SELECT campaign.id, campaign.status, campaign_budget.amount_micros "
            "FROM campaign"
        },
        headers={"Authorization": f"Bearer {token}", "developer-token": "sandbox-dev-token"},
    )
    assert r.status_code == 200, r.text
    return {
        str(row["campaign"]["id"]): {
            "status": row["campaign"]["status"],
            "micros": int(row["campaignBudget"]["amountMicros"]),
        }
        for row in r.json()["results"]
    }


async def google_login(sandbox: httpx.AsyncClient) -> GoogleLogin:
    """OAuth against the sandbox's Google, then the first customer and its campaigns."""
    redirect = "http://localhost/cb"
    consent = await sandbox.get(
        "/google/accounts/o/oauth2/v2/auth",
        params={"client_id": "adscale-test", "redirect_uri": redirect, "response_type": "code"},
    )
    assert consent.status_code in (302, 303), consent.text
    code = parse_qs(urlsplit(consent.headers["location"]).query)["code"][0]
    tokens = await sandbox.post(
        "/google/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect,
            "client_id": "adscale-test",
            "client_secret": "secret",
        },
    )
    assert tokens.status_code == 200, tokens.text
    token = tokens.json()["access_token"]
    listed = await sandbox.get(
        f"{GOOGLE_ADS}/customers:listAccessibleCustomers",
        headers={"Authorization": f"Bearer {token}", "developer-token": "sandbox-dev-token"},
    )
    customer = listed.json()["resourceNames"][0].split("/")[1]
    return GoogleLogin(token, customer, await google_campaigns(sandbox, token, customer))


def settings_for(database_url: str, **extra: Any) -> Settings:
    return Settings(
        database_url=database_url,
        internal_token_key=KEY,
        encryption_keys=FERNET_KEY,
        log_json=False,
        **extra,
    )


def headers(user_id: uuid.UUID, plan: str = "free", auth: str = "jwt") -> dict[str, str]:
    return internal_headers(KEY, user_id=user_id, plan=plan, auth=auth)  # type: ignore[arg-type]


class Api:
    """Factories through the API, as one user."""

    def __init__(self, client: httpx.AsyncClient, user_id: uuid.UUID | None = None) -> None:
        self.client = client
        self.user_id = user_id or uuid.uuid4()
        self.h = headers(self.user_id)

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        return await self.client.get(path, headers=self.h, **kw)

    async def delete(self, path: str) -> httpx.Response:
        return await self.client.delete(path, headers=self.h)

    async def _create(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        """``POST`` as this user, expecting 201; the created resource."""
        r = await self.client.post(path, json=payload, headers=self.h)
        assert r.status_code == 201, r.text
        return dict(r.json())

    async def account(self, platform: str = "meta", **body: Any) -> dict[str, Any]:
        payload = {"platform": platform, "account_id_external": uuid.uuid4().hex[:12], **body}
        return await self._create("/api/v1/accounts", payload)

    async def campaign(self, account_id: str | None = None, **body: Any) -> dict[str, Any]:
        if account_id is None:
            account_id = (await self.account())["id"]
        payload = {"ad_account_id": account_id, "name": "Campaign", "objective": "sales", **body}
        return await self._create("/api/v1/campaigns", payload)

    async def ad_group(self, campaign_id: str, **body: Any) -> dict[str, Any]:
        payload = {"campaign_id": campaign_id, "name": "Group", **body}
        return await self._create("/api/v1/ad-groups", payload)

    async def creative(self, ad_group_id: str, **body: Any) -> dict[str, Any]:
        payload = {
            "ad_group_id": ad_group_id,
            "headline": "Fresh coffee daily",
            "description": "Roasted this week, delivered to your door.",
            "destination_url": "https://shop.example.com/coffee",
            **body,
        }
        return await self._create("/api/v1/creatives", payload)

    async def rule(self, rule_type: str, threshold: Any, **body: Any) -> dict[str, Any]:
        payload = {
            "name": f"{rule_type} rule",
            "rule_type": rule_type,
            "threshold": threshold,
            **body,
        }
        return await self._create("/api/v1/rules", payload)

    async def try_rule(self, conditions: dict[str, Any]) -> httpx.Response:
        """``POST /rules`` of a plain rule with these conditions, answer unchecked (refusals)."""
        payload = {"name": "x", "rule_type": "pause_low_roas", "threshold": 1}
        return await self.client.post(
            "/api/v1/rules", json={**payload, "conditions": conditions}, headers=self.h
        )


async def set_plan(session: AsyncSession, user_id: uuid.UUID, plan: str) -> None:
    await session.execute(
        sa.text(
            "INSERT INTO user_plan (user_id, plan, updated_at) VALUES (:u, :p, now()) "
            "ON CONFLICT (user_id) DO UPDATE SET plan = excluded.plan"
        ),
        {"u": user_id, "p": plan},
    )


async def forget_user(engine: AsyncEngine, user_id: uuid.UUID) -> None:
    """Delete what a committed test made for ``user_id`` (cascades to its children)."""
    async with engine.begin() as conn:
        for table in ("rule", "ad_account", "user_plan", "audience_health"):
            await conn.execute(sa.text(f"DELETE FROM {table} WHERE user_id = :u"), {"u": user_id})


async def outbox_types(session: AsyncSession, subject: str | None = None) -> list[str]:
    stmt = "SELECT event_type FROM outbox_event"
    params: dict[str, Any] = {}
    if subject is not None:
        stmt += " WHERE key = :k"
        params["k"] = subject
    rows = await session.execute(sa.text(stmt + " ORDER BY seq"), params)
    return [r[0] for r in rows]


async def scalar(db: AsyncSession | AsyncConnection, sql: str, **params: Any) -> Any:
    """The one value ``sql`` (with ``:name`` parameters) selects."""
    return (await db.execute(sa.text(sql), params)).scalar_one()


async def seed_day(
    session: AsyncSession | AsyncConnection, campaign_id: str, day: date, **values: object
) -> None:
    """One ``campaign_metric`` row (zeros where ``values`` name nothing), in the caller's
    transaction: a test's session, or a connection it commits."""
    row = {"impressions": 0, "clicks": 0, "conversions": 0, "spend": "0", "revenue": "0", **values}
    await session.execute(
        sa.text(
            "INSERT INTO campaign_metric (campaign_id, day, impressions, clicks, conversions, "
            "spend, revenue) VALUES (:c, :d, :impressions, :clicks, :conversions, :spend, :revenue)"
        ),
        {"c": campaign_id, "d": day, **row},
    )


async def seed_days(session: AsyncSession, rows: list[tuple[Any, ...]]) -> None:
    """``campaign_metric`` rows, each ``(campaign, day, impressions, clicks, conversions, spend,
    revenue)`` with ``campaign`` a campaign as the API answers it."""
    for campaign, day, impressions, clicks, conversions, spend, revenue in rows:
        await seed_day(
            session,
            campaign["id"],
            day,
            impressions=impressions,
            clicks=clicks,
            conversions=conversions,
            spend=spend,
            revenue=revenue,
        )


def flt(metric: str, operator: str, value: Any, window: str = "last_7_days") -> dict[str, Any]:
    return {"metric": metric, "operator": operator, "value": value, "window": window}


async def language_rule(api: Api, filters: list[dict[str, Any]], **conditions: Any) -> str:
    return (
        await api.rule(
            "pause_low_roas",
            1,
            conditions={"filters": filters, "action": {"type": "notify"}, **conditions},
        )
    )["id"]


async def preview(api: Api, rule_id: str) -> dict[str, Any]:
    r = await api.client.post(f"/api/v1/rules/{rule_id}/execute?dry_run=true", headers=api.h)
    assert r.status_code == 200, r.text
    return dict(r.json())


@contextlib.asynccontextmanager
async def consuming(
    bootstrap: str, engine: AsyncEngine, topic: str, handlers: Mapping[str, Any]
) -> AsyncIterator[AIOKafkaProducer]:
    """A real consumer of ``topic`` running ``handlers`` (as the worker does) while the block
    runs; yields a started producer to send with."""
    await ensure_topics(bootstrap, [topic, f"{topic}.dlq"])
    group = f"campaigns-test-{uuid.uuid4().hex[:8]}"
    # The group starts at what is produced from now on, not at the backlog of other suites.
    await group_from(bootstrap, group, [topic], int(time.time() * 1000) - 1000)
    producer = make_producer(bootstrap, client_id="campaigns-tests")
    await producer.start()
    runner = ConsumerRunner(
        name=group,
        topics=[topic],
        handlers=dict(handlers),
        sessionmaker=make_sessionmaker(engine),
        bootstrap=bootstrap,
        producer=producer,
    )
    try:
        async with running(runner):
            yield producer
    finally:
        await producer.stop()
