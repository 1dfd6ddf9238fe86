"""Outbound webhook routes under ``/api/v1/cdp/audience-sync/webhooks``."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response, status

from adscale_common.db import DbSession
from adscale_common.internal_auth import CurrentUserId
from adscale_common.pagination import Page
from audience_sync.dependencies import Sessions
from audience_sync.webhook import repository, service
from audience_sync.webhook.dependencies import Cipher, Resolver, WebhookSender, XwSettings
from audience_sync.webhook.models import WebhookSubscription
from audience_sync.webhook.schemas import (
    DeliveryList,
    SecretRotated,
    WebhookCreate,
    WebhookCreated,
    WebhookList,
    WebhookRead,
    WebhookTest,
    WebhookTestResult,
    WebhookUpdate,
)

router = APIRouter(prefix="/api/v1/cdp/audience-sync/webhooks", tags=["audience-sync: webhooks"])

DeliveryStatus = Literal["pending", "in_flight", "succeeded", "failed", "cancelled"]


async def _owned(
    webhook_id: uuid.UUID, session: DbSession, user_id: CurrentUserId
) -> WebhookSubscription:
    return await service.get_owned(session, user_id, webhook_id)


OwnedWebhook = Annotated[WebhookSubscription, Depends(_owned)]


@router.post("", response_model=WebhookCreated, status_code=status.HTTP_201_CREATED)
async def create_webhook(
    body: WebhookCreate,
    session: DbSession,
    user_id: CurrentUserId,
    settings: XwSettings,
    cipher: Cipher,
    resolver: Resolver,
) -> WebhookCreated:
    """Subscribe a URL to ``audience_sync.completed`` / ``audience_sync.failed`` and
    ``rule.executed`` (one optimization rule action on the caller's campaigns). The answer
    holds the signing secret (``whsec_...``), shown this once. The URL must be http(s) and
    resolve to public addresses only (422 ``WEBHOOK_URL_NOT_ALLOWED``)."""
    return await service.create(
        session, user_id, body, settings=settings, cipher=cipher, resolver=resolver
    )


@router.get("", response_model=WebhookList)
async def list_webhooks(session: DbSession, user_id: CurrentUserId, page: Page) -> WebhookList:
    rows, total = await repository.owned.page(session, user_id, page.offset, page.limit)
    return WebhookList(
        webhooks=[service.read(r) for r in rows],
        total=total,
        page=page.page,
        page_size=page.page_size,
    )


@router.get("/{webhook_id}", response_model=WebhookRead)
async def get_webhook(sub: OwnedWebhook) -> WebhookRead:
    return service.read(sub)


@router.patch("/{webhook_id}", response_model=WebhookRead)
async def update_webhook(
    body: WebhookUpdate,
    sub: OwnedWebhook,
    session: DbSession,
    settings: XwSettings,
    resolver: Resolver,
) -> WebhookRead:
    """Change ``url``, ``events``, ``description`` or ``enabled``. Re-enabling clears the
    reason it was disabled; disabling cancels its pending deliveries."""
    return await service.update(session, sub, body, settings=settings, resolver=resolver)


@router.delete("/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_webhook(sub: OwnedWebhook, session: DbSession) -> Response:
    await service.delete(session, sub)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{webhook_id}/rotate-secret", response_model=SecretRotated)
async def rotate_secret(
    sub: OwnedWebhook, session: DbSession, settings: XwSettings, cipher: Cipher
) -> SecretRotated:
    """A new signing secret, shown once. For 24 hours both secrets sign every delivery
    (two ``v1,`` signatures in ``webhook-signature``), so receivers can switch over."""
    return await service.rotate_secret(session, sub, settings=settings, cipher=cipher)


@router.post("/{webhook_id}/test", response_model=WebhookTestResult)
async def test_webhook(
    webhook_id: uuid.UUID,
    user_id: CurrentUserId,
    sessions: Sessions,
    cipher: Cipher,
    sender: WebhookSender,
    body: WebhookTest | None = None,
) -> WebhookTestResult:
    """Send a signed sample event now and report what the endpoint answered."""
    return await service.send_test(
        sessions,
        user_id,
        webhook_id,
        body.event if body else None,
        cipher=cipher,
        sender=sender,
    )


@router.get("/{webhook_id}/deliveries", response_model=DeliveryList)
async def list_deliveries(
    sub: OwnedWebhook,
    session: DbSession,
    page: Page,
    status_filter: Annotated[DeliveryStatus | None, Query(alias="status")] = None,
) -> DeliveryList:
    """Deliveries, newest first, each with its attempts (status code, latency, error) and
    when the next retry is due."""
    rows, attempts, total = await repository.list_deliveries(
        session, sub.id, page.offset, page.limit, status_filter
    )
    return DeliveryList(
        deliveries=[service.delivery_read(d, attempts[d.id]) for d in rows],
        total=total,
        page=page.page,
        page_size=page.page_size,
    )
