"""Optimization rules on seeded metrics: exact actions per rule type, guards, dry run,
cooldown, concurrency, platform pushes (sandbox), scheduling, CRUD and errors."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from adscale_common.crypto import TokenCipher
from adscale_common.db import make_sessionmaker
from campaigns.metrics.ingest import today
from campaigns.platforms import PlatformGateway
from campaigns.rule.scheduler import run_due_rules
from kit import (
    FERNET_KEY,
    META_VERSION,
    Api,
    forget_user,
    meta_login,
    outbox_types,
    scalar,
    seed_day,
    set_plan,
    settings_for,
)


async def seed(
    session: AsyncSession | AsyncConnection, campaign_id: str, days_ago: int = 1, **values: object
) -> None:
    row = {"impressions": 1000, "clicks": 20, "conversions": 1, **values}
    await seed_day(session, campaign_id, today() - timedelta(days=days_ago), **row)


async def execute(api: Api, rule_id: str, dry_run: bool = False) -> dict[str, Any]:
    url = f"/api/v1/rules/{rule_id}/execute" + ("?dry_run=true" if dry_run else "")
    r = await api.client.post(url, headers=api.h)
    assert r.status_code == 200, r.text
    return dict(r.json())


async def campaign(api: Api, cid: str) -> dict[str, Any]:
    return dict((await api.get(f"/api/v1/campaigns/{cid}")).json())


async def budgets(api: Api, *campaigns: dict[str, Any]) -> list[tuple[str | None, str | None]]:
    """Each campaign's ``(budget_daily, budget_lifetime)`` as the API shows it now."""
    shown = [await campaign(api, c["id"]) for c in campaigns]
    return [(c["budget_daily"], c["budget_lifetime"]) for c in shown]


async def executions(api: Api, rule_id: str) -> list[dict[str, Any]]:
    r = await api.get(f"/api/v1/rules/{rule_id}/executions")
    assert r.status_code == 200
    return list(r.json()["items"])


async def pro(api: Api, session: AsyncSession) -> str:
    await set_plan(session, api.user_id, "pro")
    return (await api.account())["id"]


async def test_pause_low_roas_with_min_spend(api: Api, session: AsyncSession):
    acc = await pro(api, session)
    low = await api.campaign(acc, name="Low", status="active")
    good = await api.campaign(acc, name="Good", status="active")
    small = await api.campaign(acc, name="Small", status="active")
    paused = await api.campaign(acc, name="Paused", status="paused")
    await seed(session, low["id"], 1, spend="60.00", revenue="20.00")
    await seed(session, low["id"], 2, spend="40.00", revenue="30.00")  # ROAS 50/100 = 0.50
    await seed(session, good["id"], 1, spend="100.00", revenue="300.00")
    await seed(session, small["id"], 1, spend="10.00", revenue="1.00")
    await seed(session, paused["id"], 1, spend="100.00", revenue="1.00")
    await seed(session, low["id"], 30, spend="1000.00", revenue="100000.00")  # outside the window
    rule = await api.rule("pause_low_roas", 1, conditions={"min_spend": 50})

    result = await execute(api, rule["id"])
    assert result["rule_id"] == rule["id"] and result["campaigns_affected"] == 1
    assert result["actions_taken"] == [
        "Paused campaign 'Low': ROAS 0.50 < 1.00 over the last 7 days"
    ]
    assert result["campaigns_evaluated"] == 3
    assert (await campaign(api, low["id"]))["status"] == "paused"
    assert (await campaign(api, good["id"]))["status"] == "active"
    assert (await campaign(api, small["id"]))["status"] == "active"

    [execution] = await executions(api, rule["id"])
    assert execution["trigger"] == "manual" and execution["campaigns_affected"] == 1
    summary = sorted((a["campaign_name"], a["outcome"], a["action"]) for a in execution["actions"])
    assert summary == [("Low", "applied", "pause"), ("Small", "skipped", "pause")]
    skipped = next(a for a in execution["actions"] if a["outcome"] == "skipped")
    assert "min_spend" in skipped["reason"]
    assert all(a["platform_status"] == "not_applicable" for a in execution["actions"])

    after = (await api.get(f"/api/v1/rules/{rule['id']}")).json()
    assert after["executions_count"] == 1 and after["last_executed"].endswith("Z")
    assert "campaigns.campaign_updated" in await outbox_types(session, low["id"])


