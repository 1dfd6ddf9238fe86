"""``POST /api/v1/billing/checkout`` and ``POST /api/v1/billing/portal`` (JWT)."""

from __future__ import annotations

from fastapi import APIRouter, status

from adscale_common.db import DbSession
from adscale_common.internal_auth import CurrentJwtUserId
from billing.checkout import service
from billing.checkout.schemas import CheckoutCreate, CheckoutRead, PortalRead
from billing.dependencies import BillingSettings, Stripe

router = APIRouter(prefix="/api/v1/billing", tags=["billing"])

_ERRORS: dict[int | str, dict[str, str]] = {
    400: {"description": "Free plan, or an active subscription already exists"},
    401: {"description": "Not authenticated with a bearer token"},
    502: {"description": "Stripe could not be reached or refused the request"},
}


@router.post(
    "/checkout",
    status_code=status.HTTP_201_CREATED,
    response_model=CheckoutRead,
    summary="Create Stripe checkout session",
    responses=_ERRORS,
)
async def create_checkout(
    body: CheckoutCreate,
    user_id: CurrentJwtUserId,
    session: DbSession,
    stripe_api: Stripe,
    settings: BillingSettings,
) -> CheckoutRead:
    return await service.start_checkout(
        session, stripe_api, settings, user_id=user_id, plan=body.plan
    )


@router.post(
    "/portal",
    response_model=PortalRead,
    summary="Open the Stripe customer portal (card, invoices, cancel)",
    responses={
        400: {"description": "The user has no billing account yet"},
        401: _ERRORS[401],
        502: _ERRORS[502],
    },
)
async def create_portal(
    user_id: CurrentJwtUserId, session: DbSession, stripe_api: Stripe, settings: BillingSettings
) -> PortalRead:
    return await service.open_portal(session, stripe_api, settings, user_id=user_id)
