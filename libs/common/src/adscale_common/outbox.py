"""Transactional outbox: ``emit`` inside the business transaction, a relay publishes.

``emit(session, event)`` adds the event row to the caller's transaction and
queues a NOTIFY; both take effect only if the transaction commits, so a
rolled-back change emits nothing. :class:`OutboxRelay` claims pending rows
with ``FOR UPDATE SKIP LOCKED`` (several relays never publish the same row at
once), publishes them with the idempotent producer, waits for every ack, and
marks them sent in the same transaction. A relay that dies between publish and
mark-sent leaves the rows pending; the next run publishes them again, and the
consumers' inbox absorbs the duplicate.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import asyncpg
import orjson
import sqlalchemy as sa
from aiokafka import AIOKafkaProducer
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from adscale_common.events import Envelope
from adscale_common.messaging import OUTBOX_CHANNEL, outbox_event
from adscale_common.metrics import OUTBOX_PUBLISH_FAILURES, OUTBOX_PUBLISHED
from adscale_common.outbox_backlog import BacklogSampler
from adscale_common.tracing import current_traceparent, publish_span

logger = logging.getLogger(__name__)


async def emit(session: AsyncSession, event: Envelope, *, topic: str | None = None) -> None:
    """Record ``event`` in the outbox as part of the session's transaction."""
    await emit_many(session, [event], topic=topic)


async def emit_many(
    session: AsyncSession, events: Sequence[Envelope], *, topic: str | None = None
) -> None:
    """Record several events in one statement (bulk changes), in the session's transaction."""
    if not events:
        return
    traceparent = current_traceparent()
    await session.execute(
        outbox_event.insert(),
        [
            {
                "id": event.id,
                "topic": topic or event.topic,
                "key": event.subject,
                "event_type": event.type,
                "payload": event.model_dump(mode="json"),
                "traceparent": traceparent,
            }
            for event in events
        ],
    )
    await session.execute(sa.select(sa.func.pg_notify(OUTBOX_CHANNEL, "")))


def encode_event(payload: dict[str, object]) -> bytes:
    return orjson.dumps(payload)


class OutboxRelay:
    def __init__(
        self,
        engine: AsyncEngine,
        producer: AIOKafkaProducer,
        *,
        batch_size: int = 200,
        poll_interval: float = 1.0,
        retention_seconds: float = 7 * 24 * 3600,
        after_publish: Callable[[Sequence[Any]], Awaitable[None]] | None = None,
        service: str = "unknown",
    ) -> None:
        self.engine = engine
        self.service = service
        self.backlog = BacklogSampler(engine, service)
        self.producer = producer
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self._after_publish = after_publish
        self.retention_seconds = retention_seconds
        self._last_purge = 0.0
        self._wake = asyncio.Event()
        self._stopping = False

    async def publish_pending(self) -> int:
        """Publish one batch of pending rows; return how many were published."""
        async with self.engine.begin() as conn:
            rows = (
                await conn.execute(
                    sa.select(
                        outbox_event.c.seq,
                        outbox_event.c.topic,
                        outbox_event.c.key,
                        outbox_event.c.event_type,
                        outbox_event.c.payload,
                        outbox_event.c.traceparent,
                    )
                    .where(outbox_event.c.sent_at.is_(None))
                    .order_by(outbox_event.c.seq)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            futures = []
            for row in rows:
                with publish_span(row.topic, row.traceparent) as trace_headers:
                    futures.append(
                        await self.producer.send(
                            row.topic,
                            value=encode_event(row.payload),
                            key=row.key.encode(),
                            headers=[("event_type", row.event_type.encode()), *trace_headers],
                        )
                    )
            await asyncio.gather(*futures)
            if self._after_publish is not None:
                await self._after_publish(rows)
            await conn.execute(
                outbox_event.update()
                .where(outbox_event.c.seq.in_([row.seq for row in rows]))
                .values(sent_at=sa.func.now(), attempts=outbox_event.c.attempts + 1)
            )
        for row in rows:
            OUTBOX_PUBLISHED.labels(self.service, row.topic).inc()
        logger.debug("outbox published", extra={"count": len(rows)})
        return len(rows)

    async def purge_sent(self, older_than_seconds: float) -> int:
        """Delete rows published more than ``older_than_seconds`` ago (the table stays small)."""
        async with self.engine.begin() as conn:
            result = await conn.execute(
                outbox_event.delete().where(
                    outbox_event.c.sent_at
                    < sa.func.now() - sa.func.make_interval(0, 0, 0, 0, 0, 0, older_than_seconds)
                )
            )
        return int(result.rowcount or 0)

    async def _record_failure(self, error: BaseException) -> None:
        with contextlib.suppress(Exception):
            async with self.engine.begin() as conn:
                first_pending = (
                    sa.select(outbox_event.c.seq)
                    .where(outbox_event.c.sent_at.is_(None))
                    .order_by(outbox_event.c.seq)
                    .limit(self.batch_size)
                    .scalar_subquery()
                )
                await conn.execute(
                    outbox_event.update()
                    .where(outbox_event.c.seq.in_(first_pending))
                    .values(attempts=outbox_event.c.attempts + 1, last_error=repr(error)[:2000])
                )

    async def _listen(self) -> None:
        """Wake the loop on NOTIFY; reconnect on failure (polling covers the gap)."""
        dsn = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        while not self._stopping:
            conn: asyncpg.Connection | None = None
            try:
                conn = await asyncpg.connect(dsn)
                await conn.add_listener(OUTBOX_CHANNEL, lambda *_: self._wake.set())
                while not self._stopping and not conn.is_closed():  # noqa: ASYNC110
                    await asyncio.sleep(5)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning("outbox listener reconnecting", extra={"error": repr(exc)})
                await asyncio.sleep(2)
            finally:
                if conn is not None:
                    with contextlib.suppress(Exception):
                        await conn.close()

    async def run(self) -> None:
        listener = asyncio.create_task(self._listen())
        backoff = 0.5
        try:
            while not self._stopping:
                try:
                    published = await self.publish_pending()
                    backoff = 0.5
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    logger.exception("outbox publish failed; will retry")
                    OUTBOX_PUBLISH_FAILURES.labels(self.service).inc()
                    await self.backlog.maybe_sample()
                    await self._record_failure(exc)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 30.0)
                    continue
                await self.backlog.maybe_sample()
                if published == self.batch_size:
                    continue  # more may be waiting
                if time.monotonic() - self._last_purge > 3600:
                    self._last_purge = time.monotonic()
                    try:
                        await self.purge_sent(self.retention_seconds)
                    except Exception:
                        logger.exception("outbox purge failed; will retry in an hour")
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self.poll_interval)
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await listener

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