async def test_increase_budget_high_roas_with_caps(api: Api, session: AsyncSession):
    acc = await pro(api, session)
    a = await api.campaign(acc, name="A", status="active", budget_daily="100.00")
    b = await api.campaign(acc, name="B", status="active", budget_daily="50.00")
    c = await api.campaign(acc, name="C", status="active", budget_lifetime="1000.00")
    d = await api.campaign(acc, name="D", status="active", budget_daily="10.00")
    await seed(session, a["id"], spend="100.00", revenue="300.00")  # ROAS 3
    await seed(session, b["id"], spend="100.00", revenue="400.00")  # ROAS 4
    await seed(session, c["id"], spend="100.00", revenue="500.00")  # ROAS 5, lifetime budget
    await seed(session, d["id"], spend="100.00", revenue="100.00")  # ROAS 1
    rule = await api.rule(
        "increase_budget_high_roas",
        "2",
        conditions={"budget_change_percent": 20, "max_budget": "110.00", "lookback_days": 3},
    )
    result = await execute(api, rule["id"])
    assert result["campaigns_affected"] == 2
    assert sorted(result["actions_taken"]) == [
        "Increased daily budget of 'A' from 100.00 to 110.00: "
        "ROAS 3.00 >= 2.00 over the last 3 days",
        "Increased daily budget of 'B' from 50.00 to 60.00: ROAS 4.00 >= 2.00 over the last 3 days",
    ]
    assert await budgets(api, a, b, c, d) == [
        ("110.00", None),
        ("60.00", None),
        (None, "1000.00"),
        ("10.00", None),
    ]
    [execution] = await executions(api, rule["id"])
    skipped = [x for x in execution["actions"] if x["outcome"] == "skipped"]
    assert [(x["campaign_name"], x["reason"]) for x in skipped] == [
        ("C", "no daily budget to change")
    ]


async def test_decrease_budget_low_ctr_with_floor_and_min_impressions(
    api: Api, session: AsyncSession
):
    acc = await pro(api, session)
    a = await api.campaign(acc, name="A", status="active", budget_daily="100.00")
    b = await api.campaign(acc, name="B", status="active", budget_daily="100.00")
    c = await api.campaign(acc, name="C", status="active", budget_daily="1.10")
    e = await api.campaign(acc, name="E", status="active", budget_daily="100.00")
    await seed(session, a["id"], impressions=2000, clicks=10)  # CTR 0.5%
    await seed(session, b["id"], impressions=2000, clicks=40)  # CTR 2%
    await seed(session, c["id"], impressions=2000, clicks=2)  # CTR 0.1%
    await seed(session, e["id"], impressions=500, clicks=0)  # too few impressions
    rule = await api.rule("decrease_budget_low_ctr", 0.01, conditions={"min_impressions": 1000})
    result = await execute(api, rule["id"])
    assert sorted(result["actions_taken"]) == [
        "Decreased daily budget of 'A' from 100.00 to 80.00: "
        "CTR 0.50% < 1.00% over the last 7 days",
        "Decreased daily budget of 'C' from 1.10 to 1.00: CTR 0.10% < 1.00% over the last 7 days",
    ]
    assert [daily for daily, _ in await budgets(api, a, b, c, e)] == [
        "80.00",
        "100.00",
        "1.00",
        "100.00",
    ]
    [execution] = await executions(api, rule["id"])
    assert [x["campaign_name"] for x in execution["actions"] if x["outcome"] == "skipped"] == ["E"]


