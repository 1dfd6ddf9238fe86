"""One run of a rule: judge every object in its scope, act, and record all of it.

Every run (scheduled, manual, dry run) leaves a ``rule_execution`` row and one
``rule_action`` row per object judged (``applied`` / ``skipped`` / ``no_match``,
each with its filters' values). A dry run changes nothing else: no campaign, no
counter, no event, no platform call. A real run is called with the rule row
locked; the campaigns / ad groups it may change are locked too. Platform pushes
happen after the commit (:mod:`campaigns.rule.push`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.types import utcnow
from adscale_contracts.events import RuleExecuted
from campaigns.account.schemas import is_connected
from campaigns.ad_group import service as ad_groups
from campaigns.audience import repository as audiences
from campaigns.campaign import service as campaigns
from campaigns.events import publish_many
from campaigns.models import AudienceHealth, Rule, RuleExecution
from campaigns.rule import repository
from campaigns.rule.engine import Decision, Guards, ObjectState, decide
from campaigns.rule.presets import Definition, expand
from campaigns.rule.repository import Candidate
from campaigns.rule.schemas import RuleConditions
from campaigns.timezones import local_today

PUSHED_ACTIONS = frozenset({"pause", "unpause", "increase_budget", "decrease_budget"})


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


def age_days(candidate: Candidate, today: date) -> int:
    """Days since the campaign started (its start date, else its creation)."""
    campaign = candidate.campaign
    born = campaign.start_date or campaign.created_at.astimezone(UTC).date()
    return max((today - born).days, 0)


def targeted(candidate: Candidate) -> list[uuid.UUID]:
    """The AdScale audiences an ad group's targeting lists."""
    if candidate.ad_group is None:
        return []
    return [uuid.UUID(a) for a in candidate.ad_group.targeting.get("audiences") or []]


def state_of(
    candidate: Candidate,
    now: datetime,
    health: Mapping[uuid.UUID, AudienceHealth] | None = None,
) -> ObjectState:
    campaign, group = candidate.campaign, candidate.ad_group
    known = [health[a] for a in targeted(candidate) if a in health] if health else []
    sizes = [h.size for h in known if h.size is not None]
    rates = [h.match_rate for h in known if h.match_rate is not None]
    return ObjectState(
        kind="campaign" if group is None else "ad_group",
        name=campaign.name if group is None else group.name,
        status=campaign.status if group is None else group.status,
        budget_daily=campaign.budget_daily,
        age_days=age_days(candidate, local_today(now, candidate.account.time_zone)),
        bid_amount=None if group is None else group.bid_amount,
        audience_failed=(
            sum(1 for h in known if h.last_status == "failed") if targeted(candidate) else None
        ),
        audience_size=min(sizes) if sizes else None,
        audience_match_rate=min(rates) if rates else None,
    )


