"""POST /api/v1/billing/webhooks/stripe: signatures, the inbox, the subscription state machine,
and billing.plan_changed in the outbox."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from adscale_common.events import Envelope
from adscale_common.messaging import outbox_event
from adscale_common.testing import internal_headers
from adscale_contracts.events import PlanChanged, parse
from billing.main import create_app
from billing.models import Customer, StripeEvent, Subscription, UserPlan
from billing.subscription.service import expire_scheduled_cancellations
from kit import (
    DAY,
    KEY,
    PRICE_ENTERPRISE,
    WEBHOOK_PATH,
    WEBHOOK_SECRET,
    checkout_session,
    deliver,
    event,
    invoice,
    make_settings,
    new_id,
    signature_header,
    subscription,
)

NOW = int(time.time())


# --- helpers ------------------------------------------------------------------


async def sub_row(session: AsyncSession, sub_id: str) -> Subscription | None:
    result = await session.execute(
        sa.select(Subscription)
        .where(Subscription.stripe_subscription_id == sub_id)  # type: ignore[arg-type]
        .execution_options(populate_existing=True)
    )
    return result.scalars().first()


async def plan_of(session: AsyncSession, user_id: uuid.UUID) -> str:
    row = await session.get(UserPlan, user_id, populate_existing=True)
    return row.plan if row else "free"


async def plan_changes(session: AsyncSession, user_id: uuid.UUID) -> list[PlanChanged]:
    rows = await session.execute(
        sa.select(outbox_event.c.payload, outbox_event.c.topic, outbox_event.c.key)
        .where(
            outbox_event.c.event_type == "billing.plan_changed",
            outbox_event.c.key == str(user_id),
        )
        .order_by(outbox_event.c.seq)
    )
    changes = []
    for payload, topic, key in rows.all():
        envelope = Envelope.model_validate(payload)
        assert topic == "billing.events"
        assert envelope.source == "billing" and envelope.subject == key
        changes.append(parse(envelope, PlanChanged))
    return changes


def transitions(changes: list[PlanChanged]) -> list[tuple[str, str, str]]:
    return [(c.old_plan, c.new_plan, c.reason) for c in changes]


async def stored_event(session: AsyncSession, event_id: str) -> StripeEvent | None:
    return await session.get(StripeEvent, event_id, populate_existing=True)


async def count(session: AsyncSession, model: Any) -> int:
    return int(await session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


@pytest.fixture
def headers() -> dict[str, str]:
    # Stripe reaches the webhook through the gateway as an anonymous caller.
    return internal_headers(KEY, user_id=None, plan=None, auth="anonymous")


class StripeFeed:
    """Stripe's side of the conversation: signed events delivered through the webhook route
    (as the gateway forwards them: an anonymous caller), each expected to be accepted."""

    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers

    async def deliver(self, payload: dict[str, Any], **signing: Any) -> httpx.Response:
        return await deliver(self.client, self.headers, payload, **signing)

    async def send(self, event_type: str, obj: dict[str, Any], created: int) -> httpx.Response:
        response = await self.deliver(event(event_type, obj, created=created))
        assert response.status_code == 200, response.text
        return response

    async def subscription(self, event_type: str, created: int, **fields: Any) -> httpx.Response:
        return await self.send(event_type, subscription(**fields), created)

    async def invoice(self, event_type: str, created: int, **fields: Any) -> httpx.Response:
        return await self.send(event_type, invoice(**fields), created)

    async def checkout_completed(
        self,
        user_id: uuid.UUID,
        *,
        plan: str = "pro",
        customer: str = "cus_test",
        created: int = NOW,
    ) -> str:
        """A completed subscription checkout; returns the new subscription's id."""
        sub_id = new_id("sub")
        session = checkout_session(
            user_id=user_id, plan=plan, subscription=sub_id, customer=customer
        )
        await self.send("checkout.session.completed", session, created)
        return sub_id

    async def pro_subscriber(self) -> tuple[uuid.UUID, str]:
        """A new user whose Pro checkout completed at ``NOW``: the user's and the
        subscription's ids."""
        user_id = uuid.uuid4()
        return user_id, await self.checkout_completed(user_id, created=NOW)

    async def cancelling_at_period_end(self, user_id: uuid.UUID, period_end: int) -> str:
        """A Pro subscription (checkout at ``NOW``) set to cancel when its period ends at
        ``period_end``; returns its id."""
        sub_id = await self.checkout_completed(user_id, created=NOW)
        await self.subscription(
            "customer.subscription.updated",
            NOW + 1,
            sub_id=sub_id,
            user_id=user_id,
            period_end=period_end,
            cancel_at_period_end=True,
        )
        return sub_id


