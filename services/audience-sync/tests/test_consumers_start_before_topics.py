"""Issue 22: audience-sync's consumers, started before their topics exist, handle what is
published afterwards: the webhooks groups (the worker's specs and handlers), the cdp.profiles
feed (``ProfilesConsumer``) and the group consumer the jobs queue uses (``start_consumer``)."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adscale_common.db import make_sessionmaker
from adscale_common.kafka import make_producer
from adscale_common.testing_consumers import existing_topics
from adscale_contracts.testing_consumers import every_group_handles_every_sample
from audience_sync.consumers.cdp_profiles import ProfilesConsumer
from audience_sync.consumers.kafka import start_consumer
from audience_sync.webhook.queueing import consumer_spec
from audience_sync.webhook.rule_events import consumer_spec as rule_consumer_spec

pytestmark = pytest.mark.kafka


async def test_webhooks_groups_handle_events_published_after_they_started(
    engine: AsyncEngine, settings: Any
):
    """Sync outcomes (``audience_sync.events``) and rule actions (``campaigns.events``)."""
    await every_group_handles_every_sample(
        [consumer_spec(settings), rule_consumer_spec(settings)], engine, settings.kafka_bootstrap
    )


async def test_profiles_feed_consumer_handles_a_message_published_after_it_started(
    engine: AsyncEngine, settings: Any
):
    topic = f"cdp.profiles.late-{uuid.uuid4().hex[:10]}"
    assert topic not in await existing_topics(settings.kafka_bootstrap)
    late = settings.model_copy(update={"cdp_profiles_topic": topic})
    producer = make_producer(settings.kafka_bootstrap)
    await producer.start()
    consumer = ProfilesConsumer(
        settings=late,
        sessionmaker=make_sessionmaker(engine),
        producer=producer,
        group=f"late-profiles-{uuid.uuid4().hex[:8]}",
    )
    task = asyncio.create_task(consumer.run())
    try:
        await asyncio.sleep(1.5)
        assert not task.done()
        # Not a cdp.profiles message: handled by dead-lettering it with the reason.
        await producer.send_and_wait(topic, b"not json", key=b"x")
        started = time.monotonic()
        while consumer.dead_lettered < 1:
            assert time.monotonic() - started < 10, "message published after start not handled"
            await asyncio.sleep(0.1)
    finally:
        consumer.stop()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 10)
        await producer.stop()


async def test_jobs_style_group_consumer_reads_a_topic_created_after_it_started(settings: Any):
    topic = f"audience_sync.jobs.late-{uuid.uuid4().hex[:10]}"
    assert topic not in await existing_topics(settings.kafka_bootstrap)
    consumer = await start_consumer(
        topic, bootstrap=settings.kafka_bootstrap, group=f"late-jobs-{uuid.uuid4().hex[:8]}"
    )
    producer = make_producer(settings.kafka_bootstrap)
    await producer.start()
    try:
        await asyncio.sleep(1.5)
        await producer.send_and_wait(topic, b"job", key=b"audience")
        got: list[bytes | None] = []
        deadline = time.monotonic() + 10
        while not got and time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                got.extend(r.value for r in records)
        assert got == [b"job"]
    finally:
        await producer.stop()
        await consumer.stop()
