"""The outbox backlog as gauges: rows not yet published and the age of the oldest."""

from __future__ import annotations

import logging
import time

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from adscale_common.messaging import outbox_event
from adscale_common.metrics import OUTBOX_OLDEST_AGE, OUTBOX_PENDING

logger = logging.getLogger(__name__)


class BacklogSampler:
    """Counts pending rows (the partial index on pending rows keeps this cheap)."""

    def __init__(self, engine: AsyncEngine, service: str, *, every_seconds: float = 5.0) -> None:
        self.engine = engine
        self.service = service
        self.every_seconds = every_seconds
        self._last = 0.0

    async def sample(self) -> tuple[int, float]:
        """Read the backlog now and set the gauges; returns (rows, oldest age in seconds)."""
        query = sa.select(
            sa.func.count(),
            sa.func.coalesce(
                sa.func.extract("epoch", sa.func.now() - sa.func.min(outbox_event.c.created_at)),
                0,
            ),
        ).where(outbox_event.c.sent_at.is_(None))
        async with self.engine.connect() as conn:
            rows, age = (await conn.execute(query)).one()
        OUTBOX_PENDING.labels(self.service).set(int(rows))
        OUTBOX_OLDEST_AGE.labels(self.service).set(max(float(age), 0.0))
        self._last = time.monotonic()
        return int(rows), float(age)

    async def maybe_sample(self) -> None:
        """Sample at most every ``every_seconds``; a failed read keeps the last values
        (the database being down is what the relay's own errors already report)."""
        if time.monotonic() - self._last < self.every_seconds:
            return
        try:
            await self.sample()
        except Exception as exc:
            self._last = time.monotonic()
            logger.warning("outbox backlog unreadable", extra={"error": repr(exc)})
