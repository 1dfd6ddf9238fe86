"""``cdp.events`` → ``profile.erased`` deliveries.

The erasure worker emits ``cdp.profile_erased`` when an erasure finishes; this consumer
queues one delivery per enabled subscription of the erasure's owner that lists
``profile.erased``, through the same delivery rows, retries and signing as the sync events
(inbox: a redelivered event is a no-op; a bad one goes to ``cdp.events.dlq``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.events import Envelope, topic_for
from adscale_common.worker import ConsumerSpec
from adscale_contracts.events import ProfileErased, parse
from audience_sync.webhook import payloads
from audience_sync.webhook.delivery import queue

CDP_TOPIC = topic_for(ProfileErased.TYPE)


async def handle_profile_erased(session: AsyncSession, envelope: Envelope) -> None:
    event = parse(envelope, ProfileErased)
    await queue(
        session,
        user_id=event.user_id,
        event=payloads.PROFILE_ERASED,
        envelope=envelope,
        data=payloads.erased_data(event),
    )


def consumer_spec(settings: Any) -> ConsumerSpec:
    group = getattr(settings, "privacy_webhooks_consumer_group", None)
    return ConsumerSpec(
        name=str(group or "audience-sync-privacy-webhooks"),
        topics=[CDP_TOPIC],
        handlers={ProfileErased.TYPE: handle_profile_erased},
    )
