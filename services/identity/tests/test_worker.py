"""Worker wiring and housekeeping."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from adscale_common.db import make_sessionmaker
from adscale_common.types import utcnow
from adscale_common.worker import WorkerContext
from identity.models import PasswordReset, PasswordResetMail, RefreshToken, User
from identity.settings import Settings
from identity.worker import consumer_specs, purge_once, worker_tasks
from services.identity.tests.conftest import unique_email


def test_worker_consumes_billing_plan_changes_and_runs_the_mailer_as_a_task(
    make_settings: Callable[..., Settings],
):
    settings = make_settings()
    specs = {spec.name: spec for spec in consumer_specs(settings)}
    assert specs["identity-plan-projection"].topics == ["billing.events"]
    assert set(specs["identity-plan-projection"].handlers) == {"billing.plan_changed"}
    # Reset links are read from identity's own table, not from a topic.
    assert all("identity.events" not in spec.topics for spec in specs.values())
    names = [getattr(task, "__name__", "") for task in worker_tasks(settings)]
    assert names == ["purge_expired_tokens", "reset_mailer"]


async def test_purge_drops_long_expired_tokens_and_resets_with_their_pending_mail(
    engine: AsyncEngine, make_settings: Callable[..., Settings]
):
    settings = make_settings(purge_after_days=7)
    sessionmaker = make_sessionmaker(engine)
    now = utcnow()
    user = User(email=unique_email("purge"))
    old_reset = PasswordReset(
        user_id=user.id, token_hash=f"old-{uuid.uuid4()}", expires_at=now - timedelta(days=8)
    )
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
                old_reset,
            ]
        )
        await s.flush()
        s.add(PasswordResetMail(password_reset_id=old_reset.id, sealed_token="sealed"))
    try:
        ctx = WorkerContext(settings=settings, engine=engine, sessionmaker=sessionmaker)
        tokens, resets = await purge_once(ctx, settings)
        assert tokens >= 1 and resets >= 1
        async with sessionmaker() as s:
            left = await s.scalar(
                sa.select(sa.func.count())
                .select_from(RefreshToken)
                .where(RefreshToken.user_id == user.id)
            )
            assert left == 1
            mails = await s.scalar(
                sa.select(sa.func.count())
                .select_from(PasswordResetMail)
                .where(PasswordResetMail.password_reset_id == old_reset.id)
            )
            assert mails == 0
    finally:
        async with sessionmaker() as s, s.begin():
            await s.execute(sa.delete(User).where(User.id == user.id))
