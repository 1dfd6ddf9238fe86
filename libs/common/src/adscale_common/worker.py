"""A service's background process: outbox relay, consumers and periodic jobs."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import signal
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from adscale_common.consumer import ConsumerRunner, Handler
from adscale_common.db import make_engine, make_sessionmaker
from adscale_common.errors import dependency_unavailable
from adscale_common.events import dlq_topic
from adscale_common.kafka import ensure_topics, make_producer
from adscale_common.metrics import serve_metrics
from adscale_common.observability import configure_logging
from adscale_common.outbox import OutboxRelay
from adscale_common.pool_metrics import track_pool
from adscale_common.settings import ServiceSettings
from adscale_common.tracing import configure_tracing

logger = logging.getLogger(__name__)

# A task that crashes is started again after 1 s, then 2, 4 … up to 30 s while it keeps
# crashing; one that ran this long before it crashed starts over at 1 s.
HEALTHY_RUN_SECONDS = 60.0


@dataclass
class ConsumerSpec:
    name: str
    topics: list[str]
    handlers: Mapping[str, Handler]


Closer = Callable[[], Awaitable[None]]


@dataclass
class WorkerContext:
    settings: ServiceSettings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    closers: list[Closer] = field(default_factory=list)

    def at_stop(self, closer: Closer) -> None:
        """``closer`` runs when the worker stops, after its tasks ended and before the
        database pool and the worker's producer close; the last added runs first."""
        self.closers.append(closer)

    async def close(self) -> None:
        """Run the closers (each once; one that fails is logged, the others still run)."""
        while self.closers:
            closer = self.closers.pop()
            try:
                await closer()
            except Exception:
                logger.exception("closing a worker resource failed")


Task = Callable[[WorkerContext], Awaitable[None]]


async def repeat(
    ctx: WorkerContext, seconds: float, tick: Callable[[], Awaitable[None]], *, failed: str
) -> None:
    """A periodic task's loop: ``tick`` every ``seconds`` until the worker stops. A tick that
    raises is logged (``failed``, with the traceback; a dependency out of reach, such as
    PostgreSQL restarting, as a warning naming the error) and the next one runs on time."""
    while not ctx.stopping.is_set():
        try:
            await tick()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if dependency_unavailable(exc):
                logger.warning(f"{failed}: dependency unavailable", extra={"error": repr(exc)})
            else:
                logger.exception(failed)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ctx.stopping.wait(), timeout=seconds)


def _task_name(task: Task) -> str:
    return str(getattr(task, "__name__", "task"))


async def run_worker(
    settings: ServiceSettings,
    *,
    service: str,
    produces: Sequence[str] = (),
    consumers: Sequence[ConsumerSpec] = (),
    tasks: Sequence[Task] = (),
) -> None:
    """Run until SIGTERM/SIGINT: relay + consumers + extra tasks, all restarted on crash."""
    configure_logging(f"{service}-worker", settings.log_level, json=settings.log_json)
    configure_tracing(f"{service}-worker")
    engine = make_engine(settings.database_url, pool_size=5)
    ctx = WorkerContext(settings=settings, engine=engine, sessionmaker=make_sessionmaker(engine))
    track_pool(f"{service}-worker", engine)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, ctx.stopping.set)
    metrics_server = (
        serve_metrics(settings.worker_metrics_port, settings.metrics_host)
        if settings.worker_metrics_port
        else None
    )

    topics = set(produces)
    for spec in consumers:
        topics.update(spec.topics)
    topics.update(dlq_topic(t) for t in list(topics))

    producer = make_producer(settings.kafka_bootstrap, client_id=f"{service}-worker")
    await producer.start()
    relay = OutboxRelay(
        engine, producer, poll_interval=settings.outbox_poll_seconds, service=service
    )
    runners = [
        ConsumerRunner(
            name=spec.name,
            topics=spec.topics,
            handlers=spec.handlers,
            sessionmaker=ctx.sessionmaker,
            bootstrap=settings.kafka_bootstrap,
            producer=producer,
        )
        for spec in consumers
    ]

    async def supervised(name: str, factory: Callable[[], Awaitable[None]]) -> None:
        delay = 1.0
        while not ctx.stopping.is_set():
            started = loop.time()
            try:
                await factory()
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if loop.time() - started >= HEALTHY_RUN_SECONDS:
                    delay = 1.0  # it had been running well: this is a new failure
                about = {"task": name, "restart_in_seconds": delay}
                if dependency_unavailable(exc):  # PostgreSQL restarting, say: not a bug
                    logger.warning(
                        "worker task lost a dependency; restarting",
                        extra={**about, "error": repr(exc)},
                    )
                else:
                    logger.exception("worker task crashed; restarting", extra=about)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

    # Consumers follow their subscription, so nothing waits for the topics: they are
    # created in the background (retried while the broker is not ready yet).
    jobs = [
        asyncio.create_task(
            supervised(
                "topics",
                functools.partial(
                    ensure_topics,
                    settings.kafka_bootstrap,
                    topics,
                    partitions=settings.kafka_partitions,
                ),
            )
        ),
        asyncio.create_task(supervised("relay", relay.run)),
    ]
    jobs += [asyncio.create_task(supervised(r.name, r.run)) for r in runners]
    jobs += [
        asyncio.create_task(supervised(_task_name(t), functools.partial(t, ctx))) for t in tasks
    ]
    logger.info("worker started", extra={"consumers": [r.name for r in runners]})
    await ctx.stopping.wait()
    relay.stop()
    for runner in runners:
        runner.stop()
    for job in jobs:
        job.cancel()
    for job in jobs:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await job
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.remove_signal_handler(sig)
    await ctx.close()
    await producer.stop()
    await engine.dispose()
    if metrics_server is not None:
        metrics_server.shutdown()
    logger.info("worker stopped")
