"""Rule scope (ids, name, status, platform, ad groups), every action with its caps,
and the guard rails: cooldown per object, bounded change per run, platform refusal
recorded then retried on the next run."""

from __future__ import annotations

from typing import Any

import httpx
import sqlalchemy as sa
from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.crypto import TokenCipher
from campaigns.metrics.ingest import today
from kit import META_VERSION, Api, flt, meta_login, preview, set_plan
from kit import seed_day as seed

LOSING = [flt("roas", "<", 1)]


async def losing(api: Api, session: AsyncSession, account: str, name: str, **body: Any) -> str:
    c = await api.campaign(account, name=name, **{"status": "active", **body})
    await seed(session, c["id"], today(), spend="100.00", revenue="10.00")
    return str(c["id"])


async def rule(api: Api, **conditions: Any) -> str:
    body = {"filters": LOSING, **conditions}
    return str((await api.rule("pause_low_roas", 1, conditions=body))["id"])


async def execute(api: Api, rule_id: str) -> dict[str, Any]:
    r = await api.client.post(f"/api/v1/rules/{rule_id}/execute", headers=api.h)
    assert r.status_code == 200, r.text
    return dict(r.json())


async def get(api: Api, path: str) -> dict[str, Any]:
    r = await api.get(f"/api/v1/{path}")
    assert r.status_code == 200, r.text
    return dict(r.json())


def names(result: dict[str, Any]) -> list[str]:
    return sorted(a.split("'")[1] for a in result["actions_taken"])


async def test_scope_by_ids_name_status_and_platform(api: Api, session: AsyncSession):
    await set_plan(session, api.user_id, "pro")
    meta = (await api.account("meta"))["id"]
    google = (await api.account("google"))["id"]
    a = await losing(api, session, meta, "Brand US")
    await losing(api, session, meta, "brand EU")
    await losing(api, session, google, "Generic BRAND")
    await losing(api, session, google, "Retarget", status="paused")
    await losing(api, session, meta, "Draft brand", status="draft")

    assert names(await preview(api, await rule(api, scope={"ids": [a]}))) == ["Brand US"]
    by_name = await preview(api, await rule(api, scope={"name_contains": "BRAND"}))
    assert names(by_name) == ["Brand US", "Generic BRAND", "brand EU"]
    by_platform = await preview(api, await rule(api, scope={"platforms": ["google"]}))
    assert names(by_platform) == ["Generic BRAND"]
    by_status = await preview(
        api, await rule(api, scope={"statuses": ["paused", "draft"]}, action={"type": "notify"})
    )
    assert names(by_status) == ["Draft brand", "Retarget"]
    assert (await preview(api, await rule(api, scope={"name_contains": "%"})))[
        "campaigns_affected"
    ] == 0  # a literal percent sign, not a wildcard
    legacy = await preview(api, await rule(api, campaign_ids=[a], scope={"platforms": ["meta"]}))
    assert names(legacy) == ["Brand US"]


async def test_pause_and_unpause(api: Api, session: AsyncSession):
    acc = (await api.account())["id"]
    running = await losing(api, session, acc, "Running")
    stopped = await losing(api, session, acc, "Stopped", status="paused")
    result = await execute(api, await rule(api))
    assert result["actions_taken"] == [
        "Paused campaign 'Running': ROAS 0.10 < 1.00 over the last 7 days"
    ]
    revive = await rule(api, filters=[flt("spend", ">=", 50)], action={"type": "unpause"})
    result = await execute(api, revive)
    assert names(result) == ["Running", "Stopped"]
    assert result["actions_taken"][0].startswith("Unpaused campaign")
    for cid in (running, stopped):
        assert (await get(api, f"campaigns/{cid}"))["status"] == "active"


