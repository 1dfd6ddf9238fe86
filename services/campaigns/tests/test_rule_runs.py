"""Run history (every run, per-object evaluation, paginated) and undo of the latest run,
locally and on the platform, with its refusals."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.events import Envelope
from adscale_contracts.events import RuleExecuted, parse
from campaigns.metrics.ingest import today
from kit import (
    META_VERSION,
    Api,
    flt,
    google_campaigns,
    google_login,
    meta_login,
    set_plan,
)
from kit import seed_day as seed


async def call(api: Api, method: str, path: str, status: int = 200) -> dict[str, Any]:
    r = await api.client.request(method, f"/api/v1/{path}", headers=api.h)
    assert r.status_code == status, r.text
    return dict(r.json())


async def make_rule(api: Api, **conditions: Any) -> str:
    body = {"filters": [flt("roas", "<", 1)], **conditions}
    return str((await api.rule("pause_low_roas", 1, conditions=body))["id"])


async def test_every_run_is_recorded_with_each_objects_evaluation(api: Api, session: AsyncSession):
    await set_plan(session, api.user_id, "pro")
    acc = (await api.account())["id"]
    low = await api.campaign(acc, name="Low", status="active")
    good = await api.campaign(acc, name="Good", status="active")
    await seed(session, low["id"], today(), spend="100.00", revenue="50.00")
    await seed(session, good["id"], today(), spend="100.00", revenue="300.00")
    rid = await make_rule(api, filters=[flt("roas", "<", 1), flt("spend", ">=", 10, "today")])

    preview = await call(api, "POST", f"rules/{rid}/execute?dry_run=true")
    executed = await call(api, "POST", f"rules/{rid}/execute")
    runs = await call(api, "GET", f"rules/{rid}/runs")
    assert runs["total"] == 2 and (runs["offset"], runs["limit"]) == (0, 50)
    assert [(r["id"], r["dry_run"], r["trigger"]) for r in runs["items"]] == [
        (executed["execution_id"], False, "manual"),
        (preview["execution_id"], True, "manual"),
    ]
    assert runs["items"][0]["campaigns_evaluated"] == 2
    assert runs["items"][0]["campaigns_affected"] == 1

    detail = await call(api, "GET", f"rule-runs/{executed['execution_id']}")
    objects = detail["objects"]
    assert objects["total"] == 2
    acted, healthy = objects["items"]
    assert (acted["campaign_name"], acted["outcome"], acted["action"]) == (
        "Low",
        "applied",
        "pause",
    )
    assert (acted["old_value"], acted["new_value"]) == ("active", "paused")
    assert [(e["metric"], e["window"], e["seen"], e["held"]) for e in acted["evaluation"]] == [
        ("roas", "last_7_days", "0.500000", True),
        ("spend", "today", "100.000000", True),
    ]
    assert (healthy["campaign_name"], healthy["outcome"]) == ("Good", "no_match")
    assert healthy["reason"] == "roas did not hold"
    assert [e["held"] for e in healthy["evaluation"]] == [False, True]

    dry = await call(api, "GET", f"rule-runs/{preview['execution_id']}?outcome=applied")
    assert dry["dry_run"] is True and dry["objects"]["total"] == 1
    assert dry["objects"]["items"][0]["description"].startswith("Would pause")
    page = await call(api, "GET", f"rule-runs/{executed['execution_id']}?offset=1&limit=1")
    assert [o["campaign_name"] for o in page["objects"]["items"]] == ["Good"]
    # The spec-era execution log still shows only real runs and the objects matched.
    log = await call(api, "GET", f"rules/{rid}/executions")
    assert log["total"] == 1 and [a["campaign_name"] for a in log["items"][0]["actions"]] == ["Low"]


async def test_undo_restores_locally_and_on_the_platform(
    api: Api, sandbox: httpx.AsyncClient, session: AsyncSession
):
    login = await meta_login(sandbox)
    await set_plan(session, api.user_id, "pro")
    acc = await api.account("meta", account_id_external=login.account_id, access_token=login.token)
    stop, grow = login.campaign_ids[0], login.campaign_ids[1]
    low = await api.campaign(acc["id"], name="Low", status="active", external_campaign_id=stop)
    high = await api.campaign(
        acc["id"], name="High", status="active", budget_daily="40.00", external_campaign_id=grow
    )
    await seed(session, low["id"], today(), spend="100.00", revenue="10.00")
    await seed(session, high["id"], today(), spend="10.00", revenue="100.00")
    rid = await make_rule(
        api,
        filters=[flt("spend", ">", 0)],
        any=[flt("roas", "<", 1), flt("roas", ">", 5)],
        action={"type": "notify"},
    )
    pause = await make_rule(api)
    scale = await make_rule(
        api, filters=[flt("roas", ">", 5)], action={"type": "change_budget", "percent": 25}
    )
    assert (await call(api, "POST", f"rules/{rid}/execute"))["campaigns_affected"] == 2
    paused = await call(api, "POST", f"rules/{pause}/execute")
    scaled = await call(api, "POST", f"rules/{scale}/execute")
    auth = {"Authorization": f"Bearer {login.token}"}

    async def on_platform(external: str, field: str) -> Any:
        r = await sandbox.get(
            f"/meta/graph/{META_VERSION}/{external}", params={"fields": field}, headers=auth
        )
        return r.json()[field]

    assert await on_platform(stop, "status") == "PAUSED"
    assert await on_platform(grow, "daily_budget") == "5000"

    undone = await call(api, "POST", f"rule-runs/{paused['execution_id']}/undo")
    assert undone["objects_restored"] == 1
    assert undone["actions_taken"] == ["Restored campaign 'Low' to active (was paused)"]
    assert (await call(api, "GET", f"campaigns/{low['id']}"))["status"] == "active"
    assert await on_platform(stop, "status") == "ACTIVE"
    undone = await call(api, "POST", f"rule-runs/{scaled['execution_id']}/undo")
    assert undone["actions_taken"] == [
        "Restored the daily budget of campaign 'High' to 40.00 (was 50.00)"
    ]
    assert (await call(api, "GET", f"campaigns/{high['id']}"))["budget_daily"] == "40.00"
    assert await on_platform(grow, "daily_budget") == "4000"

    runs = (await call(api, "GET", f"rules/{scale}/runs"))["items"]
    assert [r["trigger"] for r in runs] == ["undo", "manual"]
    assert runs[1]["undone_at"] is not None
    undo_run = await call(api, "GET", f"rule-runs/{runs[0]['id']}")
    [restore] = undo_run["objects"]["items"]
    assert (restore["action"], restore["platform_status"]) == ("decrease_budget", "succeeded")
    again = await api.client.post(f"/api/v1/rule-runs/{scaled['execution_id']}/undo", headers=api.h)
    assert again.status_code == 409 and again.json() == {"detail": "This run was already undone"}


async def test_undo_refuses_when_the_object_changed_since(api: Api, session: AsyncSession):
    await set_plan(session, api.user_id, "pro")
    acc = (await api.account())["id"]
    cid = await api.campaign(acc, name="Moved", status="active", budget_daily="10.00")
    await seed(session, cid["id"], today(), spend="100.00", revenue="10.00")
    rid = await make_rule(api, action={"type": "set_budget", "amount": "15.00"})
    run = await call(api, "POST", f"rules/{rid}/execute")
    r = await api.client.patch(
        f"/api/v1/campaigns/{cid['id']}", json={"budget_daily": "12.00"}, headers=api.h
    )
    assert r.status_code == 200
    refused = await api.client.post(f"/api/v1/rule-runs/{run['execution_id']}/undo", headers=api.h)
    assert refused.status_code == 409
    assert refused.json() == {
        "detail": "Not undone: changed since this run: "
        "campaign 'Moved' is 12.00, the run left it 15.00"
    }
    assert (await call(api, "GET", f"campaigns/{cid['id']}"))["budget_daily"] == "12.00"
    assert (await call(api, "GET", f"rules/{rid}/runs"))["total"] == 1


async def test_undo_of_ad_group_bids_and_the_other_refusals(
    api: Api, other: Api, session: AsyncSession
):
    await set_plan(session, api.user_id, "pro")
    acc = (await api.account())["id"]
    cid = await api.campaign(acc, name="Parent", status="active")
    await seed(session, cid["id"], today(), spend="100.00", revenue="10.00")
    group = await api.ad_group(cid["id"], name="G", bid_strategy="manual_cpc", bid_amount="1.00")
    rid = await make_rule(
        api,
        scope={"level": "ad_group"},
        action={"type": "change_bid", "percent": -50},
        cooldown_hours=0,
    )
    preview = await call(api, "POST", f"rules/{rid}/execute?dry_run=true")
    first = await call(api, "POST", f"rules/{rid}/execute")
    second = await call(api, "POST", f"rules/{rid}/execute")
    assert (await call(api, "GET", f"ad-groups/{group['id']}"))["bid_amount"] == "0.25"
    for run_id, message in (
        (preview["execution_id"], "A dry run changed nothing; there is nothing to undo"),
        (first["execution_id"], "Only the latest run of a rule can be undone"),
    ):
        r = await api.client.post(f"/api/v1/rule-runs/{run_id}/undo", headers=api.h)
        assert (r.status_code, r.json()) == (409, {"detail": message})
    for method, path in (("GET", f"rule-runs/{second['execution_id']}"), ("POST", "undo")):
        url = (
            f"/api/v1/{path}"
            if method == "GET"
            else (f"/api/v1/rule-runs/{second['execution_id']}/undo")
        )
        r = await other.client.request(method, url, headers=other.h)
        assert (r.status_code, r.json()) == (404, {"detail": "Rule run not found"})
    assert (await other.get(f"/api/v1/rules/{rid}/runs")).status_code == 404
    assert (await api.get("/api/v1/rule-runs/nope")).status_code == 400
    undone = await call(api, "POST", f"rule-runs/{second['execution_id']}/undo")
    assert undone["actions_taken"] == ["Restored the bid of ad group 'G' to 0.50 (was 0.25)"]
    assert (await call(api, "GET", f"ad-groups/{group['id']}"))["bid_amount"] == "0.50"
    r = await api.client.post(f"/api/v1/rule-runs/{undone['undo_run_id']}/undo", headers=api.h)
    assert r.json() == {"detail": "An undo cannot itself be undone; run the rule again instead"}

    nothing = await make_rule(api, action={"type": "notify"})
    notified = await call(api, "POST", f"rules/{nothing}/execute")
    r = await api.client.post(f"/api/v1/rule-runs/{notified['execution_id']}/undo", headers=api.h)
    assert (r.status_code, r.json()) == (
        409,
        {"detail": "This run changed nothing; there is nothing to undo"},
    )


async def executed_events(session: AsyncSession, rule_id: str) -> list[dict[str, Any]]:
    rows = await session.execute(
        sa.text(
            "SELECT payload FROM outbox_event WHERE event_type = 'campaigns.rule_executed' "
            "AND key = :k ORDER BY seq"
        ),
        {"k": rule_id},
    )
    return [parse(Envelope.model_validate(r[0]), RuleExecuted).model_dump() for r in rows]


async def test_every_action_emits_rule_executed(api: Api, session: AsyncSession):
    await set_plan(session, api.user_id, "pro")
    acc = (await api.account())["id"]
    low = await api.campaign(acc, name="Low", status="active")
    await seed(session, low["id"], today(), spend="100.00", revenue="10.00")
    group = await api.ad_group(low["id"], name="G", bid_strategy="manual_cpc", bid_amount="1.00")
    watch = await make_rule(api, action={"type": "notify"})
    await call(api, "POST", f"rules/{watch}/execute?dry_run=true")
    assert await executed_events(session, watch) == []  # a dry run emits nothing
    run = await call(api, "POST", f"rules/{watch}/execute")
    [notified] = await executed_events(session, watch)
    assert {k: notified[k] for k in ("run_id", "trigger", "action", "object_name")} == {
        "run_id": uuid.UUID(run["execution_id"]),
        "trigger": "manual",
        "action": "notify",
        "object_name": "Low",
    }
    bid = await make_rule(
        api, scope={"level": "ad_group"}, action={"type": "change_bid", "percent": 20}
    )
    run = await call(api, "POST", f"rules/{bid}/execute")
    undo = await call(api, "POST", f"rule-runs/{run['execution_id']}/undo")
    raised, restored = await executed_events(session, bid)
    assert (raised["object_type"], raised["ad_group_id"], raised["action"]) == (
        "ad_group",
        uuid.UUID(group["id"]),
        "increase_bid",
    )
    assert (raised["old_value"], raised["new_value"]) == ("1.00", "1.20")
    assert (restored["trigger"], restored["run_id"], restored["action"]) == (
        "undo",
        uuid.UUID(undo["undo_run_id"]),
        "decrease_bid",
    )
    assert (restored["old_value"], restored["new_value"]) == ("1.20", "1.00")
    assert restored["rule_name"] == "pause_low_roas rule"


async def test_google_budget_change_and_undo_on_the_platform(
    api: Api, sandbox: httpx.AsyncClient, session: AsyncSession
):
    login = await google_login(sandbox)
    external, before = next(iter(login.campaigns.items()))
    acc = await api.account(
        "google", account_id_external=login.customer_id, access_token=login.token
    )
    budget = f"{before['micros'] / 1_000_000:.2f}"
    cid = await api.campaign(
        acc["id"], name="G", status="active", budget_daily=budget, external_campaign_id=external
    )
    await seed(session, cid["id"], today(), spend="10.00", revenue="100.00")
    rid = await make_rule(
        api, filters=[flt("roas", ">", 5)], action={"type": "change_budget", "percent": 50}
    )
    run = await call(api, "POST", f"rules/{rid}/execute")
    raised = round(before["micros"] * 1.5 / 10_000) * 10_000
    after = await google_campaigns(sandbox, login.token, login.customer_id)
    assert after[external]["micros"] == raised
    await call(api, "POST", f"rule-runs/{run['execution_id']}/undo")
    restored = await google_campaigns(sandbox, login.token, login.customer_id)
    assert restored[external]["micros"] == before["micros"]
    pause = await make_rule(api, filters=[flt("roas", ">", 5)], action={"type": "pause"})
    run = await call(api, "POST", f"rules/{pause}/execute")
    assert (await google_campaigns(sandbox, login.token, login.customer_id))[external][
        "status"
    ] == "PAUSED"
    await call(api, "POST", f"rule-runs/{run['execution_id']}/undo")
    assert (await google_campaigns(sandbox, login.token, login.customer_id))[external][
        "status"
    ] == "ENABLED"