async def test_pause_no_conversions(api: Api, session: AsyncSession):
    acc = await pro(api, session)
    a = await api.campaign(acc, name="A", status="active")
    b = await api.campaign(acc, name="B", status="active")
    c = await api.campaign(acc, name="C", status="active")
    await seed(session, a["id"], 1, spend="30.00", conversions=0)
    await seed(session, a["id"], 2, spend="30.00", conversions=0)
    await seed(session, b["id"], spend="40.00", conversions=0)
    await seed(session, c["id"], spend="100.00", conversions=1)
    rule = await api.rule("pause_no_conversions", 50)
    result = await execute(api, rule["id"])
    assert result["actions_taken"] == [
        "Paused campaign 'A': 0 conversions after spending 60.00 (>= 50.00) over the last 7 days"
    ]
    assert [(await campaign(api, x["id"]))["status"] for x in (a, b, c)] == [
        "paused",
        "active",
        "active",
    ]


async def test_cooldown_then_no_cooldown(api: Api, session: AsyncSession):
    acc = await pro(api, session)
    a = await api.campaign(acc, name="A", status="active", budget_daily="100.00")
    await seed(session, a["id"], spend="10.00", revenue="50.00")
    rule = await api.rule("increase_budget_high_roas", 2, conditions={"cooldown_hours": 12})
    first = await execute(api, rule["id"])
    assert first["campaigns_affected"] == 1
    second = await execute(api, rule["id"])
    assert second["campaigns_affected"] == 0 and second["actions_taken"] == []
    assert (await campaign(api, a["id"]))["budget_daily"] == "120.00"
    latest = (await executions(api, rule["id"]))[0]
    assert (
        latest["actions"][0]["outcome"] == "skipped"
        and "cooldown" in latest["actions"][0]["reason"]
    )

    no_cooldown = await api.rule("increase_budget_high_roas", 2, conditions={"cooldown_hours": 0})
    await execute(api, no_cooldown["id"])
    await execute(api, no_cooldown["id"])
    assert (await campaign(api, a["id"]))["budget_daily"] == "172.80"  # 120 -> 144 -> 172.80


async def test_dry_run_changes_nothing(api: Api, session: AsyncSession):
    acc = await pro(api, session)
    a = await api.campaign(acc, name="A", status="active")
    await seed(session, a["id"], spend="100.00", revenue="10.00")
    rule = await api.rule("pause_low_roas", 1)
    before_events = await outbox_types(session)
    preview = await execute(api, rule["id"], dry_run=True)
    assert preview["dry_run"] is True and preview["execution_id"] is not None
    assert preview["campaigns_affected"] == 1
    assert preview["actions_taken"] == [
        "Would pause campaign 'A': ROAS 0.10 < 1.00 over the last 7 days"
    ]
    assert (await campaign(api, a["id"]))["status"] == "active"
    assert await executions(api, rule["id"]) == []
    after = (await api.get(f"/api/v1/rules/{rule['id']}")).json()
    assert after["executions_count"] == 0 and after["last_executed"] is None
    assert await outbox_types(session) == before_events


async def test_two_concurrent_executions_act_once(
    committed_client: httpx.AsyncClient, engine: AsyncEngine
):
    api = Api(committed_client)
    try:
        acc = (await api.account())["id"]
        a = await api.campaign(acc, name="A", status="active", budget_daily="100.00")
        async with engine.begin() as conn:
            await seed(conn, a["id"], 0, clicks=10, spend=10, revenue=100)
        rule = await api.rule("increase_budget_high_roas", 2)
        url = f"/api/v1/rules/{rule['id']}/execute"
        responses = await asyncio.gather(
            *[committed_client.post(url, headers=api.h) for _ in range(2)]
        )
        codes = sorted(r.status_code for r in responses)
        assert codes in ([200, 200], [200, 409]), codes
        affected = sum(r.json()["campaigns_affected"] for r in responses if r.status_code == 200)
        assert affected == 1
        assert (await campaign(api, a["id"]))["budget_daily"] == "120.00"
        async with engine.connect() as conn:
            applied = await scalar(
                conn,
                "SELECT count(*) FROM rule_action WHERE rule_id = :r AND outcome = 'applied'",
                r=rule["id"],
            )
        assert applied == 1
    finally:
        await forget_user(engine, api.user_id)


