"""``GET /api/v1/billing/dev-checkout`` and ``POST /api/v1/billing/dev-checkout/pay`` (JWT).

Always routed (so the app's client is generated from one API), but every call answers 404
unless ``BILLING_DEV_CHECKOUT`` is on, which the settings refuse in production.
"""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, Query

from adscale_common.app import from_app_state
from adscale_common.internal_auth import CurrentJwtUserId
from billing.dependencies import BillingSettings
from billing.devcheckout import service
from billing.devcheckout.schemas import DevCheckoutPaid, DevCheckoutPay, DevCheckoutRead

router = APIRouter(prefix="/api/v1/billing/dev-checkout", tags=["billing"])

WebhookHttp = Annotated[httpx.AsyncClient, Depends(from_app_state("dev_checkout_http"))]

_ERRORS: dict[int | str, dict[str, str]] = {
    400: {"description": "The link's token is invalid, expired or another user's"},
    401: {"description": "Not authenticated with a bearer token"},
    404: {"description": "Development checkout is off (always, in production)"},
}


@router.get(
    "",
    response_model=DevCheckoutRead,
    summary="Development only: the test checkout page's session (plan and price)",
    responses=_ERRORS,
)
async def read_dev_checkout(
    user_id: CurrentJwtUserId,
    settings: BillingSettings,
    token: Annotated[str, Query(min_length=1, max_length=2000)],
) -> DevCheckoutRead:
    return service.describe(settings, token, user_id=user_id)


@router.post(
    "/pay",
    response_model=DevCheckoutPaid,
    summary="Development only: pay, i.e. deliver Stripe's signed checkout.session.completed",
    responses={
        **_ERRORS,
        502: {"description": "Billing's public webhook endpoint did not accept the event"},
    },
)
async def pay_dev_checkout(
    body: DevCheckoutPay, user_id: CurrentJwtUserId, settings: BillingSettings, http: WebhookHttp
) -> DevCheckoutPaid:
    return await service.pay(settings, http, body.token, user_id=user_id)
