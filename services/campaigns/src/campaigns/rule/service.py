"""Optimization rules: CRUD, and executing a rule against the caller's active campaigns.

An execution holds the rule row's lock for its whole transaction, so two
executions of one rule never overlap: a manual execute that finds the rule
locked answers 409 (``RuleBusy``), the scheduler skips locked rules. The
campaigns it changes are locked too. Platform pushes happen after the commit
(:mod:`campaigns.rule.push`); each applied action starts ``pending``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.types import utcnow
from campaigns.account.schemas import is_connected
from campaigns.api import invalid
from campaigns.campaign import service as campaigns
from campaigns.campaign.errors import CampaignNotFound
from campaigns.metrics import repository as metrics
from campaigns.metrics.schemas import Totals
from campaigns.models import Rule, RuleAction, RuleExecution
from campaigns.rule import repository
from campaigns.rule.engine import CampaignState, evaluate
from campaigns.rule.errors import RuleBusy, RuleNotFound
from campaigns.rule.schemas import (
    RuleConditions,
    RuleCreate,
    RuleRead,
    RuleUpdate,
    check_rule,
)

LOCK_NOT_AVAILABLE = "55P03"


def to_read(rule: Rule) -> RuleRead:
    return RuleRead(
        id=rule.id,
        name=rule.name,
        rule_type=rule.rule_type,  # type: ignore[arg-type]
        threshold=rule.threshold,
        conditions=RuleConditions.model_validate(rule.conditions),
        is_active=rule.is_active,
        last_executed=rule.last_executed,
        executions_count=rule.executions_count,
        created_at=rule.created_at,
        updated_at=rule.updated_at,
    )


def _store(conditions: RuleConditions) -> dict[str, Any]:
    return conditions.model_dump(mode="json", exclude_none=True)


async def _check_campaigns(
    session: AsyncSession, user_id: uuid.UUID, conditions: RuleConditions
) -> None:
    if conditions.campaign_ids:
        owned = await repository.owned_campaign_ids(session, user_id, conditions.campaign_ids)
        if owned != set(conditions.campaign_ids):
            raise CampaignNotFound("Campaign not found (conditions.campaign_ids)")


async def create(session: AsyncSession, user_id: uuid.UUID, data: RuleCreate) -> Rule:
    await _check_campaigns(session, user_id, data.conditions)
    now = utcnow()
    rule = Rule(
        user_id=user_id,
        name=data.name,
        rule_type=data.rule_type,
        threshold=data.threshold,
        conditions=_store(data.conditions),
        is_active=data.is_active,
        created_at=now,
        updated_at=now,
    )
    session.add(rule)
    await session.flush()
    return rule


async def get_owned(session: AsyncSession, user_id: uuid.UUID, rule_id: uuid.UUID) -> Rule:
    rule = await repository.get_owned(session, user_id, rule_id)
    if rule is None:
        raise RuleNotFound()
    return rule


async def list_owned(
    session: AsyncSession, user_id: uuid.UUID, offset: int, limit: int
) -> tuple[Sequence[Rule], int]:
    return await repository.list_owned(session, user_id, offset, limit)


async def update(
    session: AsyncSession, user_id: uuid.UUID, rule_id: uuid.UUID, data: RuleUpdate
) -> Rule:
    rule = await get_owned(session, user_id, rule_id)
    rule = await _lock(session, rule.id)
    rule_type = data.rule_type or rule.rule_type
    threshold = data.threshold if data.threshold is not None else rule.threshold
    conditions = data.conditions or RuleConditions.model_validate(rule.conditions)
    try:
        check_rule(rule_type, threshold, conditions)
    except ValueError as exc:
        raise invalid([], str(exc)) from exc
    if data.conditions is not None:
        await _check_campaigns(session, user_id, conditions)
    rule.name = data.name or rule.name
    rule.rule_type = rule_type
    rule.threshold = threshold
    rule.conditions = _store(conditions)
    if data.is_active is not None:
        rule.is_active = data.is_active
    rule.updated_at = utcnow()
    await session.flush()
    return rule


async def delete(session: AsyncSession, user_id: uuid.UUID, rule_id: uuid.UUID) -> None:
    rule = await get_owned(session, user_id, rule_id)
    rule = await _lock(session, rule.id)
    await session.delete(rule)
    await session.flush()


async def _lock(session: AsyncSession, rule_id: uuid.UUID) -> Rule:
    try:
        async with session.begin_nested():
            rule = await repository.lock_nowait(session, rule_id)
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise RuleBusy() from exc
        raise
    if rule is None:
        raise RuleNotFound()
    return rule


# --------------------------------------------------------------------------- execution


@dataclass
class ExecutionOutcome:
    rule_id: uuid.UUID
    dry_run: bool
    window_start: date
    window_end: date
    campaigns_evaluated: int = 0
    applied: list[str] = field(default_factory=list)
    execution_id: uuid.UUID | None = None
    pending_push: list[uuid.UUID] = field(default_factory=list)

    @property
    def campaigns_affected(self) -> int:
        return len(self.applied)


def window(conditions: RuleConditions, now: datetime) -> tuple[date, date]:
    end = now.astimezone(UTC).date()
    return end - timedelta(days=conditions.lookback_days - 1), end


async def execute(
    session: AsyncSession,
    user_id: uuid.UUID,
    rule_id: uuid.UUID,
    *,
    dry_run: bool,
    now: datetime | None = None,
) -> ExecutionOutcome:
    """``POST /rules/{id}/execute``: a dry run only reads; a real run locks the rule (NOWAIT)."""
    rule = await get_owned(session, user_id, rule_id)
    if not dry_run:
        rule = await _lock(session, rule.id)
    return await run(session, rule, trigger="manual", dry_run=dry_run, now=now)


async def run(
    session: AsyncSession,
    rule: Rule,
    *,
    trigger: str,
    dry_run: bool = False,
    now: datetime | None = None,
) -> ExecutionOutcome:
    """Evaluate ``rule`` (already locked unless ``dry_run``) and apply its actions."""
    now = now or utcnow()
    conditions = RuleConditions.model_validate(rule.conditions)
    start, end = window(conditions, now)
    outcome = ExecutionOutcome(rule.id, dry_run, start, end)
    pairs = await repository.candidates(
        session, rule.user_id, conditions.campaign_ids, lock=not dry_run
    )
    ids = [c.id for c, _ in pairs]
    totals = await metrics.campaign_totals(session, ids, start, end)
    last = await repository.last_applied(session, rule.id, ids)
    outcome.campaigns_evaluated = len(pairs)

    execution: RuleExecution | None = None
    if not dry_run:
        execution = RuleExecution(
            rule_id=rule.id,
            user_id=rule.user_id,
            trigger=trigger,
            started_at=now,
            window_start=start,
            window_end=end,
        )
        session.add(execution)
        await session.flush()
        outcome.execution_id = execution.id

    for campaign, account in pairs:
        decision = evaluate(
            rule.rule_type,
            Decimal(rule.threshold),
            conditions,
            CampaignState(campaign.name, campaign.status, campaign.budget_daily),
            totals.get(campaign.id, Totals()),
            last.get(campaign.id),
            now,
            dry_run=dry_run,
        )
        if decision is None:
            continue
        if decision.outcome == "applied":
            outcome.applied.append(decision.description)
        if execution is None:
            continue
        push = (
            decision.outcome == "applied"
            and is_connected(account)
            and campaign.external_campaign_id is not None
        )
        action = RuleAction(
            execution_id=execution.id,
            rule_id=rule.id,
            campaign_id=campaign.id,
            campaign_name=campaign.name,
            action=decision.action,
            outcome=decision.outcome,
            reason=decision.reason,
            metric_value=decision.metric_value.quantize(Decimal("0.000001"))
            if decision.metric_value is not None
            else None,
            old_value=decision.old_value,
            new_value=decision.new_value,
            description=decision.description,
            platform_status="pending" if push else "not_applicable",
            created_at=now,
        )
        session.add(action)
        if decision.outcome == "applied":
            await campaigns.apply_rule_change(
                session, campaign, status=decision.new_status, budget_daily=decision.new_budget
            )
        await session.flush()
        if push:
            outcome.pending_push.append(action.id)

    if execution is not None:
        execution.campaigns_evaluated = outcome.campaigns_evaluated
        execution.campaigns_affected = outcome.campaigns_affected
        execution.finished_at = utcnow()
        rule.last_executed = now
        rule.executions_count = rule.executions_count + 1
        await session.flush()
    return outcome
