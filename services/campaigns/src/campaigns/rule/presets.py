"""The four spec rule types as presets of the rule language.

``expand`` turns a stored rule into what actually runs: its filters, its action
and its scope. A rule that gives its own ``filters`` / ``any`` / ``action`` /
``scope`` replaces that part of the preset; ``GET /rules/{id}?expand=true``
shows the result.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from campaigns.rule.language import AUDIENCE_METRICS, Action, Filter, Scope
from campaigns.rule.schemas import (
    DEFAULT_BUDGET_CHANGE_PERCENT,
    DEFAULT_MIN_BUDGET,
    RuleConditions,
)

DEFAULT_BUDGET_GUARD = Decimal(100)


@dataclass(frozen=True)
class Definition:
    """What a rule does, whatever way it was written."""

    filters: list[Filter]
    any: list[Filter]
    action: Action
    scope: Scope
    guard_window: str  # min_spend / min_impressions are measured over it
    preset: str | None  # the rule type when its filters are the preset's own
    # Ad-group rules given ``campaign_ids``: only the ad groups of these campaigns.
    in_campaigns: list[uuid.UUID] | None = None

    @property
    def reads_audiences(self) -> bool:
        return any(f.metric in AUDIENCE_METRICS for f in (*self.filters, *self.any))

    def sums(self, *, min_spend: bool, min_impressions: bool) -> dict[str, set[str]]:
        """Window -> the daily columns to sum over it (only what some filter or guard reads)."""
        needed: dict[str, set[str]] = {}
        for f in (*self.filters, *self.any):
            needed.setdefault(f.window, set()).update(BASES[f.metric])
        guard = needed.setdefault(self.guard_window, set())
        if min_spend:
            guard.add("spend")
        if min_impressions:
            guard.add("impressions")
        return needed


# The daily columns each metric is computed from (the static ones read the object).
BASES: dict[str, tuple[str, ...]] = {
    "spend": ("spend",),
    "revenue": ("revenue",),
    "impressions": ("impressions",),
    "clicks": ("clicks",),
    "conversions": ("conversions",),
    "roas": ("revenue", "spend"),
    "ctr": ("clicks", "impressions"),
    "cpc": ("spend", "clicks"),
    "cpa": ("spend", "conversions"),
    "daily_budget": (),
    "age_days": (),
    "audience_failed": (),
    "audience_size": (),
    "audience_match_rate": (),
}


def preset_filters(rule_type: str, threshold: Decimal, window: str) -> list[Filter]:
    if rule_type == "pause_low_roas":
        return [Filter(metric="roas", operator="<", value=threshold, window=window)]
    if rule_type == "increase_budget_high_roas":
        return [Filter(metric="roas", operator=">=", value=threshold, window=window)]
    if rule_type == "decrease_budget_low_ctr":
        return [Filter(metric="ctr", operator="<", value=threshold, window=window)]
    if rule_type == "pause_no_conversions":
        return [
            Filter(metric="conversions", operator="<=", value=Decimal(0), window=window),
            Filter(metric="spend", operator=">=", value=threshold, window=window),
        ]
    raise ValueError(f"unknown rule type {rule_type!r}")  # pragma: no cover - schema guards it


def preset_action(rule_type: str, conditions: RuleConditions) -> Action:
    percent = conditions.budget_change_percent or DEFAULT_BUDGET_CHANGE_PERCENT
    if rule_type == "increase_budget_high_roas":
        return Action(
            type="change_budget",
            percent=percent,
            max=conditions.max_budget,
            max_change_percent=max(percent, DEFAULT_BUDGET_GUARD),
        )
    if rule_type == "decrease_budget_low_ctr":
        # max_budget caps increases only (as it always has): a decrease never raises.
        return Action(
            type="change_budget", percent=-percent, min=conditions.min_budget or DEFAULT_MIN_BUDGET
        )
    return Action(type="pause")


def expand(rule_type: str, threshold: Decimal, conditions: RuleConditions) -> Definition:
    window = f"last_{conditions.lookback_days}_days"
    own = conditions.filters is not None or conditions.any is not None
    filters = (
        list(conditions.filters or [])
        if own
        else preset_filters(rule_type, Decimal(threshold), window)
    )
    scope = conditions.scope or Scope(ids=conditions.campaign_ids)
    in_campaigns = None
    if conditions.scope is not None and conditions.campaign_ids is not None:
        if scope.level == "campaign":
            scope = scope.model_copy(update={"ids": conditions.campaign_ids})
        else:  # campaign_ids name campaigns: at ad-group level, their ad groups
            in_campaigns = conditions.campaign_ids
    action = conditions.action or preset_action(rule_type, conditions)
    if scope.statuses is None:
        # Unpausing looks at paused objects; everything else at running ones.
        scope = scope.model_copy(
            update={"statuses": ["paused"] if action.type == "unpause" else ["active"]}
        )
    return Definition(
        filters=filters,
        any=list(conditions.any or []),
        action=action,
        scope=scope,
        guard_window=window,
        preset=None if own else rule_type,
        in_campaigns=in_campaigns,
    )


def expanded_conditions(
    rule_type: str, threshold: Decimal, conditions: RuleConditions
) -> RuleConditions:
    """``conditions`` with every language key filled in from the preset."""
    definition = expand(rule_type, threshold, conditions)
    scope = definition.scope
    if conditions.campaign_ids is not None:
        scope = scope.model_copy(update={"ids": None})  # campaign_ids stays where it was given
    return conditions.model_copy(
        update={
            "filters": definition.filters,
            "any": definition.any or None,
            "action": definition.action,
            "scope": scope,
        }
    )
