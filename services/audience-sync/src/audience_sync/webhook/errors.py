from __future__ import annotations

from typing import Any

from adscale_common.errors import AppError, NotFound


class WebhookNotFound(
    NotFound, code="WEBHOOK_NOT_FOUND", message="Webhook subscription not found"
): ...


class WebhookUrlNotAllowed(AppError):
    """The URL failed the SSRF guard (scheme, credentials, or a non-public address)."""

    status_code = 422
    code = "WEBHOOK_URL_NOT_ALLOWED"
    message = "This URL cannot receive webhooks"

    def __init__(self, reason: str, url_field: str = "url") -> None:
        details: dict[str, Any] = {"field": url_field, "reason": reason}
        super().__init__(f"Webhook URL not allowed: {reason}", details=details)


class WebhookSecretUnreadable(
    AppError,
    status_code=409,
    code="WEBHOOK_SECRET_UNREADABLE",
    message="The signing secret cannot be decrypted with the configured encryption keys; "
    "rotate the secret (POST /webhooks/{id}/rotate-secret)",
):
    """No configured encryption key opens the stored signing secret (a key was dropped)."""
