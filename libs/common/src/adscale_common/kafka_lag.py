"""Consumer lag per group and partition, read from the consumer's own fetch state."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError

from adscale_common.metrics import CONSUMER_LAG


async def record_lag(
    group: str,
    consumer: AIOKafkaConsumer,
    fetched: Mapping[TopicPartition, Sequence[ConsumerRecord[Any, Any]]] | None = None,
) -> None:
    """Set the lag gauge of every assigned partition: messages not yet handled.

    That is the high watermark minus the first fetched-but-unhandled offset for the
    partitions of ``fetched`` (a batch about to be handled), else minus the position.
    The high watermark comes with each fetch response, so this costs no round trip;
    a partition not fetched yet has none and keeps its last value.
    """
    for tp in consumer.assignment():
        highwater = consumer.highwater(tp)
        if highwater is None:
            continue
        records = (fetched or {}).get(tp)
        with contextlib.suppress(KafkaError, AssertionError):
            start = records[0].offset if records else await consumer.position(tp)
            CONSUMER_LAG.labels(group, tp.topic, str(tp.partition)).set(max(highwater - start, 0))