async def test_actions_are_pushed_to_the_platform(
    api: Api, sandbox: httpx.AsyncClient, session: AsyncSession
):
    login = await meta_login(sandbox)
    await set_plan(session, api.user_id, "pro")
    acc = await api.account("meta", account_id_external=login.account_id, access_token=login.token)
    low = await api.campaign(
        acc["id"], name="Low", status="active", external_campaign_id=login.campaign_ids[0]
    )
    high = await api.campaign(
        acc["id"],
        name="High",
        status="active",
        budget_daily="40.00",
        external_campaign_id=login.campaign_ids[1],
    )
    await seed(session, low["id"], spend="100.00", revenue="10.00")
    await seed(session, high["id"], spend="10.00", revenue="100.00")
    pause = await api.rule("pause_low_roas", 1)
    grow = await api.rule("increase_budget_high_roas", 5)
    assert (await execute(api, pause["id"]))["campaigns_affected"] == 1
    assert (await execute(api, grow["id"]))["campaigns_affected"] == 1
    auth = {"Authorization": f"Bearer {login.token}"}
    paused = await sandbox.get(
        f"/meta/graph/{META_VERSION}/{login.campaign_ids[0]}",
        params={"fields": "status"},
        headers=auth,
    )
    assert paused.json()["status"] == "PAUSED"
    budget = await sandbox.get(
        f"/meta/graph/{META_VERSION}/{login.campaign_ids[1]}",
        params={"fields": "daily_budget"},
        headers=auth,
    )
    assert budget.json()["daily_budget"] == "4800"  # 48.00 in cents
    for rule in (pause, grow):
        action = (await executions(api, rule["id"]))[0]["actions"][0]
        assert action["platform_status"] == "succeeded" and action["platform_error"] is None
        assert action["platform_pushed_at"].endswith("Z")


async def test_platform_errors_are_recorded_and_disconnect(
    api: Api, sandbox: httpx.AsyncClient, session: AsyncSession
):
    login = await meta_login(sandbox)
    acc = await api.account("meta", account_id_external=login.account_id, access_token=login.token)
    low = await api.campaign(
        acc["id"], name="Low", status="active", external_campaign_id=login.campaign_ids[2]
    )
    await seed(session, low["id"], spend="100.00", revenue="10.00")
    await sandbox.post("/_admin/tokens/revoke", json={"platform": "meta", "token": login.token})
    rule = await api.rule("pause_low_roas", 1)
    result = await execute(api, rule["id"])
    assert result["campaigns_affected"] == 1
    assert any("did not go through" in a for a in result["actions_taken"])
    action = (await executions(api, rule["id"]))[0]["actions"][0]
    assert action["platform_status"] == "failed" and "TokenExpired" in action["platform_error"]
    account = (await api.get(f"/api/v1/accounts/{acc['id']}")).json()
    assert account["status"] == "disconnected"
    assert (await campaign(api, low["id"]))["status"] == "paused"  # the local change stands


async def test_scheduler_runs_due_active_rules_once(
    engine: AsyncEngine,
    committed_client: httpx.AsyncClient,
    platforms: PlatformGateway,
    database_url: str,
):
    api = Api(committed_client)
    try:
        acc = (await api.account())["id"]
        a = await api.campaign(acc, name="A", status="active")
        async with engine.begin() as conn:
            await seed(conn, a["id"], 0, clicks=10, spend=100, revenue=10)
        active = await api.rule("pause_low_roas", 1)
        inactive = await api.rule("pause_no_conversions", 1, is_active=False)
        sessions = make_sessionmaker(engine)
        settings = settings_for(database_url)
        cipher = TokenCipher(FERNET_KEY)
        runs = await asyncio.gather(
            run_due_rules(sessions, platforms, cipher, settings),
            run_due_rules(sessions, platforms, cipher, settings),
        )
        assert sum(runs) >= 1
        assert (await campaign(api, a["id"]))["status"] == "paused"
        mine = (await api.get(f"/api/v1/rules/{active['id']}")).json()
        assert mine["executions_count"] == 1
        assert (await executions(api, active["id"]))[0]["trigger"] == "schedule"
        assert (await api.get(f"/api/v1/rules/{inactive['id']}")).json()["executions_count"] == 0
        await run_due_rules(sessions, platforms, cipher, settings)  # not due again yet
        mine = (await api.get(f"/api/v1/rules/{active['id']}")).json()
        assert mine["executions_count"] == 1
    finally:
        await forget_user(engine, api.user_id)


