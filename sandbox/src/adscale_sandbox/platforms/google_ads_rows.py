"""The rows a GAQL query selects: the customer, its campaigns and budgets with their
metrics over the query's date range, filtered, ordered and limited, then rendered as
the API's nested JSON.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import Request

from adscale_sandbox import state
from adscale_sandbox.metrics import DailyMetrics, active_days, daily_metrics, preset_range
from adscale_sandbox.platforms.google_ads import PLATFORM, query_error
from adscale_sandbox.platforms.google_ads_gaql import INT64, METRICS, Condition, Query


def _preset(name: str, today: date) -> tuple[date, date]:
    match = re.fullmatch(r"LAST_(\d+)_DAYS", name)
    window = preset_range(name.lower(), today, last_days=int(match.group(1)) if match else None)
    if window is None:
        raise ValueError(name)
    return window


def _date_bounds(request: Request, query: Query, today: date) -> tuple[date | None, date | None]:
    low: date | None = None
    high: date | None = None
    for cond in query.conditions:
        if cond.field != "segments.date":
            continue
        try:
            if cond.op == "DURING":
                since, until = _preset(str(cond.values[0]), today)
            elif cond.op == "BETWEEN":
                since, until = (
                    date.fromisoformat(cond.values[0]),
                    date.fromisoformat(cond.values[1]),
                )
            elif cond.op == "=":
                since = until = date.fromisoformat(cond.values[0])
            elif cond.op in (">=", ">"):
                since = date.fromisoformat(cond.values[0]) + timedelta(days=cond.op == ">")
                until = date.max
            elif cond.op in ("<=", "<"):
                since = date.min
                until = date.fromisoformat(cond.values[0]) - timedelta(days=cond.op == "<")
            else:
                raise ValueError(cond.op)
        except (ValueError, TypeError, IndexError) as exc:
            raise query_error(
                request, "INVALID_DATE_FORMAT", "Error in WHERE clause: invalid date filter."
            ) from exc
        low = since if low is None else max(low, since)
        high = until if high is None else min(high, until)
    if low == date.min:
        low = None
    if high == date.max:
        high = None
    return low, high


def _compare(value: Any, cond: Condition) -> bool:
    if cond.op in ("IS NULL", "IS NOT NULL"):
        return (value is None) == (cond.op == "IS NULL")
    if value is None:
        return False
    left: Any = value
    values: list[Any] = list(cond.values)
    if isinstance(value, int | float) and not isinstance(value, bool):
        values = [float(v) if isinstance(v, int | float) or _numeric(v) else v for v in values]
        left = float(value)
    else:
        left = str(value)
        values = [str(v) for v in values]
    ops: dict[str, Callable[[], bool]] = {
        "=": lambda: left == values[0],
        "!=": lambda: left != values[0],
        ">": lambda: left > values[0],
        ">=": lambda: left >= values[0],
        "<": lambda: left < values[0],
        "<=": lambda: left <= values[0],
        "IN": lambda: left in values,
        "NOT IN": lambda: left not in values,
        "LIKE": lambda: _like(str(left), str(values[0])),
        "NOT LIKE": lambda: not _like(str(left), str(values[0])),
        "BETWEEN": lambda: values[0] <= left <= values[1],
    }
    check = ops.get(cond.op)
    return True if check is None else check()


def _numeric(value: Any) -> bool:
    return isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value) is not None


def _like(value: str, pattern: str) -> bool:
    regex = "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE | re.DOTALL) is not None


def _metric_values(m: DailyMetrics | None) -> dict[str, Any]:
    if m is None:
        m = DailyMetrics(date.min, 0, 0, 0, 0, 0, 0)
    return {
        "metrics.impressions": m.impressions,
        "metrics.clicks": m.clicks,
        "metrics.cost_micros": m.spend_micros,
        "metrics.conversions": float(m.conversions),
        "metrics.conversions_value": m.revenue_micros / 1_000_000,
        "metrics.ctr": (m.clicks / m.impressions) if m.impressions else 0.0,
        "metrics.average_cpc": (m.spend_micros / m.clicks) if m.clicks else 0.0,
    }


def _account_values(account: state.AdAccount) -> dict[str, Any]:
    return {
        "customer.id": int(account.account_id),
        "customer.resource_name": f"customers/{account.account_id}",
        "customer.descriptive_name": account.name,
        "customer.currency_code": account.currency,
        "customer.time_zone": account.timezone,
        "customer.manager": False,
    }


def campaign_values(account: state.AdAccount, campaign: state.Campaign) -> dict[str, Any]:
    budget = f"customers/{account.account_id}/campaignBudgets/{campaign.budget_id}"
    return {
        "campaign.id": int(campaign.campaign_id),
        "campaign.resource_name": (
            f"customers/{account.account_id}/campaigns/{campaign.campaign_id}"
        ),
        "campaign.name": campaign.name,
        "campaign.status": campaign.status,
        "campaign.campaign_budget": budget,
        "campaign.advertising_channel_type": campaign.objective,
        "campaign.start_date": campaign.start_date.isoformat(),
        "campaign_budget.id": int(campaign.budget_id),
        "campaign_budget.resource_name": budget,
        "campaign_budget.amount_micros": campaign.daily_budget_micros,
        "campaign_budget.delivery_method": "STANDARD",
    }


def _sum(items: list[DailyMetrics]) -> DailyMetrics | None:
    total: DailyMetrics | None = None
    for item in items:
        total = item if total is None else total + item
    return total


def run_query(
    request: Request,
    query: Query,
    account: state.AdAccount,
    campaigns: list[state.Campaign],
) -> list[dict[str, Any]]:
    today = datetime.now(UTC).date()
    by_date = "segments.date" in query.select
    wants_metrics = any(f in METRICS for f in query.select) or any(
        c.field in METRICS for c in query.conditions
    )
    low, high = _date_bounds(request, query, today)
    if by_date and (low is None or high is None):
        raise query_error(
            request,
            "EXPECTED_FILTERS_ON_DATE_RANGE",
            "Error in query: a finite date range is required when segments.date is selected.",
        )
    earliest = min((c.start_date for c in campaigns), default=today)
    since = low or earliest
    until = high or today
    rows: list[dict[str, Any]] = []
    base = _account_values(account)

    if query.resource == "campaign_budget":
        rows = [{**base, **campaign_values(account, c)} for c in campaigns]
    elif query.resource == "customer":
        if by_date:
            for day in active_days(earliest, since, until, today):
                total = _sum(
                    [
                        daily_metrics(PLATFORM, c.campaign_id, day)
                        for c in campaigns
                        if c.start_date <= day
                    ]
                )
                if total is not None:
                    rows.append({**base, **_metric_values(total), "segments.date": day.isoformat()})
        else:
            total = None
            if wants_metrics:
                total = _sum(
                    [
                        daily_metrics(PLATFORM, c.campaign_id, d)
                        for c in campaigns
                        for d in active_days(c.start_date, since, until, today)
                    ]
                )
            rows.append({**base, **_metric_values(total)})
    else:
        for campaign in campaigns:
            values = {**base, **campaign_values(account, campaign)}
            if by_date:
                for day in active_days(campaign.start_date, since, until, today):
                    metrics = daily_metrics(PLATFORM, campaign.campaign_id, day)
                    rows.append(
                        {**values, **_metric_values(metrics), "segments.date": day.isoformat()}
                    )
            elif wants_metrics:
                total = _sum(
                    [
                        daily_metrics(PLATFORM, campaign.campaign_id, d)
                        for d in active_days(campaign.start_date, since, until, today)
                    ]
                )
                rows.append({**values, **_metric_values(total)})
            else:
                rows.append(values)

    for cond in query.conditions:
        if cond.field == "segments.date":
            continue
        rows = [r for r in rows if _compare(r.get(cond.field), cond)]
    for field, descending in reversed(query.order):
        rows.sort(key=_sort_key(field), reverse=descending)
    if query.limit is not None:
        rows = rows[: query.limit]
    return rows


def _sort_key(field: str) -> Callable[[dict[str, Any]], tuple[bool, Any]]:
    def key(row: dict[str, Any]) -> tuple[bool, Any]:
        value = row.get(field)
        return (value is None, 0 if value is None else value)

    return key


def ads_camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def render_row(row: dict[str, Any], select: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    fields = list(select)
    for prefix in ("customer", "campaign", "campaign_budget"):
        if (
            any(f.startswith(prefix + ".") for f in select)
            and f"{prefix}.resource_name" not in fields
        ):
            fields.append(f"{prefix}.resource_name")
    for field in fields:
        value = row.get(field)
        if value is None:
            continue
        if field in INT64:
            value = str(value)
        resource, attr = field.split(".", 1)
        out.setdefault(ads_camel(resource), {})[ads_camel(attr)] = value
    return out


def field_mask(select: list[str]) -> str:
    return ",".join(
        f"{resource}.{ads_camel(attr)}" for resource, attr in (f.split(".", 1) for f in select)
    )
