"""Consumer plumbing for the topics that do not carry event envelopes' inbox semantics:
the ``audience_sync.jobs`` work queue (long handlers, idempotent by job state) and the
user's ``cdp.profiles`` feed (plain JSON). Offsets are committed by hand after the work is
done; a message that can never be handled goes to ``<topic>.dlq`` with the reason."""

from __future__ import annotations

import logging

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord

from adscale_common.events import dlq_topic
from adscale_common.kafka import subscribed_consumer

logger = logging.getLogger(__name__)


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


async def dead_letter(
    producer: AIOKafkaProducer, record: ConsumerRecord[bytes, bytes], reason: str, consumer: str
) -> None:
    headers = [
        *(record.headers or []),
        ("dlq_error", reason[:4000].encode()),
        ("dlq_consumer", consumer.encode()),
        ("dlq_original_topic", record.topic.encode()),
        ("dlq_original_partition", str(record.partition).encode()),
        ("dlq_original_offset", str(record.offset).encode()),
    ]
    await producer.send_and_wait(
        dlq_topic(record.topic), value=record.value, key=record.key, headers=headers
    )
    logger.error(
        "message dead-lettered",
        extra={"topic": record.topic, "offset": record.offset, "error": reason[:300]},
    )