@pytest.fixture
def stripe(client: httpx.AsyncClient, headers: dict[str, str]) -> StripeFeed:
    return StripeFeed(client, headers)


# --- checkout.session.completed, exactly once ---------------------------------------


async def test_checkout_completed_upgrades_and_emits_plan_changed(
    stripe: StripeFeed, session: AsyncSession
):
    user_id = uuid.uuid4()
    sub_id = new_id("sub")
    payload = event(
        "checkout.session.completed",
        checkout_session(user_id=user_id, plan="pro", subscription=sub_id, customer="cus_abc123"),
    )

    response = await stripe.deliver(payload)

    assert response.status_code == 200
    assert response.json() == {"received": True, "event_id": payload["id"], "duplicate": False}
    sub = await sub_row(session, sub_id)
    assert sub is not None
    assert (sub.user_id, sub.plan, sub.status) == (user_id, "pro", "active")
    assert sub.stripe_customer_id == "cus_abc123"
    assert await plan_of(session, user_id) == "pro"
    customer = await session.get(Customer, user_id)
    assert customer is not None and customer.stripe_customer_id == "cus_abc123"
    (change,) = await plan_changes(session, user_id)
    assert (change.user_id, change.old_plan, change.new_plan, change.reason) == (
        user_id,
        "free",
        "pro",
        "checkout_completed",
    )
    assert change.effective_at is not None
    stored = await stored_event(session, payload["id"])
    assert stored is not None
    assert stored.type == "checkout.session.completed"
    assert stored.created == payload["created"]
    assert stored.payload == payload
    assert stored.outcome == "applied" and stored.processed_at is not None


async def test_three_deliveries_are_processed_once(stripe: StripeFeed, session: AsyncSession):
    user_id = uuid.uuid4()
    payload = event(
        "checkout.session.completed",
        checkout_session(
            user_id=user_id, plan="enterprise", subscription=new_id("sub"), customer="cus_x1"
        ),
    )

    answers = [await stripe.deliver(payload) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.json()["duplicate"] for a in answers] == [False, True, True]
    assert transitions(await plan_changes(session, user_id)) == [
        ("free", "enterprise", "checkout_completed")
    ]
    stored = await session.scalar(
        sa.select(sa.func.count()).select_from(StripeEvent).where(StripeEvent.id == payload["id"])  # type: ignore[arg-type]
    )
    assert stored == 1


async def test_concurrent_redeliveries_commit_once(
    database_url: str, stripe_api_base: str, engine: AsyncEngine
):
    """Real transactions (no test rollback): two deliveries racing on the inbox key."""
    settings = make_settings(database_url, stripe_api_base)
    app = create_app(settings)
    user_id = uuid.uuid4()
    payload = event(
        "checkout.session.completed",
        checkout_session(
            user_id=user_id, plan="pro", subscription=new_id("sub"), customer="cus_race"
        ),
    )
    anonymous = internal_headers(KEY, user_id=None, plan=None, auth="anonymous")
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://billing") as c:
            answers = await asyncio.gather(*(deliver(c, anonymous, payload) for _ in range(4)))
    assert sorted(a.json()["duplicate"] for a in answers) == [False, True, True, True]
    async with engine.connect() as conn:
        changes = await conn.scalar(
            sa.select(sa.func.count())
            .select_from(outbox_event)
            .where(outbox_event.c.key == str(user_id))
        )
    assert changes == 1


