"""Building and emitting this service's events (always through the outbox)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.outbox import emit, emit_many
from adscale_contracts.events import EventData, build

SOURCE = "campaigns"


async def publish(session: AsyncSession, data: EventData) -> None:
    await emit(session, build(data, source=SOURCE))


async def publish_many(session: AsyncSession, items: Sequence[EventData]) -> None:
    await emit_many(session, [build(data, source=SOURCE) for data in items])
