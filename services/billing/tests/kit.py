"""Test helpers: Stripe event payloads shaped like Stripe's API reference, signed like Stripe.

Payloads follow the Event object with ``data.object`` a Checkout Session,
Subscription or Invoice (current API layout: billing periods on subscription
items, an invoice's subscription under ``parent.subscription_details``).
Signatures come from stripe-python's own ``WebhookSignature`` helper, the
same HMAC-SHA256 over ``"{t}.{body}"`` Stripe's servers compute.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

import httpx
import stripe
from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.db import request_session
from adscale_common.events import Envelope
from adscale_contracts.events import (
    AdGroupCreated,
    CampaignCreated,
    EventData,
    SyncCompleted,
    build,
)
from billing.main import create_app
from billing.settings import Settings
from billing.stripe_api import StripeApi

KEY = "test-internal-key-0123456789abcdef"
WEBHOOK_SECRET = "whsec_test_billing_0123456789abcdef"
WEBHOOK_PATH = "/api/v1/billing/webhooks/stripe"
PRICE_PRO = "price_test_pro_monthly"
PRICE_ENTERPRISE = "price_test_enterprise_monthly"
DAY = 86400


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:24]}"


def event(
    event_type: str, obj: dict[str, Any], *, created: int | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "id": new_id("evt"),
        "object": "event",
        "api_version": "2025-03-31.basil",
        "created": int(time.time()) if created is None else created,
        "data": {"object": obj, **extra},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }


def checkout_session(
    *,
    user_id: uuid.UUID,
    plan: str,
    subscription: str,
    customer: str,
    payment_status: str = "paid",
) -> dict[str, Any]:
    metadata = {"user_id": str(user_id), "plan": plan}
    return {
        "id": new_id("cs_test"),
        "object": "checkout.session",
        "mode": "subscription",
        "status": "complete",
        "payment_status": payment_status,
        "client_reference_id": str(user_id),
        "customer": customer,
        "customer_details": {"email": "someone@example.com"},
        "subscription": subscription,
        "metadata": metadata,
        "amount_total": 4900 if plan == "pro" else 14900,
        "currency": "usd",
        "url": None,
    }


def _metadata(user_id: uuid.UUID | None, plan: str) -> dict[str, str]:
    """The metadata AdScale's checkout puts on a subscription (and Stripe copies to its
    invoices); a subscription made outside AdScale carries no user id."""
    metadata = {"plan": plan}
    if user_id is not None:
        metadata["user_id"] = str(user_id)
    return metadata


def subscription(
    *,
    sub_id: str,
    user_id: uuid.UUID | None,
    plan: str = "pro",
    customer: str = "cus_test",
    status: str = "active",
    price: str | None = None,
    period_end: int | None = None,
    cancel_at_period_end: bool = False,
    cancel_at: int | None = None,
    canceled_at: int | None = None,
) -> dict[str, Any]:
    now = int(time.time())
    end = period_end if period_end is not None else now + 30 * DAY
    metadata = _metadata(user_id, plan)
    price_id = price or (PRICE_PRO if plan == "pro" else PRICE_ENTERPRISE)
    return {
        "id": sub_id,
        "object": "subscription",
        "customer": customer,
        "status": status,
        "metadata": metadata,
        "cancel_at_period_end": cancel_at_period_end,
        "cancel_at": cancel_at,
        "canceled_at": canceled_at,
        "ended_at": canceled_at,
        "created": now - DAY,
        "start_date": now - DAY,
        "collection_method": "charge_automatically",
        "currency": "usd",
        "items": {
            "object": "list",
            "data": [
                {
                    "id": new_id("si"),
                    "object": "subscription_item",
                    "current_period_start": end - 30 * DAY,
                    "current_period_end": end,
                    "price": {
                        "id": price_id,
                        "object": "price",
                        "currency": "usd",
                        "unit_amount": 4900 if plan == "pro" else 14900,
                        "recurring": {"interval": "month", "interval_count": 1},
                    },
                    "quantity": 1,
                    "subscription": sub_id,
                }
            ],
            "has_more": False,
        },
    }


def invoice(
    *,
    sub_id: str,
    user_id: uuid.UUID | None,
    plan: str = "pro",
    customer: str = "cus_test",
    billing_reason: str = "subscription_cycle",
    status: str = "paid",
    period_end: int | None = None,
) -> dict[str, Any]:
    now = int(time.time())
    end = period_end if period_end is not None else now + 30 * DAY
    metadata = _metadata(user_id, plan)
    return {
        "id": new_id("in"),
        "object": "invoice",
        "customer": customer,
        "billing_reason": billing_reason,
        "status": status,
        "amount_due": 4900,
        "amount_paid": 4900 if status == "paid" else 0,
        "currency": "usd",
        "parent": {
            "type": "subscription_details",
            "quote_details": None,
            "subscription_details": {"metadata": metadata, "subscription": sub_id},
        },
        "lines": {
            "object": "list",
            "data": [
                {
                    "id": new_id("il"),
                    "object": "line_item",
                    "period": {"start": end - 30 * DAY, "end": end},
                }
            ],
            "has_more": False,
        },
    }


def signature_header(
    body: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None
) -> str:
    return str(
        stripe.WebhookSignature.generate_signature_header(
            body.decode(), secret, timestamp=timestamp
        )
    )


async def deliver(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    payload: dict[str, Any],
    *,
    secret: str = WEBHOOK_SECRET,
    timestamp: int | None = None,
    signature: str | None = None,
) -> httpx.Response:
    body = json.dumps(payload).encode()
    sig = (
        signature
        if signature is not None
        else signature_header(body, secret=secret, timestamp=timestamp)
    )
    return await client.post(
        WEBHOOK_PATH,
        content=body,
        headers={**headers, "Stripe-Signature": sig, "Content-Type": "application/json"},
    )


@dataclass
class StripeRecorder:
    """Every request stripe-python sent, captured on the httpx client handed to it."""

    requests: list[httpx.Request] = field(default_factory=list)

    async def record(self, request: httpx.Request) -> None:
        self.requests.append(request)

    def calls(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path == path]

    @staticmethod
    def form(request: httpx.Request) -> dict[str, str]:
        return dict(parse_qsl(request.content.decode(), keep_blank_values=True))


def make_settings(database_url: str, stripe_api_base: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "internal_token_key": KEY,
        "stripe_api_key": "sk_test_billingtests",
        "stripe_api_base": stripe_api_base,
        "stripe_max_network_retries": 0,
        "stripe_webhook_secret": WEBHOOK_SECRET,
        "price_pro": PRICE_PRO,
        "price_enterprise": PRICE_ENTERPRISE,
        "checkout_success_url": "https://app.example.test/billing/success?session_id={CHECKOUT_SESSION_ID}",
        "checkout_cancel_url": "https://app.example.test/billing/cancel",
        "portal_return_url": "https://app.example.test/billing",
        "log_json": False,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


async def app_client(
    settings: Settings,
    session: AsyncSession,
    recorder: StripeRecorder,
    *,
    gateway_headers: dict[str, str] | None = None,
) -> AsyncIterator[httpx.AsyncClient]:
    """``gateway_headers``: the development checkout's webhook reaches this same app with
    them, as the gateway forwards a public request (else it goes out to ``public_url``)."""
    http = httpx.AsyncClient(timeout=5, event_hooks={"request": [recorder.record]})
    app = create_app(settings, stripe_api=StripeApi(settings, http_client=http))
    if gateway_headers is not None:
        await app.state.dev_checkout_http.aclose()
        app.state.dev_checkout_http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url=settings.public_url,
            headers=gateway_headers,
        )

    async def override() -> AsyncIterator[AsyncSession]:
        # Like the real dependency: the request's work commits (to a savepoint of the
        # test's transaction) on success and is rolled back on error.
        savepoint = await session.begin_nested()
        try:
            yield session
        except BaseException:
            await savepoint.rollback()
            raise
        else:
            await savepoint.commit()

    app.dependency_overrides[request_session] = override
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://billing") as client:
        yield client
    await http.aclose()
    await app.state.dev_checkout_http.aclose()


# --- events billing consumes, as the producing services build them ---------------------


def envelope(data: EventData, source: str, at: datetime | None = None) -> Envelope:
    built = build(data, source=source)
    return built.model_copy(update={"occurred_at": at}) if at else built


def campaign_created(user_id: uuid.UUID, campaign_id: uuid.UUID) -> Envelope:
    return envelope(
        CampaignCreated(
            campaign_id=campaign_id,
            user_id=user_id,
            ad_account_id=uuid.uuid4(),
            platform="meta",
            name="Spring sale",
            status="draft",
        ),
        "campaigns",
    )


def ad_group_created(
    user_id: uuid.UUID, campaign_id: uuid.UUID, ad_group_id: uuid.UUID
) -> Envelope:
    return envelope(
        AdGroupCreated(ad_group_id=ad_group_id, campaign_id=campaign_id, user_id=user_id),
        "campaigns",
    )


def sync_completed(user_id: uuid.UUID, sent: int, at: datetime | None = None) -> Envelope:
    return envelope(
        SyncCompleted(
            job_id=uuid.uuid4(),
            audience_id=uuid.uuid4(),
            user_id=user_id,
            platform="meta",
            operation="update",
            profiles_sent=sent,
            profiles_added=sent,
        ),
        "audience_sync",
        at,
    )
