"""A broker stopped cleanly while a producer has a message to send.

The broker first answers "not the leader", then refuses connections. aiokafka's sender
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
from pathlib import Path

import pytest

from adscale_common.kafka import ensure_topics, make_producer
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
