"""Each client's full flow against the platform sandbox, served by uvicorn on a free port.

OAuth (authorize -> 302 -> code -> exchange), ad accounts, create audience, add 25,000
members, remove 1,000, replace, read size and match rate, delete; a rate-limit fault and a
token-expiry fault (both injected through the sandbox admin API) are retried / refreshed
and succeed; a permission fault surfaces as PermissionDenied with the platform's own code.
The clients only get base URLs: nothing in them knows about the sandbox.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from adscale_platforms import BaseClient, RefreshingToken, TokenSet, build_client
from adscale_platforms.errors import PermissionDenied
from adscale_platforms.google import parse_user_list_name
from adscale_platforms.idempotency import batch_key
from adscale_platforms.identifiers import hash_many
from adscale_platforms.oauth import code_challenge_s256, new_code_verifier
from adscale_platforms.settings import PlatformSettings
from adscale_platforms.tiktok import split_audience_id
from adscale_sandbox.main import create_app
from adscale_sandbox.settings import Settings as SandboxSettings
from kit import split_url

REDIRECT = "https://adscale.test/oauth/callback"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def sandbox_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir: Path = tmp_path_factory.mktemp("sandbox")
    app = create_app(SandboxSettings(data_dir=data_dir, processing_delay_seconds=0.2))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="sandbox", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the sandbox did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=15)


def client_settings(base: str) -> PlatformSettings:
    return PlatformSettings.for_sandbox(
        base,
        # Retry quickly: the sandbox's throttles say "one minute"; the cap is what we honour.
        max_retry_wait_seconds=0.05,
        backoff_initial_seconds=0.01,
        backoff_max_seconds=0.05,
    )


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=60) as client:
        yield client


@dataclass(frozen=True)
class Expect:
    member_path: str  # a path fragment of member uploads, for fault targeting
    permission_code: str | int


EXPECT = {
    "meta": Expect("/users", 200),
    "google": Expect("audienceMembers", "PERMISSION_DENIED"),
    "tiktok": Expect("segment/mapping", 40001),
    "snapchat": Expect("/users", 403),
}


def sandbox_audience_id(platform: str, audience_id: str) -> str:
    if platform == "google":
        return parse_user_list_name(audience_id)[2]
    if platform == "tiktok":
        return split_audience_id(audience_id)[1]
    return audience_id


async def fault(admin: httpx.AsyncClient, platform: str, kind: str, **extra: Any) -> None:
    response = await admin.post(
        "/_admin/faults", json={"platform": platform, "kind": kind, "count": 1, **extra}
    )
    assert response.status_code == 201, response.text


async def pending_faults(admin: httpx.AsyncClient) -> list[dict[str, Any]]:
    faults: list[dict[str, Any]] = (await admin.get("/_admin/faults")).json()["faults"]
    return faults


async def settled_members(admin: httpx.AsyncClient, platform: str, audience: str) -> dict[str, Any]:
    """The sandbox's own view of the audience once its processing delay has passed."""
    deadline = time.monotonic() + 20
    while True:
        response = await admin.get(
            f"/_admin/audiences/{platform}/{audience}/members", params={"include_hashes": "true"}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        if not body["processing"] and body["visible_count"] == body["count"]:
            return body
        assert time.monotonic() < deadline, "audience never finished processing"
        await asyncio.sleep(0.1)


async def authorize(http: httpx.AsyncClient, client: BaseClient) -> TokenSet:
    state = f"state-{client.platform}"
    verifier = new_code_verifier() if client.supports_pkce else None
    challenge = code_challenge_s256(verifier) if verifier else None
    response = await http.get(
        client.authorization_url(state, REDIRECT, challenge), follow_redirects=False
    )
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(REDIRECT)
    _, query = split_url(location)
    assert query["state"] == state
    code = query.get("auth_code") or query["code"]
    tokens = await client.exchange_code(code, REDIRECT, verifier)
    assert tokens.access_token
    return tokens


@pytest.mark.parametrize("platform", ["meta", "google", "tiktok", "snapchat"])
async def test_full_flow(platform: str, sandbox_url: str, http: httpx.AsyncClient) -> None:
    expect = EXPECT[platform]
    client = build_client(platform, http, client_settings(sandbox_url))
    admin = httpx.AsyncClient(base_url=sandbox_url, timeout=30)
    try:
        # -- OAuth --------------------------------------------------------------------
        tokens = await authorize(http, client)
        refreshed: list[TokenSet] = []

        async def keep(new: TokenSet) -> None:
            refreshed.append(new)

        token = RefreshingToken(client, tokens, keep)

        # -- account and audience -----------------------------------------------------
        accounts = await client.list_ad_accounts(token)
        assert accounts and all(a.id and a.currency for a in accounts)
        audience = await client.create_audience(
            token, accounts[0].id, f"flow-{platform}", "AdScale flow test"
        )
        admin_id = sandbox_audience_id(platform, audience)

        emails = [f"Customer.{i}+promo@Example.com " for i in range(25_000)]
        members = hash_many(platform, "email", emails)
        assert None not in members
        hashed = [h for h in members if h is not None]

        # -- add 25,000 through a rate-limit fault ------------------------------------
        await fault(admin, platform, "rate_limit", path_contains=expect.member_path)
        reports: list[Any] = []
        added = await client.members(
            "add", token, audience, "email", iter(hashed), on_batch=reports.append
        )
        assert added.received == 25_000
        assert added.invalid == 0
        assert reports[-1].rows_done == 25_000 and reports[-1].last
        assert await pending_faults(admin) == []  # the fault fired and was retried past

        # -- remove 1,000 through a token-expiry fault ---------------------------------
        await fault(admin, platform, "token_expired", path_contains=expect.member_path)
        removed = await client.members("remove", token, audience, "email", hashed[:1_000])
        assert removed.received == 1_000
        assert len(refreshed) == 1
        assert token.tokens.access_token != tokens.access_token
        assert await pending_faults(admin) == []
        after_remove = await settled_members(admin, platform, admin_id)
        assert after_remove["count"] == 24_000

        # -- replace ------------------------------------------------------------------
        newcomers = hash_many(platform, "email", [f"new{i}@example.org" for i in range(5_000)])
        final = hashed[1_000:16_000] + [h for h in newcomers if h is not None]
        await client.members("replace", token, audience, "email", final)
        settled = await settled_members(admin, platform, admin_id)
        assert settled["count"] == 20_000
        assert settled["hashes"] == sorted(final)  # exactly the new set

        # -- size and match rate -------------------------------------------------------
        info = await client.get_audience(token, audience)
        matched = settled["visible_matched_count"]
        assert 0.85 * 20_000 < matched < 0.92 * 20_000
        expected_size = matched * 95 // 100 if platform == "meta" else matched
        assert info.size == expected_size
        if platform == "google":
            assert info.match_rate == pytest.approx(round(matched * 100 / 20_000) / 100)
        else:
            assert info.match_rate is None  # the platform reports none

        # -- a permission fault surfaces with the platform's code ----------------------
        await fault(admin, platform, "permission")
        with pytest.raises(PermissionDenied) as caught:
            await client.get_audience(token, audience)
        assert caught.value.code == expect.permission_code
        assert caught.value.platform == platform

        # -- delete -------------------------------------------------------------------
        await client.delete_audience(token, audience)
        gone = await admin.get(f"/_admin/audiences/{platform}/{admin_id}/members")
        assert gone.status_code == 404
    finally:
        await admin.aclose()


@pytest.mark.parametrize("platform", ["meta", "google"])
async def test_campaign_insights_and_updates(
    platform: str, sandbox_url: str, http: httpx.AsyncClient
) -> None:
    client = build_client(platform, http, client_settings(sandbox_url))
    tokens = await authorize(http, client)
    account = (await client.list_ad_accounts(tokens.access_token))[0]
    today = datetime.now(UTC).date()
    since = today - timedelta(days=6)
    insights = await client.get_campaign_insights(  # type: ignore[attr-defined]
        tokens.access_token, account.id, since, today
    )
    assert insights, "the sandbox seeds campaigns with daily metrics"
    assert all(since <= row.date <= today for row in insights)
    assert all(isinstance(row.spend, Decimal) and row.spend >= 0 for row in insights)
    assert sum(row.impressions for row in insights) > 0
    campaign = insights[0].campaign_external_id
    await client.update_campaign(  # type: ignore[attr-defined]
        tokens.access_token, account.id, campaign, status="PAUSED", daily_budget=Decimal("25.50")
    )


async def test_meta_batches_of_one_job_sent_again_are_accepted_once(
    sandbox_url: str, http: httpx.AsyncClient
) -> None:
    """A job's batches are named by the job and their rows (``batch_key``): the same rows
    sent again by the same job (a worker resuming after a kill) reach no member twice; the
    same rows from another job, or outside any job, are new batches."""
    client = build_client("meta", http, client_settings(sandbox_url))
    async with httpx.AsyncClient(base_url=sandbox_url, timeout=30) as admin:
        token = RefreshingToken(client, await authorize(http, client), None)
        account = (await client.list_ad_accounts(token))[0].id
        audience = await client.create_audience(token, account, "repeat", "batch ids")
        rows = [h for h in hash_many("meta", "email", [f"r{i}@x.org" for i in range(12_000)]) if h]

        async def stats() -> dict[str, Any]:
            body = (await admin.get(f"/_admin/audiences/meta/{audience}/members")).json()
            assert body["count"] == 12_000
            return dict(body["stats"])

        with batch_key("sync-job:1"):
            first = await client.members("add", token, audience, "email", rows)
            again = await client.members("add", token, audience, "email", rows)  # the resend
            # A lane resumed after its first batch was checkpointed: only the in-flight one.
            tail = await client.members("add", token, audience, "email", rows[10_000:])
        assert first.received == again.received == 12_000 and tail.received == 2_000
        assert (await stats())["received_rows"] == 12_000
        log = (await admin.get("/_admin/requests/meta")).json()["requests"]
        assert sum(1 for r in log if "repeat_of" in r) == 3  # two batches again, then one

        with batch_key("sync-job:2"):
            await client.members("add", token, audience, "email", rows)
        await client.members("add", token, audience, "email", rows)  # outside any job
        assert (await stats())["received_rows"] == 36_000
