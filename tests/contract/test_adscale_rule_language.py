"""The rule language through the gateway, on the sandbox's Meta and Google campaigns:
a multi-filter rule is created, previewed, executed (the platforms show the change),
undone (the platforms show it restored) and backtested; a failed audience sync (sandbox
fault) makes an audience-health rule pause the ad group that targets the audience."""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from .conftest import User
from .platform_login_kit import (
    SANDBOX,
    connect,
    google_campaigns,
    google_login,
    linked_campaign,
    meta_campaign,
    meta_login,
    new_rule,
)

sys.path.insert(0, str(Path(__file__).parent))
import cdp_kit as cdp


async def test_multi_filter_rule_previewed_executed_undone_and_backtested(
    api: httpx.AsyncClient, user: User
):
    h = user.headers
    try:
        meta_token, meta_account, meta_ids = await meta_login()
        google_token, customer, google_before = await google_login()
    except httpx.HTTPError:
        pytest.fail("the platform sandbox is not reachable", pytrace=False)
    meta = await connect(
        api, user, platform="meta", account_id_external=meta_account, access_token=meta_token
    )
    google = await connect(
        api,
        user,
        platform="google",
        account_id_external=customer,
        access_token=google_token,
        time_zone="America/New_York",
    )
    google_id = next(iter(google_before))
    meta_before = await meta_campaign(meta_token, meta_ids[0])
    await linked_campaign(api, user, meta, "Rules Meta", "30.00", meta_ids[0])
    await linked_campaign(api, user, google, "Rules Google", "20.00", google_id)

    conditions = {
        "filters": [
            {"metric": "daily_budget", "operator": "between", "value": [10, 40]},
            {"metric": "spend", "operator": ">=", "value": 0, "window": "last_30_days"},
        ],
        "any": [
            {"metric": "impressions", "operator": ">=", "value": 0, "window": "lifetime"},
            {"metric": "roas", "operator": ">", "value": 1000, "window": "yesterday"},
        ],
        "scope": {"name_contains": "rules", "platforms": ["meta", "google"]},
        "action": {"type": "change_budget", "percent": 10, "max": "100.00"},
    }
    rid = await new_rule(api, user, "Scale both", "increase_budget_high_roas", 1, conditions)
    expanded = (await api.get(f"/rules/{rid}?expand=true", headers=h)).json()
    assert [f["metric"] for f in expanded["conditions"]["filters"]] == ["daily_budget", "spend"]

    preview = await api.post(f"/rules/{rid}/execute?dry_run=true", headers=h)
    assert preview.status_code == 200, preview.text
    assert preview.json()["campaigns_affected"] == 2
    assert await meta_campaign(meta_token, meta_ids[0]) == meta_before
    assert await google_campaigns(google_token, customer) == google_before
    dry = (await api.get(f"/rule-runs/{preview.json()['execution_id']}", headers=h)).json()
    assert dry["dry_run"] is True and dry["objects"]["total"] == 2

    executed = await api.post(f"/rules/{rid}/execute", headers=h)
    assert executed.status_code == 200, executed.text
    descriptions = sorted(executed.json()["actions_taken"])
    assert descriptions[0].startswith(
        "Increased daily budget of 'Rules Google' from 20.00 to 22.00: daily budget 20.00 "
        "between 10.00 and 40.00 and spend "
    )
    assert descriptions[1].startswith(
        "Increased daily budget of 'Rules Meta' from 30.00 to 33.00: daily budget 30.00 "
    )
    assert (await meta_campaign(meta_token, meta_ids[0]))["daily_budget"] == "3300"
    assert (await google_campaigns(google_token, customer))[google_id]["micros"] == 22_000_000
    run_id = executed.json()["execution_id"]
    run = await api.get(f"/rule-runs/{run_id}?outcome=applied", headers=h)
    assert {o["platform_status"] for o in run.json()["objects"]["items"]} == {"succeeded"}

    undone = await api.post(f"/rule-runs/{executed.json()['execution_id']}/undo", headers=h)
    assert undone.status_code == 200, undone.text
    assert undone.json()["objects_restored"] == 2
    assert (await meta_campaign(meta_token, meta_ids[0]))["daily_budget"] == "3000"
    assert (await google_campaigns(google_token, customer))[google_id]["micros"] == 20_000_000
    again = await api.post(f"/rule-runs/{executed.json()['execution_id']}/undo", headers=h)
    assert again.status_code == 409 and set(again.json()) == {"detail"}
    missing = await api.get(f"/rule-runs/{uuid.uuid4()}", headers=h)
    assert missing.status_code == 404 and set(missing.json()) == {"detail"}
    runs = (await api.get(f"/rules/{rid}/runs", headers=h)).json()
    assert [r["trigger"] for r in runs["items"]] == ["undo", "manual", "manual"]

    today = datetime.now(UTC).date()
    backtest = await api.post(
        f"/rules/{rid}/backtest",
        json={"start_date": str(today - timedelta(days=6)), "end_date": str(today)},
        headers=h,
    )
    assert backtest.status_code == 200, backtest.text
    days = backtest.json()["days"]
    assert len(days) == 7 and all(d["objects_evaluated"] == 2 for d in days)
    # +10% a day from 30.00 / 20.00, capped at 100.00: the first day raises both.
    assert sorted(a["new_value"] for a in days[0]["actions"]) == ["22.00", "33.00"]


