"""adscale-api.md "Billing" and the plan table, field by field: plans, checkout (and its
400s), overview with usage, current subscription, and /usage (dual auth).

(test_billing.py covers webhook signatures, redelivery, cancellation and downgrades.)
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
import contract_kit as kit

LIMITS = {"campaigns": kit.nullable(kit.INT), "ad_groups": kit.nullable(kit.INT)}
PLAN_SHAPE = {
    "id": kit.PLAN,
    "name": kit.STR,
    "price": kit.MONEY,
    "currency": kit.equals("usd"),
    "interval": kit.equals("month"),
    "limits": kit.shape(LIMITS),
    "api_access": kit.BOOL,
    "stripe_price_id": kit.nullable(kit.STR),
}
SUBSCRIPTION = {
    "id": kit.UUID4,
    "stripe_subscription_id": kit.STR,
    "plan": kit.PLAN,
    "status": kit.STR,
    "current_period_end": kit.nullable(kit.TIMESTAMP),
    "cancel_at_period_end": kit.BOOL,
    "cancel_at": kit.nullable(kit.TIMESTAMP),
    "canceled_at": kit.nullable(kit.TIMESTAMP),
    "created_at": kit.TIMESTAMP,
    "updated_at": kit.TIMESTAMP,
}
OVERVIEW = {
    "plan": kit.PLAN,
    "plan_name": kit.STR,
    "price": kit.MONEY,
    "currency": kit.equals("usd"),
    "status": kit.nullable(kit.STR),
    "renews_at": kit.nullable(kit.TIMESTAMP),
    "current_period_end": kit.nullable(kit.TIMESTAMP),
    "cancel_at_period_end": kit.BOOL,
    "limits": kit.shape(LIMITS),
    "api_access": kit.BOOL,
    "usage": kit.shape(
        {"campaigns": kit.INT, "ad_groups": kit.INT, "profiles_synced_this_month": kit.INT}
    ),
}
ALLOWANCE = {"used": kit.INT, "limit": kit.nullable(kit.INT), "remaining": kit.nullable(kit.INT)}
USAGE = {
    "plan": kit.PLAN,
    "campaigns": kit.shape(ALLOWANCE),
    "ad_groups": kit.shape(ALLOWANCE),
    "profiles_synced_this_month": kit.INT,
    "month": kit.STR,
    "api_access": kit.BOOL,
}
CHECKOUT = {"session_id": kit.STR, "url": kit.STR}


async def test_plans_match_the_plan_table(api: httpx.AsyncClient):
    response = await api.get("/billing/plans", headers=kit.anonymous())
    assert response.status_code == 200
    plans = response.json()
    assert isinstance(plans, list)
    for plan in plans:
        kit.conforms(plan, PLAN_SHAPE)
    table = {
        p["id"]: (
            p["name"],
            Decimal(p["price"]),
            p["limits"]["campaigns"],
            p["limits"]["ad_groups"],
            p["api_access"],
        )
        for p in plans
    }
    assert table == {
        "free": ("Free", Decimal(0), 2, 5, False),
        "pro": ("Pro", Decimal(49), 25, 100, True),
        "enterprise": ("Enterprise", Decimal(149), None, None, True),
    }
    assert [p["id"] for p in plans] == ["free", "pro", "enterprise"]
    by_id = {p["id"]: p for p in plans}
    assert by_id["free"]["stripe_price_id"] is None
    assert by_id["pro"]["stripe_price_id"] and by_id["enterprise"]["stripe_price_id"]


async def test_checkout_creates_a_stripe_session_for_paid_plans_only(api: httpx.AsyncClient):
    member = await kit.register(api, "checkout")
    h = member.headers
    for plan in ("pro", "enterprise"):
        response = await api.post("/billing/checkout", json={"plan": plan}, headers=h)
        assert response.status_code == 201, response.text
        session = kit.conforms(response.json(), CHECKOUT)
        assert session["session_id"].startswith("cs_")
        # Against stripe-mock the stack sends the session to the app's test checkout page
        # (billing's development checkout); against Stripe it is Stripe's https page.
        url = httpx.URL(session["url"])
        dev_page = url.path == "/billing/dev-checkout" and bool(url.params.get("token"))
        assert url.scheme == "https" or dev_page, session["url"]
    kit.detail_error(await api.post("/billing/checkout", json={"plan": "free"}, headers=h), 400)
    kit.validation_error(await api.post("/billing/checkout", json={}, headers=h), ["body", "plan"])
    kit.validation_error(
        await api.post("/billing/checkout", json={"plan": "platinum"}, headers=h), ["body", "plan"]
    )
    # Checkout alone changes nothing: the plan changes when Stripe confirms the payment.
    assert (await api.get("/billing/current", headers=h)).json() is None
    subscription = await kit.upgrade(api, member, "pro")
    duplicate = await api.post("/billing/checkout", json={"plan": "enterprise"}, headers=h)
    kit.detail_error(duplicate, 400)
    kit.detail_error(await api.post("/billing/checkout", json={"plan": "pro"}, headers=h), 400)
    # Once that subscription has ended, subscribing again is possible.
    await kit.cancel(api, member, subscription, "pro")
    again = await api.post("/billing/checkout", json={"plan": "enterprise"}, headers=h)
    assert again.status_code == 201, again.text


async def test_current_subscription_is_null_then_the_paid_one(api: httpx.AsyncClient):
    member = await kit.register(api, "current")
    empty = await api.get("/billing/current", headers=member.headers)
    assert empty.status_code == 200 and empty.json() is None and empty.text == "null"
    subscription_id = await kit.upgrade(api, member, "enterprise")
    response = await api.get("/billing/current", headers=member.headers)
    assert response.status_code == 200
    current = kit.conforms(response.json(), SUBSCRIPTION)
    assert current["stripe_subscription_id"] == subscription_id
    assert (current["plan"], current["status"]) == ("enterprise", "active")
    assert (current["cancel_at_period_end"], current["cancel_at"], current["canceled_at"]) == (
        False,
        None,
        None,
    )
    assert abs(kit.utc(current["created_at"]).timestamp() - time.time()) < 120


async def test_overview_shows_plan_and_usage(api: httpx.AsyncClient):
    member = await kit.register(api, "overview")
    h = member.headers
    fresh = kit.conforms((await api.get("/billing/overview", headers=h)).json(), OVERVIEW)
    assert fresh == {
        "plan": "free",
        "plan_name": "Free",
        "price": "0.00",
        "currency": "usd",
        "status": None,
        "renews_at": None,
        "current_period_end": None,
        "cancel_at_period_end": False,
        "limits": {"campaigns": 2, "ad_groups": 5},
        "api_access": False,
        "usage": {"campaigns": 0, "ad_groups": 0, "profiles_synced_this_month": 0},
    }
    account = await api.post(
        "/accounts", json={"platform": "google", "account_id_external": "1-2-3"}, headers=h
    )
    campaign = await api.post(
        "/campaigns",
        json={"ad_account_id": account.json()["id"], "name": "Counted", "objective": "sales"},
        headers=h,
    )
    for _ in range(2):
        group = await api.post(
            "/ad-groups", json={"campaign_id": campaign.json()["id"], "name": "G"}, headers=h
        )
        assert group.status_code == 201
    # Usage is billing's projection of campaigns' events.
    counted = await kit.eventually(
        api,
        "/billing/overview",
        h,
        lambda b: b["usage"] == {"campaigns": 1, "ad_groups": 2, "profiles_synced_this_month": 0},
    )
    kit.conforms(counted, OVERVIEW)

    await kit.upgrade(api, member, "pro")
    paid = kit.conforms((await api.get("/billing/overview", headers=h)).json(), OVERVIEW)
    assert (paid["plan"], paid["plan_name"], paid["price"], paid["status"]) == (
        "pro",
        "Pro",
        "49.00",
        "active",
    )
    assert paid["limits"] == {"campaigns": 25, "ad_groups": 100} and paid["api_access"] is True
    assert paid["usage"]["campaigns"] == 1

    # Deleting counts too: the campaign goes, and its ad groups with it.
    deleted = await api.delete(f"/campaigns/{campaign.json()['id']}", headers=h)
    assert deleted.status_code == 204
    await kit.eventually(
        api,
        "/billing/overview",
        h,
        lambda b: b["usage"] == {"campaigns": 0, "ad_groups": 0, "profiles_synced_this_month": 0},
    )


async def test_usage_against_the_plan_limits(api: httpx.AsyncClient):
    member = await kit.register(api, "usage")
    response = await api.get("/usage", headers=member.headers)
    assert response.status_code == 200
    usage = kit.conforms(response.json(), USAGE)
    assert usage["month"] == datetime.now(UTC).strftime("%Y-%m")
    assert (usage["plan"], usage["api_access"], usage["profiles_synced_this_month"]) == (
        "free",
        False,
        0,
    )
    assert usage["campaigns"] == {"used": 0, "limit": 2, "remaining": 2}
    assert usage["ad_groups"] == {"used": 0, "limit": 5, "remaining": 5}

    await kit.upgrade(api, member, "enterprise")
    key = await kit.api_key(api, member)
    by_key = await api.get("/usage", headers={"X-API-Key": key})
    assert by_key.status_code == 200, by_key.text
    unlimited = kit.conforms(by_key.json(), USAGE)
    assert (unlimited["plan"], unlimited["api_access"]) == ("enterprise", True)
    assert unlimited["campaigns"] == {"used": 0, "limit": None, "remaining": None}
    assert unlimited["ad_groups"] == {"used": 0, "limit": None, "remaining": None}
