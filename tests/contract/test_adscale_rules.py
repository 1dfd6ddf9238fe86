"""adscale-api.md "Optimization Rules": CRUD of every rule type, paging, isolation, and
execution against metrics fetched from the platform sandbox."""

from __future__ import annotations

import asyncio
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from .platform_login_kit import linked_campaign

sys.path.insert(0, str(Path(__file__).parent))
import contract_kit as kit

EXECUTED = {
    "rule_id": kit.UUID4,
    "campaigns_affected": kit.INT,
    "actions_taken": kit.list_of(kit.STR),
    # House additions (campaigns README): preview flag, execution log id, counts, window.
    "dry_run": kit.BOOL,
    "execution_id": kit.nullable(kit.UUID4),
    "campaigns_evaluated": kit.INT,
    "window_start": kit.DATE,
    "window_end": kit.DATE,
}
THRESHOLDS = {
    "pause_low_roas": 1.5,
    "increase_budget_high_roas": 4,
    "decrease_budget_low_ctr": 0.01,
    "pause_no_conversions": 50,
}
DEFAULT_CONDITIONS = {
    "lookback_days": 7,
    "min_spend": None,
    "min_impressions": None,
    "campaign_ids": None,
    "budget_change_percent": None,
    "min_budget": None,
    "max_budget": None,
    "cooldown_hours": 24,
}


async def create(api: httpx.AsyncClient, member: kit.Member, **body: Any) -> httpx.Response:
    return await api.post("/rules", json=body, headers=member.headers)


async def test_every_rule_type_with_every_documented_field(api: httpx.AsyncClient):
    member = await kit.register(api, "rules")
    for rule_type, threshold in THRESHOLDS.items():
        response = await create(
            api, member, name=f"Rule {rule_type}", rule_type=rule_type, threshold=threshold
        )
        assert response.status_code == 201, response.text
        rule = kit.conforms(response.json(), kit.RULE)
        assert (rule["name"], rule["rule_type"]) == (f"Rule {rule_type}", rule_type)
        assert rule["threshold"] == threshold
        assert rule["conditions"] == DEFAULT_CONDITIONS
        assert (rule["is_active"], rule["last_executed"], rule["executions_count"]) == (
            True,
            None,
            0,
        )
    with_conditions = await create(
        api,
        member,
        name="Scale winners",
        rule_type="increase_budget_high_roas",
        threshold="3.5",
        is_active=False,
        conditions={
            "lookback_days": 14,
            "min_spend": 100,
            "min_impressions": 1000,
            "budget_change_percent": 15,
            "min_budget": 5,
            "max_budget": "250.5",
            "cooldown_hours": 48,
        },
    )
    assert with_conditions.status_code == 201, with_conditions.text
    rule = kit.conforms(with_conditions.json(), kit.RULE)
    assert rule["is_active"] is False and rule["threshold"] == 3.5
    conditions = rule["conditions"]
    assert (conditions["lookback_days"], conditions["min_impressions"]) == (14, 1000)
    assert (conditions["min_spend"], conditions["min_budget"], conditions["max_budget"]) == (
        "100.00",
        "5.00",
        "250.50",
    )
    assert Decimal(conditions["budget_change_percent"]) == 15
    assert conditions["cooldown_hours"] == 48


