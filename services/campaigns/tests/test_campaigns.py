"""Campaigns: CRUD, validation, isolation, cascade delete, plan limits, events."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from kit import Api, forget_user, headers, outbox_types, scalar, seed_day, set_plan


async def test_create_get_list_patch_delete(api: Api, session: AsyncSession):
    account = await api.account("google")
    created = await api.campaign(
        account["id"],
        name="Spring",
        objective="traffic",
        budget_daily="50.5",
        start_date="2026-03-01",
        end_date="2026-03-31",
    )
    assert created["platform"] == "google"  # denormalized from the account
    assert created["budget_daily"] == "50.50" and created["budget_lifetime"] is None
    assert created["status"] == "draft" and created["external_campaign_id"] is None
    cid = created["id"]
    got = await api.get(f"/api/v1/campaigns/{cid}")
    assert got.status_code == 200 and got.json() == created

    patched = await api.client.patch(
        f"/api/v1/campaigns/{cid}",
        json={"status": "active", "budget_daily": 75, "platform": "meta"},
        headers=api.h,
    )
    assert patched.status_code == 422  # platform is read-only (unknown field)
    patched = await api.client.patch(
        f"/api/v1/campaigns/{cid}", json={"status": "active", "budget_daily": 75}, headers=api.h
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["status"] == "active" and patched.json()["budget_daily"] == "75.00"

    listed = (await api.get("/api/v1/campaigns")).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == cid
    assert (await api.delete(f"/api/v1/campaigns/{cid}")).status_code == 204
    assert (await api.get(f"/api/v1/campaigns/{cid}")).status_code == 404
    assert await outbox_types(session, cid) == [
        "campaigns.campaign_created",
        "campaigns.campaign_updated",
        "campaigns.campaign_deleted",
    ]


async def test_validation_422(api: Api):
    account = await api.account()
    base = {"ad_account_id": account["id"], "name": "X", "objective": "sales"}
    for extra in (
        {"budget_daily": 10, "budget_lifetime": 100},
        {"budget_daily": 0},
        {"budget_daily": -5},
        {"budget_lifetime": "12.345"},
        {"objective": "fame"},
        {"status": "running"},
        {"start_date": "2026-05-02", "end_date": "2026-05-01"},
        {"name": ""},
    ):
        r = await api.client.post("/api/v1/campaigns", json={**base, **extra}, headers=api.h)
        assert r.status_code == 422, extra
    ok = await api.client.post(
        "/api/v1/campaigns",
        json={**base, "start_date": "2026-05-01", "end_date": "2026-05-01"},
        headers=api.h,
    )
    assert ok.status_code == 201


async def test_patch_budgets_are_exclusive_on_the_merged_state(api: Api):
    campaign = await api.campaign(budget_daily=10)
    url = f"/api/v1/campaigns/{campaign['id']}"
    r = await api.client.patch(url, json={"budget_lifetime": 500}, headers=api.h)
    assert r.status_code == 422
    r = await api.client.patch(
        url, json={"budget_lifetime": 500, "budget_daily": None}, headers=api.h
    )
    assert r.status_code == 200
    assert r.json()["budget_daily"] is None and r.json()["budget_lifetime"] == "500.00"
    r = await api.client.patch(url, json={"start_date": "2026-06-10"}, headers=api.h)
    assert r.status_code == 200
    r = await api.client.patch(url, json={"end_date": "2026-06-01"}, headers=api.h)
    assert r.status_code == 422
    r = await api.client.patch(url, json={"name": None}, headers=api.h)
    assert r.status_code == 422


async def test_other_users_account_and_campaign_are_404(api: Api, other: Api):
    theirs = await other.account()
    r = await api.client.post(
        "/api/v1/campaigns",
        json={"ad_account_id": theirs["id"], "name": "X", "objective": "sales"},
        headers=api.h,
    )
    assert r.status_code == 404
    campaign = await other.campaign()
    for method in ("GET", "PATCH", "DELETE"):
        r = await api.client.request(
            method,
            f"/api/v1/campaigns/{campaign['id']}",
            json={} if method == "PATCH" else None,
            headers=api.h,
        )
        assert r.status_code == 404, method
    mine = (await api.get("/api/v1/campaigns")).json()
    assert mine["total"] == 0 and mine["items"] == []
    assert (await api.get("/api/v1/campaigns/123")).status_code == 400


async def test_external_campaign_id_unique_per_account(api: Api):
    account = await api.account()
    await api.campaign(account["id"], external_campaign_id="120000001")
    r = await api.client.post(
        "/api/v1/campaigns",
        json={
            "ad_account_id": account["id"],
            "name": "Y",
            "objective": "sales",
            "external_campaign_id": "120000001",
        },
        headers=api.h,
    )
    assert r.status_code == 409


async def test_delete_cascades_ad_groups_creatives_and_metrics(api: Api, session: AsyncSession):
    campaign = await api.campaign()
    group = await api.ad_group(campaign["id"])
    creative = await api.creative(group["id"])
    await seed_day(session, campaign["id"], date(2026, 1, 1), impressions=100, spend=10)
    r = await api.delete(f"/api/v1/campaigns/{campaign['id']}")
    assert r.status_code == 204
    for table, column, value in (
        ("ad_group", "id", group["id"]),
        ("creative", "id", creative["id"]),
        ("campaign_metric", "campaign_id", campaign["id"]),
    ):
        count = await scalar(session, f"SELECT count(*) FROM {table} WHERE {column} = :v", v=value)
        assert count == 0, table
    payload = await scalar(
        session,
        "SELECT payload FROM outbox_event WHERE key = :k "
        "AND event_type = 'campaigns.campaign_deleted'",
        k=campaign["id"],
    )
    assert payload["data"]["ad_groups_deleted"] == 1
    assert payload["source"] == "campaigns"


async def test_free_plan_limit_from_the_projection_not_the_token(api: Api, session: AsyncSession):
    account = await api.account()
    await api.campaign(account["id"])
    await api.campaign(account["id"])
    # The token claims enterprise: it must not count.
    rich = headers(api.user_id, plan="enterprise")
    r = await api.client.post(
        "/api/v1/campaigns",
        json={"ad_account_id": account["id"], "name": "3rd", "objective": "sales"},
        headers=rich,
    )
    assert r.status_code == 403
    assert "limit" in r.json()["detail"].lower()
    await set_plan(session, api.user_id, "pro")
    third = await api.campaign(account["id"])
    await set_plan(session, api.user_id, "free")  # downgrade: existing ones stay
    listed = (await api.get("/api/v1/campaigns")).json()
    assert listed["total"] == 3 and third["id"] in {c["id"] for c in listed["items"]}
    r = await api.client.post(
        "/api/v1/campaigns",
        json={"ad_account_id": account["id"], "name": "4th", "objective": "sales"},
        headers=api.h,
    )
    assert r.status_code == 403


async def test_pro_limit_is_25_and_enterprise_unlimited(api: Api, session: AsyncSession):
    account = await api.account()
    await set_plan(session, api.user_id, "pro")
    await session.execute(
        sa.text(
            "INSERT INTO campaign (id, user_id, ad_account_id, platform, name, objective) "
            "SELECT gen_random_uuid(), :u, :a, 'meta', 'bulk', 'sales' FROM generate_series(1, 25)"
        ),
        {"u": api.user_id, "a": account["id"]},
    )
    body = {"ad_account_id": account["id"], "name": "26th", "objective": "sales"}
    assert (await api.client.post("/api/v1/campaigns", json=body, headers=api.h)).status_code == 403
    await set_plan(session, api.user_id, "enterprise")
    assert (await api.client.post("/api/v1/campaigns", json=body, headers=api.h)).status_code == 201


async def test_two_concurrent_creates_at_the_limit_give_one_403(
    committed_client: httpx.AsyncClient, engine: AsyncEngine
):
    api = Api(committed_client)
    try:
        account = await api.account()
        await api.campaign(account["id"])  # one left on the free plan
        body = {"ad_account_id": account["id"], "name": "race", "objective": "sales"}
        results = await asyncio.gather(
            *[
                committed_client.post("/api/v1/campaigns", json=body, headers=api.h)
                for _ in range(4)
            ]
        )
        codes = sorted(r.status_code for r in results)
        assert codes == [201, 403, 403, 403], codes
        async with engine.connect() as conn:
            count = await scalar(
                conn, "SELECT count(*) FROM campaign WHERE user_id = :u", u=api.user_id
            )
        assert count == 2
    finally:
        await forget_user(engine, api.user_id)


async def test_filters_by_account_and_status(api: Api, session: AsyncSession):
    await set_plan(session, api.user_id, "pro")
    a1 = await api.account()
    a2 = await api.account()
    await api.campaign(a1["id"], status="active")
    await api.campaign(a2["id"])
    r = await api.get(f"/api/v1/campaigns?ad_account_id={a1['id']}")
    assert r.json()["total"] == 1
    r = await api.get("/api/v1/campaigns?status=draft")
    assert r.json()["total"] == 1
    assert uuid.UUID(r.json()["items"][0]["ad_account_id"]) == uuid.UUID(a2["id"])


async def test_name_search_is_case_blind_literal_and_combines_with_filters(
    api: Api, other: Api, session: AsyncSession
):
    await set_plan(session, api.user_id, "pro")
    account = await api.account()
    names = {}
    for name, status in (
        ("Spring Sale 50%", "active"),
        ("spring_launch", "draft"),
        ("Spring-launch", "draft"),
        ("Winter clearance", "active"),
    ):
        names[name] = (await api.campaign(account["id"], name=name, status=status))["id"]
    await other.campaign(name="Spring, not yours")

    async def found(query: str) -> set[str]:
        r = await api.get(f"/api/v1/campaigns?{query}")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["total"] == len(body["items"])
        return {item["name"] for item in body["items"]}

    assert await found("name_contains=SPRING") == {
        "Spring Sale 50%",
        "spring_launch",
        "Spring-launch",
    }
    # % and _ are the text itself, not LIKE wildcards ("Spring-launch" has no "g_l")
    assert await found("name_contains=50%25") == {"Spring Sale 50%"}
    assert await found("name_contains=g_l") == {"spring_launch"}
    assert await found("name_contains=spring&status=draft") == {"spring_launch", "Spring-launch"}
    assert await found("name_contains=nothing-like-it") == set()
    assert len(await found("name_contains=")) == 4  # an empty box narrows nothing
    page = (await api.get("/api/v1/campaigns?name_contains=spring&limit=2")).json()
    assert page["total"] == 3 and len(page["items"]) == 2

    r = await api.client.get(f"/api/v1/campaigns?name_contains={'x' * 256}", headers=api.h)
    assert r.status_code == 422
    (problem,) = r.json()["detail"]  # the adscale API's field-level list
    assert problem["loc"] == ["query", "name_contains"] and problem["type"] == "string_too_long"
