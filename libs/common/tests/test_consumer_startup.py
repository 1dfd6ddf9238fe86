"""Issue 22: a consumer group started before its topic exists follows its subscription.

Before, the topic was given to the consumer's constructor: ``start()`` waited for the topic
and then failed, and a topic whose leaders were not elected yet at the first look, or
partitions added later, stayed unconsumed until aiokafka's 5-minute metadata refresh.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid

import pytest
import sqlalchemy as sa
from aiokafka.admin import AIOKafkaAdminClient, NewPartitions
from aiokafka.partitioner import DefaultPartitioner
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from adscale_common.consumer import ConsumerRunner
from adscale_common.events import Envelope
from adscale_common.kafka import ensure_topics, make_producer, subscribed_consumer
from adscale_common.testing import InfraUrls

pytestmark = pytest.mark.kafka


async def _topics(bootstrap: str) -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return set(await admin.list_topics())
    finally:
        await admin.close()


async def _handled(engine: AsyncEngine, table: sa.Table, event_id: uuid.UUID) -> bool:
    async with engine.connect() as conn:
        found = await conn.execute(
            sa.select(table.c.event_id).where(table.c.event_id == str(event_id))
        )
        return found.first() is not None


async def _until(check, timeout: float) -> float:
    started = time.monotonic()
    while not await check():
        assert time.monotonic() - started < timeout, "not handled in time"
        await asyncio.sleep(0.1)
    return time.monotonic() - started


async def test_runner_started_before_its_topic_exists_handles_later_events(
    engine_b, sessions_b, effect_table, adscale_infra: InfraUrls, unique_name
):
    topic = f"{unique_name}.events"
    producer = make_producer(adscale_infra.kafka_bootstrap)
    await producer.start()

    async def record(session: AsyncSession, event: Envelope) -> None:
        await session.execute(effect_table.insert().values(event_id=str(event.id), note="ok"))

    runner = ConsumerRunner(
        name=f"{unique_name}-group",
        topics=[topic],
        handlers={f"{unique_name}.happened": record},
        sessionmaker=sessions_b,
        bootstrap=adscale_infra.kafka_bootstrap,
        producer=producer,
    )
    assert topic not in await _topics(adscale_infra.kafka_bootstrap)
    task = asyncio.create_task(runner.run())
    try:
        await asyncio.sleep(2)  # joined the group while the topic did not exist
        assert not task.done()
        # Another process creates it (unless the broker auto-created it for our metadata
        # request, as the development broker does).
        await ensure_topics(adscale_infra.kafka_bootstrap, [topic])
        first = Envelope(type=f"{unique_name}.happened", source="t", subject="a")
        await producer.send_and_wait(topic, first.model_dump_json().encode(), key=b"a")
        took = await _until(lambda: _handled(engine_b, effect_table, first.id), 15)
        assert took < 5

        # Partitions added: an event on the new partition is handled without a restart.
        admin = AIOKafkaAdminClient(bootstrap_servers=adscale_infra.kafka_bootstrap)
        await admin.start()
        try:
            await admin.create_partitions({topic: NewPartitions(total_count=5)})
        finally:
            await admin.close()
        fresh = make_producer(adscale_infra.kafka_bootstrap)  # knows the 5 partitions
        await fresh.start()
        try:
            subject = _subject_on_partition(4, of=5)
            late = Envelope(type=f"{unique_name}.happened", source="t", subject=subject)
            sent = await fresh.send_and_wait(
                topic, late.model_dump_json().encode(), key=subject.encode()
            )
            assert sent.partition == 4
        finally:
            await fresh.stop()
        await _until(lambda: _handled(engine_b, effect_table, late.id), 15)
    finally:
        runner.stop()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await producer.stop()


def _subject_on_partition(partition: int, *, of: int) -> str:
    partitioner = DefaultPartitioner()
    everything = list(range(of))
    while True:
        subject = uuid.uuid4().hex
        if partitioner(subject.encode(), everything, everything) == partition:
            return subject


async def test_groupless_subscription_is_assigned_a_topic_created_later(
    adscale_infra: InfraUrls, unique_name
):
    topic = f"{unique_name}.feed"
    assert topic not in await _topics(adscale_infra.kafka_bootstrap)
    consumer = await subscribed_consumer(
        [topic], bootstrap=adscale_infra.kafka_bootstrap, group=None, auto_offset_reset="earliest"
    )
    try:
        await ensure_topics(adscale_infra.kafka_bootstrap, [topic])

        async def assigned() -> bool:
            return {tp.partition for tp in consumer.assignment()} == {0, 1, 2}

        assert await _until(assigned, 10) < 5
    finally:
        await consumer.stop()
