"""``cdp.events`` → ``profile.erased`` deliveries.

The erasure worker emits ``cdp.profile_erased`` when an erasure finishes; this consumer
queues one delivery per enabled subscription of the erasure's owner that lists
``profile.erased``, through the same delivery rows, retries and signing as the sync events
(inbox: a redelivered event is a no-op; a bad one goes to ``cdp.events.dlq``).
"""

from __future__ import annotations

from typing import Any

from adscale_common.events import topic_for
from adscale_common.worker import ConsumerSpec
from adscale_contracts.events import ProfileErased
from audience_sync.webhook import payloads
from audience_sync.webhook.queueing import delivering, delivery_consumer

CDP_TOPIC = topic_for(ProfileErased.TYPE)


handle_profile_erased = delivering(
    ProfileErased, payloads.PROFILE_ERASED, lambda event, _: payloads.erased_data(event)
)


def consumer_spec(settings: Any) -> ConsumerSpec:
    return delivery_consumer(
        settings,
        "privacy_webhooks_consumer_group",
        "audience-sync-privacy-webhooks",
        CDP_TOPIC,
        {ProfileErased.TYPE: handle_profile_erased},
    )
