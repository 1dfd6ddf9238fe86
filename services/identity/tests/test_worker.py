"""Worker wiring and housekeeping."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from adscale_common.db import make_sessionmaker
from adscale_common.messaging import outbox_event
from adscale_common.types import utcnow
from adscale_common.worker import WorkerContext
from identity.models import PasswordReset, RefreshToken, User
from identity.settings import Settings
from identity.worker import consumer_specs, purge_once
from services.identity.tests.conftest import unique_email


def test_worker_consumes_billing_plan_changes_and_mails_reset_links(
    make_settings: Callable[..., Settings],
):
    specs = {spec.name: spec for spec in consumer_specs(make_settings())}
    assert specs["identity-plan-projection"].topics == ["billing.events"]
    assert set(specs["identity-plan-projection"].handlers) == {"billing.plan_changed"}
    assert specs["identity-mailer"].topics == ["identity.events"]
    assert set(specs["identity-mailer"].handlers) == {"identity.password_reset_requested"}


async def test_purge_drops_long_expired_tokens_and_sent_reset_events(
    engine: AsyncEngine, make_settings: Callable[..., Settings]
):
    settings = make_settings(purge_after_days=7)
    sessionmaker = make_sessionmaker(engine)
    now = utcnow()
    user = User(email=unique_email("purge"))
    old_event, fresh_event = uuid.uuid4(), uuid.uuid4()
    async with sessionmaker() as s, s.begin():
        s.add(user)
        await s.flush()
        s.add_all(
            [
                RefreshToken(
                    user_id=user.id,
                    family_id=uuid.uuid4(),
                    token_hash=f"old-{uuid.uuid4()}",
                    expires_at=now - timedelta(days=8),
                ),
                RefreshToken(
                    user_id=user.id,
                    family_id=uuid.uuid4(),
                    token_hash=f"live-{uuid.uuid4()}",
                    expires_at=now + timedelta(days=1),
                ),
                PasswordReset(
                    user_id=user.id,
                    token_hash=f"old-{uuid.uuid4()}",
                    expires_at=now - timedelta(days=8),
                ),
            ]
        )
        for event_id, age in ((old_event, timedelta(hours=2)), (fresh_event, timedelta(0))):
            await s.execute(
                outbox_event.insert().values(
                    id=event_id,
                    topic="identity.events",
                    key=str(user.id),
                    event_type="identity.password_reset_requested",
                    payload={},
                    created_at=now - age,
                    sent_at=now,
                )
            )
    try:
        ctx = WorkerContext(settings=settings, engine=engine, sessionmaker=sessionmaker)
        tokens, resets, events = await purge_once(ctx, settings)
        assert tokens >= 1 and resets >= 1 and events >= 1
        async with sessionmaker() as s:
            left = await s.scalar(
                sa.select(sa.func.count())
                .select_from(RefreshToken)
                .where(RefreshToken.user_id == user.id)
            )
            assert left == 1
            remaining = (await s.execute(sa.select(outbox_event.c.id))).scalars().all()
            assert fresh_event in remaining and old_event not in remaining
    finally:
        async with sessionmaker() as s, s.begin():
            await s.execute(sa.delete(User).where(User.id == user.id))
            await s.execute(outbox_event.delete().where(outbox_event.c.id == fresh_event))
