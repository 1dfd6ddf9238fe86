"""Applying a change to a row and naming what actually changed (for ``*_updated`` events)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.types import utcnow
from adscale_contracts.events import EventData
from campaigns.events import publish_many

Row = TypeVar("Row")


def assign(row: Any, **values: Any) -> list[str]:
    """Set each value that is given (not ``None``) and differs; the names of those set."""
    changed: list[str] = []
    for name, value in values.items():
        if value is not None and getattr(row, name) != value:
            setattr(row, name, value)
            changed.append(name)
    return changed


async def apply_all(
    session: AsyncSession,
    changes: Sequence[tuple[Row, Mapping[str, Any]]],
    updated: Callable[[Row, list[str]], EventData],
) -> None:
    """Changes made by a rule to many rows at once (each locked by the caller): on each row,
    :func:`assign` them and stamp ``updated_at``; then one flush and one outbox insert of
    the ``updated`` events of the rows that changed."""
    events: list[EventData] = []
    now = utcnow()
    for row, values in changes:
        changed = assign(row, **values)
        if changed:
            row.updated_at = now  # type: ignore[attr-defined]
            events.append(updated(row, changed))
    if events:
        await session.flush()
        await publish_many(session, events)
