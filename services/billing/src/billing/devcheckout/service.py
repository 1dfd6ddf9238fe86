"""Development Checkout: the test page's facts, and its "Pay" (the signed webhook Stripe
would send, delivered to billing's public endpoint through the gateway)."""

from __future__ import annotations

import logging
import time
import uuid
from urllib.parse import urlencode

import httpx
import orjson

from billing.devcheckout import token as tickets
from billing.devcheckout.errors import DevCheckoutDeliveryFailed, DevCheckoutDisabled
from billing.devcheckout.schemas import DevCheckoutPaid, DevCheckoutRead
from billing.plan.catalogue import CURRENCY, INTERVAL, PLANS, PlanId
from billing.settings import Settings
from billing.webhook.signature import sign

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/api/v1/billing/webhooks/stripe"
PAGE_PATH = "/billing/dev-checkout"


def _secret(settings: Settings) -> str:
    if not settings.dev_checkout:
        raise DevCheckoutDisabled()
    return settings.stripe_webhook_secret.get_secret_value()


def checkout_url(
    settings: Settings, *, user_id: uuid.UUID, plan: PlanId, session_id: str, customer_id: str
) -> str:
    """The app's test checkout page for this session (instead of stripe-mock's dead page)."""
    token = tickets.issue(
        _secret(settings),
        user_id=user_id,
        plan=plan,
        session_id=session_id,
        customer_id=customer_id,
    )
    return f"{settings.public_url.rstrip('/')}{PAGE_PATH}?{urlencode({'token': token})}"


def describe(settings: Settings, token: str, *, user_id: uuid.UUID) -> DevCheckoutRead:
    ticket = tickets.read(_secret(settings), token, user_id=user_id)
    plan = PLANS[ticket.plan]
    return DevCheckoutRead(
        session_id=ticket.session_id,
        plan=plan.id,
        plan_name=plan.name,
        price=plan.price,
        currency=CURRENCY,
        interval=INTERVAL,
        cancel_url=settings.checkout_cancel_url,
    )


def completed_event(ticket: tickets.Ticket) -> dict[str, object]:
    """``checkout.session.completed`` as Stripe sends it for a paid subscription checkout."""
    plan = PLANS[ticket.plan]
    return {
        "id": f"evt_dev_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "api_version": "2025-03-31.basil",
        "created": int(time.time()),
        "data": {
            "object": {
                "id": ticket.session_id,
                "object": "checkout.session",
                "mode": "subscription",
                "status": "complete",
                "payment_status": "paid",
                "client_reference_id": str(ticket.user_id),
                "customer": ticket.customer_id,
                "subscription": f"sub_dev_{uuid.uuid4().hex[:20]}",
                "metadata": {"user_id": str(ticket.user_id), "plan": ticket.plan},
                "amount_total": int(plan.price * 100),
                "currency": CURRENCY,
                "url": None,
            }
        },
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": "checkout.session.completed",
    }


async def pay(
    settings: Settings, http: httpx.AsyncClient, token: str, *, user_id: uuid.UUID
) -> DevCheckoutPaid:
    secret = _secret(settings)
    ticket = tickets.read(secret, token, user_id=user_id)
    event = completed_event(ticket)
    body = orjson.dumps(event)
    timestamp = int(time.time())
    url = f"{settings.public_url.rstrip('/')}{WEBHOOK_PATH}"
    try:
        answer = await http.post(
            url,
            content=body,
            headers={
                "Content-Type": "application/json",
                "Stripe-Signature": f"t={timestamp},v1={sign(body, secret, timestamp)}",
            },
        )
    except httpx.HTTPError as exc:
        logger.warning("dev checkout: webhook delivery to %s failed: %r", url, exc)
        raise DevCheckoutDeliveryFailed(details={"reason": type(exc).__name__}) from exc
    if answer.status_code != 200:
        logger.warning("dev checkout: webhook endpoint answered %s", answer.status_code)
        raise DevCheckoutDeliveryFailed(details={"status": answer.status_code})
    success = settings.checkout_success_url.replace("{CHECKOUT_SESSION_ID}", ticket.session_id)
    return DevCheckoutPaid(success_url=success, event_id=str(event["id"]))
