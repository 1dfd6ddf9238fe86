"""Ad groups: targeting validation, bidding, plan limits, isolation, events."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.ad_group.schemas import parse_age
from kit import Api, outbox_types, set_plan


async def test_crud_and_events(api: Api, session: AsyncSession):
    campaign = await api.campaign()
    group = await api.ad_group(
        campaign["id"],
        targeting={
            "age": "25-45",
            "interests": [" coffee ", "tea", "coffee"],
            "locations": ["us", "DE"],
        },
        bid_strategy="manual_cpc",
        bid_amount="1.25",
    )
    assert group["targeting"] == {
        "age": "25-45",
        "interests": ["coffee", "tea"],
        "locations": ["US", "DE"],
    }
    assert group["bid_amount"] == "1.25" and group["status"] == "active"
    url = f"/api/v1/ad-groups/{group['id']}"
    assert (await api.client.get(url, headers=api.h)).json() == group
    r = await api.client.patch(
        url, json={"bid_strategy": "auto_cpc", "status": "paused"}, headers=api.h
    )
    assert r.status_code == 200, r.text
    assert r.json()["bid_amount"] is None and r.json()["status"] == "paused"
    r = await api.client.patch(url, json={"bid_strategy": "manual_cpc"}, headers=api.h)
    assert r.status_code == 422  # manual_cpc needs a bid
    assert (await api.client.delete(url, headers=api.h)).status_code == 204
    assert (await api.client.get(url, headers=api.h)).status_code == 404
    assert await outbox_types(session, group["id"]) == [
        "campaigns.ad_group_created",
        "campaigns.ad_group_updated",
        "campaigns.ad_group_deleted",
    ]


@pytest.mark.parametrize(
    "targeting",
    [
        {"age": "12-30"},
        {"age": "30-70"},
        {"age": "45-25"},
        {"age": "adults"},
        {"age": "18-60+"},
        {"interests": ["ok", ""]},
        {"interests": "coffee"},
        {"locations": ["XX"]},
        {"locations": ["USA"]},
        {"locations": ["UK"]},
        {"gender": "any"},
    ],
)
async def test_targeting_validation_422(api: Api, targeting: dict[str, object]):
    campaign = await api.campaign()
    r = await api.client.post(
        "/api/v1/ad-groups",
        json={"campaign_id": campaign["id"], "name": "G", "targeting": targeting},
        headers=api.h,
    )
    assert r.status_code == 422, targeting


def test_age_ranges():
    assert parse_age("25-45") == (25, 45)
    assert parse_age("13-65") == (13, 65)
    assert parse_age("18-65+") == (18, None)
    assert parse_age("65+") == (65, None)
    assert parse_age("30-30") == (30, 30)


@pytest.mark.parametrize(
    "body",
    [
        {"bid_strategy": "manual_cpc"},
        {"bid_strategy": "auto_cpc", "bid_amount": 2},
        {"bid_strategy": "max_clicks"},
        {"bid_strategy": "manual_cpc", "bid_amount": 0},
        {"status": "archived"},
    ],
)
async def test_bidding_validation_422(api: Api, body: dict[str, object]):
    campaign = await api.campaign()
    r = await api.client.post(
        "/api/v1/ad-groups",
        json={"campaign_id": campaign["id"], "name": "G", **body},
        headers=api.h,
    )
    assert r.status_code == 422, body


async def test_list_filter_pagination_and_isolation(api: Api, other: Api):
    c1 = await api.campaign()
    c2 = await api.campaign()
    for _ in range(2):
        await api.ad_group(c1["id"])
    await api.ad_group(c2["id"])
    theirs = await other.ad_group((await other.campaign())["id"])
    r = await api.get(f"/api/v1/ad-groups?campaign_id={c1['id']}&limit=1")
    assert r.status_code == 200 and r.json()["total"] == 2 and len(r.json()["items"]) == 1
    everything = (await api.get("/api/v1/ad-groups")).json()
    assert everything["total"] == 3 and theirs["id"] not in {g["id"] for g in everything["items"]}
    assert (await api.get(f"/api/v1/ad-groups/{theirs['id']}")).status_code == 404
    r = await api.client.post(
        "/api/v1/ad-groups",
        json={"campaign_id": theirs["campaign_id"], "name": "steal"},
        headers=api.h,
    )
    assert r.status_code == 404
    filtered = await api.client.get(
        f"/api/v1/ad-groups?campaign_id={theirs['campaign_id']}", headers=api.h
    )
    assert filtered.json()["total"] == 0
    assert (await api.get("/api/v1/ad-groups/nope")).status_code == 400


async def test_name_search_within_a_campaign_and_across_them(api: Api, other: Api):
    c1 = await api.campaign()
    c2 = await api.campaign()
    await api.ad_group(c1["id"], name="Retargeting - cart")
    await api.ad_group(c1["id"], name="Lookalike 1%")
    await api.ad_group(c2["id"], name="retargeting - views")
    await other.ad_group((await other.campaign())["id"], name="Retargeting theirs")

    async def found(query: str) -> set[str]:
        r = await api.get(f"/api/v1/ad-groups?{query}")
        assert r.status_code == 200, r.text
        return {item["name"] for item in r.json()["items"]}

    assert await found("name_contains=RETARGET") == {"Retargeting - cart", "retargeting - views"}
    assert await found(f"name_contains=retarget&campaign_id={c2['id']}") == {"retargeting - views"}
    assert await found("name_contains=1%25") == {"Lookalike 1%"}
    r = await api.client.get(f"/api/v1/ad-groups?name_contains={'x' * 256}", headers=api.h)
    assert r.status_code == 422


async def test_plan_limits_5_then_100(api: Api, session: AsyncSession):
    campaign = await api.campaign()
    for _ in range(5):
        await api.ad_group(campaign["id"])
    body = {"campaign_id": campaign["id"], "name": "sixth"}
    r = await api.client.post("/api/v1/ad-groups", json=body, headers=api.h)
    assert r.status_code == 403 and "detail" in r.json()
    await set_plan(session, api.user_id, "pro")
    assert (await api.client.post("/api/v1/ad-groups", json=body, headers=api.h)).status_code == 201
