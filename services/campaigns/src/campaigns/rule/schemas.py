from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from adscale_common.types import UtcDateTime
from adscale_contracts.events import RuleActionName
from campaigns.encoding import Money, PositiveMoney, Ratio, money_str
from campaigns.patch import Patch
from campaigns.rule.language import (
    AUDIENCE_METRICS,
    BID_ACTIONS,
    BUDGET_ACTIONS,
    Action,
    Filter,
    Schedule,
    Scope,
)

RuleType = Literal[
    "pause_low_roas", "increase_budget_high_roas", "decrease_budget_low_ctr", "pause_no_conversions"
]
BUDGET_RULES = frozenset({"increase_budget_high_roas", "decrease_budget_low_ctr"})
DEFAULT_BUDGET_CHANGE_PERCENT = Decimal(20)
DEFAULT_MIN_BUDGET = Decimal("1.00")

# Money like every other amount of the API: a two-decimal string on output ("25.00").
NonNegativeMoney = Annotated[
    Decimal,
    Field(ge=0, max_digits=14, decimal_places=2),
    PlainSerializer(money_str, return_type=str, when_used="json"),
]


class RuleConditions(BaseModel):
    """What users of Meta automated rules / Revealbot expect around the threshold."""

    model_config = ConfigDict(extra="forbid")

    lookback_days: int = Field(
        default=7, ge=1, le=90, description="Days of metrics judged, ending today"
    )
    min_spend: NonNegativeMoney | None = Field(
        default=None, description="Judge a campaign only once it spent at least this much"
    )
    min_impressions: int | None = Field(
        default=None, ge=0, description="Judge a campaign only once it had this many impressions"
    )
    campaign_ids: list[uuid.UUID] | None = Field(
        default=None, max_length=500, description="Only these campaigns (default: all active ones)"
    )
    budget_change_percent: Decimal | None = Field(
        default=None,
        gt=0,
        le=1000,
        max_digits=8,
        decimal_places=2,
        description="Budget rules: percent to raise/lower the daily budget by (default 20)",
    )
    min_budget: PositiveMoney | None = Field(
        default=None,
        description="Budget rules: never lower a daily budget below this (default 1.00)",
    )
    max_budget: PositiveMoney | None = Field(
        default=None, description="Budget rules: never raise a daily budget above this"
    )
    cooldown_hours: int = Field(
        default=24,
        ge=0,
        le=720,
        description="Hours before the same rule may act on the same campaign again",
    )

    # The rule language (README "Rule language"): each key is optional and shown only when set.
    filters: list[Filter] | None = Field(
        default=None,
        max_length=20,
        description="Conditions that must all hold; replace the preset's filters",
    )
    any: list[Filter] | None = Field(
        default=None, min_length=1, max_length=20, description="At least one of these must hold"
    )
    scope: Scope | None = Field(default=None, description="Which campaigns or ad groups")
    action: Action | None = Field(default=None, description="Replaces the preset's action")
    schedule: Schedule | None = Field(
        default=None, description="When it runs (default: every RULES_INTERVAL_SECONDS)"
    )

    @model_validator(mode="after")
    def _caps(self) -> RuleConditions:
        if (
            self.min_budget is not None
            and self.max_budget is not None
            and self.min_budget > self.max_budget
        ):
            raise ValueError("min_budget must not exceed max_budget")
        if self.filters is not None and not self.filters and not self.any:
            raise ValueError("filters must not be empty (omit it to use the preset's)")
        if self.scope is not None and self.scope.ids is not None and self.campaign_ids is not None:
            raise ValueError("give campaign_ids or scope.ids, not both")
        level = self.scope.level if self.scope is not None else "campaign"
        if level != "ad_group" and any(
            f.metric in AUDIENCE_METRICS for f in (*(self.filters or []), *(self.any or []))
        ):
            raise ValueError("audience metrics apply to ad groups (scope.level ad_group)")
        if self.action is not None:
            if self.action.type in BUDGET_ACTIONS and level != "campaign":
                raise ValueError("budget actions apply to campaigns (scope.level campaign)")
            if self.action.type in BID_ACTIONS and level != "ad_group":
                raise ValueError("bid actions apply to ad groups (scope.level ad_group)")
        return self

    @model_serializer(mode="wrap")
    def _drop_unset_language(self, handler: SerializerFunctionWrapHandler) -> dict[str, object]:
        data: dict[str, object] = handler(self)
        for name in LANGUAGE_KEYS:
            if data.get(name) is None:
                data.pop(name, None)
        return data


LANGUAGE_KEYS = ("filters", "any", "scope", "action", "schedule")


