"""``POST /api/v1/billing/webhooks/stripe`` (public: Stripe calls it through the gateway)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from adscale_common.db import DbSession
from adscale_common.internal_auth import CurrentPrincipal
from adscale_common.types import utcnow
from billing.dependencies import BillingSettings
from billing.webhook import service
from billing.webhook.schemas import WebhookAck

router = APIRouter(prefix="/api/v1/billing/webhooks", tags=["billing"])


@router.post(
    "/stripe",
    response_model=WebhookAck,
    summary="Stripe webhook endpoint (signed with the endpoint secret)",
    responses={
        400: {"description": "Missing, invalid or stale Stripe-Signature, or malformed event"},
        503: {"description": "No webhook signing secret configured"},
    },
)
async def stripe_webhook(
    request: Request, _: CurrentPrincipal, session: DbSession, settings: BillingSettings
) -> WebhookAck:
    receipt = await service.handle_delivery(
        session, settings, await request.body(), request.headers.get("stripe-signature"), utcnow()
    )
    return WebhookAck(event_id=receipt.event_id, duplicate=receipt.duplicate)
