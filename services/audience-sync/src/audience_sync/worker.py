"""Audience Sync background process (``python -m audience_sync.worker``).

* the outbox relay (from ``run_worker``): events to ``audience_sync.events``, job requests to
  ``audience_sync.jobs``;
* ``jobs``: the sync engine fed by ``audience_sync.jobs`` (consumer group
  ``AUDIENCE_SYNC_JOBS_CONSUMER_GROUP``: more processes, more jobs at once);
* ``cdp_profiles``: the ``cdp.profiles`` feed into segments;
* ``audience-sync-webhooks`` / ``audience-sync-rule-webhooks`` (``run_worker`` consumers):
  sync outcomes and ``campaigns.rule_executed`` into webhook deliveries;
* ``erasure`` jobs (:class:`~audience_sync.privacy.eraser.Eraser`) on the same topic, and
  ``audience-sync-privacy-webhooks``: ``cdp.profile_erased`` into ``profile.erased``
  deliveries;
* ``scheduler``: scheduled syncs and stranded-job recovery; at start, tokens still under an
  old encryption key are re-encrypted under the primary one.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer

from adscale_common.crypto import TokenCipher
from adscale_common.events import topic_for
from adscale_common.kafka import make_producer
from adscale_common.worker import ConsumerSpec, WorkerContext, repeat, run_worker
from adscale_contracts.events import ProfileErased
from adscale_contracts.jobs import JOBS_TOPIC
from adscale_platforms.settings import PlatformSettings
from audience_sync.consumers.cdp_profiles import ProfilesConsumer
from audience_sync.consumers.jobs import JobHandler, JobsConsumer
from audience_sync.db import unit_of_work
from audience_sync.export.jobs import cleanup_expired_exports, run_export
from audience_sync.main import instance_name, make_registry
from audience_sync.platform.service import rotate_keys
from audience_sync.platforms import PlatformRegistry
from audience_sync.privacy.eraser import Eraser
from audience_sync.settings import Settings, get_settings
from audience_sync.sync.engine import SyncEngine
from audience_sync.sync.hashing import Hasher
from audience_sync.sync.scheduler import requeue_stranded, schedule_due
from audience_sync.webhook.delivery import retry_due_deliveries
from audience_sync.webhook.privacy_events import consumer_spec as privacy_webhook_consumer_spec
from audience_sync.webhook.queueing import consumer_spec as webhook_consumer_spec
from audience_sync.webhook.rule_events import consumer_spec as rule_webhook_consumer_spec

logger = logging.getLogger(__name__)

Task = Callable[[WorkerContext], Awaitable[None]]


@dataclass
class Shared:
    registry: PlatformRegistry
    cipher: TokenCipher | None
    hasher: Hasher
    producer: AIOKafkaProducer
    engine: SyncEngine


def build_tasks(
    settings: Settings,
    *,
    registry: PlatformRegistry | None = None,
    job_handlers: Callable[[WorkerContext], Mapping[str, JobHandler]] | None = None,
) -> list[Task]:
    """The worker's tasks. ``job_handlers`` adds handlers for other job kinds on
    ``audience_sync.jobs`` (``export``), built from the worker's context."""
    shared: Shared | None = None
    lock = asyncio.Lock()

    async def services(ctx: WorkerContext) -> Shared:
        nonlocal shared
        async with lock:
            if shared is None:
                producer = make_producer(settings.kafka_bootstrap, client_id="audience-sync-dlq")
                await producer.start()
                ctx.at_stop(producer.stop)
                reg = registry or make_registry(settings)
                cipher = settings.cipher()
                hasher = Hasher(settings.hash_processes, nice=settings.hash_nice)
                ctx.at_stop(hasher.stop)
                await hasher.start()  # the hashing processes start with the worker
                shared = Shared(
                    registry=reg,
                    cipher=cipher,
                    hasher=hasher,
                    producer=producer,
                    engine=SyncEngine(
                        engine=ctx.engine,
                        sessionmaker=ctx.sessionmaker,
                        registry=reg,
                        cipher=cipher,
                        settings=settings,
                        hasher=hasher,
                        owner=f"{instance_name('worker')}:{uuid.uuid4().hex[:6]}",
                    ),
                )
            return shared

    async def jobs(ctx: WorkerContext) -> None:
        s = await services(ctx)
        consumer = JobsConsumer(
            settings=settings,
            engine=s.engine,
            producer=s.producer,
            extra_handlers=job_handlers(ctx) if job_handlers else None,
        )
        await consumer.run()

    async def cdp_profiles(ctx: WorkerContext) -> None:
        s = await services(ctx)
        consumer = ProfilesConsumer(
            settings=settings, sessionmaker=ctx.sessionmaker, producer=s.producer
        )
        await consumer.run()

    async def scheduler(ctx: WorkerContext) -> None:
        s = await services(ctx)
        if s.cipher is not None:
            async with unit_of_work(ctx.sessionmaker) as session:
                rotated = await rotate_keys(session, s.cipher)
            if rotated:
                logger.info("tokens re-encrypted under the primary key", extra={"count": rotated})

        async def tick() -> None:
            await schedule_due(ctx.sessionmaker, settings)
            await requeue_stranded(ctx.sessionmaker, settings)

        await repeat(ctx, settings.scheduler_interval_seconds, tick, failed="scheduler tick failed")

    return [jobs, cdp_profiles, scheduler]


def tune_gc(threshold: int) -> None:
    """A sync handles millions of short-lived rows: collecting the youngest generation every
    700 allocations (the default) costs a fifth of the worker's time. Objects alive after
    start-up are frozen out of every collection."""
    gc.freeze()
    if threshold > 0:
        gc.set_threshold(threshold, 50, 100)


def consumer_specs() -> list[ConsumerSpec]:
    """Consumers run by ``run_worker`` (the jobs and cdp.profiles consumers are tasks): sync
    outcomes and rule actions (``campaigns.events``) into webhook deliveries."""
    settings = get_settings()
    return [
        webhook_consumer_spec(settings),
        rule_webhook_consumer_spec(settings),
        privacy_webhook_consumer_spec(settings),
    ]


def make_eraser(ctx: WorkerContext, settings: Settings) -> Eraser:
    """The erasure worker, with platform clients that try each call once (the eraser
    retries itself, so every attempt lands on the receipt)."""
    single = PlatformSettings().model_copy(update={"max_attempts": 1})
    return Eraser(
        engine=ctx.engine,
        sessionmaker=ctx.sessionmaker,
        registry=make_registry(settings, single),
        cipher=settings.cipher(),
        settings=settings,
        owner=f"{instance_name('eraser')}:{uuid.uuid4().hex[:6]}",
    )


def main() -> None:
    settings = get_settings()
    tune_gc(settings.gc_threshold)

    def job_handlers(ctx: WorkerContext) -> Mapping[str, JobHandler]:
        return {
            "export": functools.partial(run_export, ctx.sessionmaker, settings=settings),
            "erasure": make_eraser(ctx, settings).run,
        }

    asyncio.run(
        run_worker(
            settings,
            service="audience-sync",
            produces=[
                "audience_sync.events",
                topic_for(ProfileErased.TYPE),
                JOBS_TOPIC,
                settings.cdp_profiles_topic,
            ],
            consumers=consumer_specs(),
            tasks=[
                *build_tasks(settings, job_handlers=job_handlers),
                retry_due_deliveries,
                cleanup_expired_exports,
            ],
        )
    )


if __name__ == "__main__":
    main()
