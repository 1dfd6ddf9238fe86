"""adscale-api.md "Campaigns": every endpoint and field, plan limits (Free 2, Pro 25,
Enterprise unlimited) after real plan changes, isolation and the cascade on delete."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))
import contract_kit as kit


async def account_of(api: httpx.AsyncClient, member: kit.Member, platform: str = "google") -> str:
    external = f"{platform}-{time.time_ns()}"
    account = await kit.connect_account(
        api, member, platform=platform, account_id_external=external
    )
    return str(account["id"])


async def create(
    api: httpx.AsyncClient, member: kit.Member, account_id: str, **fields: Any
) -> httpx.Response:
    body = {"ad_account_id": account_id, "name": "Campaign", "objective": "sales", **fields}
    return await api.post("/campaigns", json=body, headers=member.headers)


async def test_create_returns_every_documented_field(api: httpx.AsyncClient):
    member = await kit.register(api, "campaigns")
    meta = await account_of(api, member, "meta")
    response = await create(
        api,
        member,
        meta,
        name="Spring sale",
        objective="leads",
        budget_daily=25.5,
        status="active",
        start_date="2026-03-01",
        end_date="2026-03-31",
    )
    assert response.status_code == 201, response.text
    campaign = kit.conforms(response.json(), kit.CAMPAIGN)
    assert campaign["ad_account_id"] == meta
    assert campaign["platform"] == "meta"  # denormalised from the account
    assert (campaign["name"], campaign["objective"], campaign["status"]) == (
        "Spring sale",
        "leads",
        "active",
    )
    assert (campaign["budget_daily"], campaign["budget_lifetime"]) == ("25.50", None)
    assert (campaign["start_date"], campaign["end_date"]) == ("2026-03-01", "2026-03-31")
    assert campaign["created_at"] == campaign["updated_at"]

    google = await account_of(api, member, "google")
    lifetime = await create(api, member, google, budget_lifetime="1000")
    assert lifetime.status_code == 201, lifetime.text
    drafted = kit.conforms(lifetime.json(), kit.CAMPAIGN)
    assert drafted["platform"] == "google" and drafted["status"] == "draft"
    assert (drafted["budget_daily"], drafted["budget_lifetime"]) == (None, "1000.00")
    assert (drafted["start_date"], drafted["end_date"]) == (None, None)


async def test_create_validation_and_key_errors(api: httpx.AsyncClient):
    member = await kit.register(api, "badcampaigns")
    stranger = await kit.register(api, "badcampaigns-stranger")
    account = await account_of(api, member)
    h = member.headers
    kit.validation_error(
        await api.post("/campaigns", json={}, headers=h),
        ["body", "ad_account_id"],
        ["body", "name"],
        ["body", "objective"],
    )
    for field, value in (
        ("objective", "fame"),
        ("status", "archived"),
        ("budget_daily", -5),
        ("budget_daily", "12.345"),
        ("start_date", "01/03/2026"),
        ("platform", "meta"),  # read-only
        ("ad_account_id", "not-a-uuid"),
    ):
        kit.validation_error(await create(api, member, account, **{field: value}), ["body", field])
    both = await create(api, member, account, budget_daily=10, budget_lifetime=100)
    assert "mutually exclusive" in str(kit.validation_error(both))
    kit.validation_error(
        await create(api, member, account, start_date="2026-03-31", end_date="2026-03-01")
    )
    kit.detail_error(await create(api, member, kit.NIL_UUID4), 404)
    # Another user's account is as unknown as a missing one.
    kit.detail_error(await create(api, stranger, account), 404)
    assert (await api.get("/campaigns", headers=h)).json()["total"] == 0


async def test_every_objective_and_status_can_be_set(api: httpx.AsyncClient):
    member = await kit.register(api, "enums")
    account = await account_of(api, member)
    campaign = (await create(api, member, account)).json()
    path = f"/campaigns/{campaign['id']}"
    for objective in kit.OBJECTIVES:
        response = await api.patch(path, json={"objective": objective}, headers=member.headers)
        assert response.status_code == 200, response.text
        assert kit.conforms(response.json(), kit.CAMPAIGN)["objective"] == objective
    for status in kit.CAMPAIGN_STATUSES:
        response = await api.patch(path, json={"status": status}, headers=member.headers)
        assert response.status_code == 200 and response.json()["status"] == status
    got = await api.get(path, headers=member.headers)
    assert got.json()["status"] == "completed" and got.json()["objective"] == "app_installs"


async def test_list_get_and_partial_update(api: httpx.AsyncClient):
    member = await kit.register(api, "patchcampaigns")
    account = await account_of(api, member)
    first = (await create(api, member, account, name="First", budget_daily="10")).json()
    second = (await create(api, member, account, name="Second", status="paused")).json()

    walked = await kit.walk_pages(api, "/campaigns", member.headers, kit.CAMPAIGN, size=1)
    assert {c["id"] for c in walked} == {first["id"], second["id"]}
    paused = await api.get("/campaigns?status=paused", headers=member.headers)
    assert [c["id"] for c in paused.json()["items"]] == [second["id"]]

    got = await api.get(f"/campaigns/{first['id']}", headers=member.headers)
    assert got.status_code == 200 and kit.conforms(got.json(), kit.CAMPAIGN) == first

    await asyncio.sleep(1.05)  # timestamps have one-second resolution
    renamed = await api.patch(
        f"/campaigns/{first['id']}", json={"name": "Renamed"}, headers=member.headers
    )
    assert renamed.status_code == 200, renamed.text
    after = kit.conforms(renamed.json(), kit.CAMPAIGN)
    unchanged = {k: v for k, v in first.items() if k not in ("name", "updated_at")}
    assert {k: v for k, v in after.items() if k not in ("name", "updated_at")} == unchanged
    assert after["name"] == "Renamed"
    assert kit.utc(after["updated_at"]) > kit.utc(first["updated_at"])

    # Budgets stay mutually exclusive: switching sends the other one as null.
    clash = await api.patch(
        f"/campaigns/{first['id']}", json={"budget_lifetime": "500"}, headers=member.headers
    )
    kit.validation_error(clash)
    switched = await api.patch(
        f"/campaigns/{first['id']}",
        json={"budget_daily": None, "budget_lifetime": "500"},
        headers=member.headers,
    )
    assert switched.status_code == 200, switched.text
    assert (switched.json()["budget_daily"], switched.json()["budget_lifetime"]) == (None, "500.00")
    for field, value in (("objective", "fame"), ("status", "deleted"), ("name", None)):
        kit.validation_error(
            await api.patch(
                f"/campaigns/{first['id']}", json={field: value}, headers=member.headers
            )
        )
    kit.validation_error(
        await api.patch(
            f"/campaigns/{first['id']}", json={"platform": "meta"}, headers=member.headers
        ),
        ["body", "platform"],
    )


async def test_other_users_campaigns_do_not_exist_for_them(api: httpx.AsyncClient):
    owner = await kit.register(api, "owner")
    stranger = await kit.register(api, "stranger")
    campaign = (await create(api, owner, await account_of(api, owner), name="Mine")).json()
    path = f"/campaigns/{campaign['id']}"
    kit.detail_error(await api.get(path, headers=stranger.headers), 404)
    kit.detail_error(await api.patch(path, json={"name": "Theirs"}, headers=stranger.headers), 404)
    kit.detail_error(await api.delete(path, headers=stranger.headers), 404)
    listed = await api.get("/campaigns", headers=stranger.headers)
    assert listed.json()["total"] == 0 and listed.json()["items"] == []
    assert (await api.get(path, headers=owner.headers)).json() == campaign


async def test_delete_cascades_to_ad_groups_creatives_and_metrics(api: httpx.AsyncClient):
    member = await kit.register(api, "cascade")
    h = member.headers
    login, account = await kit.connect_meta(api, member)
    campaign = (
        await create(
            api,
            member,
            account["id"],
            status="active",
            external_campaign_id=login.campaign_ids[0],
        )
    ).json()
    cid = campaign["id"]
    refreshed = await api.post(f"/metrics/campaign/{cid}/refresh", headers=h)
    assert refreshed.status_code == 200 and refreshed.json()["rows_upserted"] > 0
    assert (await api.get("/metrics/overview", headers=h)).json()["total_impressions"] > 0
    group = await api.post("/ad-groups", json={"campaign_id": cid, "name": "G"}, headers=h)
    assert group.status_code == 201, group.text
    gid = group.json()["id"]
    creative = await api.post(
        "/creatives",
        json={
            "ad_group_id": gid,
            "headline": "Fresh",
            "description": "Roasted weekly.",
            "destination_url": "https://shop.example.com/beans",
        },
        headers=h,
    )
    assert creative.status_code == 201, creative.text

    deleted = await api.delete(f"/campaigns/{cid}", headers=h)
    assert deleted.status_code == 204 and deleted.content == b""
    kit.detail_error(await api.get(f"/campaigns/{cid}", headers=h), 404)
    kit.detail_error(await api.delete(f"/campaigns/{cid}", headers=h), 404)
    assert (await api.get(f"/ad-groups?campaign_id={cid}", headers=h)).json()["total"] == 0
    assert (await api.get("/ad-groups", headers=h)).json()["total"] == 0
    kit.detail_error(await api.get(f"/creatives/{creative.json()['id']}", headers=h), 404)
    assert (await api.get("/creatives", headers=h)).json()["total"] == 0
    kit.detail_error(await api.get(f"/metrics/campaign/{cid}", headers=h), 404)
    overview = (await api.get("/metrics/overview", headers=h)).json()
    assert (overview["total_impressions"], overview["total_spend"]) == (0, "0.00")


async def test_free_plan_holds_two_campaigns(api: httpx.AsyncClient):
    member = await kit.register(api, "freecampaigns")
    account = await account_of(api, member)
    first = await create(api, member, account)
    assert first.status_code == 201
    assert (await create(api, member, account)).status_code == 201
    refused = await create(api, member, account)
    kit.detail_error(refused, 403)
    assert (await api.get("/campaigns", headers=member.headers)).json()["total"] == 2
    # The limit counts campaigns that exist: deleting one frees its place.
    await api.delete(f"/campaigns/{first.json()['id']}", headers=member.headers)
    assert (await create(api, member, account)).status_code == 201


async def test_concurrent_creates_never_pass_the_limit(api: httpx.AsyncClient):
    member = await kit.register(api, "racecampaigns")
    account = await account_of(api, member)
    responses = await asyncio.gather(*(create(api, member, account) for _ in range(6)))
    assert sorted(r.status_code for r in responses) == [201, 201, 403, 403, 403, 403]
    assert (await api.get("/campaigns", headers=member.headers)).json()["total"] == 2


async def fill(
    api: httpx.AsyncClient, member: kit.Member, account: str, count: int, seconds: float = 15
) -> None:
    """Create ``count`` campaigns; the first ones past Free's two wait for campaigns to hear
    of the plan change (it travels through Kafka)."""
    deadline = time.monotonic() + seconds
    made = 0
    while made < count:
        response = await create(api, member, account, name=f"Campaign {made + 1}")
        if response.status_code == 403 and made >= 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
            continue
        assert response.status_code == 201, (made, response.text)
        made += 1


async def test_pro_plan_holds_25_campaigns(api: httpx.AsyncClient):
    member = await kit.register(api, "procampaigns")
    account = await account_of(api, member)
    await kit.upgrade(api, member, "pro")
    await fill(api, member, account, 25)
    kit.detail_error(await create(api, member, account, name="Campaign 26"), 403)
    assert (await api.get("/campaigns?limit=1", headers=member.headers)).json()["total"] == 25


async def test_enterprise_plan_has_no_campaign_limit(api: httpx.AsyncClient):
    member = await kit.register(api, "entcampaigns")
    account = await account_of(api, member)
    await kit.upgrade(api, member, "enterprise")
    await fill(api, member, account, 30)
    assert (await api.get("/campaigns?limit=1", headers=member.headers)).json()["total"] == 30
