"""Development Checkout errors (rendered as ``{"detail": ...}``)."""

from __future__ import annotations

from adscale_common.errors import BadGateway, BadRequest, NotFound


class DevCheckoutDisabled(NotFound, code="NOT_FOUND", message="Not found"): ...


class DevCheckoutInvalid(
    BadRequest,
    code="DEV_CHECKOUT_INVALID",
    message="This test checkout link is invalid, expired or not yours: start the upgrade again",
): ...


class DevCheckoutDeliveryFailed(
    BadGateway,
    code="DEV_CHECKOUT_DELIVERY_FAILED",
    message="Billing's webhook endpoint did not accept the test payment",
): ...
