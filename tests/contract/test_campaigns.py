"""Campaigns through the gateway (spec: Ad Accounts, Campaigns, Ad Groups, Creatives, Metrics,
Optimization Rules): every endpoint's status codes end to end, on the platform sandbox."""

from __future__ import annotations

import re
from decimal import Decimal

import httpx
import pytest

from .conftest import User, register
from .platform_login_kit import META, meta_login, new_rule

ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
NIL = "00000000-0000-4000-8000-000000000000"


async def test_everything_needs_a_bearer_token(api: httpx.AsyncClient):
    for method, path in (
        ("GET", "/accounts"),
        ("POST", "/campaigns"),
        ("GET", "/ad-groups"),
        ("GET", "/creatives"),
        ("POST", "/creatives/generate-copy"),
        ("GET", "/metrics/overview"),
        ("GET", "/rules"),
    ):
        r = await api.request(method, path)
        assert r.status_code == 401, (method, path)
        assert "detail" in r.json()


async def test_accounts(api: httpx.AsyncClient, user: User):
    h = user.headers
    body = {
        "platform": "google",
        "account_id_external": "123-456-7890",
        "account_name": "Main",
        "access_token": "ya29.secret",
    }
    created = await api.post("/accounts", json=body, headers=h)
    assert created.status_code == 201, created.text
    account = created.json()
    assert "access_token" not in account and ISO_Z.match(account["connected_at"])
    assert account["is_connected"] is True and account["status"] == "active"
    assert (await api.post("/accounts", json=body, headers=h)).status_code == 409
    assert (await api.post("/accounts", json={"platform": "bing"}, headers=h)).status_code == 422
    page = await api.get("/accounts?offset=0&limit=10", headers=h)
    assert page.status_code == 200
    assert set(page.json()) == {"items", "total", "offset", "limit"} and page.json()["total"] == 1
    stranger = await register(api)
    assert (
        await api.delete(f"/accounts/{account['id']}", headers=stranger.headers)
    ).status_code == 404
    assert (await api.get("/accounts", headers=stranger.headers)).json()["total"] == 0
    assert (await api.delete("/accounts/not-a-uuid", headers=h)).status_code == 400
    assert (await api.delete(f"/accounts/{account['id']}", headers=h)).status_code == 204
    assert (await api.delete(f"/accounts/{account['id']}", headers=h)).status_code == 404


async def test_campaigns_ad_groups_creatives(api: httpx.AsyncClient, user: User):
    h = user.headers
    account = (
        await api.post(
            "/accounts", json={"platform": "meta", "account_id_external": "act9"}, headers=h
        )
    ).json()
    base = {"ad_account_id": account["id"], "name": "Spring", "objective": "sales"}
    bad = await api.post(
        "/campaigns", json={**base, "budget_daily": 10, "budget_lifetime": 99}, headers=h
    )
    assert bad.status_code == 422 and isinstance(bad.json()["detail"], list)
    assert (
        await api.post("/campaigns", json={**base, "ad_account_id": NIL}, headers=h)
    ).status_code == 404
    first = await api.post("/campaigns", json={**base, "budget_daily": "25.00"}, headers=h)
    assert first.status_code == 201, first.text
    campaign = first.json()
    assert campaign["platform"] == "meta" and campaign["budget_daily"] == "25.00"
    assert (await api.post("/campaigns", json=base, headers=h)).status_code == 201
    limited = await api.post("/campaigns", json=base, headers=h)  # free plan: 2 campaigns
    assert limited.status_code == 403 and "detail" in limited.json()
    cid = campaign["id"]
    assert (await api.get("/campaigns", headers=h)).json()["total"] == 2
    assert (await api.get(f"/campaigns/{cid}", headers=h)).status_code == 200
    patched = await api.patch(f"/campaigns/{cid}", json={"status": "active"}, headers=h)
    assert patched.status_code == 200 and patched.json()["status"] == "active"
    assert (
        await api.patch(f"/campaigns/{cid}", json={"objective": "fame"}, headers=h)
    ).status_code == 422
    assert (await api.get("/campaigns/123", headers=h)).status_code == 400
    stranger = await register(api)
    assert (await api.get(f"/campaigns/{cid}", headers=stranger.headers)).status_code == 404

    group_body = {
        "campaign_id": cid,
        "name": "G",
        "targeting": {"age": "25-45", "interests": ["coffee"], "locations": ["US"]},
        "bid_strategy": "manual_cpc",
        "bid_amount": "0.80",
    }
    group = await api.post("/ad-groups", json=group_body, headers=h)
    assert group.status_code == 201, group.text
    gid = group.json()["id"]
    no_bid = {**group_body, "bid_amount": None}
    assert (await api.post("/ad-groups", json=no_bid, headers=h)).status_code == 422
    bad_country = {**group_body, "targeting": {"locations": ["ZZ"]}}
    assert (await api.post("/ad-groups", json=bad_country, headers=h)).status_code == 422
    for _ in range(4):
        assert (await api.post("/ad-groups", json=group_body, headers=h)).status_code == 201
    assert (await api.post("/ad-groups", json=group_body, headers=h)).status_code == 403
    listed = await api.get(f"/ad-groups?campaign_id={cid}&limit=2", headers=h)
    assert listed.status_code == 200 and listed.json()["total"] == 5
    assert len(listed.json()["items"]) == 2
    assert (await api.get(f"/ad-groups/{gid}", headers=stranger.headers)).status_code == 404

    creative_body = {
        "ad_group_id": gid,
        "headline": "Fresh beans",
        "description": "Roasted weekly.",
        "destination_url": "https://shop.example.com",
        "call_to_action": "Shop Now",
    }
    created = await api.post("/creatives", json=creative_body, headers=h)
    assert created.status_code == 201, created.text
    crid = created.json()["id"]
    bad_url = {**creative_body, "destination_url": "ftp://x.example.com"}
    assert (await api.post("/creatives", json=bad_url, headers=h)).status_code == 422
    too_long = {**creative_body, "headline": "H" * 41}  # Meta headline: 40
    assert (await api.post("/creatives", json=too_long, headers=h)).status_code == 422
    assert (await api.get(f"/creatives?ad_group_id={gid}", headers=h)).json()["total"] == 1
    assert (await api.get(f"/creatives/{crid}", headers=h)).status_code == 200
    assert (
        await api.patch(f"/creatives/{crid}", json={"status": "paused"}, headers=h)
    ).status_code == 200
    assert (await api.get(f"/creatives/{crid}", headers=stranger.headers)).status_code == 404
    copy = await api.post(
        "/creatives/generate-copy",
        json={"product_name": "Brewly", "product_description": "Cold brew kits.", "tone": "casual"},
        headers=h,
    )
    assert copy.status_code == 200
    assert {"headline", "description", "call_to_action", "provider"} <= set(copy.json())
    assert (await api.delete(f"/creatives/{crid}", headers=h)).status_code == 204

    # Deleting the campaign takes its ad groups with it.
    assert (await api.delete(f"/campaigns/{cid}", headers=h)).status_code == 204
    assert (await api.get(f"/ad-groups/{gid}", headers=h)).status_code == 404
    assert (await api.get(f"/campaigns/{cid}", headers=h)).status_code == 404