async def test_a_failed_audience_sync_pauses_the_ad_group_that_targets_it(
    api: httpx.AsyncClient, user: User
):
    h = user.headers
    segment = await cdp.new_segment(api, user, cdp.profiles(0, 20))
    connection = await cdp.connect(api, h, "meta")
    audience = (await cdp.created(api, h, segment, "meta", connection.account))["audience"]["id"]

    account = await connect(api, user, platform="meta", account_id_external="act_health")
    campaign = await api.post(
        "/campaigns",
        json={"ad_account_id": account, "name": "Health", "objective": "sales", "status": "active"},
        headers=h,
    )
    assert campaign.status_code == 201, campaign.text
    groups = []
    for name, targeting in (("Targeted", {"audiences": [audience]}), ("Broad", {})):
        made = await api.post(
            "/ad-groups",
            json={"campaign_id": campaign.json()["id"], "name": name, "targeting": targeting},
            headers=h,
        )
        assert made.status_code == 201, made.text
        groups.append(made.json())
    group, other = groups
    assert group["targeting"]["audiences"] == [audience]
    conditions = {
        "filters": [{"metric": "audience_failed", "operator": ">=", "value": 1}],
        "scope": {"level": "ad_group"},
        "action": {"type": "pause"},
    }
    rid = await new_rule(api, user, "Audience health", "pause_low_roas", 1, conditions)

    async with httpx.AsyncClient(base_url=SANDBOX, timeout=30) as sandbox:
        fault = {"platform": "meta", "kind": "permission", "count": 10, "path_contains": "/users"}
        assert (await sandbox.post("/_admin/faults", json=fault)).status_code == 201
        try:
            sync = await api.post(
                f"/cdp/audience-sync/audiences/{audience}/sync",
                json={"operation": "replace"},
                headers=h,
            )
            assert sync.status_code == 202, sync.text
            job = await cdp.finished(api, h, sync.json()["job_id"])
        finally:
            await sandbox.delete("/_admin/faults")
    assert job["status"] == "failed", job
    failed_at = time.monotonic()

    async def status_of(group_id: str) -> str:
        return str((await api.get(f"/ad-groups/{group_id}", headers=h)).json()["status"])

    while await status_of(group["id"]) != "paused":
        assert time.monotonic() - failed_at < 5, "not paused within 5 s of the failed sync"
        await asyncio.sleep(0.1)
    assert await status_of(other["id"]) == "active"
    runs = (await api.get(f"/rules/{rid}/runs", headers=h)).json()["items"]
    assert runs[0]["trigger"] == "event"
