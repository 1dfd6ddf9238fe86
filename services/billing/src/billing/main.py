"""Billing service: app factory."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from adscale_common.app import create_service_app
from billing.checkout.endpoints import router as checkout_router
from billing.devcheckout.endpoints import router as dev_checkout_router
from billing.plan.endpoints import router as plan_router
from billing.settings import Settings, get_settings
from billing.stripe_api import StripeApi
from billing.subscription.endpoints import router as subscription_router
from billing.usage.endpoints import router as usage_router
from billing.webhook.endpoints import router as webhook_router


def create_app(settings: Settings | None = None, *, stripe_api: StripeApi | None = None) -> FastAPI:
    settings = settings or get_settings()
    stripe_client = stripe_api or StripeApi(settings)
    # The development checkout delivers its webhook with this client (billing.devcheckout).
    dev_checkout_http = httpx.AsyncClient(timeout=15)

    async def close_stripe(_: FastAPI) -> None:
        await stripe_client.aclose()
        await dev_checkout_http.aclose()

    app = create_service_app(
        settings,
        service="billing",
        title="AdScale Billing",
        routers=[
            plan_router,
            checkout_router,
            subscription_router,
            webhook_router,
            usage_router,
            dev_checkout_router,
        ],
        on_shutdown=[close_stripe],
    )
    app.state.stripe_api = stripe_client
    app.state.dev_checkout_http = dev_checkout_http
    return app


app = create_app()
