"""`adscale` on the AdScale API: login, whoami, accounts, campaigns (and metrics), ad-groups,
creatives (and generate-copy), rules (and dry-run, execute, executions, runs, run, undo,
backtest), billing, keys.
Each command once on its happy path and once with an error (exit code and API code)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import stat
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

import httpx

import adscale

sys.path.insert(0, str(Path(__file__).parent))
from adscale import models as m
from cli_kit import API, Cli, kit

NIL = "00000000-0000-4000-8000-000000000000"


async def test_login_whoami_logout_keep_tokens_in_a_0600_file_without_keyring(
    cli: Cli, api: httpx.AsyncClient
):
    member = await kit.register(api, "login")
    wrong = cli("login", "--email", member.email, "--password", "not the password")
    assert wrong.exit_code == 3 and "HTTP_401" in wrong.stderr
    cli.ok("login", "--email", member.email, "--password", member.password)
    path = cli.config_dir / "config.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(cli.config_dir).st_mode) == 0o700
    assert "refresh_token" in path.read_text()
    me = m.UserRead.model_validate(cli.ok("whoami", "-o", "json").json())
    assert me.email == member.email
    assert "logged out" in cli.ok("logout").stdout
    assert "refresh_token" not in path.read_text()
    cli.fails(3, "HTTP_401", "whoami")


async def test_change_password_keeps_this_profile_and_logout_everywhere_ends_the_rest(
    cli: Cli, api: httpx.AsyncClient
):
    from adscale.cli.config import Store

    member = await kit.register(api, "password")
    cli.sign_in(member)
    cli.sign_in(member, profile="laptop")
    store = Store(cli.config_dir / "config.json")
    before = store.profile("default")["refresh_token"]
    cli.fails(6, "VALIDATION_ERROR", "change-password", "--current", "nope", "--new", "n3w secret")
    changed = cli.ok("change-password", "--current", member.password, "--new", "n3w secret")
    assert "every other session ended" in changed.stdout
    assert store.profile("default")["refresh_token"] != before
    assert cli.ok("whoami", "-o", "json").json()["email"] == member.email
    cli.fails(3, "HTTP_401", "login", "--email", member.email, "--password", member.password)
    assert await refreshes(api, store.profile("laptop")["refresh_token"]) == 401
    # The new password is the one now; then every session ends, the new one's too.
    cli.ok("--profile", "laptop", "login", "--email", member.email, "--password", "n3w secret")
    kept = store.profile("laptop")["refresh_token"]
    ended = cli.ok("logout", "--everywhere")
    assert "every session ended" in ended.stdout
    assert await refreshes(api, kept) == 401
    cli.fails(3, "HTTP_401", "whoami")  # the default profile forgot its tokens


async def test_sessions_lists_each_login_and_revoke_signs_one_out_at_once(
    cli: Cli, api: httpx.AsyncClient
):
    member = await kit.register(api, "sessions")
    cli.ok("login", "--email", member.email, "--password", member.password)
    cli.ok("--profile", "laptop", "login", "--email", member.email, "--password", member.password)
    listed = cli.ok("sessions", "list", "-o", "json").json()
    # The registration's session and the two logins, the one active last first.
    assert len(listed) == 3
    current = [s for s in listed if s["current"]]
    assert len(current) == 1 and current[0]["user_agent"].startswith("adscale-python/")
    from_laptop = cli.ok("--profile", "laptop", "sessions", "list", "-o", "json").json()
    (laptop,) = [s for s in from_laptop if s["current"]]
    assert laptop["id"] != current[0]["id"]

    assert cli.ok("sessions", "revoke", laptop["id"]).stdout.startswith("revoked")
    # Its access token is refused as soon as the gateway hears of it, not when it expires.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if cli("--profile", "laptop", "whoami").exit_code != 0:
            break
        await asyncio.sleep(0.2)
    cli.fails(3, "HTTP_401", "--profile", "laptop", "whoami")
    assert cli.ok("whoami", "-o", "json").json()["email"] == member.email  # this one goes on
    left = {s["id"] for s in cli.ok("sessions", "list", "-o", "json").json()}
    assert laptop["id"] not in left and current[0]["id"] in left
    cli.fails(4, "HTTP_404", "sessions", "revoke", laptop["id"])


async def refreshes(api: httpx.AsyncClient, refresh_token: str) -> int:
    response = await api.post("/auth/refresh", json={"refresh_token": refresh_token})
    return response.status_code


async def test_profiles_and_api_key(cli: Cli, api: httpx.AsyncClient):
    member = await kit.register(api, "profiles")
    await kit.upgrade(api, member)
    key = await kit.api_key(api, member)
    cli.sign_in(member, profile="prod")
    assert cli.ok("--profile", "prod", "whoami", "-o", "json").json()["email"] == member.email
    cli.fails(3, "HTTP_401", "whoami")  # the default profile has no credentials
    # ADSCALE_API_KEY and --api-key work without any login
    usage = cli.ok("whoami", "-o", "json", ADSCALE_API_KEY=key).json()
    assert usage["auth"] == "api_key" and usage["plan"] == "pro"
    assert cli.ok("--api-key", key, "billing", "usage", "-o", "json").json()["plan"] == "pro"
    cli.fails(3, "HTTP_401", "--api-key", "adscale_live_wrong", "billing", "usage")
    cli.fails(3, "HTTP_401", "--api-key", key, "campaigns", "list")  # JWT-only routes


async def test_expired_access_token_is_refreshed_and_the_rotated_pair_stored(
    signed_in: Cli, member: kit.Member
):
    path = signed_in.config_dir / "config.json"
    from adscale.cli.config import Store

    Store(path).save("default", access_token=kit.expired_token(member.id))
    assert signed_in.ok("whoami", "-o", "json").json()["email"] == member.email
    stored = Store(path).profile("default")
    assert stored["refresh_token"] != member.refresh_token  # rotated, and kept
    assert signed_in.ok("whoami", "-o", "json").json()["email"] == member.email


async def test_accounts_campaigns_ad_groups_creatives(signed_in: Cli):
    cli = signed_in
    account = cli.ok(
        "accounts",
        "create",
        "-s",
        "platform=meta",
        "-s",
        f"account_id_external=act_{uuid.uuid4().hex[:10]}",
        "-o",
        "json",
    ).json()
    m.AccountRead.model_validate(account)
    cli.fails(6, "VALIDATION_ERROR", "accounts", "create", "-s", "platform=myspace")
    assert [a["id"] for a in cli.ok("accounts", "list", "-o", "json").json()] == [account["id"]]
    assert cli.ok("accounts", "get", account["id"], "-o", "json").json() == account
    renamed = cli.ok("accounts", "update", account["id"], "-s", "account_name=Main", "-o", "json")
    assert renamed.json()["account_name"] == "Main"

    campaign = cli.ok(
        "campaigns",
        "create",
        "-d",
        f'{{"ad_account_id": "{account["id"]}", "name": "Spring", "objective": "sales"}}',
        "-s",
        "budget_daily=25.5",
        "-o",
        "json",
    ).json()
    assert m.CampaignRead.model_validate(campaign).budget_daily == "25.50"
    listed = cli.ok("campaigns", "list", "--status", "draft", "-o", "csv").stdout.splitlines()
    assert "ad_account_id" in listed[0].split(",") and campaign["id"] in listed[1]
    table = cli.ok("campaigns", "list").stdout
    assert "Spring" in table and "objective" in table
    found = cli.ok("campaigns", "list", "--name-contains", "SPRI", "-o", "json").json()
    assert [c["id"] for c in found] == [campaign["id"]]
    assert cli.ok("campaigns", "list", "--name-contains", "autumn", "-o", "json").json() == []
    cli.ok("campaigns", "update", campaign["id"], "-s", "status=paused")
    assert cli.ok("campaigns", "get", campaign["id"], "-o", "json").json()["status"] == "paused"
    cli.fails(4, "HTTP_404", "campaigns", "get", NIL)
    cli.fails(6, "VALIDATION_ERROR", "campaigns", "update", campaign["id"], "-s", "objective=fame")
    cli.fails(6, "VALIDATION_ERROR", "campaigns", "list", "--status", "bogus")
    assert cli.ok("campaigns", "metrics", campaign["id"], "-o", "json").json() == []
    cli.fails(4, "HTTP_404", "campaigns", "metrics", NIL)
    overview = cli.ok("campaigns", "overview", "-o", "json").json()
    m.CampaignsOverviewRead.model_validate(overview)
    cli.fails(6, "VALIDATION_ERROR", "campaigns", "overview", "--start-date", "yesterday")

    group = cli.ok(
        "ad-groups",
        "create",
        "-s",
        f"campaign_id={campaign['id']}",
        "-s",
        "name=Adults",
        "-s",
        'targeting={"age": "25-45", "locations": ["US"]}',
        "-o",
        "json",
    ).json()
    assert m.AdGroupRead.model_validate(group).targeting is not None
    rows = cli.ok("ad-groups", "list", "--campaign-id", campaign["id"], "-o", "json").json()
    assert [g["id"] for g in rows] == [group["id"]]
    rows = cli.ok("ad-groups", "list", "--name-contains", "adult", "-o", "json").json()
    assert [g["id"] for g in rows] == [group["id"]]
    cli.ok("ad-groups", "get", group["id"])
    cli.ok("ad-groups", "update", group["id"], "-s", "status=paused")
    cli.fails(4, "HTTP_404", "ad-groups", "create", "-s", f"campaign_id={NIL}", "-s", "name=X")

    creative = cli.ok(
        "creatives",
        "create",
        "-s",
        f"ad_group_id={group['id']}",
        "-s",
        "headline=Hi",
        "-s",
        "description=Shoes",
        "-s",
        "destination_url=https://example.com/shoes",
        "-o",
        "json",
    ).json()
    m.CreativeRead.model_validate(creative)
    rows = cli.ok("creatives", "list", "--ad-group-id", group["id"], "-o", "json").json()
    assert [c["id"] for c in rows] == [creative["id"]]
    cli.ok("creatives", "get", creative["id"])
    cli.ok("creatives", "update", creative["id"], "-s", "call_to_action=Shop Now")
    cli.fails(
        6, "VALIDATION_ERROR", "creatives", "update", creative["id"], "-s", "destination_url=nope"
    )
    copy = cli.ok(
        "creatives",
        "generate-copy",
        "--product-name",
        "Trail shoes",
        "--product-description",
        "Light shoes for muddy trails",
        "--tone",
        "casual",
        "-o",
        "json",
    ).json()
    assert m.GenerateCopyResponse.model_validate(copy).headline
    cli.fails(
        6,
        "VALIDATION_ERROR",
        "creatives",
        "generate-copy",
        "--product-name",
        "",
        "--product-description",
        "x",
    )
    assert cli.ok("creatives", "delete", creative["id"]).stdout.startswith("deleted")
    cli.fails(4, "HTTP_404", "creatives", "delete", creative["id"])
    cli.ok("ad-groups", "delete", group["id"])
    cli.fails(4, "HTTP_404", "ad-groups", "get", group["id"])
    cli.ok("campaigns", "delete", campaign["id"])
    cli.fails(4, "HTTP_404", "campaigns", "delete", campaign["id"])
    cli.ok("accounts", "delete", account["id"])
    cli.fails(4, "HTTP_404", "accounts", "delete", account["id"])
    cli.fails(4, "HTTP_404", "accounts", "get", NIL)
    cli.fails(4, "HTTP_404", "accounts", "update", NIL, "-s", "account_name=x")
    cli.fails(3, "HTTP_401", "accounts", "list", ADSCALE_API_KEY="adscale_live_nope")


async def test_rules(signed_in: Cli):
    cli = signed_in
    rule = cli.ok(
        "rules",
        "create",
        "-s",
        "name=Pause losers",
        "-s",
        "rule_type=pause_low_roas",
        "-s",
        "threshold=1.5",
        "-o",
        "json",
    ).json()
    m.RuleRead.model_validate(rule)
    cli.fails(
        6,
        "VALIDATION_ERROR",
        "rules",
        "create",
        "-s",
        "name=x",
        "-s",
        "rule_type=magic",
        "-s",
        "threshold=1",
    )
    assert [r["id"] for r in cli.ok("rules", "list", "-o", "json").json()] == [rule["id"]]
    cli.ok("rules", "get", rule["id"])
    cli.ok("rules", "update", rule["id"], "-s", "threshold=2")
    dry = m.ExecuteResult.model_validate(
        cli.ok("rules", "dry-run", rule["id"], "-o", "json").json()
    )
    assert dry.dry_run is True
    done = m.ExecuteResult.model_validate(
        cli.ok("rules", "execute", rule["id"], "-o", "json").json()
    )
    assert done.dry_run is False and done.execution_id is not None
    runs = cli.ok("rules", "executions", rule["id"], "-o", "json").json()
    assert [str(done.execution_id)] == [r["id"] for r in runs]
    runs = cli.ok("rules", "runs", rule["id"], "-o", "json").json()
    assert {r["dry_run"] for r in runs} == {True, False} and len(runs) == 2
    assert str(done.execution_id) in [r["id"] for r in runs]
    detail = m.RunDetail.model_validate(
        cli.ok("rules", "run", str(done.execution_id), "-o", "json").json()
    )
    assert detail.id == done.execution_id and detail.objects.total == 0
    assert "campaigns_evaluated" in cli.ok("rules", "run", str(done.execution_id)).stdout
    # a run that changed nothing has nothing to undo
    cli.fails(5, "HTTP_409", "rules", "undo", str(done.execution_id))
    cli.fails(4, "HTTP_404", "rules", "undo", NIL)
    cli.fails(4, "HTTP_404", "rules", "run", NIL)
    week = ("--start-date", "2026-11-01", "--end-date", "2026-11-07")
    test = m.BacktestResult.model_validate(
        cli.ok("rules", "backtest", rule["id"], *week, "-o", "json").json()
    )
    assert [d.date.isoformat() for d in test.days][::6] == ["2026-11-01", "2026-11-07"]
    assert test.actions_total == 0
    assert "2026-11-07" in cli.ok("rules", "backtest", rule["id"], *week).stdout
    backwards = ("--start-date", "2026-11-07", "--end-date", "2026-11-01")
    cli.fails(6, "VALIDATION_ERROR", "rules", "backtest", rule["id"], *backwards)
    cli.fails(4, "HTTP_404", "rules", "backtest", NIL, *week)
    cli.fails(4, "HTTP_404", "rules", "dry-run", NIL)
    cli.fails(4, "HTTP_404", "rules", "execute", NIL)
    cli.fails(4, "HTTP_404", "rules", "executions", NIL)
    cli.ok("rules", "delete", rule["id"])
    cli.fails(4, "HTTP_404", "rules", "get", rule["id"])


async def test_billing_and_keys(signed_in: Cli, api: httpx.AsyncClient, member: kit.Member):
    cli = signed_in
    plans = [m.PlanRead.model_validate(p) for p in cli.ok("billing", "plans", "-o", "json").json()]
    assert {p.id for p in plans} >= {"free", "pro", "enterprise"}
    usage = m.UsageRead.model_validate(cli.ok("billing", "usage", "-o", "json").json())
    assert usage.plan == "free"
    m.OverviewRead.model_validate(cli.ok("billing", "overview", "-o", "json").json())
    assert cli.ok("billing", "current", "-o", "json").json() is None
    cli.fails(6, "HTTP_400", "billing", "upgrade", "free", "--no-browser")
    checkout = cli.ok("billing", "upgrade", "pro", "--no-browser", "-o", "json").json()
    assert m.CheckoutRead.model_validate(checkout).url.startswith("http")
    created = m.ApiKeyCreated.model_validate(cli.ok("keys", "create", "ci", "-o", "json").json())
    assert created.key.startswith("adscale_live_")
    cli.fails(3, "HTTP_403", "billing", "usage", ADSCALE_API_KEY=created.key)  # not on Free
    cli.fails(6, "VALIDATION_ERROR", "keys", "create", "")
    assert [k["id"] for k in cli.ok("keys", "list", "-o", "json").json()] == [str(created.id)]
    assert cli.ok("keys", "revoke", str(created.id)).stdout.startswith("revoked")
    cli.fails(4, "HTTP_404", "keys", "revoke", str(created.id))
    cli.fails(3, "HTTP_401", "keys", "list", ADSCALE_API_KEY="adscale_live_nope")
    cli.fails(8, "Connect", "billing", "plans", ADSCALE_BASE_URL="http://127.0.0.1:9/api/v1")
    cli.fails(3, "HTTP_401", "billing", "usage", ADSCALE_API_KEY="adscale_live_nope")
    cli.fails(3, "HTTP_401", "billing", "overview", ADSCALE_API_KEY="adscale_live_nope")
    cli.fails(3, "HTTP_401", "billing", "current", ADSCALE_API_KEY="adscale_live_nope")


async def test_metrics_summed_per_day_and_per_campaign(
    signed_in: Cli, api: httpx.AsyncClient, member: kit.Member
):
    """`campaigns daily` and `campaigns totals` (and the SDK's metrics.daily/campaigns) on two
    campaigns linked to the sandbox, their metrics fetched: each agrees with the overview."""
    cli = signed_in
    login, account = await kit.connect_meta(api, member)
    for index, external in enumerate(login.campaign_ids[:2]):
        campaign = cli.ok(
            "campaigns",
            "create",
            "-d",
            json.dumps(
                {
                    "ad_account_id": account["id"],
                    "objective": "sales",
                    "external_campaign_id": external,  # -s would read the digits as a number
                }
            ),
            "-s",
            f"name=Linked {index}",
            "-o",
            "json",
        ).json()
        refreshed = await api.post(
            f"/metrics/campaign/{campaign['id']}/refresh", headers=member.headers
        )
        assert refreshed.status_code == 200, refreshed.text
    overview = m.CampaignsOverviewRead.model_validate(
        cli.ok("campaigns", "overview", "-o", "json").json()
    )
    days = [
        m.DailyMetricRead.model_validate(d)
        for d in cli.ok("campaigns", "daily", "-o", "json").json()
    ]
    assert [d.date for d in days] == sorted(d.date for d in days) and days
    assert sum(Decimal(d.spend) for d in days) == Decimal(overview.total_spend)
    assert sum(d.clicks for d in days) == overview.total_clicks
    totals = [
        m.CampaignMetricsRead.model_validate(c)
        for c in cli.ok("campaigns", "totals", "-o", "json").json()
    ]
    assert sorted(c.name for c in totals) == ["Linked 0", "Linked 1"]
    assert Decimal(totals[0].spend) >= Decimal(totals[1].spend)
    assert sum(Decimal(c.revenue) for c in totals) == Decimal(overview.total_revenue)
    # CSV, not the table: a narrow terminal wraps a name over two lines of the table.
    first = cli.ok("campaigns", "totals", "--limit", "1", "-o", "csv").stdout
    assert [row["name"] for row in csv.DictReader(io.StringIO(first))] == [totals[0].name]
    cli.fails(
        6,
        "VALIDATION_ERROR",
        "campaigns",
        "daily",
        "--start-date",
        "2026-03-02",
        "--end-date",
        "2026-03-01",
    )
    async with adscale.AsyncClient(
        API, tokens=adscale.Tokens(member.access_token, member.refresh_token)
    ) as client:
        assert [d.date async for d in client.metrics.daily()] == [d.date for d in days]
        assert [c.campaign_id async for c in client.metrics.campaigns()] == [
            c.campaign_id for c in totals
        ]
