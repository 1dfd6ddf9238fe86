"""Stripe webhooks: verify, store once in the inbox, translate into subscription changes.

Order of work for one delivery:

1. the signature is checked against the raw body (bad, missing or stale → 400,
   nothing stored);
2. the body is parsed (malformed → 400, nothing stored);
3. the event is stored by Stripe's event id; if it was stored before, the
   delivery is acknowledged and nothing else happens;
4. a handled type is applied to its subscription; any other type is only
   stored (acknowledged, no state change).

Everything after step 2 is one transaction with the plan change and its
outbox row. Handlers learn user and plan from the metadata written at
checkout (or the customer id recorded then); they never call Stripe.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from billing.customer import repository as customers
from billing.plan.catalogue import PlanId, as_plan_id, is_plan_id, plan_for_price
from billing.settings import Settings
from billing.subscription import service as subscriptions
from billing.subscription.service import EventRef, Outcome, SubscriptionFacts
from billing.webhook import repository
from billing.webhook.errors import InvalidPayload, InvalidSignature, WebhookNotConfigured
from billing.webhook.payloads import (
    CheckoutSessionObject,
    InvoiceObject,
    StripeEventIn,
    SubscriptionObject,
    epoch,
)
from billing.webhook.signature import SignatureError, verify

logger = logging.getLogger(__name__)

CHECKOUT_COMPLETED = "checkout.session.completed"
SUBSCRIPTION_CREATED = "customer.subscription.created"
SUBSCRIPTION_UPDATED = "customer.subscription.updated"
SUBSCRIPTION_DELETED = "customer.subscription.deleted"
INVOICE_PAID = "invoice.paid"
INVOICE_PAYMENT_FAILED = "invoice.payment_failed"

OBJECT_TYPES: dict[str, type[BaseModel]] = {
    CHECKOUT_COMPLETED: CheckoutSessionObject,
    SUBSCRIPTION_CREATED: SubscriptionObject,
    SUBSCRIPTION_UPDATED: SubscriptionObject,
    SUBSCRIPTION_DELETED: SubscriptionObject,
    INVOICE_PAID: InvoiceObject,
    INVOICE_PAYMENT_FAILED: InvoiceObject,
}
HANDLED_TYPES = frozenset(OBJECT_TYPES)

# The ``reason`` of billing.plan_changed for a change caused by each event type.
REASONS = {
    CHECKOUT_COMPLETED: "checkout_completed",
    SUBSCRIPTION_CREATED: "subscription_created",
    SUBSCRIPTION_UPDATED: "subscription_updated",
    SUBSCRIPTION_DELETED: "subscription_canceled",
    INVOICE_PAID: "payment_succeeded",
    INVOICE_PAYMENT_FAILED: "payment_failed",
}


@dataclass(frozen=True, slots=True)
class Receipt:
    event_id: str
    duplicate: bool
    outcome: str | None


def verify_and_parse(
    raw: bytes, signature: str | None, settings: Settings
) -> tuple[StripeEventIn, dict[str, Any]]:
    secret = settings.stripe_webhook_secret.get_secret_value()
    if not secret:
        logger.error("stripe webhook received but BILLING_STRIPE_WEBHOOK_SECRET is not set")
        raise WebhookNotConfigured()
    try:
        verify(raw, signature, secret, tolerance_seconds=settings.stripe_webhook_tolerance_seconds)
    except SignatureError as exc:
        logger.warning("stripe webhook refused", extra={"reason": str(exc)})
        raise InvalidSignature(str(exc)) from exc
    try:
        payload = orjson.loads(raw)
        event = StripeEventIn.model_validate(payload)
        schema = OBJECT_TYPES.get(event.type)
        if schema is not None:
            schema.model_validate(event.data.object)
    except (orjson.JSONDecodeError, ValidationError) as exc:
        raise InvalidPayload() from exc
    return event, payload


async def handle_delivery(
    session: AsyncSession,
    settings: Settings,
    raw: bytes,
    signature: str | None,
    now: datetime,
) -> Receipt:
    """One webhook delivery: verify, store once, apply; a redelivery changes nothing."""
    event, payload = verify_and_parse(raw, signature, settings)
    stored = await repository.claim(
        session,
        event_id=event.id,
        event_type=event.type,
        created=event.created,
        livemode=event.livemode,
        payload=payload,
    )
    if stored is None:
        logger.info("stripe event already received", extra={"stripe_event_id": event.id})
        return Receipt(event.id, duplicate=True, outcome=None)
    outcome = await dispatch(session, settings, event, now)
    stored.outcome = outcome
    stored.processed_at = now
    await session.flush()
    logger.info(
        "stripe event processed",
        extra={"stripe_event_id": event.id, "type": event.type, "outcome": outcome},
    )
    return Receipt(event.id, duplicate=False, outcome=outcome)


async def dispatch(
    session: AsyncSession, settings: Settings, event: StripeEventIn, now: datetime
) -> Outcome:
    ref = EventRef(id=event.id, type=event.type, created=event.created)
    obj = event.data.object
    facts: SubscriptionFacts | None
    if event.type == CHECKOUT_COMPLETED:
        facts = await _checkout_facts(session, CheckoutSessionObject.model_validate(obj))
    elif event.type in (SUBSCRIPTION_CREATED, SUBSCRIPTION_UPDATED, SUBSCRIPTION_DELETED):
        facts = _subscription_facts(
            settings,
            SubscriptionObject.model_validate(obj),
            deleted=event.type == SUBSCRIPTION_DELETED,
        )
    elif event.type in (INVOICE_PAID, INVOICE_PAYMENT_FAILED):
        facts = _invoice_facts(InvoiceObject.model_validate(obj), paid=event.type == INVOICE_PAID)
    else:
        return "ignored"
    if facts is None:
        return "ignored"
    return await subscriptions.apply(session, ref, facts, reason=REASONS[event.type], now=now)


def _user_id(*candidates: str | None) -> uuid.UUID | None:
    for value in candidates:
        if not value:
            continue
        try:
            return uuid.UUID(value)
        except ValueError:
            continue
    return None


def _paid_plan(value: str | None) -> PlanId | None:
    if is_plan_id(value) and value != "free":
        return as_plan_id(value)
    return None


async def _checkout_facts(
    session: AsyncSession, checkout: CheckoutSessionObject
) -> SubscriptionFacts | None:
    if checkout.mode != "subscription" or not checkout.subscription:
        return None
    user_id = _user_id(checkout.metadata.get("user_id"), checkout.client_reference_id)
    if user_id is not None and checkout.customer:
        recorded = await customers.remember(session, user_id, checkout.customer)
        if recorded != checkout.customer:
            logger.warning(
                "checkout customer differs from the one recorded for the user",
                extra={"user_id": str(user_id), "stripe_customer_id": checkout.customer},
            )
    paid = checkout.payment_status in ("paid", "no_payment_required")
    return SubscriptionFacts(
        stripe_subscription_id=checkout.subscription,
        user_id=user_id,
        plan=_paid_plan(checkout.metadata.get("plan")),
        customer_id=checkout.customer,
        status="active" if paid else "incomplete",
    )


def _subscription_facts(
    settings: Settings, sub: SubscriptionObject, *, deleted: bool
) -> SubscriptionFacts:
    plan = plan_for_price(settings, sub.price_id) or _paid_plan(sub.metadata.get("plan"))
    return SubscriptionFacts(
        stripe_subscription_id=sub.id,
        user_id=_user_id(sub.metadata.get("user_id")),
        plan=plan if plan != "free" else None,
        customer_id=sub.customer,
        price_id=sub.price_id,
        snapshot=True,
        status="canceled" if deleted else sub.status,
        current_period_end=epoch(sub.period_end),
        cancel_at_period_end=sub.cancel_at_period_end,
        cancel_at=epoch(sub.cancel_at),
        canceled_at=epoch(sub.canceled_at),
    )


def _invoice_facts(invoice: InvoiceObject, *, paid: bool) -> SubscriptionFacts | None:
    subscription_id = invoice.subscription_id
    if not subscription_id:
        return None  # a one-off invoice: not ours to track
    metadata = invoice.subscription_metadata
    return SubscriptionFacts(
        stripe_subscription_id=subscription_id,
        user_id=_user_id(metadata.get("user_id")),
        plan=_paid_plan(metadata.get("plan")),
        customer_id=invoice.customer,
        current_period_end=epoch(invoice.period_end),
        payment="paid" if paid else "failed",
        first_invoice=invoice.billing_reason == "subscription_create",
    )
