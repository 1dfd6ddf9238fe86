"""Building and emitting this service's events (always through the outbox)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.outbox import emit
from adscale_contracts.events import EventData, build

SOURCE = "campaigns"


async def publish(session: AsyncSession, data: EventData) -> None:
    await emit(session, build(data, source=SOURCE))
