"""``audience_sync.jobs``: job requests, run one at a time per process.

Requests carry a ``kind``: ``sync`` runs the sync engine; other kinds (``export``) run the
handler registered for them (``extra_handlers``); a kind nobody handles goes to the
dead-letter queue rather than being dropped.

More worker processes in the consumer group share the topic's partitions, so they run more
jobs at once; one audience's jobs are keyed to one partition. The offset is committed once
the job reached a final state (or was found finished, or taken by a live worker); a worker
that stops mid-job leaves it uncommitted, so the job is redelivered and resumes from its
checkpoints. Job state in the database makes redelivery harmless.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from pydantic import ValidationError

from adscale_common.consumer import PoisonMessage, decode_envelope
from adscale_common.kafka import commit_after
from adscale_common.observability import event_id_var
from adscale_contracts.jobs import JOB_REQUESTED, JOBS_TOPIC, JobRequested
from audience_sync.consumers.kafka import dead_letter, start_consumer
from audience_sync.settings import Settings
from audience_sync.sync.engine import SyncEngine

logger = logging.getLogger(__name__)

ATTEMPTS = 3

JobHandler = Callable[[uuid.UUID], Awaitable[Any]]


class JobsConsumer:
    def __init__(
        self,
        *,
        settings: Settings,
        engine: SyncEngine,
        producer: AIOKafkaProducer,
        group: str | None = None,
        extra_handlers: Mapping[str, JobHandler] | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.handlers: dict[str, JobHandler] = {"sync": engine.run, **(extra_handlers or {})}
        self.producer = producer
        self.group = group or settings.jobs_consumer_group
        self._stopping = False
        self.handled = 0

    def stop(self) -> None:
        self._stopping = True

    async def run(self) -> None:
        consumer: AIOKafkaConsumer = await start_consumer(
            JOBS_TOPIC,
            bootstrap=self.settings.kafka_bootstrap,
            group=self.group,
            max_poll_interval_ms=self.settings.jobs_max_poll_interval_ms,
        )
        try:
            while not self._stopping:
                batches = await consumer.getmany(timeout_ms=500, max_records=1)
                for records in batches.values():
                    for record in records:
                        await self.process(record)
                        if not await commit_after(consumer, record):
                            break  # the partition moved to another worker
        finally:
            await consumer.stop()

    async def process(self, record: ConsumerRecord[bytes, bytes]) -> None:
        try:
            envelope = decode_envelope(record.value)
        except PoisonMessage as exc:
            await dead_letter(self.producer, record, str(exc), self.group)
            return
        if envelope.type != JOB_REQUESTED:
            return
        try:
            request = JobRequested.model_validate(envelope.data)
        except ValidationError as exc:
            await dead_letter(
                self.producer,
                record,
                f"invalid job request: {exc.error_count()} errors",
                self.group,
            )
            return
        handler = self.handlers.get(request.kind)
        if handler is None:
            await dead_letter(
                self.producer, record, f"no handler for {request.kind} jobs", self.group
            )
            return
        token = event_id_var.set(str(envelope.id))
        try:
            await self._run(record, request.job_id, handler)
        finally:
            event_id_var.reset(token)

    async def _run(
        self, record: ConsumerRecord[bytes, bytes], job_id: uuid.UUID, handler: JobHandler
    ) -> None:
        delay = 1.0
        for attempt in range(1, ATTEMPTS + 1):
            try:
                await handler(job_id)
                self.handled += 1
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if attempt == ATTEMPTS:
                    # The job stays pending/running in the database: the scheduler requeues it.
                    await dead_letter(self.producer, record, repr(exc), self.group)
                    return
                logger.warning(
                    "job run failed; retrying",
                    extra={"job_id": str(job_id), "attempt": attempt, "error": repr(exc)},
                )
                await asyncio.sleep(delay)
                delay *= 2
