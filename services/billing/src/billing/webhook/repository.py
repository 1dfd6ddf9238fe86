"""Queries on ``stripe_event`` (the webhook inbox)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from billing.models import StripeEvent


async def claim(
    session: AsyncSession,
    *,
    event_id: str,
    event_type: str,
    created: int,
    livemode: bool,
    payload: dict[str, Any],
) -> StripeEvent | None:
    """Store the event; ``None`` when it was stored before (a redelivery).

    A concurrent delivery of the same event waits on the primary key until the
    first one commits, then finds it stored.
    """
    result = await session.execute(
        insert(StripeEvent)
        .values(
            id=event_id,
            type=event_type,
            created=created,
            livemode=livemode,
            payload=payload,
        )
        .on_conflict_do_nothing(index_elements=[col(StripeEvent.id)])
        .returning(col(StripeEvent.id))
    )
    if result.first() is None:
        return None
    stored = await session.get(StripeEvent, event_id)
    assert stored is not None
    return stored
