"""Campaigns background process (``python -m campaigns.worker``).

Outbox relay; ``billing.events`` consumer (plan projection);
``audience_sync.events`` consumer (audience-health projection, audience rules); periodic jobs:
metrics sync (advisory lock: one instance at a time), scheduled rules
(``FOR UPDATE SKIP LOCKED``: safe with several instances) with their platform
pushes, and a one-off re-encryption of stored tokens under the primary key.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from adscale_common.worker import ConsumerSpec, WorkerContext, run_worker
from campaigns.consumers import audience_sync, billing
from campaigns.crypto import reencrypt_tokens
from campaigns.metrics.ingest import sync_all
from campaigns.platforms import PlatformGateway
from campaigns.rule.scheduler import run_due_rules
from campaigns.settings import Settings, get_settings

logger = logging.getLogger(__name__)


async def _sleep(ctx: WorkerContext, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(ctx.stopping.wait(), timeout=seconds)


def _settings(ctx: WorkerContext) -> Settings:
    assert isinstance(ctx.settings, Settings)
    return ctx.settings


async def metrics_sync(ctx: WorkerContext) -> None:
    settings = _settings(ctx)
    cipher = settings.cipher()
    if cipher is None:
        logger.warning("metrics sync disabled: CAMPAIGNS_ENCRYPTION_KEYS is not set")
        return
    platforms = PlatformGateway(timeout=settings.platform_http_timeout_seconds)
    try:
        while not ctx.stopping.is_set():
            try:
                await sync_all(
                    ctx.engine,
                    ctx.sessionmaker,
                    platforms,
                    cipher,
                    settings.metrics_sync_lookback_days,
                )
            except Exception:
                logger.exception("metrics sync failed")
            await _sleep(ctx, settings.metrics_sync_interval_seconds)
    finally:
        await platforms.aclose()


async def scheduled_rules(ctx: WorkerContext) -> None:
    settings = _settings(ctx)
    cipher = settings.cipher()
    platforms = PlatformGateway(timeout=settings.platform_http_timeout_seconds)
    try:
        while not ctx.stopping.is_set():
            try:
                await run_due_rules(ctx.sessionmaker, platforms, cipher, settings)
            except Exception:
                logger.exception("scheduled rules failed")
            await _sleep(ctx, settings.rules_tick_seconds)
    finally:
        await platforms.aclose()


async def rotate_token_keys(ctx: WorkerContext) -> None:
    cipher = _settings(ctx).cipher()
    if cipher is None:
        return
    async with ctx.sessionmaker() as session, session.begin():
        changed = await reencrypt_tokens(session, cipher)
    if changed:
        logger.info("access tokens re-encrypted under the primary key", extra={"count": changed})


def consumer_specs() -> list[ConsumerSpec]:
    return [
        ConsumerSpec(
            name=billing.CONSUMER_GROUP, topics=[billing.TOPIC], handlers=billing.HANDLERS
        ),
        ConsumerSpec(
            name=audience_sync.CONSUMER_GROUP,
            topics=[audience_sync.TOPIC],
            handlers=audience_sync.HANDLERS,
        ),
    ]


def main() -> None:
    asyncio.run(
        run_worker(
            get_settings(),
            service="campaigns",
            produces=["campaigns.events"],
            consumers=consumer_specs(),
            tasks=[rotate_token_keys, metrics_sync, scheduled_rules],
        )
    )


if __name__ == "__main__":
    main()