# --- signatures -------------------------------------------------------------------


async def assert_refused(stripe: StripeFeed, session: AsyncSession, **kwargs: Any) -> None:
    before = (await count(session, StripeEvent), await count(session, Subscription))
    payload = event(
        "checkout.session.completed",
        checkout_session(
            user_id=uuid.uuid4(), plan="pro", subscription=new_id("sub"), customer="cus_y"
        ),
    )
    response = await stripe.deliver(payload, **kwargs)
    assert response.status_code == 400, response.text
    assert isinstance(response.json()["detail"], str)
    assert (await count(session, StripeEvent), await count(session, Subscription)) == before
    assert await stored_event(session, payload["id"]) is None


async def test_wrong_secret_is_400_and_nothing_stored(stripe: StripeFeed, session: AsyncSession):
    await assert_refused(stripe, session, secret="whsec_someone_else")


async def test_stale_timestamp_is_400_and_nothing_stored(stripe: StripeFeed, session: AsyncSession):
    await assert_refused(stripe, session, timestamp=int(time.time()) - 301)


async def test_missing_or_garbled_header_is_400(stripe: StripeFeed, session: AsyncSession):
    for signature in ["", "garbage", "t=abc,v1=00", f"t={int(time.time())}", "v1=deadbeef"]:
        await assert_refused(stripe, session, signature=signature)


async def test_a_tampered_body_is_400(
    client: httpx.AsyncClient, headers: dict[str, str], session: AsyncSession
):
    user_id = uuid.uuid4()
    original = json.dumps(
        event(
            "checkout.session.completed",
            checkout_session(
                user_id=user_id, plan="pro", subscription=new_id("sub"), customer="cus_z"
            ),
        )
    ).encode()
    tampered = original.replace(b'"plan": "pro"', b'"plan": "enterprise"')
    assert tampered != original
    response = await client.post(
        WEBHOOK_PATH,
        content=tampered,
        headers={**headers, "Stripe-Signature": signature_header(original)},
    )
    assert response.status_code == 400
    assert await plan_of(session, user_id) == "free"


async def test_within_tolerance_and_rolled_secrets_are_accepted(
    stripe: StripeFeed, client: httpx.AsyncClient, headers: dict[str, str]
):
    recent = event("customer.created", {"id": "cus_1", "object": "customer"})
    assert (await stripe.deliver(recent, timestamp=int(time.time()) - 250)).status_code == 200

    # While a secret is rolled Stripe sends one v1 per secret: one match is enough.
    rolled = event("customer.created", {"id": "cus_2", "object": "customer"})
    body = json.dumps(rolled).encode()
    t = int(time.time())
    old = signature_header(body, secret="whsec_previous", timestamp=t).split("v1=")[1]
    new = signature_header(body, secret=WEBHOOK_SECRET, timestamp=t).split("v1=")[1]
    response = await client.post(
        WEBHOOK_PATH,
        content=body,
        headers={**headers, "Stripe-Signature": f"t={t},v1={old},v1={new},v0=abc"},
    )
    assert response.status_code == 200


async def test_malformed_event_with_a_valid_signature_is_400(
    client: httpx.AsyncClient, headers: dict[str, str], session: AsyncSession
):
    before = await count(session, StripeEvent)
    for body in [
        b"not json",
        b"[1, 2]",
        b'{"id": "evt_1", "type": "x"}',
        json.dumps(event("customer.subscription.updated", {"id": "sub_1"})).encode(),
    ]:
        response = await client.post(
            WEBHOOK_PATH,
            content=body,
            headers={**headers, "Stripe-Signature": signature_header(body)},
        )
        assert response.status_code == 400, body
    assert await count(session, StripeEvent) == before


