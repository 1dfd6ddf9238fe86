"""Kafka producer and consumer factories, and topic provisioning."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewPartitions, NewTopic
from aiokafka.errors import (
    CommitFailedError,
    IllegalStateError,
    InvalidPartitionsError,
    TopicAlreadyExistsError,
)

logger = logging.getLogger(__name__)


def pace_metadata_updates(client: Any) -> None:
    """Space an aiokafka client's metadata requests by its ``retry_backoff_ms``, as the Java
    client spaces its metadata refreshes.

    aiokafka's producer sender loops on a metadata update, without a pause, while a
    partition it has a batch for has no known leader, and so does the consumer's fetcher.
    A broker shutting down cleanly answers "not the leader" first, then refuses
    connections at once: a producer with a message pending asked for metadata about
    8,000 times a second, a whole core, until the broker was back (measured on a broker
    stopped with SIGTERM, ``libs/common/tests/test_kafka_clients.py``). With this, a
    client asks at most ten times a second (``retry_backoff_ms`` 100) and the loops that
    wait on the answer wait as long. ``_metadata_update`` is the one coroutine every
    metadata request of the client goes through (aiokafka 0.14)."""
    update = client._metadata_update
    interval = float(client._retry_backoff)
    next_at = 0.0

    async def paced(cluster_metadata: Any, topics: Any) -> Any:
        nonlocal next_at
        delay = next_at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        next_at = time.monotonic() + interval
        return await update(cluster_metadata, topics)

    client._metadata_update = paced


def make_producer(bootstrap: str, *, client_id: str = "adscale") -> AIOKafkaProducer:
    """Idempotent producer with ``acks=all`` (DESIGN.md: never lose a committed event),
    its metadata requests paced (:func:`pace_metadata_updates`)."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        request_timeout_ms=15000,
    )
    pace_metadata_updates(producer.client)
    return producer


# How often a consumer re-reads cluster metadata. aiokafka's default (5 minutes) means a
# topic created after the consumer started, partitions added to it, or a topic whose
# leaders were still being elected at the first look stay unconsumed for minutes. One
# small metadata request a second lets a consumer follow its subscription within a second.
METADATA_MAX_AGE_MS = 1000


async def subscribed_consumer(
    topics: Iterable[str],
    *,
    bootstrap: str,
    group: str | None,
    metadata_max_age_ms: int = METADATA_MAX_AGE_MS,
    **options: Any,
) -> AIOKafkaConsumer:
    """A started consumer that follows its subscription to ``topics``.

    With a ``group`` the broker assigns partitions and rebalances the group when the
    subscribed topics' partitions change; without one, every partition of the topics is
    read by this process, reassigned from metadata. Either way the subscription is made
    after ``start()``: given to the constructor, a topic that does not exist yet makes
    ``start()`` wait for it and then fail. Offsets are never committed automatically.
    Its metadata requests are paced (:func:`pace_metadata_updates`): the fetcher loops on
    them while a partition has no leader.
    """
    options.setdefault("client_id", group or "adscale-listener")
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        metadata_max_age_ms=metadata_max_age_ms,
        **options,
    )
    pace_metadata_updates(consumer._client)
    await consumer.start()
    try:
        consumer.subscribe(topics=sorted(set(topics)))
    except BaseException:
        await consumer.stop()
        raise
    return consumer


async def commit_after(consumer: AIOKafkaConsumer, record: ConsumerRecord[Any, Any]) -> bool:
    """Commit the offset after ``record``, handled. False when a rebalance gave its partition
    to another member of the group meanwhile (a worker stopped or started while this one
    handled it): the offset is left to the new owner, which reads on from the last one
    committed, and handlers are idempotent (inbox, job state). The caller drops the rest of
    that partition's batch. Raising here instead crashed the consuming task, and its restart
    made the group rebalance once more."""
    tp = TopicPartition(record.topic, record.partition)
    try:
        await consumer.commit({tp: record.offset + 1})
    except (IllegalStateError, CommitFailedError) as exc:
        logger.info(
            "partition reassigned before its offset was committed; the new owner reads it",
            extra={
                "topic": tp.topic,
                "partition": tp.partition,
                "offset": record.offset,
                "reason": type(exc).__name__,
            },
        )
        return False
    return True


async def ensure_topics(
    bootstrap: str, topics: Iterable[str], *, partitions: int = 3, replication: int = 1
) -> None:
    """Create the topics (and their DLQs) that do not exist yet, and give existing ones
    that have fewer than ``partitions`` partitions more (one consumer per partition of a
    group gets work: ``make up SCALE=N`` needs at least N)."""
    wanted = sorted(set(topics))
    if not wanted:
        return
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t not in existing]
        if missing:
            try:
                await admin.create_topics(
                    [
                        NewTopic(t, num_partitions=partitions, replication_factor=replication)
                        for t in missing
                    ]
                )
            except TopicAlreadyExistsError:
                pass
            logger.info("created topics", extra={"topics": missing})
        present = [t for t in wanted if t in existing]
        if present:
            described = await admin.describe_topics(present)
            grow = {
                d["topic"]: NewPartitions(total_count=partitions)
                for d in described
                if 0 < len(d.get("partitions") or ()) < partitions
            }
            for topic, total in sorted(grow.items()):
                try:
                    await admin.create_partitions({topic: total})
                except InvalidPartitionsError:
                    # The broker's metadata lags its controller: a topic grown a moment ago
                    # (by this process or another instance starting beside it) can still be
                    # described with its old count. Asked for a count it already has, the
                    # controller refuses the request as "not an increase": nothing to do.
                    logger.info("partitions already there", extra={"topic": topic})
                else:
                    logger.info("added partitions", extra={"topic": topic, "total": partitions})
    finally:
        await admin.close()
