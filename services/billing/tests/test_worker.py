"""The worker's parts on real infrastructure: the usage consumer on real Kafka, and the
period-end sweep on committed data."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from adscale_common.consumer import ConsumerRunner
from adscale_common.db import make_sessionmaker
from adscale_common.kafka import ensure_topics, make_producer
from adscale_common.messaging import outbox_event
from adscale_common.outbox import encode_event
from adscale_common.testing import InfraUrls
from adscale_common.testing_consumers import running
from adscale_common.worker import WorkerContext
from billing.models import Subscription, UserPlan
from billing.tasks import period_end_sweep
from billing.usage import service
from billing.worker import consumer_specs
from kit import ad_group_created, campaign_created, make_settings, sync_completed


@pytest.mark.kafka
async def test_usage_consumer_on_real_kafka(adscale_infra: InfraUrls, engine: AsyncEngine):
    suffix = uuid.uuid4().hex[:8]
    # Private topics carrying the real event types, so other suites' traffic never mixes in.
    campaigns_topic, sync_topic = f"test.billing.campaigns.{suffix}", f"test.billing.sync.{suffix}"
    await ensure_topics(adscale_infra.kafka_bootstrap, [campaigns_topic, sync_topic], partitions=1)
    (spec,) = consumer_specs()
    user, campaign = uuid.uuid4(), uuid.uuid4()
    events = [
        (campaigns_topic, campaign_created(user, campaign)),
        (campaigns_topic, ad_group_created(user, campaign, uuid.uuid4())),
        (sync_topic, sync_completed(user, 700)),
    ]
    producer = make_producer(adscale_infra.kafka_bootstrap, client_id=f"billing-test-{suffix}")
    await producer.start()
    runner = ConsumerRunner(
        name=f"billing-usage-test-{suffix}",
        topics=[campaigns_topic, sync_topic],
        handlers=spec.handlers,
        sessionmaker=make_sessionmaker(engine),
        bootstrap=adscale_infra.kafka_bootstrap,
        producer=producer,
    )
    try:
        async with running(runner):
            for topic, envelope in events + events[:1]:  # the first one delivered twice
                await producer.send_and_wait(
                    topic,
                    value=encode_event(envelope.model_dump(mode="json")),
                    key=envelope.subject.encode(),
                )
            sessions = make_sessionmaker(engine)
            deadline = asyncio.get_running_loop().time() + 30
            while True:
                async with sessions() as s:
                    usage = await service.usage_for(s, user, datetime.now(UTC))
                seen = (runner.stats.handled, runner.stats.duplicates)
                if (usage.campaigns, usage.ad_groups, usage.profiles_synced) == (
                    1,
                    1,
                    700,
                ) and seen == (3, 1):
                    break
                assert asyncio.get_running_loop().time() < deadline, (
                    f"usage never arrived: {usage} {seen}"
                )
                await asyncio.sleep(0.2)
            assert runner.stats.dead_lettered == 0
    finally:
        await producer.stop()


async def test_period_end_sweep_task_downgrades_and_emits(
    database_url: str, stripe_api_base: str, engine: AsyncEngine
):
    user = uuid.uuid4()
    ended = datetime.now(UTC) - timedelta(minutes=1)
    sessions = make_sessionmaker(engine)
    async with sessions() as s, s.begin():
        s.add(UserPlan(user_id=user, plan="pro", reason="checkout_completed"))
        s.add(
            Subscription(
                stripe_subscription_id=f"sub_sweep_{user.hex[:12]}",
                user_id=user,
                plan="pro",
                status="active",
                current_period_end=ended,
                cancel_at_period_end=True,
            )
        )
    ctx = WorkerContext(
        settings=make_settings(database_url, stripe_api_base, period_end_sweep_seconds=0.05),
        engine=engine,
        sessionmaker=sessions,
    )
    task = asyncio.create_task(period_end_sweep(ctx))
    try:
        for _ in range(100):
            async with sessions() as s:
                plan = await s.scalar(sa.select(UserPlan.plan).where(UserPlan.user_id == user))  # type: ignore[arg-type]
            if plan == "free":
                break
            await asyncio.sleep(0.05)
        assert plan == "free"
        await asyncio.sleep(0.2)  # a few more sweeps: still one event
    finally:
        ctx.stopping.set()
        await asyncio.wait_for(task, timeout=5)
    async with sessions() as s:
        rows = (
            (
                await s.execute(
                    sa.select(outbox_event.c.payload).where(outbox_event.c.key == str(user))
                )
            )
            .scalars()
            .all()
        )
    assert [(r["data"]["old_plan"], r["data"]["new_plan"], r["data"]["reason"]) for r in rows] == [
        ("pro", "free", "subscription_period_ended")
    ]
