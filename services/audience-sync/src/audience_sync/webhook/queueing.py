"""Turning events into queued webhook deliveries.

:func:`handle_sync_event` (consumer of ``audience_sync.events``; ``rule_events`` and
``privacy_events`` do the same for ``campaigns.events`` and ``cdp.events``): for an
``audience_sync.completed`` / ``audience_sync.failed`` event, one ``pending`` delivery row
per enabled subscription of the event's owner that wants it (:func:`queue`), in the
handler's transaction (the inbox makes a redelivered event a no-op; so does the unique
``(subscription, event)`` key). ``delivery.py`` sends them.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.consumer import Handler
from adscale_common.events import Envelope
from adscale_common.worker import ConsumerSpec
from adscale_contracts.events import (
    ProfileErased,
    RuleExecuted,
    SyncCompleted,
    SyncFailed,
    parse,
)
from audience_sync.webhook import payloads, repository

logger = logging.getLogger(__name__)

EVENTS_TOPIC = "audience_sync.events"
# The events that reach webhooks: each names its owner's ``user_id`` (the type checker
# proves it for every one of them).
E = TypeVar("E", SyncCompleted, SyncFailed, RuleExecuted, ProfileErased)


async def queue(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    event: str,
    envelope: Envelope,
    data: dict[str, Any],
) -> int:
    """One ``pending`` delivery of ``event`` per enabled subscription of ``user_id`` that
    wants it (an event already queued for a subscription is skipped)."""
    subscriptions = await repository.subscribers(session, user_id, event)
    if not subscriptions:
        return 0
    body = payloads.body(event, envelope.occurred_at, data)
    queued = await repository.add_deliveries(
        session,
        [
            {
                "id": uuid.uuid4(),
                "subscription_id": sub.id,
                "user_id": sub.user_id,
                "event_id": envelope.id,
                "event_type": event,
                "body": body,
                "status": "pending",
                "next_attempt_at": datetime.now(UTC),
            }
            for sub in subscriptions
        ],
    )
    logger.info(
        "webhook deliveries queued",
        extra={"event_type": event, "count": queued, "user_id": str(user_id)},
    )
    return queued


def delivering(
    model: type[E], event: str, data: Callable[[E, Envelope], dict[str, Any]]
) -> Handler:
    """The handler of a ``model`` event: one
    ``event`` delivery with ``data`` per enabled subscription of the owner that wants it."""

    async def handle(session: AsyncSession, envelope: Envelope) -> None:
        parsed = parse(envelope, model)
        await queue(
            session,
            user_id=parsed.user_id,
            event=event,
            envelope=envelope,
            data=data(parsed, envelope),
        )

    return handle


def delivery_consumer(
    settings: Any, group_setting: str, group: str, topic: str, handlers: Mapping[str, Handler]
) -> ConsumerSpec:
    """A consumer of ``topic`` queueing deliveries, in the group ``settings`` names in
    ``group_setting`` (``group`` when it names none)."""
    named = getattr(settings, group_setting, None)
    return ConsumerSpec(name=str(named or group), topics=[topic], handlers=handlers)


_sync_completed = delivering(SyncCompleted, payloads.COMPLETED, lambda e, _: payloads.data_of(e))
_sync_failed = delivering(SyncFailed, payloads.FAILED, lambda e, _: payloads.data_of(e))


async def handle_sync_event(session: AsyncSession, envelope: Envelope) -> None:
    """Queue one delivery per matching enabled subscription of the event's owner."""
    handle = _sync_completed if envelope.type == payloads.COMPLETED else _sync_failed
    await handle(session, envelope)


def consumer_spec(settings: Any) -> ConsumerSpec:
    """The ``audience_sync.events`` consumer that turns sync outcomes into deliveries."""
    handlers = {payloads.COMPLETED: handle_sync_event, payloads.FAILED: handle_sync_event}
    return delivery_consumer(
        settings, "webhooks_consumer_group", "audience-sync-webhooks", EVENTS_TOPIC, handlers
    )
