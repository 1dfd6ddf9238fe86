"""Kafka producer factory and topic provisioning."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

logger = logging.getLogger(__name__)


def make_producer(bootstrap: str, *, client_id: str = "adscale") -> AIOKafkaProducer:
    """Idempotent producer with ``acks=all`` (DESIGN.md: never lose a committed event)."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        request_timeout_ms=15000,
    )


async def ensure_topics(
    bootstrap: str, topics: Iterable[str], *, partitions: int = 3, replication: int = 1
) -> None:
    """Create the topics (and their DLQs) that do not exist yet."""
    wanted = sorted(set(topics))
    if not wanted:
        return
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t not in existing]
        if not missing:
            return
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
    finally:
        await admin.close()