def check_rule(rule_type: str, threshold: Decimal, conditions: RuleConditions) -> None:
    """Cross-field rules between the type, its threshold and its conditions (ValueError)."""
    if rule_type == "decrease_budget_low_ctr" and threshold >= 1:
        raise ValueError(
            "the threshold of decrease_budget_low_ctr is a CTR fraction (e.g. 0.01 = 1%)"
        )
    if conditions.action is not None:
        for name in ("budget_change_percent", "min_budget", "max_budget"):
            if getattr(conditions, name) is not None:
                raise ValueError(
                    f"conditions.{name} belongs to the presets; with an action use "
                    "action.percent / action.min / action.max"
                )
    elif rule_type not in BUDGET_RULES:
        for name in ("budget_change_percent", "min_budget", "max_budget"):
            if getattr(conditions, name) is not None:
                raise ValueError(f"conditions.{name} only applies to budget rules")
    if (
        conditions.action is None
        and conditions.scope is not None
        and conditions.scope.level != "campaign"
        and rule_type in BUDGET_RULES
    ):
        raise ValueError("a budget preset acts on campaigns; give an action for ad groups")
    if (
        rule_type == "decrease_budget_low_ctr"
        and conditions.budget_change_percent is not None
        and conditions.budget_change_percent >= 100
    ):
        raise ValueError("a budget decrease must be below 100 percent")


Threshold = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=4)]


class RuleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=255)
    rule_type: RuleType
    threshold: Threshold
    conditions: RuleConditions = Field(default_factory=RuleConditions)
    is_active: bool = True

    @model_validator(mode="after")
    def _consistent(self) -> RuleCreate:
        check_rule(self.rule_type, self.threshold, self.conditions)
        return self


class RuleUpdate(Patch):
    """Partial update; ``conditions`` replaces the whole conditions object."""

    not_null = ("name", "rule_type", "threshold", "conditions", "is_active")

    name: str | None = Field(default=None, min_length=1, max_length=255)
    rule_type: RuleType | None = None
    threshold: Threshold | None = None
    conditions: RuleConditions | None = None
    is_active: bool | None = None


class RuleRead(BaseModel):
    id: uuid.UUID
    name: str
    rule_type: RuleType
    threshold: Ratio
    conditions: RuleConditions
    is_active: bool
    last_executed: UtcDateTime | None
    executions_count: int
    created_at: UtcDateTime
    updated_at: UtcDateTime


class ExecuteResult(BaseModel):
    rule_id: uuid.UUID
    campaigns_affected: int
    actions_taken: list[str]
    dry_run: bool
    execution_id: uuid.UUID | None
    campaigns_evaluated: int
    window_start: date
    window_end: date


ActionName = RuleActionName  # the event contract's list: one list for API and events
Trigger = Literal["manual", "schedule", "event", "undo"]


class JudgedObject(BaseModel):
    """What every view of one judged object shows (``/executions``, ``/rule-runs``)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    campaign_id: uuid.UUID | None
    campaign_name: str
    object_type: Literal["campaign", "ad_group"]
    ad_group_id: uuid.UUID | None
    ad_group_name: str | None
    action: ActionName
    reason: str
    metric_value: Ratio | None
    old_value: str | None
    new_value: str | None
    description: str
    platform_status: Literal["not_applicable", "pending", "pushing", "succeeded", "failed"]
    platform_error: str | None
    platform_pushed_at: UtcDateTime | None


class ActionRead(JudgedObject):
    outcome: Literal["applied", "skipped"]
    created_at: UtcDateTime


class ExecutionRead(BaseModel):
    id: uuid.UUID
    rule_id: uuid.UUID
    trigger: Trigger
    started_at: UtcDateTime
    finished_at: UtcDateTime | None
    window_start: date
    window_end: date
    campaigns_evaluated: int
    campaigns_affected: int
    actions: list[ActionRead]


MAX_BACKTEST_DAYS = 90


class BacktestRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start_date: date
    end_date: date

    @model_validator(mode="after")
    def _range(self) -> BacktestRequest:
        if self.end_date < self.start_date:
            raise ValueError("end_date must not be before start_date")
        if (self.end_date - self.start_date).days >= MAX_BACKTEST_DAYS:
            raise ValueError(f"a backtest spans at most {MAX_BACKTEST_DAYS} days")
        return self


class BacktestAction(BaseModel):
    object_type: Literal["campaign", "ad_group"]
    campaign_id: uuid.UUID
    ad_group_id: uuid.UUID | None
    name: str
    action: ActionName
    old_value: str | None
    new_value: str | None
    description: str
    spend: Money
    revenue: Money


class BacktestDay(BaseModel):
    date: date
    objects_evaluated: int
    actions: list[BacktestAction]
    spend_touched: Money = Field(description="That day's spend of the objects acted on")
    roas_touched: Ratio | None = Field(description="Their revenue / spend that day")


class BacktestResult(BaseModel):
    rule_id: uuid.UUID
    start_date: date
    end_date: date
    days: list[BacktestDay]
    actions_total: int
    spend_touched: Money
    roas_touched: Ratio | None
