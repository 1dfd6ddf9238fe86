"""Checkout: start a Stripe subscription for a paid plan; open the customer portal.

Reads come first, then the Stripe calls, then the only write (the customer
id); the handler never holds a row lock while Stripe answers.
"""

from __future__ import annotations

import time
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.types import utcnow
from billing.checkout.errors import NoBillingAccount, PlanNotPurchasable, SubscriptionAlreadyActive
from billing.checkout.schemas import CheckoutRead, PortalRead
from billing.customer import repository as customers
from billing.devcheckout import service as dev_checkout
from billing.plan.catalogue import PlanId, price_id
from billing.settings import Settings
from billing.stripe_api import CheckoutRequest, StripeApi
from billing.subscription import service as subscriptions
from billing.subscription.state import grants_plan


def checkout_idempotency_key(
    user_id: uuid.UUID, plan: PlanId, *, window_seconds: int, now: float | None = None
) -> str:
    """One key per user, plan and time window: a double click opens one Checkout Session."""
    bucket = int((time.time() if now is None else now) // window_seconds)
    return f"adscale-checkout-{user_id}-{plan}-{bucket}"


async def start_checkout(
    session: AsyncSession,
    stripe_api: StripeApi,
    settings: Settings,
    *,
    user_id: uuid.UUID,
    plan: PlanId,
) -> CheckoutRead:
    stripe_price = price_id(settings, plan)
    if stripe_price is None:
        raise PlanNotPurchasable()
    current = await subscriptions.current_for(session, user_id, utcnow())
    if current is not None and grants_plan(current, utcnow()):
        raise SubscriptionAlreadyActive()

    customer = await customers.get(session, user_id)
    if customer is not None:
        customer_id = customer.stripe_customer_id
    else:
        created = await stripe_api.create_customer(user_id)
        customer_id = await customers.remember(session, user_id, created) or created

    checkout = await stripe_api.create_checkout_session(
        CheckoutRequest(
            user_id=user_id,
            plan=plan,
            price_id=stripe_price,
            customer_id=customer_id,
            success_url=settings.checkout_success_url,
            cancel_url=settings.checkout_cancel_url,
            idempotency_key=checkout_idempotency_key(
                user_id, plan, window_seconds=settings.checkout_idempotency_window_seconds
            ),
        )
    )
    url = checkout.url
    if settings.dev_checkout:
        # stripe-mock's url is a page that knows no session: send the browser to the app's
        # test checkout instead (development only, see billing.devcheckout).
        url = dev_checkout.checkout_url(
            settings, user_id=user_id, plan=plan, session_id=checkout.id, customer_id=customer_id
        )
    return CheckoutRead(session_id=checkout.id, url=url)


async def open_portal(
    session: AsyncSession, stripe_api: StripeApi, settings: Settings, *, user_id: uuid.UUID
) -> PortalRead:
    customer = await customers.get(session, user_id)
    if customer is None:
        raise NoBillingAccount()
    url = await stripe_api.create_portal_session(
        customer.stripe_customer_id, settings.portal_return_url
    )
    return PortalRead(url=url)
