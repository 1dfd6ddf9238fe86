"""Meta campaigns and insights: status and budget updates, per-campaign daily insights,
their paging and field validation."""

from __future__ import annotations

import json
from typing import Any

import httpx

GRAPH = "/meta/graph/v25.0"


def daily_insights(token: str, since: str, until: str, fields: str) -> dict[str, str]:
    """Query parameters for campaign-level insights, a row a day, from ``since`` to ``until``."""
    return {
        "access_token": token,
        "level": "campaign",
        "time_increment": "1",
        "time_range": json.dumps({"since": since, "until": until}),
        "fields": fields,
    }


async def test_campaign_status_and_budget_updates(kit: Any, client: httpx.AsyncClient) -> None:
    token = await kit.meta()
    account = await kit.meta_account(token)
    r = await client.get(
        f"{GRAPH}/act_{account}/campaigns",
        params={"access_token": token, "fields": "id,name,status,daily_budget,objective"},
    )
    campaigns = r.json()["data"]
    assert len(campaigns) == 4
    target = campaigns[0]
    assert target["status"] == "ACTIVE"
    r = await client.post(
        f"{GRAPH}/{target['id']}",
        data={"status": "PAUSED", "daily_budget": "12345", "access_token": token},
    )
    assert r.json() == {"success": True}
    r = await client.get(
        f"{GRAPH}/{target['id']}",
        params={"access_token": token, "fields": "status,daily_budget"},
    )
    assert r.json() == {"id": target["id"], "status": "PAUSED", "daily_budget": "12345"}

    bad = await client.post(
        f"{GRAPH}/{target['id']}", data={"status": "SLEEPING", "access_token": token}
    )
    assert bad.status_code == 400
    low = await client.post(
        f"{GRAPH}/{target['id']}", data={"daily_budget": "5", "access_token": token}
    )
    assert low.status_code == 400


async def test_insights_daily_per_campaign_are_deterministic(
    kit: Any, client: httpx.AsyncClient
) -> None:
    token = await kit.meta()
    account = await kit.meta_account(token)
    params = {
        **daily_insights(
            token,
            "2025-03-01",
            "2025-03-10",
            "campaign_id,campaign_name,impressions,clicks,spend,actions,action_values",
        ),
        "limit": "500",
    }
    first = await client.get(f"{GRAPH}/act_{account}/insights", params=params)
    assert first.status_code == 200, first.text
    rows = first.json()["data"]
    assert len(rows) == 4 * 10
    row = rows[0]
    assert row["date_start"] == row["date_stop"]
    assert set(row) >= {"campaign_id", "impressions", "clicks", "spend", "date_start"}
    assert isinstance(row["impressions"], str) and int(row["impressions"]) > 0
    assert float(row["spend"]) >= 0
    purchases = [a for a in row.get("actions", []) if a["action_type"] == "purchase"]
    if purchases:
        value = next(a for a in row["action_values"] if a["action_type"] == "purchase")
        assert float(value["value"]) > 0
    second = await client.get(f"{GRAPH}/act_{account}/insights", params=params)
    assert second.json()["data"] == rows

    campaign_id = row["campaign_id"]
    single = await client.get(
        f"{GRAPH}/{campaign_id}/insights",
        params={**params, "time_increment": "all_days"},
    )
    total = single.json()["data"]
    assert len(total) == 1
    per_day = [r for r in rows if r["campaign_id"] == campaign_id]
    assert int(total[0]["impressions"]) == sum(int(r["impressions"]) for r in per_day)


async def test_insights_paging_and_validation(kit: Any, client: httpx.AsyncClient) -> None:
    token = await kit.meta()
    account = await kit.meta_account(token)
    params = daily_insights(token, "2025-01-01", "2025-01-31", "campaign_id,impressions")
    r = await client.get(f"{GRAPH}/act_{account}/insights", params=params)
    body = r.json()
    assert len(body["data"]) == 25
    seen = list(body["data"])
    while "next" in body.get("paging", {}):
        body = (await client.get(body["paging"]["next"])).json()
        seen += body["data"]
    assert len(seen) == 4 * 31
    bad = await client.get(
        f"{GRAPH}/act_{account}/insights", params={**params, "fields": "impressions,mood"}
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == 100
