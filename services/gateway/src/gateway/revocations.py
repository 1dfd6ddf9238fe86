"""Evicts cached API-key answers when identity revokes a key or billing changes a plan.

Every gateway instance must see every event, so this consumer has no group:
it reads all partitions from the latest offset. It keeps no state of its own;
a gap while it reconnects is covered by the cache's short TTL.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pydantic import ValidationError

from adscale_common.events import Envelope
from adscale_common.kafka import ensure_topics
from gateway.auth import ApiKeyVerifier

logger = logging.getLogger(__name__)

TOPICS = ("identity.events", "billing.events")


def apply_event(verifier: ApiKeyVerifier, envelope: Envelope) -> int:
    if envelope.type == "identity.api_key_revoked":
        return verifier.evict_key(str(envelope.data.get("api_key_id")))
    if envelope.type == "billing.plan_changed":
        return verifier.evict_user(str(envelope.data.get("user_id")))
    return 0


async def _partitions(bootstrap: str) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(list(TOPICS))
    finally:
        await admin.close()
    return [
        TopicPartition(topic["topic"], partition["partition"])
        for topic in described
        for partition in topic["partitions"]
    ]


async def listen(
    verifier: ApiKeyVerifier, bootstrap: str, ready: asyncio.Event | None = None
) -> None:
    delay = 1.0
    while True:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False
        )
        try:
            await ensure_topics(bootstrap, TOPICS)
            await consumer.start()
            partitions = await _partitions(bootstrap)
            consumer.assign(partitions)
            # Pin the start position now, so nothing published after `ready` is missed.
            await consumer.seek_to_end(*partitions)
            for tp in partitions:
                await consumer.position(tp)
            delay = 1.0
            if ready is not None:
                ready.set()
            async for record in consumer:
                try:
                    envelope = Envelope.model_validate_json(record.value or b"")
                except ValidationError:
                    logger.warning(
                        "undecodable event ignored by gateway", extra={"topic": record.topic}
                    )
                    continue
                evicted = apply_event(verifier, envelope)
                if evicted:
                    logger.info(
                        "api key cache evicted", extra={"type": envelope.type, "entries": evicted}
                    )
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            logger.error(
                "revocation listener failed; reconnecting",
                extra={"error": repr(exc)},
                exc_info=True,
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(consumer.stop()), timeout=5)
