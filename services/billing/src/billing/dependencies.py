"""Billing's request dependencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from adscale_common.app import from_app_state
from billing.settings import Settings
from billing.stripe_api import StripeApi

BillingSettings = Annotated[Settings, Depends(from_app_state("settings"))]
Stripe = Annotated[StripeApi, Depends(from_app_state("stripe_api"))]
