"""GET /api/v1/billing/plans: public, the spec's plan table, price ids from settings."""

from __future__ import annotations

from decimal import Decimal

import httpx

from kit import PRICE_ENTERPRISE, PRICE_PRO


async def test_plans_are_public_and_match_the_spec(
    client: httpx.AsyncClient, anonymous_headers: dict[str, str]
):
    response = await client.get("/api/v1/billing/plans", headers=anonymous_headers)
    assert response.status_code == 200
    plans = {p["id"]: p for p in response.json()}
    assert list(plans) == ["free", "pro", "enterprise"]
    assert {k: Decimal(p["price"]) for k, p in plans.items()} == {
        "free": Decimal("0"),
        "pro": Decimal("49"),
        "enterprise": Decimal("149"),
    }
    assert {k: p["limits"] for k, p in plans.items()} == {
        "free": {"campaigns": 2, "ad_groups": 5},
        "pro": {"campaigns": 25, "ad_groups": 100},
        "enterprise": {"campaigns": None, "ad_groups": None},
    }
    assert {k: p["api_access"] for k, p in plans.items()} == {
        "free": False,
        "pro": True,
        "enterprise": True,
    }
    assert {k: p["stripe_price_id"] for k, p in plans.items()} == {
        "free": None,
        "pro": PRICE_PRO,
        "enterprise": PRICE_ENTERPRISE,
    }
    assert {p["currency"] for p in plans.values()} == {"usd"}
    assert {p["interval"] for p in plans.values()} == {"month"}
    assert [p["name"] for p in plans.values()] == ["Free", "Pro", "Enterprise"]


async def test_prices_are_exact_decimal_strings(
    client: httpx.AsyncClient, anonymous_headers: dict[str, str]
):
    plans = (await client.get("/api/v1/billing/plans", headers=anonymous_headers)).json()
    assert [p["price"] for p in plans] == ["0.00", "49.00", "149.00"]


async def test_a_signed_in_user_sees_the_same_plans(
    client: httpx.AsyncClient, user_headers: dict[str, str], anonymous_headers: dict[str, str]
):
    signed_in = await client.get("/api/v1/billing/plans", headers=user_headers)
    anonymous = await client.get("/api/v1/billing/plans", headers=anonymous_headers)
    assert signed_in.status_code == 200
    assert signed_in.json() == anonymous.json()


async def test_without_the_gateways_token_nothing_answers(client: httpx.AsyncClient):
    for method, path in [
        ("GET", "/api/v1/billing/plans"),
        ("POST", "/api/v1/billing/checkout"),
        ("GET", "/api/v1/billing/current"),
        ("GET", "/api/v1/billing/overview"),
        ("POST", "/api/v1/billing/portal"),
        ("POST", "/api/v1/billing/webhooks/stripe"),
        ("GET", "/api/v1/usage"),
    ]:
        response = await client.request(method, path)
        assert response.status_code == 401, path
        assert "detail" in response.json()
