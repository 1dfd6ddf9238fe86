"""Pure rule evaluation: one campaign's window totals in, a decision (or nothing) out.

Semantics (README "Optimization rules"):

* ``pause_low_roas``: ROAS = revenue / spend < threshold -> pause. No spend, no ROAS: not judged.
* ``increase_budget_high_roas``: ROAS >= threshold -> daily budget * (1 + p/100), capped at
  ``max_budget``.
* ``decrease_budget_low_ctr``: CTR = clicks / impressions < threshold (a fraction) -> daily
  budget * (1 - p/100), floored at ``min_budget`` (default 1.00).
* ``pause_no_conversions``: no conversions while spend >= threshold (an amount) -> pause.

A campaign that matches is still left alone (``skipped``, with the reason) when
it has not reached ``min_spend`` / ``min_impressions``, when the same rule acted
on it within ``cooldown_hours``, when a budget rule finds no daily budget, or
when the budget is already at its cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from campaigns.api import money_str
from campaigns.metrics.schemas import Totals
from campaigns.rule.schemas import (
    DEFAULT_BUDGET_CHANGE_PERCENT,
    DEFAULT_MIN_BUDGET,
    RuleConditions,
)

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Decision:
    action: str  # pause | increase_budget | decrease_budget
    outcome: str  # applied | skipped
    reason: str
    metric_value: Decimal | None
    old_value: str | None
    new_value: str | None
    description: str
    new_status: str | None = None
    new_budget: Decimal | None = None


@dataclass(frozen=True)
class CampaignState:
    name: str
    status: str
    budget_daily: Decimal | None


def _pct(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


def _num(value: Decimal, places: str = "0.01") -> str:
    return str(value.quantize(Decimal(places), rounding=ROUND_HALF_UP))


def evaluate(
    rule_type: str,
    threshold: Decimal,
    conditions: RuleConditions,
    campaign: CampaignState,
    totals: Totals,
    last_applied_at: datetime | None,
    now: datetime,
    *,
    dry_run: bool = False,
) -> Decision | None:
    days = conditions.lookback_days
    window = f"over the last {days} day{'s' if days != 1 else ''}"
    name = f"'{campaign.name}'"

    # 1. does the campaign match the rule's condition?
    metric: Decimal
    if rule_type in ("pause_low_roas", "increase_budget_high_roas"):
        if totals.spend <= 0:
            return None
        metric = totals.revenue / totals.spend
        low = rule_type == "pause_low_roas"
        if (metric < threshold) != low:
            return None
        why = f"ROAS {_num(metric)} {'<' if low else '>='} {_num(threshold)} {window}"
    elif rule_type == "decrease_budget_low_ctr":
        if totals.impressions <= 0:
            return None
        metric = Decimal(totals.clicks) / Decimal(totals.impressions)
        if metric >= threshold:
            return None
        why = f"CTR {_pct(metric)} < {_pct(threshold)} {window}"
    elif rule_type == "pause_no_conversions":
        metric = totals.spend
        if totals.conversions > 0 or totals.spend < threshold:
            return None
        why = (
            f"0 conversions after spending {money_str(totals.spend)} "
            f"(>= {money_str(threshold)}) {window}"
        )
    else:  # pragma: no cover - the schema restricts rule types
        raise ValueError(f"unknown rule type {rule_type!r}")

    action = {
        "pause_low_roas": "pause",
        "pause_no_conversions": "pause",
        "increase_budget_high_roas": "increase_budget",
        "decrease_budget_low_ctr": "decrease_budget",
    }[rule_type]

    def skipped(reason: str) -> Decision:
        return Decision(
            action=action,
            outcome="skipped",
            reason=reason,
            metric_value=metric,
            old_value=None,
            new_value=None,
            description=f"Skipped {name}: {reason} ({why})",
        )

    # 2. enough data to judge?
    if conditions.min_spend is not None and totals.spend < conditions.min_spend:
        return skipped(
            f"spend {money_str(totals.spend)} below min_spend {money_str(conditions.min_spend)}"
        )
    if conditions.min_impressions is not None and totals.impressions < conditions.min_impressions:
        return skipped(
            f"{totals.impressions} impressions below min_impressions {conditions.min_impressions}"
        )
    # 3. cooldown
    if (
        last_applied_at is not None
        and conditions.cooldown_hours > 0
        and last_applied_at > now - timedelta(hours=conditions.cooldown_hours)
    ):
        return skipped(
            f"cooldown: this rule acted on it less than {conditions.cooldown_hours}h ago"
        )

    # 4. the action itself
    if action == "pause":
        verb = "Would pause" if dry_run else "Paused"
        return Decision(
            action=action,
            outcome="applied",
            reason=why,
            metric_value=metric,
            old_value=campaign.status,
            new_value="paused",
            description=f"{verb} campaign {name}: {why}",
            new_status="paused",
        )
    old = campaign.budget_daily
    if old is None:
        return skipped("no daily budget to change")
    percent = conditions.budget_change_percent or DEFAULT_BUDGET_CHANGE_PERCENT
    if action == "increase_budget":
        new = (old * (1 + percent / 100)).quantize(CENT, rounding=ROUND_HALF_UP)
        if conditions.max_budget is not None:
            new = min(new, conditions.max_budget)
        if new <= old:
            return skipped(f"daily budget already at max_budget {money_str(old)}")
        verb = "Would increase" if dry_run else "Increased"
    else:
        floor = conditions.min_budget or DEFAULT_MIN_BUDGET
        new = max((old * (1 - percent / 100)).quantize(CENT, rounding=ROUND_HALF_UP), floor)
        if new >= old:
            return skipped(f"daily budget already at min_budget {money_str(old)}")
        verb = "Would decrease" if dry_run else "Decreased"
    return Decision(
        action=action,
        outcome="applied",
        reason=why,
        metric_value=metric,
        old_value=money_str(old),
        new_value=money_str(new),
        description=(
            f"{verb} daily budget of {name} from {money_str(old)} to {money_str(new)}: {why}"
        ),
        new_budget=new,
    )
