"""Kafka clients through a broker's clean stop and a group's rebalance.

A broker stopped cleanly first answers "not the leader", then refuses connections. aiokafka's sender
asks for metadata again as soon as an update fails while a partition has no known leader,
so a worker's producer asked about 8,000 times a second and took a whole core for as long
as the broker was away (a Kafka restart in `make chaos`: 51,001 failed connects in 10 s in
one audience-sync worker). ``make_producer`` paces those requests.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import time
import uuid
from pathlib import Path

import pytest
from aiokafka import ConsumerRecord

from adscale_common.kafka import commit_after, ensure_topics, make_producer, subscribed_consumer
from adscale_common.testing import InfraUrls
from adscale_common.testing_broker import private_broker

pytestmark = pytest.mark.kafka

OUTAGE = 3.0  # seconds watched with the broker gone


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class FailedUpdates(logging.Handler):
    """Counts aiokafka's "Unable to update metadata" records: one per failed request."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg == "Unable to update metadata from %s":
            self.count += 1


async def test_a_producer_waits_between_metadata_requests_while_the_broker_is_away(
    tmp_path: Path,
) -> None:
    failed = FailedUpdates()
    aiokafka_log = logging.getLogger("aiokafka")
    aiokafka_log.addHandler(failed)
    try:
        async with private_broker(tmp_path) as broker:
            await ensure_topics(broker.bootstrap, ["pacing.events"], partitions=3)
            producer = make_producer(broker.bootstrap, client_id="pacing-test")
            await producer.start()
            try:
                await producer.send_and_wait("pacing.events", b"before")
                sending = asyncio.Event()

                async def keep_sending() -> None:
                    while True:
                        await producer.send("pacing.events", b"during")
                        sending.set()
                        await asyncio.sleep(0.05)

                sender = asyncio.create_task(keep_sending())
                await sending.wait()
                await broker.stop()  # SIGTERM: a clean shutdown, as a restart does
                failed.count = 0
                cpu_before, began = cpu_seconds(), time.monotonic()
                await asyncio.sleep(OUTAGE)
                cpu_used = cpu_seconds() - cpu_before
                watched = time.monotonic() - began
                requests = failed.count
                sender.cancel()
                await asyncio.gather(sender, return_exceptions=True)

                # Ten a second at most (retry_backoff_ms 100), where it was thousands.
                assert requests <= 11 * watched, requests
                # The event loop idles: well under half a core (it was a whole core).
                assert cpu_used < 0.5 * watched, cpu_used

                # Back on its feet once the broker is.
                await broker.start()
                delivered = await asyncio.wait_for(
                    producer.send_and_wait("pacing.events", b"after"), timeout=60
                )
                assert delivered.offset >= 1
            finally:
                await producer.stop()
    finally:
        aiokafka_log.removeHandler(failed)


async def test_a_consumer_waits_between_metadata_requests_while_the_broker_is_away(
    tmp_path: Path,
) -> None:
    """The consumer's fetcher asks for metadata and waits for the answer, again at once,
    while a partition has no leader. Asked that way with the broker gone, a consumer of
    ``subscribed_consumer`` answers ten times a second at most."""
    failed = FailedUpdates()
    aiokafka_log = logging.getLogger("aiokafka")
    aiokafka_log.addHandler(failed)
    try:
        async with private_broker(tmp_path) as broker:
            await ensure_topics(broker.bootstrap, ["pacing.feed"], partitions=3)
            consumer = await subscribed_consumer(
                ["pacing.feed"], bootstrap=broker.bootstrap, group="pacing-test"
            )
            try:
                await consumer.getmany(timeout_ms=500)
                await broker.stop()
                failed.count = 0
                began = time.monotonic()
                while time.monotonic() - began < OUTAGE:  # the fetcher's loop, by hand
                    await consumer._client.force_metadata_update()
                watched = time.monotonic() - began
                assert failed.count <= 11 * watched, failed.count
                # Back before the consumer stops: aiokafka's fetcher, closed while the
                # broker is away, raises the CancelledError of its own back-off sleep.
                await broker.start()
            finally:
                await consumer.stop()
    finally:
        aiokafka_log.removeHandler(failed)


async def test_an_offset_of_a_partition_taken_by_another_member_is_left_to_it(
    adscale_infra: InfraUrls,
) -> None:
    """A second worker joins while the first handles records: the first's commit for the
    partition it lost answers False (the new owner reads on from the last committed
    offset) instead of raising out of the consuming task; the kept one is committed."""
    bootstrap = adscale_infra.kafka_bootstrap
    topic, group = f"rebalance.{uuid.uuid4().hex[:8]}", f"rebalance-{uuid.uuid4().hex[:8]}"
    await ensure_topics(bootstrap, [topic], partitions=2)
    producer = make_producer(bootstrap, client_id="rebalance-test")
    await producer.start()
    first = await subscribed_consumer(
        [topic], bootstrap=bootstrap, group=group, auto_offset_reset="earliest"
    )
    second = None
    try:
        for partition in (0, 1):
            await producer.send_and_wait(topic, b"job", partition=partition)
        held: dict[int, ConsumerRecord[bytes, bytes]] = {}
        deadline = time.monotonic() + 30
        while len(held) < 2:
            assert time.monotonic() < deadline, "the first member never read both partitions"
            for records in (await first.getmany(timeout_ms=500)).values():
                held.update({r.partition: r for r in records})

        # While the first "handles" both, another member joins and takes one partition.
        second = await subscribed_consumer(
            [topic], bootstrap=bootstrap, group=group, auto_offset_reset="earliest"
        )
        again: list[int] = []  # what the new member reads
        while len(first.assignment()) != 1 or len(second.assignment()) != 1:
            assert time.monotonic() < deadline + 60, "the group never rebalanced"
            for records in (await second.getmany(timeout_ms=200)).values():
                again += [r.partition for r in records]
        [moved] = [tp.partition for tp in second.assignment()]
        kept = 1 - moved

        assert await commit_after(first, held[kept]) is True
        assert await commit_after(first, held[moved]) is False  # raised IllegalStateError

        # The new owner reads the moved partition's record again: nothing is lost.
        while not again:
            assert time.monotonic() < deadline + 90, "the moved record was not redelivered"
            for records in (await second.getmany(timeout_ms=500)).values():
                again += [r.partition for r in records]
        assert again == [moved]
    finally:
        for consumer in (first, second):
            if consumer is not None:
                await consumer.stop()
        await producer.stop()
