"""Consumer groups in service tests: started at "now", or before their topics exist.

:func:`group_from` places a new group's offsets at the messages produced since a moment, so
a test's consumer does not replay the backlog other suites left on a long-lived broker.
:func:`consumer_before_topics` (issue 22) takes a
:class:`~adscale_common.worker.ConsumerSpec` as the service's worker declares it (same
handlers, the same ``ConsumerRunner``) and runs it on topics of its own that do not exist
yet, in a group of its own, on the shared test broker;
:meth:`LateTopics.publish` then sends an event to the stand-in of its usual topic.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adscale_common.consumer import ConsumerRunner
from adscale_common.events import Envelope
from adscale_common.kafka import make_producer
from adscale_common.outbox import encode_event
from adscale_common.worker import ConsumerSpec


@dataclass
class LateTopics:
    runner: ConsumerRunner
    topics: dict[str, str]  # the spec's topic -> the test's topic
    producer: AIOKafkaProducer

    async def publish(self, event: Envelope) -> None:
        await self.producer.send_and_wait(
            self.topics[event.topic],
            value=encode_event(event.model_dump(mode="json")),
            key=event.subject.encode(),
        )

    async def handled(self, count: int, timeout: float = 20.0) -> float:
        """Seconds until the runner handled ``count`` events (none dead-lettered)."""
        started = time.monotonic()
        while self.runner.stats.handled < count:
            assert self.runner.stats.dead_lettered == 0, "an event was dead-lettered"
            assert time.monotonic() - started < timeout, (
                f"{self.runner.stats.handled} of {count} events handled in {timeout} s"
            )
            await asyncio.sleep(0.1)
        return time.monotonic() - started


async def group_from(bootstrap: str, group: str, topics: list[str], since_ms: int) -> None:
    """Commit new ``group``'s offsets on every partition of ``topics`` at the first message
    produced at or after ``since_ms`` (epoch milliseconds), before the group's consumer
    starts. A new group otherwise reads from the topics' beginning: on a broker that has
    served many suites, that backlog (other databases' events, each failed or dead-lettered
    in this test's database) can outlast a test's wait for its own event."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    partitions = [
        TopicPartition(topic["topic"], p["partition"])
        for topic in described
        for p in topic["partitions"]
    ]
    assert partitions, f"{topics}: no partitions (create the topics first)"
    # No auto-commit: on stop, aiokafka would commit the positions its fetcher resolved in
    # the meantime (the ends, by the default reset), over the offsets committed below.
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        consumer.assign(partitions)
        # The ends first: a message produced after this read is at or past them, so a
        # partition with nothing since ``since_ms`` yet cannot skip it.
        ends = await consumer.end_offsets(partitions)
        found = await consumer.offsets_for_times({tp: since_ms for tp in partitions})
        await consumer.commit(
            {tp: found[tp].offset if found[tp] is not None else ends[tp] for tp in partitions}
        )
    finally:
        await consumer.stop()


async def existing_topics(bootstrap: str) -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return set(await admin.list_topics())
    finally:
        await admin.close()


@contextlib.asynccontextmanager
async def running(runner: ConsumerRunner) -> AsyncIterator[asyncio.Task[None]]:
    """``runner`` consuming in the background for the block; stopped and awaited after."""
    task = asyncio.create_task(runner.run())
    try:
        yield task
    finally:
        runner.stop()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@contextlib.asynccontextmanager
async def consumer_before_topics(
    spec: ConsumerSpec,
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    bootstrap: str,
    joined_seconds: float = 1.5,
) -> AsyncIterator[LateTopics]:
    suffix = uuid.uuid4().hex[:10]
    topics = {topic: f"{topic}.late-{suffix}" for topic in spec.topics}
    assert not set(topics.values()) & await existing_topics(bootstrap)
    producer = make_producer(bootstrap, client_id=f"late-{suffix}")
    await producer.start()
    runner = ConsumerRunner(
        name=f"{spec.name}-{suffix}",
        topics=list(topics.values()),
        handlers=spec.handlers,
        sessionmaker=sessionmaker,
        bootstrap=bootstrap,
        producer=producer,
    )
    try:
        async with running(runner) as task:
            await asyncio.sleep(joined_seconds)  # the group runs before any event exists
            assert not task.done(), "the consumer stopped before its topics existed"
            yield LateTopics(runner, topics, producer)
    finally:
        await producer.stop()


async def handles_events_published_after_start(
    spec: ConsumerSpec,
    events: list[Envelope],
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    bootstrap: str,
) -> float:
    """Start ``spec``'s consumer before its topics exist, publish ``events`` afterwards,
    and return the seconds until every one was handled."""
    assert events, f"no event for {spec.name}"
    async with consumer_before_topics(spec, sessionmaker=sessionmaker, bootstrap=bootstrap) as late:
        for event in events:
            await late.publish(event)
        return await late.handled(len(events))


async def every_group_handles_events_published_after_start(
    specs: list[ConsumerSpec],
    events: list[Envelope],
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    bootstrap: str,
    within_seconds: float = 10.0,
) -> None:
    """For each spec, the ``events`` of a type it handles (e.g. one of every type from
    ``adscale_contracts.samples``), published after the group started before its topics
    existed, are all handled within ``within_seconds``."""
    for spec in specs:
        seconds = await handles_events_published_after_start(
            spec,
            [e for e in events if e.type in spec.handlers],
            sessionmaker=sessionmaker,
            bootstrap=bootstrap,
        )
        assert seconds < within_seconds, f"{spec.name}: {seconds:.1f} s"
