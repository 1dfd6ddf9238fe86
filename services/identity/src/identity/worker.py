"""Identity background process (``python -m identity.worker``).

Outbox relay; the plan projection (billing.events); the mailer of reset links
(identity.events); hourly purge of expired tokens.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from adscale_common.types import utcnow
from adscale_common.worker import ConsumerSpec, WorkerContext, run_worker
from identity.auth import repository as auth_repository
from identity.consumers import billing, identity
from identity.settings import Settings, get_settings

logger = logging.getLogger(__name__)


async def purge_once(ctx: WorkerContext, settings: Settings) -> tuple[int, int, int]:
    now = utcnow()
    async with ctx.sessionmaker() as session, session.begin():
        tokens, resets = await auth_repository.purge_expired(
            session, now - timedelta(days=settings.purge_after_days)
        )
        events = await auth_repository.purge_sent_reset_events(
            session, now - timedelta(seconds=settings.reset_token_ttl_seconds)
        )
    return tokens, resets, events


def purge_task(settings: Settings) -> Callable[[WorkerContext], Awaitable[None]]:
    async def purge_expired_tokens(ctx: WorkerContext) -> None:
        while not ctx.stopping.is_set():
            tokens, resets, events = await purge_once(ctx, settings)
            if tokens or resets or events:
                logger.info(
                    "expired credentials purged",
                    extra={"refresh_tokens": tokens, "password_resets": resets, "events": events},
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(ctx.stopping.wait(), timeout=settings.purge_interval_seconds)

    return purge_expired_tokens


def consumer_specs(settings: Settings | None = None) -> list[ConsumerSpec]:
    settings = settings or get_settings()
    return [
        ConsumerSpec(name=billing.GROUP, topics=[billing.TOPIC], handlers=billing.HANDLERS),
        ConsumerSpec(
            name=identity.GROUP, topics=[identity.TOPIC], handlers=identity.handlers(settings)
        ),
    ]


def main() -> None:
    settings = get_settings()
    asyncio.run(
        run_worker(
            settings,
            service="identity",
            produces=["identity.events"],
            consumers=consumer_specs(settings),
            tasks=[purge_task(settings)],
        )
    )


if __name__ == "__main__":
    main()
