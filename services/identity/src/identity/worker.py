"""Identity background process (``python -m identity.worker``).

Outbox relay; the plan projection (billing.events); the mailer of reset links
(identity's own password_reset_mail table); hourly purge of expired tokens.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from adscale_common.types import utcnow
from adscale_common.worker import ConsumerSpec, Task, WorkerContext, run_worker
from identity.auth import repository as auth_repository
from identity.consumers import billing
from identity.mail.sender import mailer_task
from identity.mail.transport import MailNotConfigured
from identity.settings import Settings, get_settings

logger = logging.getLogger(__name__)


async def purge_once(ctx: WorkerContext, settings: Settings) -> tuple[int, int]:
    async with ctx.sessionmaker() as session, session.begin():
        return await auth_repository.purge_expired(
            session, utcnow() - timedelta(days=settings.purge_after_days)
        )


def purge_task(settings: Settings) -> Callable[[WorkerContext], Awaitable[None]]:
    async def purge_expired_tokens(ctx: WorkerContext) -> None:
        while not ctx.stopping.is_set():
            tokens, resets = await purge_once(ctx, settings)
            if tokens or resets:
                logger.info(
                    "expired credentials purged",
                    extra={"refresh_tokens": tokens, "password_resets": resets},
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(ctx.stopping.wait(), timeout=settings.purge_interval_seconds)

    return purge_expired_tokens


def consumer_specs(settings: Settings | None = None) -> list[ConsumerSpec]:
    settings = settings or get_settings()
    return [
        ConsumerSpec(name=billing.GROUP, topics=[billing.TOPIC], handlers=billing.HANDLERS),
    ]


def mailer_refusal(reason: str) -> Task:
    async def reset_mailer_refused(ctx: WorkerContext) -> None:
        logger.error("reset mailer refuses to run", extra={"reason": reason})

    return reset_mailer_refused


def worker_tasks(settings: Settings) -> list[Task]:
    """Housekeeping, and the mailer unless the settings forbid it. Then the refusal is
    logged once, loudly; the rest of the worker keeps running and identity's /health
    reports the reason."""
    try:
        mailer = mailer_task(settings)
    except MailNotConfigured as exc:
        mailer = mailer_refusal(exc.reason)
    return [purge_task(settings), mailer]


def main() -> None:
    settings = get_settings()
    asyncio.run(
        run_worker(
            settings,
            service="identity",
            produces=["identity.events"],
            consumers=consumer_specs(settings),
            tasks=worker_tasks(settings),
        )
    )


if __name__ == "__main__":
    main()