async def test_without_a_configured_secret_webhooks_are_refused(
    database_url: str, stripe_api_base: str, session: AsyncSession, headers: dict[str, str]
):
    from kit import StripeRecorder, app_client

    settings = make_settings(database_url, stripe_api_base, stripe_webhook_secret="")
    async for c in app_client(settings, session, StripeRecorder()):
        payload = event("customer.created", {"id": "cus_3", "object": "customer"})
        response = await deliver(c, headers, payload)
        assert response.status_code == 503
        assert await stored_event(session, payload["id"]) is None


# --- unknown types --------------------------------------------------------------------


async def test_unknown_type_is_stored_and_acknowledged_without_state_change(
    stripe: StripeFeed, session: AsyncSession
):
    user_id = uuid.uuid4()
    subs_before = await count(session, Subscription)
    payload = event(
        "payment_intent.succeeded",
        {
            "id": "pi_1",
            "object": "payment_intent",
            "metadata": {"user_id": str(user_id), "plan": "pro"},
        },
    )
    response = await stripe.deliver(payload)
    assert response.status_code == 200
    stored = await stored_event(session, payload["id"])
    assert stored is not None and stored.outcome == "ignored"
    assert await count(session, Subscription) == subs_before
    assert await plan_of(session, user_id) == "free"
    assert await plan_changes(session, user_id) == []


async def test_one_time_payment_checkout_is_ignored(stripe: StripeFeed, session: AsyncSession):
    user_id = uuid.uuid4()
    obj = checkout_session(
        user_id=user_id, plan="pro", subscription=new_id("sub"), customer="cus_p"
    )
    obj.update(mode="payment", subscription=None)
    payload = event("checkout.session.completed", obj)
    assert (await stripe.deliver(payload)).status_code == 200
    stored = await stored_event(session, payload["id"])
    assert stored is not None and stored.outcome == "ignored"
    assert await plan_of(session, user_id) == "free"


# --- ordering ------------------------------------------------------------------------


async def test_updated_after_deleted_does_not_resurrect(stripe: StripeFeed, session: AsyncSession):
    user_id, sub_id = await stripe.pro_subscriber()
    deleted = subscription(sub_id=sub_id, user_id=user_id, status="canceled", canceled_at=NOW + 20)
    await stripe.send("customer.subscription.deleted", deleted, NOW + 20)
    assert await plan_of(session, user_id) == "free"

    # Delivered late: an update Stripe sent before the deletion.
    stale = subscription(sub_id=sub_id, user_id=user_id, status="active")
    late = await stripe.send("customer.subscription.updated", stale, NOW + 10)

    assert late.json()["duplicate"] is False
    sub = await sub_row(session, sub_id)
    assert sub is not None and sub.status == "canceled"
    assert await plan_of(session, user_id) == "free"
    assert transitions(await plan_changes(session, user_id)) == [
        ("free", "pro", "checkout_completed"),
        ("pro", "free", "subscription_canceled"),
    ]
    stored = await stored_event(session, late.json()["event_id"])
    assert stored is not None and stored.outcome == "stale"


async def test_nothing_moves_a_canceled_subscription_back(
    stripe: StripeFeed, session: AsyncSession
):
    user_id, sub_id = await stripe.pro_subscriber()
    await stripe.subscription(
        "customer.subscription.deleted",
        NOW,
        sub_id=sub_id,
        user_id=user_id,
        status="canceled",
        canceled_at=NOW,
    )
    # Even with a newer timestamp, and an invoice paid.
    await stripe.subscription(
        "customer.subscription.updated", NOW + 60, sub_id=sub_id, user_id=user_id
    )
    await stripe.invoice("invoice.paid", NOW + 61, sub_id=sub_id, user_id=user_id)
    sub = await sub_row(session, sub_id)
    assert sub is not None and sub.status == "canceled"
    assert await plan_of(session, user_id) == "free"


