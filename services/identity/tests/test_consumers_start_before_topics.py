"""Issue 22: identity's consumer group, started before its topic exists, handles the
events published afterwards (the worker's own spec and handler). Identity's only
group is the plan projection: reset mail no longer travels over Kafka (issue 25)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from adscale_common.db import make_sessionmaker
from adscale_common.testing_consumers import handles_events_published_after_start
from adscale_contracts.events import PlanChanged, build
from identity.models import User
from identity.settings import Settings
from identity.worker import consumer_specs
from services.identity.tests.conftest import unique_email

pytestmark = pytest.mark.kafka


async def test_plan_projection_group_handles_a_plan_change_published_after_it_started(
    engine: AsyncEngine, settings: Settings, adscale_infra
):
    sessions = make_sessionmaker(engine)
    async with sessions() as s, s.begin():
        user = User(email=unique_email("late"))
        s.add(user)
    [spec] = [s for s in consumer_specs(settings) if PlanChanged.TYPE in s.handlers]
    change = PlanChanged(user_id=user.id, old_plan="free", new_plan="pro", reason="late topic")
    seconds = await handles_events_published_after_start(
        spec,
        [build(change, source="billing")],
        sessionmaker=sessions,
        bootstrap=adscale_infra.kafka_bootstrap,
    )
    assert seconds < 10
    async with sessions() as s:
        assert await s.scalar(sa.select(User.plan).where(User.id == user.id)) == "pro"
        await s.execute(sa.delete(User).where(User.id == user.id))
        await s.commit()
