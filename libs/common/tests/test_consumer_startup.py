"""Issue 22: a consumer group started before its topic exists follows its subscription.

Before, the topic was given to the consumer's constructor: ``start()`` waited for the topic
and then failed, and a topic whose leaders were not elected yet at the first look, or
partitions added later, stayed unconsumed until aiokafka's 5-minute metadata refresh.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
import sqlalchemy as sa
from aiokafka.admin import AIOKafkaAdminClient, NewPartitions
from aiokafka.partitioner import DefaultPartitioner
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from adscale_common.events import Envelope, topic_for
from adscale_common.kafka import ensure_topics, make_producer, subscribed_consumer
from adscale_common.testing import InfraUrls
from adscale_common.testing_consumers import consumer_before_topics, existing_topics, group_from
from adscale_common.worker import ConsumerSpec

pytestmark = pytest.mark.kafka


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
    async def record(session: AsyncSession, event: Envelope) -> None:
        await session.execute(effect_table.insert().values(event_id=str(event.id), note="ok"))

    kind = f"{unique_name}.happened"
    spec = ConsumerSpec(name=unique_name, topics=[topic_for(kind)], handlers={kind: record})
    async with consumer_before_topics(
        spec, sessionmaker=sessions_b, bootstrap=adscale_infra.kafka_bootstrap
    ) as late:
        topic = late.topics[topic_for(kind)]
        # Another process creates it (unless the broker auto-created it for the consumer's
        # metadata request, as the development broker does).
        await ensure_topics(adscale_infra.kafka_bootstrap, [topic])
        first = Envelope(type=kind, source="t", subject="a")
        await late.publish(first)
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
            later = Envelope(type=kind, source="t", subject=subject)
            sent = await fresh.send_and_wait(
                topic, later.model_dump_json().encode(), key=subject.encode()
            )
            assert sent.partition == 4
        finally:
            await fresh.stop()
        await _until(lambda: _handled(engine_b, effect_table, later.id), 15)


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
    assert topic not in await existing_topics(adscale_infra.kafka_bootstrap)
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


async def test_ensure_topics_creates_with_and_grows_to_the_partition_count(
    adscale_infra: InfraUrls, unique_name
):
    """``make up SCALE=N`` sets ADSCALE_KAFKA_PARTITIONS to at least N: new topics get that
    many partitions and existing ones with fewer are grown (never shrunk)."""
    fresh, small = f"{unique_name}.fresh", f"{unique_name}.small"
    await ensure_topics(adscale_infra.kafka_bootstrap, [small], partitions=1)
    await ensure_topics(adscale_infra.kafka_bootstrap, [fresh, small], partitions=4)
    await ensure_topics(adscale_infra.kafka_bootstrap, [fresh, small], partitions=2)
    # The brokers' metadata follows the controller's a moment later.
    assert await _until(lambda: _has_partitions(adscale_infra, {fresh: 4, small: 4}), 10) < 10


async def _has_partitions(adscale_infra: InfraUrls, wanted: dict[str, int]) -> bool:
    admin = AIOKafkaAdminClient(bootstrap_servers=adscale_infra.kafka_bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(sorted(wanted))
    finally:
        await admin.close()
    return {d["topic"]: len(d["partitions"]) for d in described} == wanted


async def test_ensure_topics_takes_a_stale_partition_count_for_what_it_is(
    adscale_infra: InfraUrls, unique_name, monkeypatch
):
    """Right after a topic grew, the broker can still describe it with its old partition
    count; asked to grow it to what it already has, the controller refuses ("not an
    increase"). ensure_topics takes that as done (CI saw it fail there once)."""
    topic = f"{unique_name}.grown"
    await ensure_topics(adscale_infra.kafka_bootstrap, [topic], partitions=4)
    assert await _until(lambda: _has_partitions(adscale_infra, {topic: 4}), 10) < 10
    described = AIOKafkaAdminClient.describe_topics

    async def stale(self, topics=None):  # the old count of one partition, as the broker lags
        return [d | {"partitions": d["partitions"][:1]} for d in await described(self, topics)]

    monkeypatch.setattr(AIOKafkaAdminClient, "describe_topics", stale)
    await ensure_topics(adscale_infra.kafka_bootstrap, [topic], partitions=2)
    monkeypatch.undo()
    assert await _has_partitions(adscale_infra, {topic: 4})


async def test_group_from_places_a_new_group_at_the_first_message_since(
    adscale_infra: InfraUrls, unique_name
):
    """Each new group's committed offset is the first message produced since the moment,
    however soon after that message the group is placed: the helper's own consumer must not
    commit over it when it stops (with auto-commit on, 13 of 30 groups skipped the message).
    A partition with nothing since the moment is placed at its end."""
    busy, quiet = f"{unique_name}.busy", f"{unique_name}.quiet"
    await ensure_topics(adscale_infra.kafka_bootstrap, [busy, quiet], partitions=1)
    producer = make_producer(adscale_infra.kafka_bootstrap)
    await producer.start()
    admin = AIOKafkaAdminClient(bootstrap_servers=adscale_infra.kafka_bootstrap)
    await admin.start()
    try:
        await producer.send_and_wait(quiet, b"before")
        placed = []
        for _ in range(20):
            since = int(time.time() * 1000)
            sent = await producer.send_and_wait(busy, b"since")
            group = f"{unique_name}-{uuid.uuid4().hex[:6]}"
            await group_from(adscale_infra.kafka_bootstrap, group, [busy, quiet], since)
            committed = await admin.list_consumer_group_offsets(group)
            placed.append(
                ({tp.topic: o.offset for tp, o in committed.items()}, {busy: sent.offset, quiet: 1})
            )
    finally:
        await admin.close()
        await producer.stop()
    assert [got for got, _ in placed] == [want for _, want in placed]
