"""POST /api/v1/billing/checkout and /portal against stripe-mock (which validates every
parameter against Stripe's OpenAPI spec); what stripe-python sent is recorded on its
httpx client and checked field by field."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.testing import internal_headers
from billing.checkout.service import checkout_idempotency_key
from billing.models import Customer
from kit import (
    KEY,
    PRICE_ENTERPRISE,
    PRICE_PRO,
    StripeRecorder,
    app_client,
    checkout_session,
    deliver,
    event,
    make_settings,
    new_id,
    subscription,
)

CHECKOUT = "/api/v1/billing/checkout"
PORTAL = "/api/v1/billing/portal"


async def subscribe(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    user_id: uuid.UUID,
    *,
    plan: str = "pro",
    customer: str = "cus_test",
) -> str:
    """A completed checkout, as Stripe reports it by webhook."""
    sub_id = new_id("sub")
    payload = event(
        "checkout.session.completed",
        checkout_session(user_id=user_id, plan=plan, subscription=sub_id, customer=customer),
    )
    response = await deliver(client, headers, payload)
    assert response.status_code == 200, response.text
    return sub_id


async def test_checkout_opens_a_subscription_session_with_every_parameter(
    client: httpx.AsyncClient,
    user_headers: dict[str, str],
    user_id: uuid.UUID,
    recorder: StripeRecorder,
    session: AsyncSession,
):
    response = await client.post(CHECKOUT, json={"plan": "pro"}, headers=user_headers)

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["session_id"].startswith("cs_")
    assert body["url"].startswith("https://")

    # No customer yet: one is created first, tagged with the user id.
    (create_customer,) = recorder.calls("POST", "/v1/customers")
    assert StripeRecorder.form(create_customer) == {"metadata[user_id]": str(user_id)}
    assert create_customer.headers["Idempotency-Key"] == f"adscale-customer-{user_id}"
    customer = await session.get(Customer, user_id)
    assert customer is not None and customer.stripe_customer_id.startswith("cus_")

    (create_session,) = recorder.calls("POST", "/v1/checkout/sessions")
    assert StripeRecorder.form(create_session) == {
        "mode": "subscription",
        "line_items[0][price]": PRICE_PRO,
        "line_items[0][quantity]": "1",
        "customer": customer.stripe_customer_id,
        "client_reference_id": str(user_id),
        "metadata[user_id]": str(user_id),
        "metadata[plan]": "pro",
        "subscription_data[metadata][user_id]": str(user_id),
        "subscription_data[metadata][plan]": "pro",
        "success_url": "https://app.example.test/billing/success?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": "https://app.example.test/billing/cancel",
    }
    key = create_session.headers["Idempotency-Key"]
    assert key.startswith(f"adscale-checkout-{user_id}-pro-")
    assert create_session.headers["Authorization"] == "Bearer sk_test_billingtests"
    assert create_session.url.host == "127.0.0.1"


async def test_a_second_checkout_reuses_the_customer(
    client: httpx.AsyncClient,
    user_headers: dict[str, str],
    recorder: StripeRecorder,
):
    first = await client.post(CHECKOUT, json={"plan": "pro"}, headers=user_headers)
    second = await client.post(CHECKOUT, json={"plan": "enterprise"}, headers=user_headers)

    assert first.status_code == second.status_code == 201
    assert len(recorder.calls("POST", "/v1/customers")) == 1
    sessions = [StripeRecorder.form(r) for r in recorder.calls("POST", "/v1/checkout/sessions")]
    assert sessions[0]["customer"] == sessions[1]["customer"]
    assert sessions[1]["line_items[0][price]"] == PRICE_ENTERPRISE
    assert sessions[1]["metadata[plan]"] == "enterprise"


async def test_a_stored_customer_is_used_without_creating_one(
    client: httpx.AsyncClient,
    user_headers: dict[str, str],
    user_id: uuid.UUID,
    recorder: StripeRecorder,
    session: AsyncSession,
):
    session.add(Customer(user_id=user_id, stripe_customer_id="cus_existing123"))
    await session.flush()

    response = await client.post(CHECKOUT, json={"plan": "enterprise"}, headers=user_headers)

    assert response.status_code == 201
    assert recorder.calls("POST", "/v1/customers") == []
    (sent,) = recorder.calls("POST", "/v1/checkout/sessions")
    assert StripeRecorder.form(sent)["customer"] == "cus_existing123"


async def test_double_click_shares_one_idempotency_key(
    client: httpx.AsyncClient, user_headers: dict[str, str], recorder: StripeRecorder
):
    for _ in range(2):
        assert (
            await client.post(CHECKOUT, json={"plan": "pro"}, headers=user_headers)
        ).status_code == 201
    keys = {r.headers["Idempotency-Key"] for r in recorder.calls("POST", "/v1/checkout/sessions")}
    assert len(keys) == 1


def test_idempotency_key_changes_with_plan_and_window():
    user = uuid.uuid4()
    base = checkout_idempotency_key(user, "pro", window_seconds=300, now=1_000_000)
    assert checkout_idempotency_key(user, "pro", window_seconds=300, now=1_000_100) == base
    assert checkout_idempotency_key(user, "pro", window_seconds=300, now=1_000_300) != base
    assert checkout_idempotency_key(user, "enterprise", window_seconds=300, now=1_000_000) != base
    assert checkout_idempotency_key(uuid.uuid4(), "pro", window_seconds=300, now=1_000_000) != base


async def test_free_plan_is_400_and_calls_nothing(
    client: httpx.AsyncClient, user_headers: dict[str, str], recorder: StripeRecorder
):
    response = await client.post(CHECKOUT, json={"plan": "free"}, headers=user_headers)
    assert response.status_code == 400
    assert response.json() == {"detail": "The Free plan needs no checkout"}
    assert recorder.requests == []


@pytest.mark.parametrize("status", ["active", "past_due"])
async def test_an_active_subscription_is_400(
    client: httpx.AsyncClient,
    user_headers: dict[str, str],
    user_id: uuid.UUID,
    recorder: StripeRecorder,
    status: str,
):
    sub_id = await subscribe(client, user_headers, user_id)
    if status != "active":
        payload = event(
            "customer.subscription.updated",
            subscription(sub_id=sub_id, user_id=user_id, status=status),
        )
        assert (await deliver(client, user_headers, payload)).status_code == 200

    for plan in ("pro", "enterprise"):
        response = await client.post(CHECKOUT, json={"plan": plan}, headers=user_headers)
        assert response.status_code == 400
        assert "already have an active subscription" in response.json()["detail"]
    assert recorder.requests == []


async def test_after_a_cancellation_checkout_is_open_again(
    client: httpx.AsyncClient, user_headers: dict[str, str], user_id: uuid.UUID
):
    sub_id = await subscribe(client, user_headers, user_id)
    deleted = event(
        "customer.subscription.deleted",
        subscription(sub_id=sub_id, user_id=user_id, status="canceled"),
    )
    assert (await deliver(client, user_headers, deleted)).status_code == 200

    response = await client.post(CHECKOUT, json={"plan": "pro"}, headers=user_headers)
    assert response.status_code == 201


@pytest.mark.parametrize("body", [{"plan": "gold"}, {"plan": "Pro"}, {}, {"plan": None}])
async def test_unknown_or_missing_plan_is_422(
    client: httpx.AsyncClient,
    user_headers: dict[str, str],
    body: dict[str, object],
    recorder: StripeRecorder,
):
    response = await client.post(CHECKOUT, json=body, headers=user_headers)
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "plan"]
    assert {"msg", "type"} <= set(error)
    assert recorder.requests == []


async def test_checkout_needs_a_bearer_token(
    client: httpx.AsyncClient, anonymous_headers: dict[str, str], user_id: uuid.UUID
):
    anonymous = await client.post(CHECKOUT, json={"plan": "pro"}, headers=anonymous_headers)
    assert anonymous.status_code == 401
    api_key = internal_headers(KEY, user_id=user_id, plan="pro", auth="api_key")
    with_key = await client.post(CHECKOUT, json={"plan": "pro"}, headers=api_key)
    assert with_key.status_code == 401
    assert "detail" in with_key.json()


@pytest.fixture
async def unreachable_stripe(
    database_url: str, session: AsyncSession, recorder: StripeRecorder
) -> AsyncIterator[httpx.AsyncClient]:
    # Nothing listens on port 9: a real connection refusal.
    settings = make_settings(database_url, "http://127.0.0.1:9")
    async for c in app_client(settings, session, recorder):
        yield c


@pytest.fixture
async def refusing_stripe(
    database_url: str, stripe_api_base: str, session: AsyncSession, recorder: StripeRecorder
) -> AsyncIterator[httpx.AsyncClient]:
    # stripe-mock refuses a key that does not look like a test secret key (401).
    settings = make_settings(database_url, stripe_api_base, stripe_api_key="not_a_stripe_key")
    async for c in app_client(settings, session, recorder):
        yield c


async def test_unreachable_stripe_is_502_and_stores_nothing(
    unreachable_stripe: httpx.AsyncClient,
    user_headers: dict[str, str],
    user_id: uuid.UUID,
    session: AsyncSession,
):
    response = await unreachable_stripe.post(CHECKOUT, json={"plan": "pro"}, headers=user_headers)
    assert response.status_code == 502
    assert response.json() == {
        "detail": "The payment provider could not be reached; try again later"
    }
    assert await session.get(Customer, user_id) is None


async def test_stripe_refusing_the_request_is_502(
    refusing_stripe: httpx.AsyncClient, user_headers: dict[str, str]
):
    response = await refusing_stripe.post(CHECKOUT, json={"plan": "pro"}, headers=user_headers)
    assert response.status_code == 502
    detail = response.json()["detail"]
    assert detail.startswith("The payment provider refused the request")
    assert "not_a_stripe_key" not in detail


async def test_stripe_failing_after_the_customer_exists_is_502(
    unreachable_stripe: httpx.AsyncClient,
    user_headers: dict[str, str],
    user_id: uuid.UUID,
    session: AsyncSession,
):
    session.add(Customer(user_id=user_id, stripe_customer_id="cus_existing456"))
    await session.flush()
    response = await unreachable_stripe.post(
        CHECKOUT, json={"plan": "enterprise"}, headers=user_headers
    )
    assert response.status_code == 502


# --- portal -------------------------------------------------------------------


async def test_portal_for_a_customer(
    client: httpx.AsyncClient,
    user_headers: dict[str, str],
    user_id: uuid.UUID,
    recorder: StripeRecorder,
):
    await subscribe(client, user_headers, user_id, customer="cus_portal123")

    response = await client.post(PORTAL, headers=user_headers)

    assert response.status_code == 200, response.text
    assert response.json()["url"].startswith("https://")
    (sent,) = recorder.calls("POST", "/v1/billing_portal/sessions")
    assert StripeRecorder.form(sent) == {
        "customer": "cus_portal123",
        "return_url": "https://app.example.test/billing",
    }


async def test_portal_without_a_billing_account_is_400(
    client: httpx.AsyncClient, user_headers: dict[str, str], recorder: StripeRecorder
):
    response = await client.post(PORTAL, headers=user_headers)
    assert response.status_code == 400
    assert response.json() == {"detail": "No billing account yet: subscribe to a paid plan first"}
    assert recorder.requests == []


async def test_portal_with_stripe_unreachable_is_502(
    unreachable_stripe: httpx.AsyncClient,
    user_headers: dict[str, str],
    user_id: uuid.UUID,
    session: AsyncSession,
):
    session.add(Customer(user_id=user_id, stripe_customer_id="cus_portal456"))
    await session.flush()
    response = await unreachable_stripe.post(PORTAL, headers=user_headers)
    assert response.status_code == 502


async def test_portal_needs_a_bearer_token(client: httpx.AsyncClient, user_id: uuid.UUID):
    api_key = internal_headers(KEY, user_id=user_id, plan="pro", auth="api_key")
    assert (await client.post(PORTAL, headers=api_key)).status_code == 401


async def test_checkout_rows_commit_with_the_request(
    client: httpx.AsyncClient,
    user_headers: dict[str, str],
    user_id: uuid.UUID,
    session: AsyncSession,
):
    await client.post(CHECKOUT, json={"plan": "pro"}, headers=user_headers)
    count = await session.scalar(
        sa.select(sa.func.count()).select_from(Customer).where(Customer.user_id == user_id)  # type: ignore[arg-type]
    )
    assert count == 1
