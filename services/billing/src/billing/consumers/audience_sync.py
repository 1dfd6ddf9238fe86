"""``audience_sync.events`` → usage: profiles sent by finished syncs."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.consumer import Handler
from adscale_common.events import Envelope
from adscale_contracts.events import SyncCompleted, parse
from billing.usage import service

TOPIC = "audience_sync.events"


async def on_sync_completed(session: AsyncSession, envelope: Envelope) -> None:
    data = parse(envelope, SyncCompleted)
    await service.profiles_synced(
        session, user_id=data.user_id, profiles=data.profiles_sent, at=envelope.occurred_at
    )


HANDLERS: dict[str, Handler] = {SyncCompleted.TYPE: on_sync_completed}
