"""Outbox -> Kafka -> inbox, on the real broker and real PostgreSQL (issue: foundation, 4)."""

from __future__ import annotations

import asyncio
import contextlib
import time

import pytest
import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from adscale_common.consumer import ConsumerRunner
from adscale_common.db import make_sessionmaker
from adscale_common.events import Envelope, dlq_topic
from adscale_common.kafka import ensure_topics
from adscale_common.messaging import outbox_event
from adscale_common.outbox import OutboxRelay, emit
from adscale_common.testing_consumers import running
from plumbing_kit import emit_events, eventually, runner_for

pytestmark = pytest.mark.kafka


effect: sa.Table


@pytest.fixture(autouse=True)
async def clean(engine_a: AsyncEngine, engine_b: AsyncEngine, effect_table: sa.Table):
    global effect
    effect = effect_table
    for engine in (engine_a, engine_b):
        async with engine.begin() as conn:
            await conn.execute(sa.text("TRUNCATE outbox_event, inbox_event, effect"))
    yield


async def effects(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as conn:
        return list((await conn.execute(sa.select(effect.c.event_id))).scalars())


async def read_topic(bootstrap: str, topic: str, expected: int, timeout: float = 20.0):
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    records = []
    try:
        deadline = time.monotonic() + timeout
        while len(records) < expected and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for recs in batch.values():
                records.extend(recs)
    finally:
        await consumer.stop()
    return records


async def own_topic(adscale_infra, unique_name: str) -> str:
    """This test's own topic, created on the broker with its dead-letter topic."""
    topic = f"{unique_name}.events"
    await ensure_topics(adscale_infra.kafka_bootstrap, [topic, dlq_topic(topic)])
    return topic


async def handled_once(
    event: Envelope, topic: str, until, engine_b, sessions_b, adscale_infra, producer, name: str
) -> None:
    """Consumer group ``{name}-b`` records ``event`` in service B; once ``until(runner)``
    holds, its effect is there exactly once and the runner handled it once."""
    runner = runner_for(
        f"{name}-b", topic, {event.type: recording_handler()}, sessions_b, adscale_infra, producer
    )
    async with running(runner):
        await eventually(lambda: until(runner))
    assert await effects(engine_b) == [str(event.id)]
    assert runner.stats.handled == 1


def recording_handler(note: str = "handled"):
    async def handler(session: AsyncSession, event: Envelope) -> None:
        await session.execute(effect.insert().values(event_id=str(event.id), note=note))

    return handler


async def test_event_from_service_a_transaction_reaches_consumer_in_service_b(
    engine_a, engine_b, sessions_b, adscale_infra, producer, unique_name
):
    topic = await own_topic(adscale_infra, unique_name)
    event = Envelope(type=f"{unique_name}.created", source="a", subject="agg-1", data={"n": 1})
    await emit_events(engine_a, [event])

    relay = OutboxRelay(engine_a, producer)
    assert await relay.publish_pending() == 1
    assert await relay.publish_pending() == 0  # marked sent

    infra = (engine_b, sessions_b, adscale_infra, producer, unique_name)
    await handled_once(event, topic, lambda runner: _has(engine_b, [str(event.id)]), *infra)


async def _has(engine: AsyncEngine, ids: list[str]) -> bool:
    return sorted(await effects(engine)) == sorted(ids)


async def test_rolled_back_transaction_emits_nothing(engine_a, producer, unique_name):
    event = Envelope(type=f"{unique_name}.created", source="a", subject="agg-1")
    with pytest.raises(RuntimeError):
        async with make_sessionmaker(engine_a)() as session, session.begin():
            await emit(session, event)
            raise RuntimeError("business rule failed after emit")
    async with engine_a.connect() as conn:
        assert (
            await conn.execute(sa.select(sa.func.count()).select_from(outbox_event))
        ).scalar() == 0
    assert await OutboxRelay(engine_a, producer).publish_pending() == 0


async def test_relay_killed_between_publish_and_mark_sent_duplicates_absorbed_by_inbox(
    engine_a, engine_b, sessions_b, adscale_infra, producer, unique_name
):
    topic = await own_topic(adscale_infra, unique_name)
    event = Envelope(type=f"{unique_name}.created", source="a", subject="agg-1")
    await emit_events(engine_a, [event])

    async def die(rows) -> None:
        raise RuntimeError("relay process killed after publishing")

    with pytest.raises(RuntimeError):
        await OutboxRelay(engine_a, producer, after_publish=die).publish_pending()
    # Not marked sent: the restarted relay publishes it again.
    assert await OutboxRelay(engine_a, producer).publish_pending() == 1
    copies = await read_topic(adscale_infra.kafka_bootstrap, topic, expected=2)
    assert len(copies) == 2

    # The effect happens once although the event was delivered twice.
    infra = (engine_b, sessions_b, adscale_infra, producer, unique_name)
    await handled_once(event, topic, lambda runner: _stat(runner, "duplicates", 1), *infra)


async def _stat(runner: ConsumerRunner, name: str, value: int) -> bool:
    return getattr(runner.stats, name) >= value


async def test_consumer_killed_mid_batch_resumes_without_losing_events(
    engine_a, engine_b, sessions_b, adscale_infra, producer, unique_name
):
    topic = await own_topic(adscale_infra, unique_name)
    events = [
        Envelope(type=f"{unique_name}.created", source="a", subject=f"agg-{i % 7}")
        for i in range(60)
    ]
    await emit_events(engine_a, events)
    assert await OutboxRelay(engine_a, producer).publish_pending() == 60

    async def slow_handler(session: AsyncSession, event: Envelope) -> None:
        await session.execute(effect.insert().values(event_id=str(event.id)))
        await asyncio.sleep(0.02)

    group = f"{unique_name}-b"
    first = runner_for(
        group, topic, {events[0].type: slow_handler}, sessions_b, adscale_infra, producer
    )
    task = asyncio.create_task(first.run())
    await eventually(lambda: _count_at_least(engine_b, 15))
    task.cancel()  # killed mid-batch: some handled, none of the rest committed
    with contextlib.suppress(asyncio.CancelledError):
        await task
    handled_before = len(await effects(engine_b))
    assert 15 <= handled_before < 60

    second = runner_for(
        group, topic, {events[0].type: slow_handler}, sessions_b, adscale_infra, producer
    )
    async with running(second):
        await eventually(lambda: _count_at_least(engine_b, 60))
        await asyncio.sleep(0.5)
    ids = await effects(engine_b)
    assert sorted(ids) == sorted(str(e.id) for e in events)  # every event, each exactly once


async def _count_at_least(engine: AsyncEngine, n: int) -> bool:
    return len(await effects(engine)) >= n


async def test_a_member_joining_mid_batch_takes_over_partitions_and_nothing_is_done_twice(
    engine_a, engine_b, sessions_b, adscale_infra, producer, unique_name
):
    """A second worker of the service starts while the first is inside a batch (SCALE=2,
    a restart): the group rebalances, the first's commits for the partitions it lost are
    left to their new owner, the first keeps consuming (its task used to crash on the
    commit), and every event has its effect exactly once."""
    topic = await own_topic(adscale_infra, unique_name)  # three partitions
    events = [
        Envelope(type=f"{unique_name}.created", source="a", subject=f"agg-{i}") for i in range(90)
    ]
    await emit_events(engine_a, events)
    assert await OutboxRelay(engine_a, producer).publish_pending() == 90

    async def slow_handler(session: AsyncSession, event: Envelope) -> None:
        await session.execute(effect.insert().values(event_id=str(event.id)))
        await asyncio.sleep(0.05)

    group, handlers = f"{unique_name}-b", {events[0].type: slow_handler}
    first = runner_for(group, topic, handlers, sessions_b, adscale_infra, producer)
    second = runner_for(group, topic, handlers, sessions_b, adscale_infra, producer)

    async def second_takes_work() -> bool:
        # Which partitions are left when the rebalance ends is down to timing (the first
        # may have finished the one it loses), so the second's share is shown by fresh
        # events: a few on every round until one reaches it.
        if second.stats.handled > 0:
            return True
        more = [
            Envelope(type=events[0].type, source="a", subject=f"late-{len(events) + i}")
            for i in range(3)
        ]
        events.extend(more)
        await emit_events(engine_a, more)
        await OutboxRelay(engine_a, producer).publish_pending()
        await asyncio.sleep(0.5)
        return second.stats.handled > 0

    async with running(first) as first_task:
        await eventually(lambda: _count_at_least(engine_b, 10))
        async with running(second) as second_task:
            await eventually(lambda: _count_at_least(engine_b, 90), timeout=90)
            await eventually(second_takes_work, timeout=60)  # the group did hand it partitions
            await eventually(lambda: _count_at_least(engine_b, len(events)), timeout=30)
            await asyncio.sleep(1)  # a late duplicate would show here
            assert not first_task.done(), first_task.exception()
            assert not second_task.done(), second_task.exception()
    ids = await effects(engine_b)
    assert sorted(ids) == sorted(str(e.id) for e in events)  # every event, each exactly once


async def test_failing_handler_goes_to_dlq_with_error_and_consumer_moves_on(
    engine_b, sessions_b, adscale_infra, producer, unique_name
):
    topic = await own_topic(adscale_infra, unique_name)
    bad = Envelope(type=f"{unique_name}.bad", source="a", subject="x")
    good = Envelope(type=f"{unique_name}.good", source="a", subject="x")
    await producer.send_and_wait(topic, bad.model_dump_json().encode(), key=b"x")
    await producer.send_and_wait(topic, b"{not json", key=b"x")
    await producer.send_and_wait(topic, good.model_dump_json().encode(), key=b"x")

    attempts = 0

    async def always_fails(session: AsyncSession, event: Envelope) -> None:
        nonlocal attempts
        attempts += 1
        await session.execute(effect.insert().values(event_id=str(event.id), note="must roll back"))
        raise ValueError("downstream rejected the payload")

    runner = runner_for(
        f"{unique_name}-b",
        topic,
        {bad.type: always_fails, good.type: recording_handler()},
        sessions_b,
        adscale_infra,
        producer,
        max_attempts=3,
        backoff_seconds=0.01,
    )
    async with running(runner):
        await eventually(lambda: _has(engine_b, [str(good.id)]))
    assert attempts == 3
    assert runner.stats.dead_lettered == 2

    dead = await read_topic(adscale_infra.kafka_bootstrap, dlq_topic(topic), expected=2)
    assert len(dead) == 2
    headers = [dict(r.headers) for r in dead]
    errors = sorted(h["dlq_error"].decode() for h in headers)
    assert (
        "downstream rejected the payload" in errors[1]
        or "downstream rejected the payload" in errors[0]
    )
    assert any("not an event envelope" in e for e in errors)
    assert all(h["dlq_original_topic"].decode() == topic for h in headers)
    assert {r.value for r in dead} == {bad.model_dump_json().encode(), b"{not json"}


async def test_sent_rows_are_purged_after_retention_pending_rows_never(
    engine_a, producer, unique_name
):
    events = [
        Envelope(type=f"{unique_name}.created", source="a", subject=f"s{i}") for i in range(3)
    ]
    await emit_events(engine_a, events[:2])
    relay = OutboxRelay(engine_a, producer)
    assert await relay.publish_pending() == 2
    await emit_events(engine_a, events[2:])  # still pending
    async with engine_a.begin() as conn:
        await conn.execute(
            outbox_event.update()
            .where(outbox_event.c.sent_at.is_not(None))
            .values(sent_at=sa.func.now() - sa.text("interval '8 days'"))
        )
    assert await relay.purge_sent(7 * 24 * 3600) == 2
    async with engine_a.connect() as conn:
        left = (await conn.execute(sa.select(outbox_event.c.id))).scalars().all()
    assert left == [events[2].id]