async def run(
    session: AsyncSession,
    rule: Rule,
    *,
    trigger: str,
    dry_run: bool = False,
    now: datetime | None = None,
    slot_at: datetime | None = None,
    max_push_attempts: int = 5,
) -> ExecutionOutcome:
    """Evaluate ``rule`` (already locked unless ``dry_run``) and apply its actions.

    A real run also puts back in the push queue what the platform refused on an
    earlier run of this rule (guard rail: a refusal is retried on the next run, up
    to ``max_push_attempts`` calls in all).
    """
    now = now or utcnow()
    conditions = RuleConditions.model_validate(rule.conditions)
    definition = expand(rule.rule_type, Decimal(rule.threshold), conditions)
    guards = Guards(conditions.min_spend, conditions.min_impressions, conditions.cooldown_hours)
    start, end = window(conditions, now)
    outcome = ExecutionOutcome(rule.id, dry_run, start, end)
    found = await repository.candidates(
        session,
        rule.user_id,
        definition.scope,
        lock=not dry_run,
        in_campaigns=definition.in_campaigns,
    )
    totals = await repository.window_totals(
        session,
        {c.campaign.id: local_today(now, c.account.time_zone) for c in found},
        definition.sums(
            min_spend=guards.min_spend is not None,
            min_impressions=guards.min_impressions is not None,
        ),
    )
    by_group = definition.scope.level == "ad_group"
    health = (
        await audiences.health_of(session, rule.user_id, (a for c in found for a in targeted(c)))
        if definition.reads_audiences
        else {}
    )
    last = await repository.last_applied(
        session, rule.id, [c.object_id for c in found], ad_groups=by_group
    )
    outcome.campaigns_evaluated = len(found)
    if not dry_run:
        outcome.pending_push.extend(
            await repository.requeue_refused(session, rule.id, max_push_attempts)
        )

    execution = RuleExecution(
        rule_id=rule.id,
        user_id=rule.user_id,
        trigger=trigger,
        dry_run=dry_run,
        slot_at=slot_at,
        started_at=now,
        window_start=start,
        window_end=end,
    )
    session.add(execution)
    await session.flush()
    outcome.execution_id = execution.id

    rows: list[dict[str, Any]] = []
    acted: list[tuple[Candidate, Decision, dict[str, Any]]] = []
    for candidate in found:
        decision = decide(
            definition,
            guards,
            state_of(candidate, now, health),
            totals.get(candidate.campaign.id, {}),
            last.get(candidate.object_id),
            now,
            dry_run=dry_run,
        )
        row = _row(execution, candidate, decision, now)
        rows.append(row)
        if decision.outcome != "applied":
            continue
        outcome.applied.append(decision.description)
        if dry_run:
            continue
        acted.append((candidate, decision, row))
        if _pushable(candidate, decision):
            row["platform_status"] = "pending"
            outcome.pending_push.append(row["id"])
    await repository.record_actions(session, rows)
    await _apply(session, acted)
    await publish_many(session, [executed_event(rule, execution, row) for _, _, row in acted])

    execution.campaigns_evaluated = outcome.campaigns_evaluated
    execution.campaigns_affected = outcome.campaigns_affected
    execution.finished_at = utcnow()
    if not dry_run:
        rule.last_executed = now
        rule.executions_count = rule.executions_count + 1
    await session.flush()
    return outcome


def executed_event(rule: Rule, run: RuleExecution, row: dict[str, Any]) -> RuleExecuted:
    """``campaigns.rule_executed`` for one recorded action (a ``rule_action`` row's values)."""
    return RuleExecuted(
        rule_id=rule.id,
        run_id=run.id,
        user_id=rule.user_id,
        rule_name=rule.name,
        trigger=run.trigger,  # type: ignore[arg-type]
        object_type=row["object_type"],
        campaign_id=row["campaign_id"],
        ad_group_id=row["ad_group_id"],
        object_name=row["ad_group_name"] or row["campaign_name"],
        action=row["action"],
        old_value=row["old_value"],
        new_value=row["new_value"],
        description=row["description"],
    )


def _row(
    execution: RuleExecution, candidate: Candidate, decision: Decision, now: datetime
) -> dict[str, Any]:
    group = candidate.ad_group
    return {
        "id": uuid.uuid4(),
        "execution_id": execution.id,
        "rule_id": execution.rule_id,
        "campaign_id": candidate.campaign.id,
        "campaign_name": candidate.campaign.name,
        "object_type": "campaign" if group is None else "ad_group",
        "ad_group_id": None if group is None else group.id,
        "ad_group_name": None if group is None else group.name,
        "action": decision.action,
        "outcome": decision.outcome,
        "reason": decision.reason,
        "metric_value": None
        if decision.metric_value is None
        else decision.metric_value.quantize(Decimal("0.000001")),
        "old_value": decision.old_value,
        "new_value": decision.new_value,
        "description": decision.description,
        "evaluation": json.dumps(decision.evaluation),
        "platform_status": "not_applicable",
        "created_at": now,
    }


async def _apply(
    session: AsyncSession, acted: list[tuple[Candidate, Decision, dict[str, Any]]]
) -> None:
    await campaigns.apply_rule_changes(
        session,
        [
            (c.campaign, d.new_status, d.new_budget)
            for c, d, _ in acted
            if c.ad_group is None and (d.new_status is not None or d.new_budget is not None)
        ],
    )
    await ad_groups.apply_rule_changes(
        session,
        [(c.ad_group, d.new_status, d.new_bid) for c, d, _ in acted if c.ad_group is not None],
    )


def _pushable(candidate: Candidate, decision: Decision) -> bool:
    return (
        candidate.ad_group is None
        and decision.action in PUSHED_ACTIONS
        and is_connected(candidate.account)
        and candidate.campaign.external_campaign_id is not None
    )


def definition_of(rule: Rule) -> Definition:
    return expand(
        rule.rule_type, Decimal(rule.threshold), RuleConditions.model_validate(rule.conditions)
    )
