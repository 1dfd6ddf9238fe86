"""At-least-once consumer with an idempotent inbox and a dead-letter queue.

For each message: decode the envelope; in one database transaction, claim the
event id in the inbox (a duplicate is skipped) and run the handler; commit the
transaction; only then commit the Kafka offset. A handler that keeps failing
is retried with backoff a bounded number of times, then the message goes to
``<topic>.dlq`` with the error in its headers, and the consumer moves on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import traceback
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from pydantic import ValidationError
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adscale_common.events import Envelope, dlq_topic
from adscale_common.kafka import METADATA_MAX_AGE_MS, commit_after, subscribed_consumer
from adscale_common.kafka_lag import record_lag
from adscale_common.messaging import inbox_event
from adscale_common.metrics import (
    EVENTS_DEAD_LETTERED,
    EVENTS_DUPLICATE,
    EVENTS_FAILED,
    EVENTS_HANDLED,
)
from adscale_common.observability import event_id_var
from adscale_common.tracing import consume_span

logger = logging.getLogger(__name__)

Handler = Callable[[AsyncSession, Envelope], Awaitable[None]]


class PoisonMessage(Exception):
    """The message can never be handled (undecodable): straight to the DLQ."""


@dataclass
class ConsumerStats:
    handled: int = 0
    duplicates: int = 0
    dead_lettered: int = 0
    ignored: int = 0


def decode_envelope(raw: bytes | None) -> Envelope:
    if raw is None:
        raise PoisonMessage("empty message")
    try:
        return Envelope.model_validate_json(raw)
    except ValidationError as exc:
        raise PoisonMessage(f"not an event envelope: {exc.error_count()} errors") from exc


async def dead_letter(
    producer: AIOKafkaProducer,
    record: ConsumerRecord[bytes, bytes],
    reason: str,
    consumer: str,
) -> None:
    """Send ``record`` to ``<topic>.dlq`` unchanged, with why and where it came from in its
    headers. The one dead-letter path of every consumer (envelopes or plain feeds)."""
    reason = reason[:4000]
    headers = [
        *(record.headers or []),
        ("dlq_error", reason.encode()),
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


class ConsumerRunner:
    """Runs handlers keyed by event type for one consumer group."""

    def __init__(
        self,
        *,
        name: str,
        topics: list[str],
        handlers: Mapping[str, Handler],
        sessionmaker: async_sessionmaker[AsyncSession],
        bootstrap: str,
        producer: AIOKafkaProducer,
        max_attempts: int = 5,
        backoff_seconds: float = 0.2,
        max_backoff_seconds: float = 10.0,
        metadata_max_age_ms: int = METADATA_MAX_AGE_MS,
    ) -> None:
        self.name = name
        self.topics = topics
        self.handlers = dict(handlers)
        self.sessionmaker = sessionmaker
        self.bootstrap = bootstrap
        self.producer = producer
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self.metadata_max_age_ms = metadata_max_age_ms
        self.stats = ConsumerStats()
        self._consumer: AIOKafkaConsumer | None = None
        self._stopping = False

    async def _claim_and_handle(
        self, record: ConsumerRecord[bytes, bytes], event: Envelope
    ) -> bool:
        """Returns False when the event was already processed (duplicate)."""
        handler = self.handlers[event.type]
        async with self.sessionmaker() as session, session.begin():
            claimed = await session.execute(
                insert(inbox_event)
                .values(
                    consumer=self.name,
                    event_id=event.id,
                    topic=record.topic,
                    event_type=event.type,
                )
                .on_conflict_do_nothing()
                .returning(inbox_event.c.event_id)
            )
            if claimed.first() is None:
                return False
            await handler(session, event)
        return True

    async def _dead_letter(
        self, record: ConsumerRecord[bytes, bytes], error: BaseException
    ) -> None:
        reason = "".join(traceback.format_exception_only(type(error), error)).strip()
        await dead_letter(self.producer, record, reason, self.name)
        self.stats.dead_lettered += 1
        EVENTS_DEAD_LETTERED.labels(self.name, record.topic).inc()

    async def process(self, record: ConsumerRecord[bytes, bytes]) -> None:
        with consume_span(self.name, record.topic, record.partition, record.headers):
            await self._process(record)

    async def _process(self, record: ConsumerRecord[bytes, bytes]) -> None:
        try:
            event = decode_envelope(record.value)
        except PoisonMessage as exc:
            await self._dead_letter(record, exc)
            return
        if event.type not in self.handlers:
            self.stats.ignored += 1
            return
        token = event_id_var.set(str(event.id))
        try:
            delay = self.backoff_seconds
            for attempt in range(1, self.max_attempts + 1):
                try:
                    if await self._claim_and_handle(record, event):
                        self.stats.handled += 1
                        EVENTS_HANDLED.labels(self.name, record.topic).inc()
                    else:
                        self.stats.duplicates += 1
                        EVENTS_DUPLICATE.labels(self.name, record.topic).inc()
                    return
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    EVENTS_FAILED.labels(self.name, record.topic).inc()
                    if attempt == self.max_attempts:
                        await self._dead_letter(record, exc)
                        return
                    logger.warning(
                        "handler failed; retrying",
                        extra={"attempt": attempt, "type": event.type, "error": repr(exc)},
                    )
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, self.max_backoff_seconds)
        finally:
            event_id_var.reset(token)

    async def start(self) -> None:
        """Join the group. A topic that does not exist yet is no error: the group follows
        its subscription, so the topic is consumed from its first event once it appears."""
        self._consumer = await subscribed_consumer(
            self.topics,
            bootstrap=self.bootstrap,
            group=self.name,
            metadata_max_age_ms=self.metadata_max_age_ms,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            max_poll_records=200,
        )

    async def run(self) -> None:
        if self._consumer is None:
            await self.start()
        consumer = self._consumer
        assert consumer is not None
        try:
            while not self._stopping:
                batches = await consumer.getmany(timeout_ms=500, max_records=200)
                await record_lag(self.name, consumer, batches)
                for records in batches.values():
                    for record in records:
                        await self.process(record)
                        # The handler's transaction is committed: now the offset.
                        if not await commit_after(consumer, record):
                            break  # the partition moved to another member
                await record_lag(self.name, consumer)
        finally:
            with contextlib.suppress(Exception):
                await consumer.stop()
            self._consumer = None

    def stop(self) -> None:
        self._stopping = True
