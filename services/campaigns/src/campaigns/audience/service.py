"""The audience-health projection: each audience's last sync status, size and match rate.

Fed by ``audience_sync.completed`` / ``audience_sync.failed`` (at least once, in any
order): an event older than the one already applied is ignored. Size follows the
counts the events carry: a ``create`` or ``replace`` sync leaves
``profiles_sent - profiles_failed`` members, an ``update`` adds ``profiles_added`` and
takes ``profiles_removed`` off the size known before, a ``delete`` leaves 0. A failed
sync keeps the last known size and match rate. ``match_rate`` is a percentage
(``88.7``), as audience-sync reports it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.types import utcnow
from adscale_contracts.events import SyncCompleted, SyncFailed
from campaigns.audience import repository
from campaigns.models import AudienceHealth


async def _current(
    session: AsyncSession, audience_id: uuid.UUID, user_id: uuid.UUID, platform: str, at: datetime
) -> AudienceHealth | None:
    """The row to update, or ``None`` when a newer event was already applied."""
    row = await repository.get_for_update(session, audience_id)
    if row is None:
        row = AudienceHealth(
            audience_id=audience_id,
            user_id=user_id,
            platform=platform,
            last_status="completed",
            last_event_at=at,
        )
        session.add(row)
        return row
    if row.last_event_at > at:
        return None
    return row


async def record_completed(session: AsyncSession, event: SyncCompleted, at: datetime) -> bool:
    row = await _current(session, event.audience_id, event.user_id, event.platform, at)
    if row is None:
        return False
    if event.operation in ("create", "replace"):
        row.size = max(event.profiles_sent - event.profiles_failed, 0)
    elif event.operation == "update":
        row.size = max((row.size or 0) + event.profiles_added - event.profiles_removed, 0)
    else:
        row.size = 0
    if event.match_rate is not None:
        row.match_rate = Decimal(str(event.match_rate)).quantize(Decimal("0.0001"))
    row.last_status = "completed"
    row.last_error_code = None
    row.last_event_at = at
    row.updated_at = utcnow()
    await session.flush()
    return True


async def record_failed(session: AsyncSession, event: SyncFailed, at: datetime) -> bool:
    row = await _current(session, event.audience_id, event.user_id, event.platform, at)
    if row is None:
        return False
    row.last_status = "failed"
    row.last_error_code = event.error_code[:100]
    row.last_event_at = at
    row.updated_at = utcnow()
    await session.flush()
    return True