async def test_rule_crud_validation_and_isolation(api: Api, other: Api):
    rule = await api.rule("pause_low_roas", "1.5", name="Guard", conditions={"lookback_days": 14})
    assert rule["threshold"] == 1.5 and rule["is_active"] is True
    assert rule["conditions"]["lookback_days"] == 14 and rule["conditions"]["cooldown_hours"] == 24
    assert rule["executions_count"] == 0 and rule["last_executed"] is None
    url = f"/api/v1/rules/{rule['id']}"
    r = await api.client.patch(url, json={"is_active": False, "threshold": 2}, headers=api.h)
    assert r.status_code == 200 and r.json()["is_active"] is False and r.json()["threshold"] == 2.0
    r = await api.client.patch(
        url, json={"conditions": {"budget_change_percent": 10}}, headers=api.h
    )
    assert r.status_code == 422  # budget conditions on a pause rule
    listed = (await api.get("/api/v1/rules")).json()
    assert listed["total"] == 1
    assert (await other.get("/api/v1/rules")).json()["total"] == 0
    for method, path in (
        ("GET", url),
        ("PATCH", url),
        ("DELETE", url),
        ("POST", f"{url}/execute"),
        ("GET", f"{url}/executions"),
    ):
        r = await other.client.request(
            method, path, json={} if method == "PATCH" else None, headers=other.h
        )
        assert r.status_code == 404, (method, path)
    assert (await api.client.post("/api/v1/rules/bad/execute", headers=api.h)).status_code == 400
    assert (await api.client.post(f"{url}/execute")).status_code == 401

    theirs = await other.campaign()
    for body in (
        {"name": "x", "rule_type": "pause_everything", "threshold": 1},
        {"name": "x", "rule_type": "pause_low_roas", "threshold": 0},
        {
            "name": "x",
            "rule_type": "pause_low_roas",
            "threshold": 1,
            "conditions": {"lookback_days": 0},
        },
        {"name": "x", "rule_type": "pause_low_roas", "threshold": 1, "conditions": {"what": 1}},
        {"name": "x", "rule_type": "decrease_budget_low_ctr", "threshold": 5},
        {
            "name": "x",
            "rule_type": "increase_budget_high_roas",
            "threshold": 2,
            "conditions": {"min_budget": 50, "max_budget": 10},
        },
    ):
        assert (
            await api.client.post("/api/v1/rules", json=body, headers=api.h)
        ).status_code == 422, body
    r = await api.try_rule({"campaign_ids": [theirs["id"]]})
    assert r.status_code == 404
    assert (await api.client.delete(url, headers=api.h)).status_code == 204
    assert (await api.client.get(url, headers=api.h)).status_code == 404


async def test_money_conditions_are_two_decimal_strings(api: Api):
    """README "Encodings": rule min_spend / min_budget / max_budget are money ("25.00")."""
    rule = await api.rule(
        "increase_budget_high_roas",
        4,
        conditions={"min_spend": 25, "min_budget": "5", "max_budget": 100.5},
    )
    expected = {"min_spend": "25.00", "min_budget": "5.00", "max_budget": "100.50"}
    assert {k: rule["conditions"][k] for k in expected} == expected
    got = await api.get(f"/api/v1/rules/{rule['id']}")
    assert {k: got.json()["conditions"][k] for k in expected} == expected


async def test_campaign_filter(api: Api, session: AsyncSession):
    acc = await pro(api, session)
    a = await api.campaign(acc, name="A", status="active")
    b = await api.campaign(acc, name="B", status="active")
    for c in (a, b):
        await seed(session, c["id"], spend="100.00", revenue="10.00")
    rule = await api.rule("pause_low_roas", 1, conditions={"campaign_ids": [b["id"]]})
    result = await execute(api, rule["id"])
    assert result["campaigns_evaluated"] == 1 and result["campaigns_affected"] == 1
    assert (await campaign(api, a["id"]))["status"] == "active"
    assert (await campaign(api, b["id"]))["status"] == "paused"
    assert uuid.UUID(result["execution_id"])
