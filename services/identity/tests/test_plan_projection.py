"""The plan projection from billing.plan_changed: in order, idempotent, over real Kafka."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from aiokafka import AIOKafkaProducer
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from adscale_common.consumer import ConsumerRunner
from adscale_common.db import make_sessionmaker
from adscale_common.events import Envelope
from adscale_common.kafka import ensure_topics, make_producer
from adscale_common.messaging import inbox_event
from adscale_common.outbox import encode_event
from adscale_common.testing_consumers import running
from adscale_contracts.events import PlanChanged, build
from identity.consumers import billing
from identity.models import User
from services.identity.tests.conftest import unique_email

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def plan_changed(
    user_id: uuid.UUID, old: str, new: str, at: datetime | None = T0, occurred: datetime = T0
) -> Envelope:
    envelope = build(
        PlanChanged(
            user_id=user_id,
            old_plan=old,  # type: ignore[arg-type]
            new_plan=new,  # type: ignore[arg-type]
            reason="subscription_updated",
            effective_at=at,
        ),
        source="billing",
    )
    return envelope.model_copy(update={"occurred_at": occurred})


async def new_user(session: AsyncSession) -> User:
    user = User(email=unique_email("plan"))
    session.add(user)
    await session.commit()
    return user


async def plan_of(session: AsyncSession, user_id: uuid.UUID) -> tuple[str, datetime | None]:
    row = (
        await session.execute(sa.select(User.plan, User.plan_changed_at).where(User.id == user_id))
    ).one()
    return row.plan, row.plan_changed_at


async def test_plan_change_is_applied(session: AsyncSession):
    user = await new_user(session)
    await billing.on_plan_changed(session, plan_changed(user.id, "free", "pro"))
    assert await plan_of(session, user.id) == ("pro", T0)


async def test_older_events_are_ignored(session: AsyncSession):
    user = await new_user(session)
    await billing.on_plan_changed(session, plan_changed(user.id, "free", "enterprise", T0))
    # A late "pro" that took effect before the enterprise upgrade must not win.
    late = plan_changed(user.id, "free", "pro", T0 - timedelta(minutes=5))
    await billing.on_plan_changed(session, late)
    assert await plan_of(session, user.id) == ("enterprise", T0)
    await billing.on_plan_changed(
        session, plan_changed(user.id, "enterprise", "free", T0 + timedelta(days=30))
    )
    assert await plan_of(session, user.id) == ("free", T0 + timedelta(days=30))


async def test_occurred_at_orders_events_without_effective_at(session: AsyncSession):
    user = await new_user(session)
    await billing.on_plan_changed(session, plan_changed(user.id, "free", "pro", None, T0))
    stale = plan_changed(user.id, "free", "free", None, T0 - timedelta(seconds=1))
    await billing.on_plan_changed(session, stale)
    assert await plan_of(session, user.id) == ("pro", T0)


async def test_unknown_user_is_ignored(session: AsyncSession):
    await billing.on_plan_changed(session, plan_changed(uuid.uuid4(), "free", "pro"))


async def test_access_tokens_after_a_plan_change_carry_the_new_plan(session: AsyncSession):
    user = await new_user(session)
    await billing.on_plan_changed(session, plan_changed(user.id, "free", "pro"))
    await session.refresh(user)
    assert user.plan == "pro"


@pytest.mark.kafka
async def test_worker_consumer_applies_plan_changed_from_kafka(engine: AsyncEngine, adscale_infra):
    """Real broker, real consumer group, the service's handler behind the inbox."""
    bootstrap = adscale_infra.kafka_bootstrap
    sessionmaker = make_sessionmaker(engine)
    async with sessionmaker() as s, s.begin():
        user = User(email=unique_email("kafka"))
        s.add(user)
    await ensure_topics(bootstrap, {billing.TOPIC, billing.TOPIC + ".dlq"})
    producer = make_producer(bootstrap, client_id="identity-test")
    await producer.start()
    runner = ConsumerRunner(
        name=f"identity-plan-test-{uuid.uuid4().hex[:8]}",
        topics=[billing.TOPIC],
        handlers=billing.HANDLERS,
        sessionmaker=sessionmaker,
        bootstrap=bootstrap,
        producer=producer,
    )
    try:
        async with running(runner):
            event = plan_changed(user.id, "free", "pro", None, datetime.now(UTC))
            await publish(producer, event)
            await publish(producer, event)  # a redelivered duplicate
            async with asyncio.timeout(60):
                while True:
                    async with sessionmaker() as s:
                        plan, _ = await plan_of(s, user.id)
                        claims = await s.scalar(
                            sa.select(sa.func.count())
                            .select_from(inbox_event)
                            .where(inbox_event.c.event_id == event.id)
                        )
                    if plan == "pro" and runner.stats.duplicates >= 1:
                        break
                    await asyncio.sleep(0.2)
            assert claims == 1
    finally:
        await producer.stop()
        async with sessionmaker() as s, s.begin():
            await s.execute(sa.delete(User).where(User.id == user.id))


async def publish(producer: AIOKafkaProducer, event: Envelope) -> None:
    await producer.send_and_wait(
        event.topic, value=encode_event(event.model_dump(mode="json")), key=event.subject.encode()
    )
