"""Issue 22: identity's consumer groups, started before their topics exist, handle the
events published afterwards (the worker's own specs and handlers)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from adscale_common.db import make_sessionmaker
from adscale_common.testing_consumers import handles_events_published_after_start
from adscale_contracts.events import PasswordResetRequested, PlanChanged, build
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


async def test_mailer_group_handles_a_reset_request_published_after_it_started(
    engine: AsyncEngine, settings: Settings, adscale_infra
):
    [spec] = [s for s in consumer_specs(settings) if PasswordResetRequested.TYPE in s.handlers]
    # Already expired: the mailer handles it without sending anything.
    request = PasswordResetRequested(
        user_id=uuid.uuid4(),
        email="late@example.com",
        token="t" * 43,
        expires_at=datetime.now(UTC) - timedelta(minutes=1),
    )
    seconds = await handles_events_published_after_start(
        spec,
        [build(request, source="identity")],
        sessionmaker=make_sessionmaker(engine),
        bootstrap=adscale_infra.kafka_bootstrap,
    )
    assert seconds < 10