async def test_create_validation_and_key_errors(api: httpx.AsyncClient):
    member = await kit.register(api, "badrules")
    stranger = await kit.register(api, "badrules-stranger")
    kit.validation_error(
        await create(api, member), ["body", "name"], ["body", "rule_type"], ["body", "threshold"]
    )
    base = {"name": "R", "rule_type": "pause_low_roas", "threshold": 1}
    for fields, loc in (
        ({"rule_type": "pause_everything"}, ["body", "rule_type"]),
        ({"threshold": 0}, ["body", "threshold"]),
        ({"threshold": "lots"}, ["body", "threshold"]),
        ({"is_active": "sometimes"}, ["body", "is_active"]),
        ({"conditions": {"lookback_days": 0}}, ["body", "conditions", "lookback_days"]),
        ({"conditions": {"colour": "red"}}, ["body", "conditions", "colour"]),
        ({"last_executed": "2026-01-01T00:00:00Z"}, ["body", "last_executed"]),
        ({"executions_count": 3}, ["body", "executions_count"]),
    ):
        kit.validation_error(await create(api, member, **{**base, **fields}), loc)
    # A CTR threshold is a fraction.
    kit.validation_error(
        await create(
            api, member, **{**base, "rule_type": "decrease_budget_low_ctr", "threshold": 5}
        )
    )
    theirs = await api.post(
        "/accounts",
        json={"platform": "google", "account_id_external": f"g-{time.time_ns()}"},
        headers=stranger.headers,
    )
    their_campaign = await api.post(
        "/campaigns",
        json={"ad_account_id": theirs.json()["id"], "name": "Theirs", "objective": "sales"},
        headers=stranger.headers,
    )
    kit.detail_error(
        await create(
            api, member, **base, conditions={"campaign_ids": [their_campaign.json()["id"]]}
        ),
        404,
    )
    assert (await api.get("/rules", headers=member.headers)).json()["total"] == 0


async def test_list_get_partial_update_delete(api: httpx.AsyncClient):
    member = await kit.register(api, "editrules")
    stranger = await kit.register(api, "editrules-stranger")
    # Inactive: the worker's schedule must not execute them while we compare snapshots.
    ids = [
        (
            await create(
                api, member, name=f"R{n}", rule_type="pause_low_roas", threshold=1, is_active=False
            )
        ).json()["id"]
        for n in range(3)
    ]
    walked = await kit.walk_pages(api, "/rules", member.headers, kit.RULE, size=2)
    assert sorted(r["id"] for r in walked) == sorted(ids)
    assert (await api.get("/rules", headers=stranger.headers)).json()["total"] == 0

    path = f"/rules/{ids[0]}"
    got = await api.get(path, headers=member.headers)
    assert got.status_code == 200
    rule = kit.conforms(got.json(), kit.RULE)
    await asyncio.sleep(1.05)
    patched = await api.patch(path, json={"threshold": 2.25}, headers=member.headers)
    assert patched.status_code == 200, patched.text
    after = kit.conforms(patched.json(), kit.RULE)
    assert (after["is_active"], after["threshold"]) == (False, 2.25)
    for field in ("id", "name", "rule_type", "conditions", "executions_count", "created_at"):
        assert after[field] == rule[field]
    assert kit.utc(after["updated_at"]) > kit.utc(rule["updated_at"])
    renamed = await api.patch(
        path,
        json={"rule_type": "pause_no_conversions", "name": "Stop spenders"},
        headers=member.headers,
    )
    assert (renamed.json()["rule_type"], renamed.json()["name"]) == (
        "pause_no_conversions",
        "Stop spenders",
    )
    activated = await api.patch(path, json={"is_active": True}, headers=member.headers)
    assert activated.status_code == 200 and activated.json()["is_active"] is True
    for body, loc in (
        ({"rule_type": "nope"}, ["body", "rule_type"]),
        ({"executions_count": 9}, ["body", "executions_count"]),
    ):
        kit.validation_error(await api.patch(path, json=body, headers=member.headers), loc)
    kit.validation_error(await api.patch(path, json={"threshold": None}, headers=member.headers))

    for method in ("GET", "PATCH", "DELETE"):
        kit.detail_error(
            await api.request(method, path, json={"name": "x"}, headers=stranger.headers), 404
        )
    kit.detail_error(await api.post(f"{path}/execute", headers=stranger.headers), 404)
    deleted = await api.delete(path, headers=member.headers)
    assert deleted.status_code == 204 and deleted.content == b""
    for method in ("GET", "PATCH", "DELETE"):
        kit.detail_error(
            await api.request(method, path, json={"name": "x"}, headers=member.headers), 404
        )
    kit.detail_error(await api.post(f"{path}/execute", headers=member.headers), 404)
    assert (await api.get("/rules", headers=member.headers)).json()["total"] == 2