async def test_an_older_update_does_not_roll_back_a_newer_one(
    stripe: StripeFeed, session: AsyncSession
):
    user_id, sub_id = await stripe.pro_subscriber()
    await stripe.subscription(
        "customer.subscription.updated",
        NOW + 30,
        sub_id=sub_id,
        user_id=user_id,
        plan="enterprise",
        price=PRICE_ENTERPRISE,
    )
    await stripe.subscription(
        "customer.subscription.updated", NOW + 10, sub_id=sub_id, user_id=user_id, plan="pro"
    )
    sub = await sub_row(session, sub_id)
    assert sub is not None and sub.plan == "enterprise" and sub.last_event_created == NOW + 30
    assert await plan_of(session, user_id) == "enterprise"


async def test_subscription_events_before_checkout_completed(
    stripe: StripeFeed, session: AsyncSession
):
    """Stripe does not promise order: created (incomplete), invoice paid, then checkout."""
    user_id = uuid.uuid4()
    sub_id = new_id("sub")
    await stripe.subscription(
        "customer.subscription.created", NOW, sub_id=sub_id, user_id=user_id, status="incomplete"
    )
    assert await plan_of(session, user_id) == "free"
    await stripe.invoice(
        "invoice.paid", NOW, sub_id=sub_id, user_id=user_id, billing_reason="subscription_create"
    )
    assert await plan_of(session, user_id) == "pro"
    # A same-second "incomplete" snapshot delivered after the payment does not undo it.
    await stripe.subscription(
        "customer.subscription.created", NOW, sub_id=sub_id, user_id=user_id, status="incomplete"
    )
    await stripe.deliver(
        event(
            "checkout.session.completed",
            checkout_session(user_id=user_id, plan="pro", subscription=sub_id, customer="cus_test"),
            created=NOW,
        )
    )
    sub = await sub_row(session, sub_id)
    assert sub is not None and sub.status == "active"
    assert transitions(await plan_changes(session, user_id)) == [
        ("free", "pro", "payment_succeeded")
    ]


# --- state machine ------------------------------------------------------------------------


async def test_cancel_at_period_end_keeps_the_plan_until_the_period_ends(
    stripe: StripeFeed, session: AsyncSession
):
    user_id = uuid.uuid4()
    period_end = NOW + 10 * DAY
    sub_id = await stripe.cancelling_at_period_end(user_id, period_end)

    sub = await sub_row(session, sub_id)
    assert sub is not None and sub.cancel_at_period_end and sub.status == "active"
    assert sub.current_period_end == datetime.fromtimestamp(period_end, UTC)
    assert await plan_of(session, user_id) == "pro"

    # The worker's sweep: nothing before the end ...
    assert await expire_scheduled_cancellations(session, datetime.now(UTC)) == 0
    assert await plan_of(session, user_id) == "pro"
    # ... Free once it passed, announced once.
    after_end = datetime.fromtimestamp(period_end, UTC) + timedelta(seconds=1)
    assert await expire_scheduled_cancellations(session, after_end) == 1
    assert await expire_scheduled_cancellations(session, after_end) == 0
    assert await plan_of(session, user_id) == "free"

    # Stripe's deletion at the period end then changes nothing more.
    await stripe.subscription(
        "customer.subscription.deleted",
        period_end,
        sub_id=sub_id,
        user_id=user_id,
        status="canceled",
        period_end=period_end,
        canceled_at=period_end,
    )
    assert transitions(await plan_changes(session, user_id)) == [
        ("free", "pro", "checkout_completed"),
        ("pro", "free", "subscription_period_ended"),
    ]


