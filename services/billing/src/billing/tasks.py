"""Periodic jobs of the billing worker."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from adscale_common.types import utcnow
from adscale_common.worker import WorkerContext
from billing.settings import Settings
from billing.subscription.service import expire_scheduled_cancellations

logger = logging.getLogger(__name__)


async def sweep_once(ctx: WorkerContext) -> int:
    async with ctx.sessionmaker() as session, session.begin():
        return await expire_scheduled_cancellations(session, utcnow())


async def period_end_sweep(ctx: WorkerContext) -> None:
    """Downgrade subscriptions whose cancel-at-period-end date passed, every few seconds."""
    settings = ctx.settings
    interval = settings.period_end_sweep_seconds if isinstance(settings, Settings) else 60.0
    while not ctx.stopping.is_set():
        changed = await sweep_once(ctx)
        if changed:
            logger.info("period-end sweep downgraded users", extra={"count": changed})
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ctx.stopping.wait(), timeout=interval)