async def test_budget_by_percent_and_to_an_amount_with_caps_and_bound(
    api: Api, session: AsyncSession
):
    await set_plan(session, api.user_id, "pro")
    acc = (await api.account())["id"]
    a = await losing(api, session, acc, "A", budget_daily="100.00")
    cut = await rule(
        api, scope={"ids": [a]}, action={"type": "change_budget", "percent": -30, "min": "75.00"}
    )
    result = await execute(api, cut)
    assert result["actions_taken"] == [
        "Decreased daily budget of 'A' from 100.00 to 75.00: ROAS 0.10 < 1.00 over the last 7 days"
    ]
    again = await execute(
        api,
        await rule(
            api,
            scope={"ids": [a]},
            action={"type": "change_budget", "percent": -30, "min": "75.00"},
        ),
    )
    assert again["campaigns_affected"] == 0  # already at the floor
    # To an amount, but one run moves it by at most max_change_percent (50% of 75 = 37.50).
    jump = await rule(
        api,
        scope={"ids": [a]},
        action={"type": "set_budget", "amount": 500, "max_change_percent": 50},
    )
    assert "from 75.00 to 112.50" in (await execute(api, jump))["actions_taken"][0]
    capped = await rule(
        api, scope={"ids": [a]}, action={"type": "change_budget", "percent": 80, "max": "120.00"}
    )
    assert "from 112.50 to 120.00" in (await execute(api, capped))["actions_taken"][0]
    assert (await get(api, f"campaigns/{a}"))["budget_daily"] == "120.00"
    lifetime = await losing(api, session, acc, "L", budget_lifetime="900.00")
    skip = await rule(api, scope={"ids": [lifetime]}, action={"type": "set_budget", "amount": 5})
    assert (await execute(api, skip))["campaigns_affected"] == 0
    [run] = (await get(api, f"rules/{skip}/executions"))["items"]
    assert run["actions"][0]["reason"] == "no daily budget to change"


async def test_ad_group_scope_pause_and_bids_with_caps(api: Api, session: AsyncSession):
    await set_plan(session, api.user_id, "pro")
    acc = (await api.account())["id"]
    cid = await losing(api, session, acc, "Parent")
    manual = await api.ad_group(cid, name="Manual", bid_strategy="manual_cpc", bid_amount="2.00")
    auto = await api.ad_group(cid, name="Auto")
    other = await api.ad_group(cid, name="Other", bid_strategy="manual_cpc", bid_amount="1.00")
    level = {"level": "ad_group", "name_contains": "a"}  # Manual, Auto (not "Other")
    raise_bid = await rule(
        api, scope=level, action={"type": "change_bid", "percent": 50, "max": "2.50"}
    )
    result = await execute(api, raise_bid)
    assert result["actions_taken"] == [
        "Increased bid of ad group 'Manual' from 2.00 to 2.50: "
        "ROAS 0.10 < 1.00 over the last 7 days"
    ]
    [run] = (await get(api, f"rules/{raise_bid}/executions"))["items"]
    assert [
        (x["ad_group_name"], x["reason"]) for x in run["actions"] if x["outcome"] == "skipped"
    ] == [("Auto", "no manual bid to change")]
    low_bid = await rule(
        api,
        scope={"level": "ad_group", "ids": [other["id"]]},
        action={"type": "set_bid", "amount": "0.10", "min": "0.50"},
    )
    assert "from 1.00 to 0.50" in (await execute(api, low_bid))["actions_taken"][0]
    pause = await rule(api, scope={"level": "ad_group"}, action={"type": "pause"})
    assert names(await execute(api, pause)) == ["Auto", "Manual", "Other"]
    groups = {g["id"]: g for g in (await get(api, f"ad-groups?campaign_id={cid}"))["items"]}
    assert {g["status"] for g in groups.values()} == {"paused"}
    assert groups[manual["id"]]["bid_amount"] == "2.50"
    assert groups[other["id"]]["bid_amount"] == "0.50"
    assert groups[auto["id"]]["bid_amount"] is None
    assert (await get(api, f"campaigns/{cid}"))["status"] == "active"


async def test_campaign_ids_keep_an_ad_group_rule_to_those_campaigns_ad_groups(
    api: Api, session: AsyncSession
):
    """``campaign_ids`` name campaigns at either level: an ad-group rule given them judges
    the ad groups of those campaigns (it used to take them for ad-group ids and match
    nothing)."""
    acc = (await api.account())["id"]
    kept = await losing(api, session, acc, "Kept")
    left = await losing(api, session, acc, "Left alone")
    await api.ad_group(kept, name="In kept")
    await api.ad_group(left, name="In left alone")
    pause = await rule(
        api, campaign_ids=[kept], scope={"level": "ad_group"}, action={"type": "pause"}
    )
    assert names(await preview(api, pause)) == ["In kept"]
    day = today().isoformat()
    replay = await api.client.post(
        f"/api/v1/rules/{pause}/backtest",
        json={"start_date": day, "end_date": day},
        headers=api.h,
    )
    assert replay.status_code == 200, replay.text
    [replayed] = replay.json()["days"]
    assert [a["name"] for a in replayed["actions"]] == ["In kept"]  # the backtest agrees
    result = await execute(api, pause)
    assert names(result) == ["In kept"] and result["campaigns_evaluated"] == 1
    stored = await get(api, f"rules/{pause}")
    assert stored["conditions"]["campaign_ids"] == [kept]  # given back where it was given
    statuses = {
        g["name"]: g["status"]
        for cid in (kept, left)
        for g in (await get(api, f"ad-groups?campaign_id={cid}"))["items"]
    }
    assert statuses == {"In kept": "paused", "In left alone": "active"}