async def test_reactivating_before_the_period_end_keeps_renewing(
    stripe: StripeFeed, session: AsyncSession
):
    user_id = uuid.uuid4()
    period_end = NOW + 5 * DAY
    sub_id = await stripe.cancelling_at_period_end(user_id, period_end)
    await stripe.subscription(
        "customer.subscription.updated",
        NOW + 2,
        sub_id=sub_id,
        user_id=user_id,
        period_end=period_end,
    )
    after_end = datetime.fromtimestamp(period_end, UTC) + timedelta(seconds=1)
    assert await expire_scheduled_cancellations(session, after_end) == 0
    assert await plan_of(session, user_id) == "pro"


async def test_a_cancel_at_date_is_honoured_like_the_period_end(
    stripe: StripeFeed, session: AsyncSession
):
    user_id, sub_id = await stripe.pro_subscriber()
    cancel_at = NOW + 3 * DAY
    await stripe.subscription(
        "customer.subscription.updated",
        NOW + 1,
        sub_id=sub_id,
        user_id=user_id,
        cancel_at=cancel_at,
    )
    assert await plan_of(session, user_id) == "pro"
    assert (
        await expire_scheduled_cancellations(session, datetime.fromtimestamp(cancel_at + 1, UTC))
        == 1
    )
    assert await plan_of(session, user_id) == "free"


async def test_payment_failed_is_past_due_and_paid_recovers(
    stripe: StripeFeed, session: AsyncSession
):
    user_id, sub_id = await stripe.pro_subscriber()
    await stripe.invoice(
        "invoice.payment_failed", NOW + 100, sub_id=sub_id, user_id=user_id, status="open"
    )

    sub = await sub_row(session, sub_id)
    assert sub is not None and sub.status == "past_due"
    # Stripe retries the card meanwhile: the plan stays.
    assert await plan_of(session, user_id) == "pro"

    next_end = NOW + 60 * DAY
    await stripe.invoice(
        "invoice.paid", NOW + 200, sub_id=sub_id, user_id=user_id, period_end=next_end
    )
    sub = await sub_row(session, sub_id)
    assert sub is not None and sub.status == "active"
    assert sub.current_period_end == datetime.fromtimestamp(next_end, UTC)
    assert transitions(await plan_changes(session, user_id)) == [
        ("free", "pro", "checkout_completed")
    ]


async def test_unpaid_after_retries_downgrades(stripe: StripeFeed, session: AsyncSession):
    user_id, sub_id = await stripe.pro_subscriber()
    await stripe.subscription(
        "customer.subscription.updated", NOW + 100, sub_id=sub_id, user_id=user_id, status="unpaid"
    )
    assert await plan_of(session, user_id) == "free"
    await stripe.invoice("invoice.paid", NOW + 200, sub_id=sub_id, user_id=user_id)
    assert await plan_of(session, user_id) == "pro"
    assert transitions(await plan_changes(session, user_id))[1:] == [
        ("pro", "free", "subscription_updated"),
        ("free", "pro", "payment_succeeded"),
    ]


async def test_a_failed_first_payment_grants_nothing(stripe: StripeFeed, session: AsyncSession):
    user_id = uuid.uuid4()
    sub_id = new_id("sub")
    await stripe.invoice(
        "invoice.payment_failed",
        NOW,
        sub_id=sub_id,
        user_id=user_id,
        billing_reason="subscription_create",
        status="open",
    )
    sub = await sub_row(session, sub_id)
    assert sub is not None and sub.status == "incomplete"
    assert await plan_of(session, user_id) == "free"


async def test_a_portal_upgrade_follows_the_price(stripe: StripeFeed, session: AsyncSession):
    user_id, sub_id = await stripe.pro_subscriber()
    # The portal changes the price; the metadata written at checkout still says "pro".
    upgraded = subscription(sub_id=sub_id, user_id=user_id, plan="pro", price=PRICE_ENTERPRISE)
    await stripe.send("customer.subscription.updated", upgraded, NOW + 5)
    assert await plan_of(session, user_id) == "enterprise"
    assert transitions(await plan_changes(session, user_id))[-1] == (
        "pro",
        "enterprise",
        "subscription_updated",
    )


