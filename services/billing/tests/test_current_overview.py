"""GET /api/v1/billing/current and /overview."""

from __future__ import annotations

import re
import time
import uuid
from datetime import UTC, datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.testing import internal_headers
from billing.usage import service as usage
from billing.usage.resources import Resource
from kit import DAY, KEY, checkout_session, deliver, event, new_id, subscription

ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
NOW = int(time.time())


async def subscribe(client: httpx.AsyncClient, user_id: uuid.UUID, plan: str = "pro") -> str:
    sub_id = new_id("sub")
    payload = event(
        "checkout.session.completed",
        checkout_session(user_id=user_id, plan=plan, subscription=sub_id, customer="cus_ov"),
        created=NOW,
    )
    anonymous = internal_headers(KEY, auth="anonymous", plan=None)
    assert (await deliver(client, anonymous, payload)).status_code == 200
    return sub_id


async def update(
    client: httpx.AsyncClient, event_type: str, obj: dict[str, object], created: int
) -> None:
    anonymous = internal_headers(KEY, auth="anonymous", plan=None)
    assert (
        await deliver(client, anonymous, event(event_type, obj, created=created))
    ).status_code == 200


async def test_current_is_null_without_a_subscription(
    client: httpx.AsyncClient, user_headers: dict[str, str]
):
    response = await client.get("/api/v1/billing/current", headers=user_headers)
    assert response.status_code == 200
    assert response.json() is None


async def test_current_shows_the_subscription(
    client: httpx.AsyncClient, user_headers: dict[str, str], user_id: uuid.UUID
):
    sub_id = await subscribe(client, user_id)
    period_end = NOW + 30 * DAY
    await update(
        client,
        "customer.subscription.updated",
        subscription(sub_id=sub_id, user_id=user_id, period_end=period_end),
        NOW + 1,
    )

    response = await client.get("/api/v1/billing/current", headers=user_headers)

    assert response.status_code == 200
    body = response.json()
    assert body["stripe_subscription_id"] == sub_id
    assert (body["plan"], body["status"], body["cancel_at_period_end"]) == ("pro", "active", False)
    assert body["current_period_end"] == datetime.fromtimestamp(period_end, UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    assert body["cancel_at"] is None and body["canceled_at"] is None
    assert ISO_Z.match(body["created_at"]) and ISO_Z.match(body["updated_at"])
    uuid.UUID(body["id"])


async def test_current_is_null_again_after_cancellation(
    client: httpx.AsyncClient, user_headers: dict[str, str], user_id: uuid.UUID
):
    sub_id = await subscribe(client, user_id)
    await update(
        client,
        "customer.subscription.deleted",
        subscription(sub_id=sub_id, user_id=user_id, status="canceled", canceled_at=NOW),
        NOW + 1,
    )
    assert (await client.get("/api/v1/billing/current", headers=user_headers)).json() is None


async def test_overview_on_free(
    client: httpx.AsyncClient,
    user_headers: dict[str, str],
    user_id: uuid.UUID,
    session: AsyncSession,
):
    now = datetime.now(UTC)
    await usage.resource_created(session, Resource.campaign(uuid.uuid4(), user_id), now)
    await usage.profiles_synced(session, user_id=user_id, profiles=1234, at=now)

    response = await client.get("/api/v1/billing/overview", headers=user_headers)

    assert response.status_code == 200
    assert response.json() == {
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
        "usage": {"campaigns": 1, "ad_groups": 0, "profiles_synced_this_month": 1234},
    }


async def test_overview_on_pro_then_cancel_at_period_end(
    client: httpx.AsyncClient, user_headers: dict[str, str], user_id: uuid.UUID
):
    sub_id = await subscribe(client, user_id)
    period_end = NOW + 20 * DAY
    end_iso = datetime.fromtimestamp(period_end, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    await update(
        client,
        "customer.subscription.updated",
        subscription(sub_id=sub_id, user_id=user_id, period_end=period_end),
        NOW + 1,
    )

    body = (await client.get("/api/v1/billing/overview", headers=user_headers)).json()
    assert (body["plan"], body["status"], body["price"]) == ("pro", "active", "49.00")
    assert body["renews_at"] == end_iso and body["cancel_at_period_end"] is False
    assert body["limits"] == {"campaigns": 25, "ad_groups": 100} and body["api_access"] is True

    await update(
        client,
        "customer.subscription.updated",
        subscription(
            sub_id=sub_id, user_id=user_id, period_end=period_end, cancel_at_period_end=True
        ),
        NOW + 2,
    )
    body = (await client.get("/api/v1/billing/overview", headers=user_headers)).json()
    assert (body["plan"], body["status"], body["cancel_at_period_end"]) == ("pro", "active", True)
    assert body["renews_at"] is None and body["current_period_end"] == end_iso


async def test_overview_shows_past_due(
    client: httpx.AsyncClient, user_headers: dict[str, str], user_id: uuid.UUID
):
    sub_id = await subscribe(client, user_id, plan="enterprise")
    await update(
        client,
        "customer.subscription.updated",
        subscription(sub_id=sub_id, user_id=user_id, plan="enterprise", status="past_due"),
        NOW + 1,
    )
    body = (await client.get("/api/v1/billing/overview", headers=user_headers)).json()
    assert (body["plan"], body["status"]) == ("enterprise", "past_due")
    assert body["limits"] == {"campaigns": None, "ad_groups": None}


async def test_current_and_overview_need_a_bearer_token(
    client: httpx.AsyncClient, anonymous_headers: dict[str, str], user_id: uuid.UUID
):
    api_key = internal_headers(KEY, user_id=user_id, plan="pro", auth="api_key")
    for path in ("/api/v1/billing/current", "/api/v1/billing/overview"):
        assert (await client.get(path, headers=anonymous_headers)).status_code == 401
        assert (await client.get(path, headers=api_key)).status_code == 401
