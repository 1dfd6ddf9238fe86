"""Collaborators of the webhook routes, taken from (or lazily put on) ``app.state``.

Tests may set ``app.state.webhook_resolver`` (a DNS stand-in) and
``app.state.webhook_sender`` before the first request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from adscale_common.crypto import TokenCipher
from adscale_common.errors import ServiceUnavailable
from audience_sync.export_webhook_settings import ExportWebhookSettings
from audience_sync.webhook import ssrf
from audience_sync.webhook.delivery import Sender


def _settings(request: Request) -> ExportWebhookSettings:
    settings = request.app.state.settings
    if not isinstance(settings, ExportWebhookSettings):
        raise ServiceUnavailable("Webhooks are not configured on this service")
    return settings


def _cipher(request: Request) -> TokenCipher:
    state = request.app.state
    cipher: TokenCipher | None = getattr(state, "cipher", None) or getattr(
        state, "webhook_cipher", None
    )
    if cipher is None:
        cipher = _settings(request).cipher()
        if cipher is None:
            raise ServiceUnavailable(
                "Secret encryption is not configured (AUDIENCE_SYNC_ENCRYPTION_KEYS)"
            )
        state.webhook_cipher = cipher
    return cipher


def _resolver(request: Request) -> ssrf.Resolver:
    resolver: ssrf.Resolver = getattr(request.app.state, "webhook_resolver", None) or (
        ssrf.system_resolver
    )
    return resolver


def _sender(request: Request) -> Sender:
    sender: Sender | None = getattr(request.app.state, "webhook_sender", None)
    if sender is None:
        settings = _settings(request)
        sender = Sender(
            timeout=settings.webhook_timeout_seconds,
            allow_loopback=settings.webhooks_allow_loopback,
            resolver=_resolver(request),
        )
        request.app.state.webhook_sender = sender
    return sender


XwSettings = Annotated[ExportWebhookSettings, Depends(_settings)]
Cipher = Annotated[TokenCipher, Depends(_cipher)]
Resolver = Annotated[ssrf.Resolver, Depends(_resolver)]
WebhookSender = Annotated[Sender, Depends(_sender)]
