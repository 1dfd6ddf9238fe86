"""Optimization rules: CRUD, and executing a rule against the caller's active campaigns.

An execution holds the rule row's lock for its whole transaction, so two
executions of one rule never overlap: a manual execute that finds the rule
locked answers 409 (``RuleBusy``), the scheduler skips locked rules. The
campaigns it changes are locked too. Platform pushes happen after the commit
(:mod:`campaigns.rule.push`); each applied action starts ``pending``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.errors import invalid
from adscale_common.types import utcnow
from campaigns.ad_group import service as ad_groups
from campaigns.ad_group.errors import AdGroupNotFound
from campaigns.campaign import service as campaigns
from campaigns.campaign.errors import CampaignNotFound
from campaigns.models import Rule
from campaigns.rule import repository, runner
from campaigns.rule.errors import RuleBusy, RuleNotFound
from campaigns.rule.presets import expanded_conditions
from campaigns.rule.runner import ExecutionOutcome
from campaigns.rule.schemas import (
    RuleConditions,
    RuleCreate,
    RuleRead,
    RuleUpdate,
    check_rule,
)

LOCK_NOT_AVAILABLE = "55P03"


# Load-or-404 and the paged list, scoped to the caller (adscale_common.repository).
get_owned = repository.owned.require
list_owned = repository.owned.page


def to_read(rule: Rule, *, expand: bool = False) -> RuleRead:
    conditions = RuleConditions.model_validate(rule.conditions)
    if expand:
        conditions = expanded_conditions(rule.rule_type, rule.threshold, conditions)
    return RuleRead.model_validate({**rule.model_dump(), "conditions": conditions})


def _store(conditions: RuleConditions) -> dict[str, Any]:
    return conditions.model_dump(mode="json", exclude_none=True)


async def _check_campaigns(
    session: AsyncSession, user_id: uuid.UUID, conditions: RuleConditions
) -> None:
    if conditions.campaign_ids:
        owned = await campaigns.owned_ids(session, user_id, conditions.campaign_ids)
        if owned != set(conditions.campaign_ids):
            raise CampaignNotFound("Campaign not found (conditions.campaign_ids)")
    scope = conditions.scope
    if scope is not None and scope.ids:
        if scope.level == "campaign":
            if await campaigns.owned_ids(session, user_id, scope.ids) != set(scope.ids):
                raise CampaignNotFound("Campaign not found (conditions.scope.ids)")
        elif await ad_groups.owned_ids(session, user_id, scope.ids) != set(scope.ids):
            raise AdGroupNotFound("Ad group not found (conditions.scope.ids)")


async def create(session: AsyncSession, user_id: uuid.UUID, data: RuleCreate) -> Rule:
    await _check_campaigns(session, user_id, data.conditions)
    rule = Rule(
        **data.model_dump(exclude={"conditions"}),
        user_id=user_id,
        conditions=_store(data.conditions),
    )
    return await repository.owned.insert(session, rule)


async def update(
    session: AsyncSession, user_id: uuid.UUID, rule_id: uuid.UUID, data: RuleUpdate
) -> Rule:
    rule = await get_owned(session, user_id, rule_id)
    rule = await lock(session, rule.id)
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
    rule = await lock(session, rule.id)
    await repository.owned.delete(session, rule)


async def lock(session: AsyncSession, rule_id: uuid.UUID) -> Rule:
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


async def execute(
    session: AsyncSession,
    user_id: uuid.UUID,
    rule_id: uuid.UUID,
    *,
    dry_run: bool,
    now: datetime | None = None,
    max_push_attempts: int = 5,
) -> ExecutionOutcome:
    """``POST /rules/{id}/execute``: a dry run only reads; a real run locks the rule (NOWAIT)."""
    rule = await get_owned(session, user_id, rule_id)
    if not dry_run:
        rule = await lock(session, rule.id)
    return await runner.run(
        session,
        rule,
        trigger="manual",
        dry_run=dry_run,
        now=now,
        max_push_attempts=max_push_attempts,
    )
