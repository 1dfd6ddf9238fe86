"""adscale-api.md "Ad Groups": create and list (filter, paging), targeting, bid strategies,
statuses, plan limits (Free 5, Pro 100, Enterprise unlimited) and isolation."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))
import contract_kit as kit


async def campaign_of(api: httpx.AsyncClient, member: kit.Member, count: int = 1) -> list[str]:
    account = await api.post(
        "/accounts",
        json={"platform": "google", "account_id_external": f"g-{time.time_ns()}"},
        headers=member.headers,
    )
    assert account.status_code == 201, account.text
    bodies = [
        {"ad_account_id": account.json()["id"], "name": f"C{n}", "objective": "traffic"}
        for n in range(count)
    ]
    return await kit.created_ids(api, member, "/campaigns", bodies)


async def create(
    api: httpx.AsyncClient, member: kit.Member, campaign_id: str, **fields: Any
) -> httpx.Response:
    body = {"campaign_id": campaign_id, "name": "Group", **fields}
    return await api.post("/ad-groups", json=body, headers=member.headers)


async def test_create_returns_every_documented_field(api: httpx.AsyncClient):
    member = await kit.register(api, "adgroups")
    (campaign,) = await campaign_of(api, member)
    response = await create(
        api,
        member,
        campaign,
        name="Coffee lovers",
        targeting={"age": "25-45", "interests": ["coffee", "espresso"], "locations": ["US", "ca"]},
        bid_strategy="manual_cpc",
        bid_amount=0.8,
        status="paused",
    )
    assert response.status_code == 201, response.text
    group = kit.conforms(response.json(), kit.AD_GROUP)
    assert group["campaign_id"] == campaign and group["name"] == "Coffee lovers"
    assert group["targeting"] == {
        "age": "25-45",
        "interests": ["coffee", "espresso"],
        "locations": ["US", "CA"],
    }
    assert (group["bid_strategy"], group["bid_amount"], group["status"]) == (
        "manual_cpc",
        "0.80",
        "paused",
    )
    minimal = await create(api, member, campaign)
    defaults = kit.conforms(minimal.json(), kit.AD_GROUP)
    assert (defaults["bid_strategy"], defaults["bid_amount"], defaults["status"]) == (
        "auto_cpc",
        None,
        "active",
    )
    assert defaults["targeting"] == {"age": None, "interests": None, "locations": None}


async def test_every_bid_strategy(api: httpx.AsyncClient):
    member = await kit.register(api, "bids")
    (campaign,) = await campaign_of(api, member)
    for strategy in kit.BID_STRATEGIES:
        amount = "1.25" if strategy == "manual_cpc" else None
        response = await create(api, member, campaign, bid_strategy=strategy, bid_amount=amount)
        assert response.status_code == 201, response.text
        assert (response.json()["bid_strategy"], response.json()["bid_amount"]) == (
            strategy,
            amount,
        )


async def test_create_validation_and_key_errors(api: httpx.AsyncClient):
    member = await kit.register(api, "badgroups")
    stranger = await kit.register(api, "badgroups-stranger")
    (campaign,) = await campaign_of(api, member)
    kit.validation_error(
        await api.post("/ad-groups", json={}, headers=member.headers),
        ["body", "campaign_id"],
        ["body", "name"],
    )
    for fields, loc in (
        ({"bid_strategy": "cpm"}, ["body", "bid_strategy"]),
        ({"status": "deleted"}, ["body", "status"]),
        ({"targeting": {"age": "10-20"}}, ["body", "targeting", "age"]),
        ({"targeting": {"locations": ["ZZ"]}}, ["body", "targeting", "locations", 0]),
        ({"targeting": {"interests": "coffee"}}, ["body", "targeting", "interests"]),
        ({"targeting": {"gender": "any"}}, ["body", "targeting", "gender"]),
        ({"bid_strategy": "manual_cpc", "bid_amount": -1}, ["body", "bid_amount"]),
    ):
        kit.validation_error(await create(api, member, campaign, **fields), loc)
    # bid_amount belongs to manual_cpc: required with it, refused with the others.
    kit.validation_error(await create(api, member, campaign, bid_strategy="manual_cpc"))
    kit.validation_error(
        await create(api, member, campaign, bid_strategy="target_roas", bid_amount="2")
    )
    kit.detail_error(await create(api, member, kit.NIL_UUID4), 404)
    kit.detail_error(await create(api, stranger, campaign), 404)
    assert (await api.get("/ad-groups", headers=member.headers)).json()["total"] == 0


async def test_list_filters_by_campaign_and_paginates(api: httpx.AsyncClient):
    member = await kit.register(api, "listgroups")
    stranger = await kit.register(api, "listgroups-stranger")
    first, second = await campaign_of(api, member, 2)
    in_first = [(await create(api, member, first, name=f"A{n}")).json()["id"] for n in range(3)]
    in_second = [(await create(api, member, second, name="B")).json()["id"]]

    everything = await kit.walk_pages(api, "/ad-groups", member.headers, kit.AD_GROUP, size=2)
    assert sorted(g["id"] for g in everything) == sorted(in_first + in_second)
    only_first = await kit.walk_pages(
        api, f"/ad-groups?campaign_id={first}", member.headers, kit.AD_GROUP, size=2
    )
    assert sorted(g["id"] for g in only_first) == sorted(in_first)
    assert {g["campaign_id"] for g in only_first} == {first}
    second_page = kit.page(
        await api.get(f"/ad-groups?campaign_id={first}&offset=2&limit=2", headers=member.headers),
        kit.AD_GROUP,
        offset=2,
        limit=2,
    )
    assert second_page["total"] == 3 and len(second_page["items"]) == 1
    # Someone else's groups: not in their list, not even when filtering by the campaign.
    assert (await api.get("/ad-groups", headers=stranger.headers)).json()["total"] == 0
    filtered = await api.get(f"/ad-groups?campaign_id={first}", headers=stranger.headers)
    assert filtered.status_code == 200 and filtered.json()["total"] == 0
    kit.validation_error(
        await api.get("/ad-groups?campaign_id=nope", headers=member.headers),
        ["query", "campaign_id"],
    )


async def test_free_plan_holds_five_ad_groups_across_campaigns(api: httpx.AsyncClient):
    member = await kit.register(api, "freegroups")
    first, second = await campaign_of(api, member, 2)
    for n in range(5):
        response = await create(api, member, first if n < 3 else second)
        assert response.status_code == 201, response.text
    kit.detail_error(await create(api, member, first), 403)
    kit.detail_error(await create(api, member, second), 403)
    assert (await api.get("/ad-groups", headers=member.headers)).json()["total"] == 5


async def test_concurrent_creates_never_pass_the_limit(api: httpx.AsyncClient):
    member = await kit.register(api, "racegroups")
    (campaign,) = await campaign_of(api, member)
    responses = await asyncio.gather(*(create(api, member, campaign) for _ in range(9)))
    assert sorted(r.status_code for r in responses) == [201] * 5 + [403] * 4
    assert (await api.get("/ad-groups", headers=member.headers)).json()["total"] == 5


async def fill(api: httpx.AsyncClient, member: kit.Member, campaign: str, count: int) -> None:
    """``count`` ad groups; the sixth waits for campaigns to hear of the plan change (it
    travels through Kafka), the rest go 10 at a time."""
    for _ in range(5):
        assert (await create(api, member, campaign)).status_code == 201
    deadline = time.monotonic() + 15
    while True:
        response = await create(api, member, campaign)
        if response.status_code == 201:
            break
        assert response.status_code == 403 and time.monotonic() < deadline, response.text
        await asyncio.sleep(0.2)
    left = count - 6
    while left:
        batch = min(10, left)
        responses = await asyncio.gather(*(create(api, member, campaign) for _ in range(batch)))
        assert [r.status_code for r in responses] == [201] * batch, responses[0].text
        left -= batch


async def test_pro_plan_holds_100_ad_groups(api: httpx.AsyncClient):
    member = await kit.register(api, "progroups")
    (campaign,) = await campaign_of(api, member)
    await kit.upgrade(api, member, "pro")
    await fill(api, member, campaign, 100)
    kit.detail_error(await create(api, member, campaign), 403)
    assert (await api.get("/ad-groups?limit=1", headers=member.headers)).json()["total"] == 100


async def test_enterprise_plan_has_no_ad_group_limit(api: httpx.AsyncClient):
    member = await kit.register(api, "entgroups")
    (campaign,) = await campaign_of(api, member)
    await kit.upgrade(api, member, "enterprise")
    await fill(api, member, campaign, 110)
    assert (await api.get("/ad-groups?limit=1", headers=member.headers)).json()["total"] == 110
