"""Webhook subscriptions: create, update, rotate, delete, test. Flushes, never commits
(except :func:`send_test`, which must not hold a transaction while it calls out)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adscale_common.crypto import TokenCipher
from audience_sync.export_webhook_settings import ExportWebhookSettings
from audience_sync.types import read_as
from audience_sync.webhook import payloads, repository, signing, ssrf
from audience_sync.webhook.delivery import Sender, signing_secrets
from audience_sync.webhook.errors import (
    WebhookSecretUnreadable,
    WebhookUrlNotAllowed,
)
from audience_sync.webhook.models import (
    WebhookDelivery,
    WebhookDeliveryAttempt,
    WebhookSubscription,
)
from audience_sync.webhook.schemas import (
    DeliveryAttemptRead,
    DeliveryRead,
    SecretRotated,
    WebhookCreate,
    WebhookCreated,
    WebhookEvent,
    WebhookRead,
    WebhookTestResult,
    WebhookUpdate,
)


async def check_url(url: str, settings: ExportWebhookSettings, resolver: ssrf.Resolver) -> None:
    try:
        await ssrf.check(url, allow_loopback=settings.webhooks_allow_loopback, resolver=resolver)
    except ssrf.UnsafeUrl as exc:
        raise WebhookUrlNotAllowed(str(exc)) from None


def read(sub: WebhookSubscription) -> WebhookRead:
    return WebhookRead.model_validate(sub, from_attributes=True)


async def get_owned(
    session: AsyncSession, user_id: uuid.UUID, webhook_id: uuid.UUID
) -> WebhookSubscription:
    return await repository.owned.require(session, user_id, webhook_id)


async def create(
    session: AsyncSession,
    user_id: uuid.UUID,
    body: WebhookCreate,
    *,
    settings: ExportWebhookSettings,
    cipher: TokenCipher,
    resolver: ssrf.Resolver,
) -> WebhookCreated:
    await check_url(body.url, settings, resolver)
    secret = signing.new_secret()
    sub = WebhookSubscription(
        user_id=user_id,
        url=body.url,
        description=body.description,
        events=list(body.events),
        secret_encrypted=cipher.encrypt(secret),
    )
    session.add(sub)
    await session.flush()
    await session.refresh(sub)
    return WebhookCreated(**read(sub).model_dump(), secret=secret)


async def update(
    session: AsyncSession,
    sub: WebhookSubscription,
    body: WebhookUpdate,
    *,
    settings: ExportWebhookSettings,
    resolver: ssrf.Resolver,
) -> WebhookRead:
    now = datetime.now(UTC)
    if body.url is not None and body.url != sub.url:
        await check_url(body.url, settings, resolver)
        sub.url = body.url
    if body.events is not None:
        sub.events = list(body.events)
    if "description" in body.model_fields_set:
        sub.description = body.description
    if body.enabled is True and not sub.enabled:
        sub.enabled = True
        sub.disabled_reason = None
        sub.disabled_at = None
        sub.failing_since = None
    elif body.enabled is False and sub.enabled:
        sub.enabled = False
        sub.disabled_reason = "manual"
        sub.disabled_at = now
        await repository.cancel_pending(session, sub.id, "subscription disabled (manual)")
    sub.updated_at = now
    session.add(sub)
    await session.flush()
    return read(sub)


async def rotate_secret(
    session: AsyncSession,
    sub: WebhookSubscription,
    *,
    settings: ExportWebhookSettings,
    cipher: TokenCipher,
) -> SecretRotated:
    """A new primary secret; the old one keeps signing for the overlap window (an older
    one still in its window is dropped: at most two secrets sign at once)."""
    now = datetime.now(UTC)
    secret = signing.new_secret()
    overlap = settings.webhook_secret_overlap_seconds
    sub.previous_secret_encrypted = sub.secret_encrypted if overlap > 0 else None
    sub.previous_secret_expires_at = now + timedelta(seconds=overlap) if overlap > 0 else None
    sub.secret_encrypted = cipher.encrypt(secret)
    sub.updated_at = now
    session.add(sub)
    await session.flush()
    return SecretRotated(
        id=sub.id, secret=secret, previous_secret_expires_at=sub.previous_secret_expires_at
    )


async def delete(session: AsyncSession, sub: WebhookSubscription) -> None:
    await repository.delete(session, sub.id)


def delivery_read(
    delivery: WebhookDelivery, attempts: list[WebhookDeliveryAttempt]
) -> DeliveryRead:
    return read_as(
        DeliveryRead,
        delivery,
        event=delivery.event_type,
        test=delivery.is_test,
        error=delivery.last_error,
        next_retry_at=delivery.next_attempt_at if delivery.status == "pending" else None,
        attempts=[DeliveryAttemptRead.model_validate(a, from_attributes=True) for a in attempts],
    )


async def send_test(
    sessionmaker: async_sessionmaker[AsyncSession],
    user_id: uuid.UUID,
    webhook_id: uuid.UUID,
    event: WebhookEvent | None,
    *,
    cipher: TokenCipher,
    sender: Sender,
) -> WebhookTestResult:
    """Send a sample of ``event`` now, signed like a real delivery, and record it. Works on
    a disabled subscription too (to check an endpoint before re-enabling it); the result
    does not count towards disabling."""
    async with sessionmaker() as session, session.begin():
        sub = await get_owned(session, user_id, webhook_id)
        secrets = signing_secrets(
            cipher,
            sub.secret_encrypted,
            sub.previous_secret_encrypted,
            sub.previous_secret_expires_at,
        )
        if not secrets:
            raise WebhookSecretUnreadable(details={"webhook_id": str(sub.id)})
        url = sub.url
        event_type = event or (sub.events[0] if sub.events else payloads.COMPLETED)
    body = payloads.sample(event_type)
    delivery_id = uuid.uuid4()
    attempted_at = datetime.now(UTC)
    outcome = await sender.send(url, str(delivery_id), body.encode(), secrets)
    status = "succeeded" if outcome.success else "failed"
    try:
        async with sessionmaker() as session, session.begin():
            session.add(
                WebhookDelivery(
                    id=delivery_id,
                    subscription_id=webhook_id,
                    user_id=user_id,
                    event_type=event_type,
                    body=body,
                    is_test=True,
                    status=status,
                    attempt=1,
                    last_attempt_at=attempted_at,
                    response_code=outcome.response_code,
                    latency_ms=outcome.latency_ms,
                    last_error=outcome.error,
                    delivered_at=attempted_at if outcome.success else None,
                )
            )
            await session.flush()
            session.add(
                WebhookDeliveryAttempt(
                    delivery_id=delivery_id,
                    attempt=1,
                    attempted_at=attempted_at,
                    success=outcome.success,
                    response_code=outcome.response_code,
                    latency_ms=outcome.latency_ms,
                    error=outcome.error,
                )
            )
    except IntegrityError:
        pass  # the subscription was deleted meanwhile: nothing to record it on
    return WebhookTestResult(
        delivery_id=delivery_id,
        event=event_type,
        success=outcome.success,
        response_code=outcome.response_code,
        latency_ms=outcome.latency_ms,
        error=outcome.error,
        attempted_at=attempted_at,
    )
