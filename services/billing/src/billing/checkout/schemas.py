"""Checkout and portal API schemas."""

from __future__ import annotations

from pydantic import BaseModel, Field

from billing.plan.catalogue import PlanId


class CheckoutCreate(BaseModel):
    plan: PlanId = Field(description="The plan to subscribe to: pro or enterprise")


class CheckoutRead(BaseModel):
    session_id: str = Field(description="Stripe Checkout Session id")
    url: str = Field(description="Where to send the customer to pay")


class PortalRead(BaseModel):
    url: str = Field(description="Stripe customer-portal session: manage card, invoices, cancel")
