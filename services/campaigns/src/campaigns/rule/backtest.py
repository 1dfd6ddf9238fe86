"""Backtest: replay a rule day by day over the stored daily metrics; nothing changes.

Each day D of the range the rule is judged as at the end of D: its windows end on
D ("today" is D). The objects are the ones in its scope now, starting from
their current status, budget and bid; what the rule would have done on one day
carries into the next (a campaign it paused is out of an active-only scope
afterwards, a budget it raised is the base of the next change, the cooldown
counts from that day). For each day: the actions, and the spend and ROAS of the
objects acted on that day.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.encoding import ratio
from campaigns.models import Rule
from campaigns.rule import repository
from campaigns.rule.engine import Guards, ObjectState, Sums, decide
from campaigns.rule.presets import expand
from campaigns.rule.runner import age_days, state_of
from campaigns.rule.schemas import (
    BacktestAction,
    BacktestDay,
    BacktestRequest,
    BacktestResult,
    RuleConditions,
)


async def backtest(session: AsyncSession, rule: Rule, request: BacktestRequest) -> BacktestResult:
    conditions = RuleConditions.model_validate(rule.conditions)
    definition = expand(rule.rule_type, Decimal(rule.threshold), conditions)
    guards = Guards(conditions.min_spend, conditions.min_impressions, conditions.cooldown_hours)
    statuses = set(definition.scope.statuses or ["active"])
    # Every status the simulation may move an object into, so it can come back in scope.
    scope = definition.scope.model_copy(
        update={"statuses": ["draft", "active", "paused", "completed"]}
    )
    found = await repository.candidates(
        session, rule.user_id, scope, lock=False, in_campaigns=definition.in_campaigns
    )
    campaign_ids = sorted({c.campaign.id for c in found})
    windows = definition.sums(
        min_spend=guards.min_spend is not None, min_impressions=guards.min_impressions is not None
    )
    windows.setdefault("today", set()).update(("spend", "revenue"))
    states: dict[uuid.UUID, ObjectState] = {}
    last: dict[uuid.UUID, datetime] = {}
    days: list[BacktestDay] = []
    day = request.start_date
    while day <= request.end_date:
        at = datetime.combine(day, time(23, 59, 59), tzinfo=UTC)
        totals = await repository.window_totals(session, dict.fromkeys(campaign_ids, day), windows)
        actions: list[BacktestAction] = []
        evaluated = 0
        for candidate in found:
            key = candidate.object_id
            state = states.setdefault(key, state_of(candidate, at))
            if state.status not in statuses:
                continue
            evaluated += 1
            metrics = totals.get(candidate.campaign.id, {})
            decision = decide(
                definition,
                guards,
                replace(state, age_days=age_days(candidate, day)),
                metrics,
                last.get(key),
                at,
                dry_run=True,
            )
            if decision.outcome != "applied":
                continue
            last[key] = at
            states[key] = replace(
                state,
                status=decision.new_status or state.status,
                budget_daily=decision.new_budget or state.budget_daily,
                bid_amount=decision.new_bid or state.bid_amount,
            )
            seen = metrics.get("today", Sums())
            group = candidate.ad_group
            actions.append(
                BacktestAction(
                    object_type=state.kind,  # type: ignore[arg-type]
                    campaign_id=candidate.campaign.id,
                    ad_group_id=None if group is None else group.id,
                    name=state.name,
                    action=decision.action,  # type: ignore[arg-type]
                    old_value=decision.old_value,
                    new_value=decision.new_value,
                    description=decision.description,
                    spend=seen.spend,
                    revenue=seen.revenue,
                )
            )
        spend = sum((a.spend for a in actions), Decimal(0))
        revenue = sum((a.revenue for a in actions), Decimal(0))
        days.append(
            BacktestDay(
                date=day,
                objects_evaluated=evaluated,
                actions=actions,
                spend_touched=spend,
                roas_touched=ratio(revenue, spend),
            )
        )
        day += timedelta(days=1)
    spend = sum((d.spend_touched for d in days), Decimal(0))
    revenue = sum((a.revenue for d in days for a in d.actions), Decimal(0))
    return BacktestResult(
        rule_id=rule.id,
        start_date=request.start_date,
        end_date=request.end_date,
        days=days,
        actions_total=sum(len(d.actions) for d in days),
        spend_touched=spend,
        roas_touched=ratio(revenue, spend),
    )
