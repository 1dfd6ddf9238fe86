"""Outbox backlog, consumer outcomes and lag, and a worker's metrics port, on real
PostgreSQL and Kafka: each family exists and moves when its event happens."""

from __future__ import annotations

import asyncio
import os
import signal
import socket

import httpx
import pytest
import sqlalchemy as sa
from pydantic_settings import SettingsConfigDict
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from adscale_common.events import Envelope, dlq_topic
from adscale_common.kafka import ensure_topics
from adscale_common.metrics import exposition
from adscale_common.metrics_testing import metric_value
from adscale_common.outbox import OutboxRelay
from adscale_common.settings import ServiceSettings
from adscale_common.testing_consumers import running
from adscale_common.worker import run_worker
from plumbing_kit import emit_events, eventually, runner_for

pytestmark = pytest.mark.kafka


def scrape() -> str:
    return exposition()[0].decode()


@pytest.fixture(autouse=True)
async def clean(engine_a: AsyncEngine, engine_b: AsyncEngine):
    for engine in (engine_a, engine_b):
        async with engine.begin() as conn:
            await conn.execute(sa.text("TRUNCATE outbox_event, inbox_event, effect"))


async def test_outbox_backlog_rows_and_age_then_published(engine_a, producer, unique_name):
    topic = f"{unique_name}.events"
    events = [Envelope(type=f"{unique_name}.made", source="a", subject=f"s{i}") for i in range(3)]
    await emit_events(engine_a, events)
    await asyncio.sleep(0.05)
    relay = OutboxRelay(engine_a, producer, service=unique_name)

    assert await relay.backlog.sample() >= (3, 0.05)
    text = scrape()
    assert metric_value(text, "adscale_outbox_pending_events", service=unique_name) == 3
    assert (
        metric_value(text, "adscale_outbox_oldest_pending_age_seconds", service=unique_name) >= 0.05
    )

    assert await relay.publish_pending() == 3
    await relay.backlog.sample()
    text = scrape()
    assert metric_value(text, "adscale_outbox_pending_events", service=unique_name) == 0
    assert metric_value(text, "adscale_outbox_oldest_pending_age_seconds", service=unique_name) == 0
    published = "adscale_outbox_published_events_total"
    assert metric_value(text, published, service=unique_name, topic=topic) == 3


async def test_consumer_counts_handled_failed_dead_lettered_and_duplicates(
    engine_b, sessions_b, adscale_infra, producer, unique_name
):
    topic = f"{unique_name}.events"
    group = f"{unique_name}-b"
    await ensure_topics(adscale_infra.kafka_bootstrap, [topic, dlq_topic(topic)])
    bad = Envelope(type=f"{unique_name}.bad", source="a", subject="x")
    good = Envelope(type=f"{unique_name}.good", source="a", subject="x")
    for raw in (bad.model_dump_json().encode(), b"{not json", good.model_dump_json().encode()):
        await producer.send_and_wait(topic, raw, key=b"x")
    await producer.send_and_wait(topic, good.model_dump_json().encode(), key=b"x")  # redelivery

    async def fails(session: AsyncSession, event: Envelope) -> None:
        raise ValueError("rejected")

    async def succeeds(session: AsyncSession, event: Envelope) -> None:
        return None

    handlers = {bad.type: fails, good.type: succeeds}
    runner = runner_for(
        group,
        topic,
        handlers,
        sessions_b,
        adscale_infra,
        producer,
        max_attempts=2,
        backoff_seconds=0.01,
    )
    async with running(runner):
        await eventually(lambda: _settled(runner))
    text = scrape()
    labels = {"group": group, "topic": topic}
    assert metric_value(text, "adscale_consumer_events_handled_total", **labels) == 1
    assert metric_value(text, "adscale_consumer_events_duplicate_total", **labels) == 1
    assert metric_value(text, "adscale_consumer_events_failed_total", **labels) == 2
    assert metric_value(text, "adscale_consumer_events_dead_lettered_total", **labels) == 2


async def _settled(runner) -> bool:
    return runner.stats.handled + runner.stats.duplicates + runner.stats.dead_lettered == 4


async def test_consumer_lag_per_partition_grows_while_handling_and_drains(
    sessions_b, adscale_infra, producer, unique_name
):
    topic = f"{unique_name}.events"
    group = f"{unique_name}-lag"
    await ensure_topics(adscale_infra.kafka_bootstrap, [topic, dlq_topic(topic)])
    events = [Envelope(type=f"{unique_name}.slow", source="a", subject="one") for _ in range(5)]
    sent = [
        await producer.send_and_wait(topic, e.model_dump_json().encode(), key=b"one")
        for e in events
    ]
    partition = str(sent[0].partition)
    release = asyncio.Event()
    started = asyncio.Event()

    async def slow(session: AsyncSession, event: Envelope) -> None:
        started.set()
        await release.wait()

    runner = runner_for(group, topic, {events[0].type: slow}, sessions_b, adscale_infra, producer)
    lag = {"group": group, "topic": topic, "partition": partition}
    async with running(runner):
        await asyncio.wait_for(started.wait(), 30)
        assert metric_value(scrape(), "adscale_kafka_consumer_lag_messages", **lag) == 5
        release.set()

        async def drained() -> bool:
            return (
                runner.stats.handled == 5
                and metric_value(scrape(), "adscale_kafka_consumer_lag_messages", **lag) == 0
            )

        await eventually(drained)


class _WorkerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="METRICSWORKER_")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_worker_serves_its_metrics_port_with_relay_and_pool(
    engine_a, adscale_infra, unique_name
):
    port = _free_port()
    settings = _WorkerSettings(
        database_url=engine_a.url.render_as_string(hide_password=False),
        kafka_bootstrap=adscale_infra.kafka_bootstrap,
        worker_metrics_port=port,
        outbox_poll_seconds=0.2,
        log_json=False,
    )
    topic = f"{unique_name}.events"
    worker = asyncio.create_task(run_worker(settings, service=unique_name, produces=[topic]))
    url = f"http://127.0.0.1:{port}/metrics"
    try:
        async with httpx.AsyncClient() as client:

            async def served() -> bool:
                try:
                    return (await client.get(url)).status_code == 200
                except httpx.TransportError:
                    return False

            await eventually(served)
            await emit_events(
                engine_a, [Envelope(type=f"{unique_name}.x", source="a", subject="s")]
            )
            published = "adscale_outbox_published_events_total"

            async def relayed() -> bool:
                text = (await client.get(url)).text
                return metric_value(text, published, service=unique_name, topic=topic) == 1

            await eventually(relayed)
            text = (await client.get(url)).text
            pool = "adscale_db_pool_max_connections"
            assert metric_value(text, pool, service=f"{unique_name}-worker") == 10
    finally:
        os.kill(os.getpid(), signal.SIGTERM)  # the worker's own handler: a clean stop
        await asyncio.wait_for(worker, 30)
    async with httpx.AsyncClient() as client:
        with pytest.raises(httpx.TransportError):  # the port is released on stop
            await client.get(url, timeout=2)
