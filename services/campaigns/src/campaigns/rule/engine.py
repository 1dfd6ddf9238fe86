"""Pure rule evaluation: one object's window totals in, a judgement out.

1. Filters: every ``filters`` entry must hold and, when ``any`` is given, at
   least one of it. A metric with no value (ROAS without spend, CTR without
   impressions, CPC without clicks, CPA without conversions, daily budget of a
   campaign on a lifetime budget) makes its filter fail. No match: ``no_match``.
2. A match is still left alone (``skipped``, with the reason) below
   ``min_spend`` / ``min_impressions``, within the cooldown, when there is no
   daily budget / manual bid to change, or when the value is already at its cap.
3. Otherwise the action is ``applied``: the new status, budget or bid, a
   budget/bid change bounded by ``max_change_percent`` and the min/max caps.

Presets keep the spec-era wording of their reasons ("ROAS 0.50 < 1.00 over the
last 7 days").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from campaigns.encoding import money_str
from campaigns.rule.language import AUDIENCE_METRICS, STATIC_METRICS, Action, Filter, window_days
from campaigns.rule.presets import Definition

CENT = Decimal("0.01")
ZERO = Decimal(0)


class Sums(NamedTuple):
    """One object's metrics summed over one window."""

    spend: Decimal = ZERO
    revenue: Decimal = ZERO
    impressions: int = 0
    clicks: int = 0
    conversions: Decimal = ZERO


LABELS = {
    "roas": "ROAS",
    "ctr": "CTR",
    "cpc": "CPC",
    "cpa": "CPA",
    "age_days": "age (days)",
    "audience_failed": "failed audiences",
    "audience_match_rate": "audience match rate",
}


@dataclass(frozen=True)
class ObjectState:
    """A campaign, or an ad group with its campaign's metrics."""

    kind: str  # campaign | ad_group
    name: str
    status: str
    budget_daily: Decimal | None
    age_days: int
    bid_amount: Decimal | None = None
    # Ad groups: over the audiences their targeting lists (None: no audience, or no sync yet)
    audience_failed: int | None = None
    audience_size: int | None = None
    audience_match_rate: Decimal | None = None


@dataclass(frozen=True)
class Decision:
    action: str  # pause | unpause | increase_/decrease_budget | increase_/decrease_bid | notify
    outcome: str  # applied | skipped | no_match
    reason: str
    metric_value: Decimal | None
    old_value: str | None
    new_value: str | None
    description: str
    evaluation: list[dict[str, Any]] = field(default_factory=list)
    new_status: str | None = None
    new_budget: Decimal | None = None
    new_bid: Decimal | None = None


def metric_value(metric: str, totals: Sums, state: ObjectState) -> Decimal | None:
    if metric == "daily_budget":
        return state.budget_daily
    if metric == "age_days":
        return Decimal(state.age_days)
    if metric in AUDIENCE_METRICS:
        value = getattr(state, metric)
        return None if value is None else Decimal(value)
    if metric in ("spend", "revenue", "conversions"):
        return Decimal(getattr(totals, metric))
    if metric in ("impressions", "clicks"):
        return Decimal(getattr(totals, metric))
    numerator, denominator = {
        "roas": (totals.revenue, totals.spend),
        "ctr": (Decimal(totals.clicks), Decimal(totals.impressions)),
        "cpc": (totals.spend, Decimal(totals.clicks)),
        "cpa": (totals.spend, totals.conversions),
    }[metric]
    if denominator <= 0:
        return None
    return Decimal(numerator) / Decimal(denominator)


def holds(f: Filter, seen: Decimal | None) -> bool:
    if seen is None:
        return False
    if isinstance(f.value, list):
        inside = f.value[0] <= seen <= f.value[1]
        return inside if f.operator == "between" else not inside
    limit = f.value
    return {
        ">": seen > limit,
        ">=": seen >= limit,
        "<": seen < limit,
        "<=": seen <= limit,
    }[f.operator]


