from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from adscale_common.paged import page_of
from adscale_common.repository import OwnedRepository
from campaigns.models import AdGroup, Campaign, RuleAction, RuleExecution
from campaigns.rule_run.errors import RunNotFound

owned = OwnedRepository(RuleExecution, not_found=RunNotFound)

LockedT = TypeVar("LockedT", Campaign, AdGroup)  # what an undo restores


async def objects(
    session: AsyncSession, run_id: uuid.UUID, outcome: str | None, offset: int, limit: int
) -> tuple[Sequence[RuleAction], int]:
    where = [col(RuleAction.execution_id) == run_id]
    if outcome is not None:
        where.append(col(RuleAction.outcome) == outcome)
    return await page_of(
        session,
        sa.select(RuleAction).where(*where),
        sa.case((col(RuleAction.outcome) == "applied", 0), else_=1),
        col(RuleAction.campaign_name),
        col(RuleAction.ad_group_name),
        col(RuleAction.id),
        offset=offset,
        limit=limit,
    )


async def latest_change_run(session: AsyncSession, rule_id: uuid.UUID) -> RuleExecution | None:
    """The rule's latest run that could have changed something (no dry run, no undo)."""
    stmt = (
        sa.select(RuleExecution)
        .where(
            col(RuleExecution.rule_id) == rule_id,
            col(RuleExecution.dry_run).is_(False),
            col(RuleExecution.trigger) != "undo",
        )
        .order_by(col(RuleExecution.started_at).desc(), col(RuleExecution.id).desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def changes(session: AsyncSession, run_id: uuid.UUID) -> list[RuleAction]:
    """What the run changed (applied, not notify-only), oldest first."""
    stmt = (
        sa.select(RuleAction)
        .where(
            col(RuleAction.execution_id) == run_id,
            col(RuleAction.outcome) == "applied",
            col(RuleAction.action) != "notify",
        )
        .order_by(col(RuleAction.created_at), col(RuleAction.id))
    )
    return list((await session.execute(stmt)).scalars())


async def lock_by_id(
    session: AsyncSession, model: type[LockedT], ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, LockedT]:
    """The rows of ``model`` with these ids, locked in id order and reloaded, by id."""
    if not ids:
        return {}
    id_column = col(model.id)
    stmt = (
        sa.select(model)
        .where(id_column.in_(ids))
        .order_by(id_column)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {row.id: row for row in (await session.execute(stmt)).scalars()}
