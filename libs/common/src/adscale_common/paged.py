"""One page of a query's rows and the query's total, for the list endpoints that page
rows other than an owner's (a run's objects, a subscription's deliveries, a campaign's
days); :class:`~adscale_common.repository.OwnedRepository` pages the owned ones."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select


async def page_of(
    session: AsyncSession,
    query: Select[Any],
    *order_by: Any,
    offset: int,
    limit: int,
) -> tuple[list[Any], int]:
    """The rows of ``query`` in ``order_by`` order from ``offset`` (at most ``limit``), and
    how many rows ``query`` has in all."""
    total = await session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = await session.execute(query.order_by(*order_by).offset(offset).limit(limit))
    return list(rows.scalars()), int(total or 0)
