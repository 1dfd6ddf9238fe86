from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from adscale_common.paged import page_of
from adscale_common.repository import OwnedRepository
from campaigns.models import AdGroup, Campaign, RuleAction, RuleExecution
from campaigns.rule_run.errors import RunNotFound

owned = OwnedRepository(RuleExecution, not_found=RunNotFound)


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


async def lock_campaigns(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Campaign]:
    if not ids:
        return {}
    stmt = (
        sa.select(Campaign)
        .where(col(Campaign.id).in_(ids))
        .order_by(col(Campaign.id))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {c.id: c for c in (await session.execute(stmt)).scalars()}


async def lock_ad_groups(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, AdGroup]:
    if not ids:
        return {}
    stmt = (
        sa.select(AdGroup)
        .where(col(AdGroup.id).in_(ids))
        .order_by(col(AdGroup.id))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {g.id: g for g in (await session.execute(stmt)).scalars()}