async def test_metrics_and_rules_on_sandbox_data(api: httpx.AsyncClient, user: User):
    h = user.headers
    try:
        token, external_account, external_campaigns = await meta_login()
    except httpx.HTTPError:
        pytest.fail("the platform sandbox is not reachable", pytrace=False)
    account = (
        await api.post(
            "/accounts",
            json={
                "platform": "meta",
                "account_id_external": external_account,
                "access_token": token,
            },
            headers=h,
        )
    ).json()
    campaign = (
        await api.post(
            "/campaigns",
            json={
                "ad_account_id": account["id"],
                "name": "Synced",
                "objective": "sales",
                "status": "active",
                "budget_daily": "30.00",
                "external_campaign_id": external_campaigns[0],
            },
            headers=h,
        )
    ).json()
    cid = campaign["id"]
    refreshed = await api.post(f"/metrics/campaign/{cid}/refresh", headers=h)
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["rows_upserted"] >= 1
    rows = await api.get(f"/metrics/campaign/{cid}?limit=200", headers=h)
    assert rows.status_code == 200
    items = rows.json()["items"]
    overview = (await api.get("/metrics/overview", headers=h)).json()
    assert overview["total_impressions"] == sum(r["impressions"] for r in items)
    assert Decimal(overview["total_spend"]) == sum(Decimal(r["spend"]) for r in items)
    assert (await api.get(f"/metrics/campaign/{NIL}", headers=h)).status_code == 404
    bad_range = await api.get(
        "/metrics/overview?start_date=2026-02-02&end_date=2026-02-01", headers=h
    )
    assert bad_range.status_code == 422

    conditions = {"lookback_days": 7, "min_spend": 1}
    rid = await new_rule(api, user, "Stop losers", "pause_low_roas", 1000, conditions)
    assert (
        await api.post("/rules", json={"name": "x", "rule_type": "nope", "threshold": 1}, headers=h)
    ).status_code == 422
    assert (await api.get("/rules", headers=h)).json()["total"] == 1
    preview = await api.post(f"/rules/{rid}/execute?dry_run=true", headers=h)
    assert preview.status_code == 200 and preview.json()["campaigns_affected"] == 1
    assert (await api.get(f"/campaigns/{cid}", headers=h)).json()["status"] == "active"
    executed = await api.post(f"/rules/{rid}/execute", headers=h)
    assert executed.status_code == 200
    body = executed.json()
    assert body["rule_id"] == rid and body["campaigns_affected"] == 1
    assert body["actions_taken"][0].startswith("Paused campaign 'Synced'")
    assert (await api.get(f"/campaigns/{cid}", headers=h)).json()["status"] == "paused"
    history = (await api.get(f"/rules/{rid}/executions", headers=h)).json()
    assert history["total"] == 1
    assert history["items"][0]["actions"][0]["platform_status"] == "succeeded"
    async with httpx.AsyncClient(timeout=30) as sandbox:
        status = await sandbox.get(
            f"{META}/graph/v25.0/{external_campaigns[0]}",
            params={"fields": "status"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert status.json()["status"] == "PAUSED"
    got = (await api.get(f"/rules/{rid}", headers=h)).json()
    assert got["executions_count"] == 1 and ISO_Z.match(got["last_executed"])
    assert (
        await api.patch(f"/rules/{rid}", json={"is_active": False}, headers=h)
    ).status_code == 200
    stranger = await register(api)
    assert (await api.post(f"/rules/{rid}/execute", headers=stranger.headers)).status_code == 404
    assert (await api.delete(f"/rules/{rid}", headers=h)).status_code == 204
    assert (await api.get(f"/rules/{rid}", headers=h)).status_code == 404
