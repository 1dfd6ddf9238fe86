"""``audience_sync.events`` -> the audience-health projection, then the owner's
audience-health rules (thin: translate and call the services)."""

from __future__ import annotations

import logging
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.events import Envelope
from adscale_contracts.events import SyncCompleted, SyncFailed, parse
from campaigns.audience import service as audiences
from campaigns.rule import triggers

logger = logging.getLogger(__name__)

CONSUMER_GROUP = "campaigns.audience_sync"
TOPIC = "audience_sync.events"


async def on_sync_completed(session: AsyncSession, envelope: Envelope) -> None:
    event = parse(envelope, SyncCompleted)
    recorded = await audiences.record_completed(session, event, envelope.occurred_at)
    await _after_result(session, envelope, event.user_id, recorded)


async def on_sync_failed(session: AsyncSession, envelope: Envelope) -> None:
    event = parse(envelope, SyncFailed)
    recorded = await audiences.record_failed(session, event, envelope.occurred_at)
    await _after_result(session, envelope, event.user_id, recorded)


async def _after_result(
    session: AsyncSession, envelope: Envelope, user_id: uuid.UUID, recorded: bool
) -> None:
    """A recorded result re-runs the user's audience-health rules; a stale one (older than
    what the projection holds) changes nothing."""
    if recorded:
        await triggers.run_audience_rules(session, user_id)
    else:
        logger.info("stale audience sync result ignored", extra={"event_type": envelope.type})


HANDLERS = {SyncCompleted.TYPE: on_sync_completed, SyncFailed.TYPE: on_sync_failed}