async def test_user_is_found_by_customer_when_metadata_is_missing(
    stripe: StripeFeed, session: AsyncSession
):
    user_id = uuid.uuid4()
    session.add(Customer(user_id=user_id, stripe_customer_id="cus_known777"))
    await session.flush()
    sub_id = new_id("sub")
    await stripe.subscription(
        "customer.subscription.created", NOW, sub_id=sub_id, user_id=None, customer="cus_known777"
    )
    sub = await sub_row(session, sub_id)
    assert sub is not None and sub.user_id == user_id
    assert await plan_of(session, user_id) == "pro"


async def test_an_event_for_nobody_we_know_is_stored_unmatched(
    stripe: StripeFeed, session: AsyncSession
):
    sub_id = new_id("sub")
    response = await stripe.subscription(
        "customer.subscription.updated", NOW, sub_id=sub_id, user_id=None, customer="cus_stranger"
    )
    stored = await stored_event(session, response.json()["event_id"])
    assert stored is not None and stored.outcome == "unmatched"
    assert await sub_row(session, sub_id) is None


async def test_older_api_version_payloads_are_understood(stripe: StripeFeed, session: AsyncSession):
    """Before 2025-03-31 the period end sat on the subscription and invoices named it directly."""
    user_id, sub_id = await stripe.pro_subscriber()
    legacy = subscription(sub_id=sub_id, user_id=user_id)
    legacy["items"]["data"][0].pop("current_period_end")
    legacy["current_period_end"] = NOW + 7 * DAY
    await stripe.send("customer.subscription.updated", legacy, NOW + 1)
    sub = await sub_row(session, sub_id)
    assert sub is not None and sub.current_period_end == datetime.fromtimestamp(NOW + 7 * DAY, UTC)

    old_invoice = invoice(sub_id=sub_id, user_id=user_id, status="open")
    old_invoice.pop("parent")
    old_invoice["subscription"] = sub_id
    await stripe.send("invoice.payment_failed", old_invoice, NOW + 2)
    sub = await sub_row(session, sub_id)
    assert sub is not None and sub.status == "past_due"


async def test_two_subscriptions_the_best_plan_wins(stripe: StripeFeed, session: AsyncSession):
    user_id = uuid.uuid4()
    pro = await stripe.checkout_completed(user_id, plan="pro", created=NOW)
    enterprise = await stripe.checkout_completed(user_id, plan="enterprise", created=NOW + 1)
    assert await plan_of(session, user_id) == "enterprise"
    await stripe.subscription(
        "customer.subscription.deleted",
        NOW + 2,
        sub_id=enterprise,
        user_id=user_id,
        plan="enterprise",
        status="canceled",
    )
    assert await plan_of(session, user_id) == "pro"
    await stripe.subscription(
        "customer.subscription.deleted", NOW + 3, sub_id=pro, user_id=user_id, status="canceled"
    )
    assert transitions(await plan_changes(session, user_id)) == [
        ("free", "pro", "checkout_completed"),
        ("pro", "enterprise", "checkout_completed"),
        ("enterprise", "pro", "subscription_canceled"),
        ("pro", "free", "subscription_canceled"),
    ]
    effective = [c.effective_at for c in await plan_changes(session, user_id)]
    assert effective == sorted(effective) and len(set(effective)) == 4


async def test_a_customer_already_mapped_to_someone_else_is_not_remapped(
    stripe: StripeFeed, session: AsyncSession
):
    owner, other = uuid.uuid4(), uuid.uuid4()
    session.add(Customer(user_id=owner, stripe_customer_id="cus_shared999"))
    await session.flush()
    await stripe.checkout_completed(other, customer="cus_shared999", created=NOW)
    assert await plan_of(session, other) == "pro"
    assert await session.get(Customer, other) is None
    mapped = await session.get(Customer, owner, populate_existing=True)
    assert mapped is not None and mapped.stripe_customer_id == "cus_shared999"
