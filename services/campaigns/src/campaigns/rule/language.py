"""The rule language inside ``conditions``: filters, scope, action, schedule.

Every key here is optional and additive: a rule that sets none of them is one of
the four spec presets (:mod:`campaigns.rule.presets`), which expand to the same
filters and action. Windows are counted in the ad account's time zone.
"""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, field_validator, model_validator

from adscale_contracts.platforms import AdPlatform
from campaigns.encoding import money_str
from campaigns.timezones import check_zone

Metric = Literal[
    "spend",
    "revenue",
    "impressions",
    "clicks",
    "conversions",
    "roas",
    "ctr",
    "cpc",
    "cpa",
    "daily_budget",
    "age_days",
    "audience_failed",
    "audience_size",
    "audience_match_rate",
]
# Ad groups only: the health of the audiences their targeting lists (audience-sync events).
AUDIENCE_METRICS = frozenset({"audience_failed", "audience_size", "audience_match_rate"})
# Metrics that describe the object now, not a sum over days: they take no window.
STATIC_METRICS = frozenset({"daily_budget", "age_days"}) | AUDIENCE_METRICS
MONEY_METRICS = frozenset({"spend", "revenue", "cpc", "cpa", "daily_budget"})
Operator = Literal[">", ">=", "<", "<=", "between", "not_between"]
NAMED_WINDOWS = ("today", "yesterday", "lifetime")
WINDOW_PATTERN = re.compile(r"^last_([1-9][0-9]?)_days$")
MAX_WINDOW_DAYS = 90

Number = Annotated[
    Decimal,
    Field(max_digits=18, decimal_places=6),
    PlainSerializer(lambda v: float(v), return_type=float, when_used="json"),
]
Money = Annotated[
    Decimal,
    Field(gt=0, max_digits=14, decimal_places=2),
    PlainSerializer(money_str, return_type=str, when_used="json"),
]
Percent = Annotated[
    Decimal,
    Field(gt=0, le=1000, max_digits=8, decimal_places=2),
    PlainSerializer(lambda v: float(v), return_type=float, when_used="json"),
]
SignedPercent = Annotated[
    Decimal,
    Field(ge=-99, le=1000, max_digits=8, decimal_places=2),
    PlainSerializer(lambda v: float(v), return_type=float, when_used="json"),
]


def window_days(window: str) -> int | None:
    """Days a ``last_N_days`` window spans (``None`` for the named ones)."""
    match = WINDOW_PATTERN.match(window)
    return int(match.group(1)) if match else None


class Filter(BaseModel):
    """One condition: ``metric operator value`` over ``window``."""

    model_config = ConfigDict(extra="forbid")

    metric: Metric
    operator: Operator
    value: Number | list[Number] = Field(
        description="A number; for between / not_between a [low, high] pair (inclusive)"
    )
    window: str = Field(
        default="last_7_days",
        description="today, yesterday, last_N_days (1..90, ending today), lifetime",
    )

    @field_validator("window")
    @classmethod
    def _window(cls, value: str) -> str:
        days = window_days(value)
        if value not in NAMED_WINDOWS and (days is None or days > MAX_WINDOW_DAYS):
            raise ValueError("window must be today, yesterday, last_N_days (N 1..90) or lifetime")
        return value

    @model_validator(mode="after")
    def _value_shape(self) -> Filter:
        ranged = self.operator in ("between", "not_between")
        if ranged:
            if not isinstance(self.value, list) or len(self.value) != 2:
                raise ValueError(f"{self.operator} takes a [low, high] pair")
            if self.value[0] > self.value[1]:
                raise ValueError("the low end of a range must not exceed the high end")
        elif isinstance(self.value, list):
            raise ValueError(f"{self.operator} takes one number")
        return self


class Scope(BaseModel):
    """Which objects a rule judges; every criterion given must hold."""

    model_config = ConfigDict(extra="forbid")

    level: Literal["campaign", "ad_group"] = "campaign"
    ids: list[uuid.UUID] | None = Field(
        default=None, max_length=500, description="Only these campaigns / ad groups"
    )
    name_contains: str | None = Field(
        default=None, min_length=1, max_length=255, description="Case-insensitive"
    )
    statuses: list[Literal["draft", "active", "paused", "completed"]] | None = Field(
        default=None, min_length=1, description="Default: active only"
    )
    platforms: list[AdPlatform] | None = Field(default=None, min_length=1)


ActionType = Literal[
    "pause",
    "unpause",
    "change_budget",
    "set_budget",
    "change_bid",
    "set_bid",
    "notify",
]
BUDGET_ACTIONS = frozenset({"change_budget", "set_budget"})
BID_ACTIONS = frozenset({"change_bid", "set_bid"})


class Action(BaseModel):
    """What a rule does to each object its filters match."""

    model_config = ConfigDict(extra="forbid")

    type: ActionType
    percent: SignedPercent | None = Field(
        default=None,
        description="change_budget / change_bid: +20 raises by 20%, -20 lowers by 20%",
    )
    amount: Money | None = Field(default=None, description="set_budget / set_bid: the new value")
    min: Money | None = Field(default=None, description="Never go below this")
    max: Money | None = Field(default=None, description="Never go above this")
    max_change_percent: Percent = Field(
        default=Decimal(100),
        description="Guard rail: one run never moves a budget or bid by more than this percent",
        # The schema's default as the number it is on the wire (a Decimal renders as "100").
        json_schema_extra={"default": 100},
    )

    @model_validator(mode="after")
    def _fits(self) -> Action:
        kind = self.type
        if kind in ("change_budget", "change_bid"):
            if self.percent is None or self.percent == 0:
                raise ValueError(f"{kind} needs a non-zero percent")
            if self.amount is not None:
                raise ValueError(f"{kind} takes percent, not amount")
        elif kind in ("set_budget", "set_bid"):
            if self.amount is None:
                raise ValueError(f"{kind} needs an amount")
            if self.percent is not None:
                raise ValueError(f"{kind} takes amount, not percent")
        elif any(v is not None for v in (self.percent, self.amount, self.min, self.max)):
            raise ValueError(f"{kind} takes no percent, amount, min or max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min must not exceed max")
        return self


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Schedule(BaseModel):
    """When an active rule runs, in the time zone of its first campaign's ad account."""

    model_config = ConfigDict(extra="forbid")

    frequency: Literal["continuous", "hourly", "daily", "custom"]
    time: str | None = Field(
        default=None, pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="daily: HH:MM"
    )
    days: list[Weekday] | None = Field(default=None, min_length=1, description="custom")
    hours: list[Annotated[int, Field(ge=0, le=23)]] | None = Field(
        default=None, min_length=1, description="custom"
    )
    time_zone: str | None = Field(
        default=None, description="IANA zone; default: the ad account's, else UTC"
    )

    @model_validator(mode="after")
    def _fits(self) -> Schedule:
        if self.frequency == "daily" and self.time is None:
            raise ValueError("a daily schedule needs a time (HH:MM)")
        if self.frequency != "daily" and self.time is not None:
            raise ValueError("time only applies to a daily schedule")
        if self.frequency == "custom" and self.days is None and self.hours is None:
            raise ValueError("a custom schedule needs days and/or hours")
        if self.frequency != "custom" and (self.days is not None or self.hours is not None):
            raise ValueError("days and hours only apply to a custom schedule")
        if self.time_zone is not None:
            check_zone(self.time_zone)
        return self
