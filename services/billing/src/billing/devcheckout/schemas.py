"""Development Checkout API schemas."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field

from billing.plan.catalogue import PlanId


class DevCheckoutRead(BaseModel):
    session_id: str = Field(description="The Checkout Session stripe-mock answered")
    plan: PlanId
    plan_name: str
    price: Decimal = Field(description="USD per month, as the plan's Stripe price")
    currency: str
    interval: str
    cancel_url: str = Field(description="Where 'Back' returns (the app's cancel page)")


class DevCheckoutPay(BaseModel):
    token: str = Field(min_length=1, max_length=2000, description="The link's token")


class DevCheckoutPaid(BaseModel):
    success_url: str = Field(description="The app's success page, as Stripe returns to it")
    event_id: str = Field(description="The checkout.session.completed event billing received")
