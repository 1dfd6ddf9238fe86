"""Webhook errors."""

from __future__ import annotations

from adscale_common.errors import BadRequest, ServiceUnavailable


class InvalidSignature(
    BadRequest, code="INVALID_SIGNATURE", message="Invalid Stripe signature"
): ...


class InvalidPayload(BadRequest, code="INVALID_PAYLOAD", message="Malformed Stripe event"): ...


class WebhookNotConfigured(
    ServiceUnavailable,
    code="WEBHOOK_NOT_CONFIGURED",
    message="Stripe webhooks are not configured on this server",
): ...