async def test_notify_only_changes_nothing(api: Api, session: AsyncSession):
    acc = (await api.account())["id"]
    cid = await losing(api, session, acc, "Watch", budget_daily="10.00")
    result = await execute(api, await rule(api, action={"type": "notify"}))
    assert result["actions_taken"] == [
        "Notified about campaign 'Watch': ROAS 0.10 < 1.00 over the last 7 days"
    ]
    got = await get(api, f"campaigns/{cid}")
    assert (got["status"], got["budget_daily"]) == ("active", "10.00")


async def test_cooldown_is_per_object(api: Api, session: AsyncSession):
    await set_plan(session, api.user_id, "pro")
    acc = (await api.account())["id"]
    cid = await losing(api, session, acc, "Parent")
    await api.ad_group(cid, name="One", bid_strategy="manual_cpc", bid_amount="1.00")
    bump = await rule(
        api,
        scope={"level": "ad_group"},
        action={"type": "change_bid", "percent": 10},
        cooldown_hours=6,
    )
    assert (await execute(api, bump))["campaigns_affected"] == 1
    await api.ad_group(cid, name="Two", bid_strategy="manual_cpc", bid_amount="1.00")
    second = await execute(api, bump)
    assert names(second) == ["Two"]  # One is cooling down, Two is new
    latest = (await get(api, f"rules/{bump}/executions"))["items"][0]
    skipped = [a for a in latest["actions"] if a["outcome"] == "skipped"]
    assert [a["ad_group_name"] for a in skipped] == ["One"] and "cooldown" in skipped[0]["reason"]


async def test_platform_refusal_is_recorded_then_retried_next_run(
    api: Api, sandbox: httpx.AsyncClient, session: AsyncSession
):
    login = await meta_login(sandbox)
    acc = await api.account("meta", account_id_external=login.account_id, access_token=login.token)
    external = login.campaign_ids[0]
    await losing(api, session, acc["id"], "Refused", external_campaign_id=external)
    fault = {
        "platform": "meta",
        "kind": "permission",
        "count": 1,
        "path_contains": external,
        "method": "POST",
    }
    assert (await sandbox.post("/_admin/faults", json=fault)).status_code == 201
    rid = await rule(api)
    first = await execute(api, rid)
    assert any("did not go through" in a for a in first["actions_taken"])
    [run] = (await get(api, f"rules/{rid}/executions"))["items"]
    assert run["actions"][0]["platform_status"] == "failed"
    assert "PermissionDenied" in run["actions"][0]["platform_error"]

    await execute(api, rid)  # the next run pushes the refused change again
    runs = (await get(api, f"rules/{rid}/executions"))["items"]
    assert runs[1]["actions"][0]["platform_status"] == "succeeded"
    status = await sandbox.get(
        f"/meta/graph/{META_VERSION}/{external}",
        params={"fields": "status"},
        headers={"Authorization": f"Bearer {login.token}"},
    )
    assert status.json()["status"] == "PAUSED"


async def test_a_push_with_a_token_no_key_decrypts_is_recorded_as_failed(
    api: Api, sandbox: httpx.AsyncClient, session: AsyncSession
):
    login = await meta_login(sandbox)
    acc = await api.account("meta", account_id_external=login.account_id, access_token=login.token)
    await losing(api, session, acc["id"], "Unreadable", external_campaign_id=login.campaign_ids[0])
    dropped = TokenCipher(Fernet.generate_key().decode())  # a key the service no longer has
    await session.execute(
        sa.text("UPDATE ad_account SET access_token_encrypted = :t WHERE id = :a"),
        {"t": dropped.encrypt(login.token), "a": acc["id"]},
    )
    rid = await rule(api)
    result = await execute(api, rid)  # was a 500
    assert any("did not go through" in a for a in result["actions_taken"])
    [run] = (await get(api, f"rules/{rid}/executions"))["items"]
    assert run["actions"][0]["platform_status"] == "failed"
    assert "decrypts" in run["actions"][0]["platform_error"]
    # As a refused token does, it disconnects the account: the user reconnects it.
    account = await get(api, f"accounts/{acc['id']}")
    assert account["status"] == "disconnected" and "reconnect" in account["disconnected_reason"]
