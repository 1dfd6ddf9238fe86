"""Billing's request dependencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from billing.settings import Settings
from billing.stripe_api import StripeApi


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_stripe_api(request: Request) -> StripeApi:
    stripe_api: StripeApi = request.app.state.stripe_api
    return stripe_api


BillingSettings = Annotated[Settings, Depends(get_settings_dep)]
Stripe = Annotated[StripeApi, Depends(get_stripe_api)]