def _fmt(metric: str, value: Decimal) -> str:
    if metric == "ctr":
        return f"{(value * 100).quantize(CENT, rounding=ROUND_HALF_UP)}%"
    if metric == "audience_match_rate":
        return f"{value.quantize(CENT, rounding=ROUND_HALF_UP)}%"
    if metric in ("impressions", "clicks", "age_days", "audience_failed", "audience_size"):
        return str(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def window_phrase(window: str) -> str:
    days = window_days(window)
    if days is not None:
        return f"over the last {days} day{'s' if days != 1 else ''}"
    return {"today": "today", "yesterday": "yesterday", "lifetime": "over its lifetime"}[window]


def describe(f: Filter, seen: Decimal | None) -> str:
    label = LABELS.get(f.metric, f.metric.replace("_", " "))
    shown = "n/a" if seen is None else _fmt(f.metric, seen)
    if isinstance(f.value, list):
        low, high = (_fmt(f.metric, v) for v in f.value)
        op = "between" if f.operator == "between" else "not between"
        text = f"{label} {shown} {op} {low} and {high}"
    else:
        text = f"{label} {shown} {f.operator} {_fmt(f.metric, f.value)}"
    if f.metric in STATIC_METRICS:
        return text
    return f"{text} {window_phrase(f.window)}"


def _record(f: Filter, seen: Decimal | None, held: bool) -> dict[str, Any]:
    return {
        "metric": f.metric,
        "window": f.window,
        "operator": f.operator,
        "value": [str(v) for v in f.value] if isinstance(f.value, list) else str(f.value),
        "seen": None if seen is None else str(seen.quantize(Decimal("0.000001"))),
        "held": held,
        "group": "all",
    }


def judge(
    definition: Definition, metrics: dict[str, Sums], state: ObjectState
) -> tuple[bool, list[dict[str, Any]], list[str], Decimal | None]:
    """(matched, evaluation per filter, the reasons that held, the first filter's value)."""
    evaluation: list[dict[str, Any]] = []
    reasons: list[str] = []
    first: Decimal | None = None
    matched = True
    for group, filters in (("all", definition.filters), ("any", definition.any)):
        any_held = False
        for f in filters:
            seen = metric_value(f.metric, metrics.get(f.window, Sums()), state)
            held = holds(f, seen)
            if first is None:
                first = seen
            record = _record(f, seen, held)
            record["group"] = group
            evaluation.append(record)
            if held:
                reasons.append(describe(f, seen))
                any_held = True
            elif group == "all":
                matched = False
        if group == "any" and filters and not any_held:
            matched = False
    return matched, evaluation, reasons, first


def _legacy_reason(definition: Definition, metrics: dict[str, Sums]) -> str | None:
    if definition.preset != "pause_no_conversions":
        return None
    window = definition.guard_window
    spend = metrics.get(window, Sums()).spend
    threshold = definition.filters[1].value
    assert not isinstance(threshold, list)
    return (
        f"0 conversions after spending {money_str(spend)} "
        f"(>= {money_str(threshold)}) {window_phrase(window)}"
    )


def _action_name(action: Action, up: bool) -> str:
    if action.type in ("change_budget", "set_budget"):
        return "increase_budget" if up else "decrease_budget"
    if action.type in ("change_bid", "set_bid"):
        return "increase_bid" if up else "decrease_bid"
    return action.type


def new_amount(action: Action, old: Decimal, floor: Decimal) -> Decimal:
    """The budget or bid after ``action``: target, bounded per run, then capped."""
    if action.percent is not None:
        target = old * (1 + action.percent / 100)
    else:
        assert action.amount is not None
        target = action.amount
    bound = old * action.max_change_percent / 100
    target = max(min(target, old + bound), old - bound)
    target = target.quantize(CENT, rounding=ROUND_HALF_UP)
    if action.max is not None:
        target = min(target, action.max)
    return max(target, action.min or floor)


@dataclass(frozen=True)
class Guards:
    min_spend: Decimal | None
    min_impressions: int | None
    cooldown_hours: int


def decide(
    definition: Definition,
    guards: Guards,
    state: ObjectState,
    metrics: dict[str, Sums],
    last_applied_at: datetime | None,
    now: datetime,
    *,
    dry_run: bool = False,
) -> Decision:
    action = definition.action
    matched, evaluation, reasons, first = judge(definition, metrics, state)
    why = _legacy_reason(definition, metrics) or " and ".join(reasons)
    up = action.percent is None or action.percent > 0
    name = _action_name(action, up)
    noun = "campaign" if state.kind == "campaign" else "ad group"
    label = f"'{state.name}'"

    def result(outcome: str, reason: str, description: str, **changes: Any) -> Decision:
        return Decision(
            action=name,
            outcome=outcome,
            reason=reason,
            metric_value=first,
            old_value=changes.pop("old_value", None),
            new_value=changes.pop("new_value", None),
            description=description,
            evaluation=evaluation,
            **changes,
        )

    if not matched:
        failed = [r for r in evaluation if not r["held"]]
        reason = "no filter held" if not failed else f"{failed[0]['metric']} did not hold"
        return result("no_match", reason, f"{noun} {label}: {reason}")

    def skipped(reason: str) -> Decision:
        return result("skipped", reason, f"Skipped {label}: {reason} ({why})")

    guard = metrics.get(definition.guard_window, Sums())
    if guards.min_spend is not None and guard.spend < guards.min_spend:
        return skipped(
            f"spend {money_str(guard.spend)} below min_spend {money_str(guards.min_spend)}"
        )
    if guards.min_impressions is not None and guard.impressions < guards.min_impressions:
        return skipped(
            f"{guard.impressions} impressions below min_impressions {guards.min_impressions}"
        )
    if (
        last_applied_at is not None
        and guards.cooldown_hours > 0
        and last_applied_at > now - timedelta(hours=guards.cooldown_hours)
    ):
        return skipped(f"cooldown: this rule acted on it less than {guards.cooldown_hours}h ago")

    if action.type in ("pause", "unpause"):
        target = "paused" if action.type == "pause" else "active"
        if state.status == target:
            return skipped(f"already {target}")
        verb = {"pause": ("Would pause", "Paused"), "unpause": ("Would unpause", "Unpaused")}[
            action.type
        ][0 if dry_run else 1]
        return result(
            "applied",
            why,
            f"{verb} {noun} {label}: {why}",
            old_value=state.status,
            new_value=target,
            new_status=target,
        )
    if action.type == "notify":
        verb = "Would notify about" if dry_run else "Notified about"
        return result("applied", why, f"{verb} {noun} {label}: {why}")

    budget = action.type in ("change_budget", "set_budget")
    old = state.budget_daily if budget else state.bid_amount
    what = "daily budget" if budget else "bid"
    if old is None:
        return skipped("no daily budget to change" if budget else "no manual bid to change")
    new = new_amount(action, old, Decimal("1.00") if budget else CENT)
    if action.amount is not None:
        up = action.amount > old
    if new == old or (new > old) != up:
        cap = "max" if up else "min"
        return skipped(f"{what} already at {cap}{'_budget' if budget else ''} {money_str(old)}")
    verb = (
        ("Would increase" if new > old else "Would decrease")
        if dry_run
        else ("Increased" if new > old else "Decreased")
    )
    name = _action_name(action, new > old)
    of = f"{what} of {label}" if budget else f"bid of ad group {label}"
    return Decision(
        action=name,
        outcome="applied",
        reason=why,
        metric_value=first,
        old_value=money_str(old),
        new_value=money_str(new),
        description=f"{verb} {of} from {money_str(old)} to {money_str(new)}: {why}",
        evaluation=evaluation,
        new_budget=new if budget else None,
        new_bid=None if budget else new,
    )
