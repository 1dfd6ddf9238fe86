"""Checkout and portal errors (rendered as ``{"detail": ...}``)."""

from __future__ import annotations

from adscale_common.errors import BadRequest


class PlanNotPurchasable(
    BadRequest, code="PLAN_NOT_PURCHASABLE", message="The Free plan needs no checkout"
): ...


class SubscriptionAlreadyActive(
    BadRequest,
    code="SUBSCRIPTION_ALREADY_ACTIVE",
    message="You already have an active subscription; manage or change it in the billing portal",
): ...


class NoBillingAccount(
    BadRequest,
    code="NO_BILLING_ACCOUNT",
    message="No billing account yet: subscribe to a paid plan first",
): ...
