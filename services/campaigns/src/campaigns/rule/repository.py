from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from campaigns.models import AdAccount, Campaign, Rule, RuleAction, RuleExecution


async def get_owned(session: AsyncSession, user_id: uuid.UUID, rule_id: uuid.UUID) -> Rule | None:
    stmt = sa.select(Rule).where(col(Rule.id) == rule_id, col(Rule.user_id) == user_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def lock_nowait(session: AsyncSession, rule_id: uuid.UUID) -> Rule | None:
    """The rule, locked; raises ``DBAPIError`` (55P03) when another execution holds it."""
    stmt = (
        sa.select(Rule)
        .where(col(Rule.id) == rule_id)
        .with_for_update(nowait=True)
        .execution_options(populate_existing=True)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def claim_due(session: AsyncSession, due_before: datetime) -> Rule | None:
    """One active rule due for a scheduled run, locked; rules locked elsewhere are skipped."""
    stmt = (
        sa.select(Rule)
        .where(
            col(Rule.is_active).is_(True),
            sa.or_(col(Rule.last_executed).is_(None), col(Rule.last_executed) <= due_before),
        )
        .order_by(col(Rule.last_executed).asc().nulls_first(), col(Rule.id))
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_owned(
    session: AsyncSession, user_id: uuid.UUID, offset: int, limit: int
) -> tuple[Sequence[Rule], int]:
    where = col(Rule.user_id) == user_id
    total = (
        await session.execute(sa.select(sa.func.count()).select_from(Rule).where(where))
    ).scalar_one()
    rows = (
        await session.execute(
            sa.select(Rule)
            .where(where)
            .order_by(col(Rule.created_at).desc(), col(Rule.id))
            .offset(offset)
            .limit(limit)
        )
    ).scalars()
    return list(rows), int(total)


async def owned_campaign_ids(
    session: AsyncSession, user_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    stmt = sa.select(col(Campaign.id)).where(
        col(Campaign.user_id) == user_id, col(Campaign.id).in_(ids)
    )
    return set((await session.execute(stmt)).scalars())


async def candidates(
    session: AsyncSession,
    user_id: uuid.UUID,
    campaign_ids: Sequence[uuid.UUID] | None,
    *,
    lock: bool,
) -> list[tuple[Campaign, AdAccount]]:
    """The user's active campaigns a rule judges, with their account (locked when acting)."""
    stmt = (
        sa.select(Campaign, AdAccount)
        .join(AdAccount, col(AdAccount.id) == col(Campaign.ad_account_id))
        .where(col(Campaign.user_id) == user_id, col(Campaign.status) == "active")
        .order_by(col(Campaign.id))
    )
    if campaign_ids is not None:
        stmt = stmt.where(col(Campaign.id).in_(campaign_ids))
    if lock:
        stmt = stmt.with_for_update(of=Campaign)
    return [(row[0], row[1]) for row in (await session.execute(stmt)).all()]


async def last_applied(
    session: AsyncSession, rule_id: uuid.UUID, campaign_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, datetime]:
    if not campaign_ids:
        return {}
    stmt = (
        sa.select(col(RuleAction.campaign_id), sa.func.max(col(RuleAction.created_at)))
        .where(
            col(RuleAction.rule_id) == rule_id,
            col(RuleAction.outcome) == "applied",
            col(RuleAction.campaign_id).in_(campaign_ids),
        )
        .group_by(col(RuleAction.campaign_id))
    )
    rows: Sequence[Any] = (await session.execute(stmt)).all()
    return {row[0]: row[1] for row in rows}


async def executions(
    session: AsyncSession, rule_id: uuid.UUID, offset: int, limit: int
) -> tuple[Sequence[RuleExecution], dict[uuid.UUID, list[RuleAction]], int]:
    where = col(RuleExecution.rule_id) == rule_id
    total = (
        await session.execute(sa.select(sa.func.count()).select_from(RuleExecution).where(where))
    ).scalar_one()
    rows = list(
        (
            await session.execute(
                sa.select(RuleExecution)
                .where(where)
                .order_by(col(RuleExecution.started_at).desc(), col(RuleExecution.id))
                .offset(offset)
                .limit(limit)
            )
        ).scalars()
    )
    actions: dict[uuid.UUID, list[RuleAction]] = {r.id: [] for r in rows}
    if rows:
        for action in (
            await session.execute(
                sa.select(RuleAction)
                .where(col(RuleAction.execution_id).in_(list(actions)))
                .order_by(col(RuleAction.created_at), col(RuleAction.campaign_name))
            )
        ).scalars():
            actions[action.execution_id].append(action)
    return rows, actions, int(total)
