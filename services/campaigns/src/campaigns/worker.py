"""Campaigns background process (``python -m campaigns.worker``).

Outbox relay; ``billing.events`` consumer (plan projection);
``audience_sync.events`` consumer (audience-health projection, audience rules); periodic jobs:
metrics sync (advisory lock: one instance at a time), scheduled rules
(``FOR UPDATE SKIP LOCKED``: safe with several instances) with their platform
pushes, and a one-off re-encryption of stored tokens under the primary key.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from adscale_common.worker import ConsumerSpec, WorkerContext, repeat, run_worker
from campaigns.consumers import audience_sync, billing
from campaigns.crypto import reencrypt_tokens
from campaigns.metrics.ingest import sync_all
from campaigns.platforms import PlatformGateway
from campaigns.rule.scheduler import run_due_rules
from campaigns.settings import Settings, get_settings

logger = logging.getLogger(__name__)


def _settings(ctx: WorkerContext) -> Settings:
    assert isinstance(ctx.settings, Settings)
    return ctx.settings


async def _every(
    ctx: WorkerContext,
    seconds: float,
    what: str,
    step: Callable[[PlatformGateway], Awaitable[object]],
) -> None:
    """Run ``step`` every ``seconds`` until the worker stops, with one platform gateway
    for all runs; a failed run is logged (``<what> failed``) and the next one comes."""
    platforms = PlatformGateway(timeout=_settings(ctx).platform_http_timeout_seconds)

    async def tick() -> None:
        await step(platforms)

    try:
        await repeat(ctx, seconds, tick, failed=f"{what} failed")
    finally:
        await platforms.aclose()


async def metrics_sync(ctx: WorkerContext) -> None:
    settings = _settings(ctx)
    cipher = settings.cipher()
    if cipher is None:
        logger.warning("metrics sync disabled: CAMPAIGNS_ENCRYPTION_KEYS is not set")
        return
    lookback = settings.metrics_sync_lookback_days
    await _every(
        ctx,
        settings.metrics_sync_interval_seconds,
        "metrics sync",
        lambda platforms: sync_all(ctx.engine, ctx.sessionmaker, platforms, cipher, lookback),
    )


async def scheduled_rules(ctx: WorkerContext) -> None:
    settings = _settings(ctx)
    cipher = settings.cipher()
    await _every(
        ctx,
        settings.rules_tick_seconds,
        "scheduled rules",
        lambda platforms: run_due_rules(ctx.sessionmaker, platforms, cipher, settings),
    )


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
