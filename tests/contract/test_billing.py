"""Billing through the gateway on the running stack (spec: Billing, plan table, /usage).

Stripe calls go to stripe-mock; Stripe's webhooks are played by signing event
payloads with the stack's endpoint secret (BILLING_STRIPE_WEBHOOK_SECRET)
exactly as Stripe does, then posting them to the public webhook URL.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import stripe

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))

from stack import base_env, stack_env  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
import contract_kit as kit  # noqa: E402

WEBHOOK = "/billing/webhooks/stripe"


@pytest.fixture(scope="module")
def webhook_secret() -> str:
    secret = stack_env(base_env()).get("BILLING_STRIPE_WEBHOOK_SECRET", "")
    assert secret, "BILLING_STRIPE_WEBHOOK_SECRET is not configured for the stack"
    return secret


async def post_signed(
    api: httpx.AsyncClient, payload: dict[str, Any], secret: str, *, timestamp: int | None = None
) -> httpx.Response:
    body = json.dumps(payload)
    signature = stripe.WebhookSignature.generate_signature_header(body, secret, timestamp=timestamp)
    return await api.post(
        WEBHOOK,
        content=body.encode(),
        headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
    )


def subscription_deleted(
    user_id: str, plan: str, subscription_id: str, customer: str
) -> dict[str, Any]:
    now = int(time.time())
    return kit.stripe_event(
        "customer.subscription.deleted",
        {
            "id": subscription_id,
            "object": "subscription",
            "customer": customer,
            "status": "canceled",
            "metadata": {"user_id": user_id, "plan": plan},
            "cancel_at_period_end": False,
            "cancel_at": None,
            "canceled_at": now,
            "ended_at": now,
            "items": {
                "object": "list",
                "data": [{"id": "si_x", "current_period_end": now + 86400}],
            },
        },
        created=now + 1,
    )


async def me(api: httpx.AsyncClient, user: Any) -> dict[str, Any]:
    response = await api.get("/auth/me", headers=user.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def wait_for_plan(api: httpx.AsyncClient, user: Any, plan: str, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    seen = None
    while time.monotonic() < deadline:
        seen = (await me(api, user))["plan"]
        if seen == plan:
            return
        await asyncio.sleep(0.2)
    pytest.fail(f"/auth/me still shows {seen!r}, expected {plan!r} within {seconds}s")


async def test_plans_are_public(api: httpx.AsyncClient):
    response = await api.get("/billing/plans")
    assert response.status_code == 200
    plans = {p["id"]: p for p in response.json()}
    assert set(plans) == {"free", "pro", "enterprise"}
    assert Decimal(plans["pro"]["price"]) == 49 and Decimal(plans["enterprise"]["price"]) == 149
    assert plans["free"]["limits"] == {"campaigns": 2, "ad_groups": 5}
    assert plans["pro"]["limits"] == {"campaigns": 25, "ad_groups": 100}
    assert plans["enterprise"]["limits"] == {"campaigns": None, "ad_groups": None}
    assert [plans[p]["api_access"] for p in ("free", "pro", "enterprise")] == [False, True, True]


async def test_checkout_statuses(api: httpx.AsyncClient, user: Any):
    created = await api.post("/billing/checkout", json={"plan": "pro"}, headers=user.headers)
    assert created.status_code == 201, created.text
    assert created.json()["session_id"].startswith("cs_")
    # Against stripe-mock the stack runs billing's development checkout: the session goes to
    # the app's test checkout page instead of stripe-mock's dead one.
    public = stack_env(base_env())["ADSCALE_PUBLIC_URL"]
    assert created.json()["url"].startswith(f"{public}/billing/dev-checkout?token=")

    free = await api.post("/billing/checkout", json={"plan": "free"}, headers=user.headers)
    assert free.status_code == 400 and isinstance(free.json()["detail"], str)

    unknown = await api.post("/billing/checkout", json={"plan": "platinum"}, headers=user.headers)
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["body", "plan"]

    anonymous = await api.post("/billing/checkout", json={"plan": "pro"})
    assert anonymous.status_code == 401 and "detail" in anonymous.json()


async def test_current_overview_and_usage_of_a_new_user(api: httpx.AsyncClient, user: Any):
    current = await api.get("/billing/current", headers=user.headers)
    assert current.status_code == 200 and current.json() is None

    overview = await api.get("/billing/overview", headers=user.headers)
    assert overview.status_code == 200
    body = overview.json()
    assert (body["plan"], body["status"], body["cancel_at_period_end"]) == ("free", None, False)
    assert body["limits"] == {"campaigns": 2, "ad_groups": 5}
    assert body["usage"] == {"campaigns": 0, "ad_groups": 0, "profiles_synced_this_month": 0}

    usage = await api.get("/usage", headers=user.headers)
    assert usage.status_code == 200
    assert usage.json()["campaigns"] == {"used": 0, "limit": 2, "remaining": 2}

    for path in ("/billing/current", "/billing/overview", "/usage"):
        assert (await api.get(path)).status_code == 401, path

    assert (await api.post("/billing/portal", headers=user.headers)).status_code == 400


async def test_a_badly_signed_webhook_is_refused(
    api: httpx.AsyncClient, user: Any, webhook_secret: str
):
    user_id = (await me(api, user))["id"]
    payload = kit.checkout_completed(
        user_id, "pro", f"sub_{uuid.uuid4().hex[:20]}", f"cus_{uuid.uuid4().hex[:14]}"
    )
    wrong = await post_signed(api, payload, "whsec_not_the_secret")
    assert wrong.status_code == 400
    stale = await post_signed(api, payload, webhook_secret, timestamp=int(time.time()) - 600)
    assert stale.status_code == 400
    missing = await api.post(WEBHOOK, json=payload)
    assert missing.status_code == 400
    await asyncio.sleep(1.0)
    assert (await me(api, user))["plan"] == "free"


async def test_development_checkout_pays_through_the_public_webhook(
    api: httpx.AsyncClient, user: Any
):
    created = await api.post("/billing/checkout", json={"plan": "pro"}, headers=user.headers)
    assert created.status_code == 201, created.text
    token = parse_qs(urlsplit(created.json()["url"]).query)["token"][0]
    page = await api.get("/billing/dev-checkout", params={"token": token}, headers=user.headers)
    assert page.status_code == 200, page.text
    assert (page.json()["plan"], page.json()["price"]) == ("pro", "49.00")
    anonymous = await api.post("/billing/dev-checkout/pay", json={"token": token})
    assert anonymous.status_code == 401

    paid = await api.post("/billing/dev-checkout/pay", json={"token": token}, headers=user.headers)
    assert paid.status_code == 200, paid.text
    assert paid.json()["success_url"].endswith(f"session_id={created.json()['session_id']}")
    await wait_for_plan(api, user, "pro")
    current = (await api.get("/billing/current", headers=user.headers)).json()
    assert (current["plan"], current["status"]) == ("pro", "active")


async def test_payment_upgrades_and_cancellation_downgrades(
    api: httpx.AsyncClient, user: Any, webhook_secret: str
):
    user_id = (await me(api, user))["id"]
    assert (await me(api, user))["plan"] == "free"
    checkout = await api.post("/billing/checkout", json={"plan": "pro"}, headers=user.headers)
    assert checkout.status_code == 201, checkout.text

    subscription_id = f"sub_{uuid.uuid4().hex[:20]}"
    customer = f"cus_{uuid.uuid4().hex[:14]}"
    paid = kit.checkout_completed(user_id, "pro", subscription_id, customer)
    for _ in range(3):  # Stripe may deliver more than once
        response = await post_signed(api, paid, webhook_secret)
        assert response.status_code == 200, response.text

    await wait_for_plan(api, user, "pro")
    current = (await api.get("/billing/current", headers=user.headers)).json()
    assert current["stripe_subscription_id"] == subscription_id
    assert (current["plan"], current["status"]) == ("pro", "active")
    overview = (await api.get("/billing/overview", headers=user.headers)).json()
    assert overview["plan"] == "pro" and overview["limits"] == {"campaigns": 25, "ad_groups": 100}
    again = await api.post("/billing/checkout", json={"plan": "enterprise"}, headers=user.headers)
    assert again.status_code == 400
    portal = await api.post("/billing/portal", headers=user.headers)
    assert portal.status_code == 200 and portal.json()["url"]

    deleted = await post_signed(
        api, subscription_deleted(user_id, "pro", subscription_id, customer), webhook_secret
    )
    assert deleted.status_code == 200
    await wait_for_plan(api, user, "free")
    assert (await api.get("/billing/current", headers=user.headers)).json() is None


async def test_unknown_event_types_are_acknowledged(api: httpx.AsyncClient, webhook_secret: str):
    payload = kit.stripe_event("customer.created", {"id": "cus_contract", "object": "customer"})
    response = await post_signed(api, payload, webhook_secret)
    assert response.status_code == 200
    assert response.json()["event_id"] == payload["id"]


async def test_usage_with_an_api_key_of_a_paid_user(
    api: httpx.AsyncClient, user: Any, webhook_secret: str
):
    user_id = (await me(api, user))["id"]
    payload = kit.checkout_completed(
        user_id, "enterprise", f"sub_{uuid.uuid4().hex[:20]}", f"cus_{uuid.uuid4().hex[:14]}"
    )
    assert (await post_signed(api, payload, webhook_secret)).status_code == 200
    await wait_for_plan(api, user, "enterprise")
    # Tokens carry the plan: log in again to get one that says enterprise.
    login = await api.post("/auth/login", json={"email": user.email, "password": user.password})
    token = login.json()["access_token"]
    key = await api.post(
        "/api-keys", json={"name": "billing"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert key.status_code == 201, key.text
    raw = key.json()["key"]
    usage = await api.get("/usage", headers={"X-API-Key": raw})
    assert usage.status_code == 200, usage.text
    assert usage.json()["plan"] == "enterprise"
    assert usage.json()["campaigns"]["limit"] is None


async def create_campaign(
    api: httpx.AsyncClient, user: Any, account_id: str, n: int
) -> httpx.Response:
    return await api.post(
        "/campaigns",
        json={"ad_account_id": account_id, "name": f"Campaign {n}", "objective": "sales"},
        headers=user.headers,
    )


async def eventually_status(
    api: httpx.AsyncClient, user: Any, account_id: str, status: int, seconds: float = 5.0
) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while True:
        response = await create_campaign(api, user, account_id, 3)
        if response.status_code == status or time.monotonic() > deadline:
            return response
        await asyncio.sleep(0.25)


async def test_paying_lifts_the_campaign_limit_and_cancelling_restores_it(
    api: httpx.AsyncClient, user: Any, webhook_secret: str
):
    """DESIGN.md: Stripe payment -> billing.plan_changed -> campaigns' limits follow."""
    user_id = (await me(api, user))["id"]
    account = await api.post(
        "/accounts",
        json={"platform": "meta", "account_id_external": f"act_{uuid.uuid4().hex[:10]}"},
        headers=user.headers,
    )
    assert account.status_code == 201, account.text
    account_id = account.json()["id"]
    for n in (1, 2):
        assert (await create_campaign(api, user, account_id, n)).status_code == 201
    refused = await create_campaign(api, user, account_id, 3)
    assert refused.status_code == 403, refused.text

    subscription_id = f"sub_{uuid.uuid4().hex[:20]}"
    customer = f"cus_{uuid.uuid4().hex[:14]}"
    paid = kit.checkout_completed(user_id, "pro", subscription_id, customer)
    assert (await post_signed(api, paid, webhook_secret)).status_code == 200

    accepted = await eventually_status(api, user, account_id, 201)
    assert accepted.status_code == 201, accepted.text
    await wait_for_plan(api, user, "pro")

    cancelled = subscription_deleted(user_id, "pro", subscription_id, customer)
    assert (await post_signed(api, cancelled, webhook_secret)).status_code == 200
    await wait_for_plan(api, user, "free")
    # Three campaigns exist now, over Free's two: a fourth is refused again.
    refused_again = await eventually_status(api, user, account_id, 403)
    assert refused_again.status_code == 403, refused_again.text

    # billing's usage projection saw the three campaigns (from campaigns.events).
    deadline = time.monotonic() + 5
    while True:
        usage = (await api.get("/usage", headers=user.headers)).json()
        if usage["campaigns"]["used"] == 3 or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.25)
    assert usage["plan"] == "free"
    assert usage["campaigns"] == {"used": 3, "limit": 2, "remaining": 0}
