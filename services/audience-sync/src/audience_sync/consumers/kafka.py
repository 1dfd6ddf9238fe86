"""Consumer plumbing for the topics that do not carry event envelopes' inbox semantics:
the ``audience_sync.jobs`` work queue (long handlers, idempotent by job state) and the
user's ``cdp.profiles`` feed (plain JSON). Offsets are committed by hand after the work is
done; a message that can never be handled goes to ``<topic>.dlq`` with the reason."""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer

from adscale_common.consumer import dead_letter
from adscale_common.kafka import subscribed_consumer

__all__ = ["dead_letter", "start_consumer"]


async def start_consumer(
    topic: str, *, bootstrap: str, group: str, max_poll_interval_ms: int = 300_000
) -> AIOKafkaConsumer:
    """A started group consumer of ``topic`` that follows its subscription (a topic that
    does not exist yet is consumed from its first message once it appears)."""
    return await subscribed_consumer(
        [topic],
        bootstrap=bootstrap,
        group=group,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        max_poll_interval_ms=max_poll_interval_ms,
    )