async def test_execute_changes_campaigns_and_counts_executions(api: httpx.AsyncClient):
    member = await kit.register(api, "runrules")
    h = member.headers
    login, account = await kit.connect_meta(api, member)
    external = login.campaign_ids[0]
    cid = await linked_campaign(api, member, account["id"], "Winner", "30.00", external)

    # The sandbox's campaigns convert and return well over 0.5 ROAS.
    scale = await create(
        api,
        member,
        name="Scale",
        rule_type="increase_budget_high_roas",
        threshold=0.5,
        conditions={"budget_change_percent": 10, "cooldown_hours": 0},
        is_active=False,  # executed by hand only: the worker's schedule stays out of the way
    )
    idle = await create(
        api, member, name="Idle", rule_type="pause_no_conversions", threshold=1, is_active=False
    )
    rid = scale.json()["id"]

    executed = await api.post(f"/rules/{rid}/execute", headers=h)
    assert executed.status_code == 200, executed.text
    result = kit.conforms(executed.json(), EXECUTED)
    assert (result["rule_id"], result["campaigns_affected"], result["dry_run"]) == (rid, 1, False)
    [action] = result["actions_taken"]
    assert "Winner" in action and "30.00" in action and "33.00" in action
    assert (await api.get(f"/campaigns/{cid}", headers=h)).json()["budget_daily"] == "33.00"
    rule = kit.conforms((await api.get(f"/rules/{rid}", headers=h)).json(), kit.RULE)
    assert rule["executions_count"] == 1
    assert abs(kit.utc(rule["last_executed"]).timestamp() - time.time()) < 120

    again = kit.conforms((await api.post(f"/rules/{rid}/execute", headers=h)).json(), EXECUTED)
    assert again["campaigns_affected"] == 1
    assert (await api.get(f"/campaigns/{cid}", headers=h)).json()["budget_daily"] == "36.30"
    assert (await api.get(f"/rules/{rid}", headers=h)).json()["executions_count"] == 2

    # Nothing to do: still a 200 with an empty list.
    quiet = await api.post(f"/rules/{idle.json()['id']}/execute", headers=h)
    assert quiet.status_code == 200, quiet.text
    body = kit.conforms(quiet.json(), EXECUTED)
    assert (body["campaigns_affected"], body["actions_taken"]) == (0, [])
    assert (await api.get(f"/campaigns/{cid}", headers=h)).json()["status"] == "active"
    counted = (await api.get(f"/rules/{idle.json()['id']}", headers=h)).json()
    assert counted["executions_count"] == 1 and counted["last_executed"] is not None


@dataclass
class Scheduled:
    member: kit.Member
    active: str
    inactive: str


@pytest.fixture(scope="module", autouse=True)
async def scheduled(stack: str) -> Scheduled:
    """Made when this module starts, so the worker's next tick (every 60 s by default)
    overlaps the other tests: one active rule, one inactive."""
    async with httpx.AsyncClient(base_url=stack, timeout=30) as api:
        member = await kit.register(api, "scheduled")
        ids = []
        for active in (True, False):
            response = await create(
                api,
                member,
                name=f"Nightly {active}",
                rule_type="pause_no_conversions",
                threshold=10,
                is_active=active,
            )
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])
        return Scheduled(member, *ids)


async def test_active_rules_execute_on_their_own(api: httpx.AsyncClient, scheduled: Scheduled):
    """`is_active`: whether the rule auto-executes (last in the module: waits for a tick)."""
    h = scheduled.member.headers
    ran = await kit.eventually(
        api, f"/rules/{scheduled.active}", h, lambda b: b["executions_count"] >= 1, seconds=90
    )
    assert ran["last_executed"] is not None
    log = (await api.get(f"/rules/{scheduled.active}/executions", headers=h)).json()
    assert log["items"][0]["trigger"] == "schedule"
    idle = (await api.get(f"/rules/{scheduled.inactive}", headers=h)).json()
    assert (idle["executions_count"], idle["last_executed"]) == (0, None)
