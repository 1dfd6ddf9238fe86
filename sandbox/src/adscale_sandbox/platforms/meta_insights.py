"""Meta insights: ``/act_{id}/insights`` and ``/{campaign_id}/insights`` (fields, level,
date range or preset, time increment, campaign filtering).
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from adscale_sandbox import state
from adscale_sandbox.core import sandbox_of
from adscale_sandbox.metrics import DailyMetrics, active_days, daily_metrics, preset_range
from adscale_sandbox.oauth import Principal
from adscale_sandbox.platforms.meta_accounts import meta_owned_account
from adscale_sandbox.platforms.meta_errors import invalid_parameter, unsupported_object
from adscale_sandbox.platforms.meta_guard import authorized
from adscale_sandbox.platforms.meta_params import (
    PLATFORM,
    json_param,
    meta_params,
    paged,
    requested_fields,
    respond,
)

INSIGHT_FIELDS = {
    "account_id",
    "account_name",
    "account_currency",
    "campaign_id",
    "campaign_name",
    "objective",
    "impressions",
    "clicks",
    "reach",
    "spend",
    "ctr",
    "cpc",
    "cpm",
    "actions",
    "action_values",
    "purchase_roas",
    "date_start",
    "date_stop",
}
PURCHASE_ACTIONS = ("offsite_conversion.fb_pixel_purchase", "omni_purchase", "purchase")


router = APIRouter()


def _date_range(params: dict[str, Any], earliest: date) -> tuple[date, date]:
    today = datetime.now(UTC).date()
    time_range = json_param(params, "time_range")
    if time_range is not None:
        if (
            not isinstance(time_range, dict)
            or "since" not in time_range
            or "until" not in time_range
        ):
            raise invalid_parameter("(#100) Param time_range must have since and until")
        try:
            since = date.fromisoformat(str(time_range["since"]))
            until = date.fromisoformat(str(time_range["until"]))
        except ValueError as exc:
            raise invalid_parameter("(#100) time_range dates must be YYYY-MM-DD") from exc
        if since > until:
            raise invalid_parameter("(#100) time_range since must not be after until")
        return since, until
    preset = str(params.get("date_preset", "last_30d"))
    if preset == "maximum":
        return earliest, today
    match = re.fullmatch(r"last_(\d+)d", preset)
    window = preset_range(preset, today, last_days=int(match.group(1)) if match else None)
    if window is not None:
        return window
    raise invalid_parameter(f"(#100) date_preset must be a supported preset, got {preset}")


def _insight_row(
    metrics: DailyMetrics,
    since: date,
    until: date,
    fields: list[str],
    account: state.AdAccount,
    campaign: state.Campaign | None,
) -> dict[str, Any]:
    spend = Decimal(metrics.spend_micros) / Decimal(1_000_000)
    full: dict[str, Any] = {
        "account_id": account.account_id,
        "account_name": account.name,
        "account_currency": account.currency,
        "impressions": str(metrics.impressions),
        "clicks": str(metrics.clicks),
        "reach": str(metrics.reach),
        "spend": f"{spend:.2f}",
        "ctr": f"{(metrics.clicks * 100 / metrics.impressions) if metrics.impressions else 0:.6f}",
        "cpc": f"{(spend / metrics.clicks) if metrics.clicks else 0:.6f}",
        "cpm": f"{(spend * 1000 / metrics.impressions) if metrics.impressions else 0:.6f}",
    }
    if campaign is not None:
        full["campaign_id"] = campaign.campaign_id
        full["campaign_name"] = campaign.name
        full["objective"] = campaign.objective
    actions = []
    if metrics.clicks:
        actions.append({"action_type": "link_click", "value": str(metrics.clicks)})
    if metrics.conversions:
        actions += [{"action_type": a, "value": str(metrics.conversions)} for a in PURCHASE_ACTIONS]
    if actions:
        full["actions"] = actions
    if metrics.revenue_micros:
        revenue = f"{Decimal(metrics.revenue_micros) / Decimal(1_000_000):.2f}"
        full["action_values"] = [{"action_type": a, "value": revenue} for a in PURCHASE_ACTIONS]
        if spend:
            roas = Decimal(metrics.revenue_micros) / Decimal(metrics.spend_micros)
            full["purchase_roas"] = [{"action_type": "omni_purchase", "value": f"{roas:.6f}"}]
    row = {k: full[k] for k in fields if k in full}
    row["date_start"] = since.isoformat()
    row["date_stop"] = until.isoformat()
    return row


def _insights(
    params: dict[str, Any],
    account: state.AdAccount,
    campaigns: list[state.Campaign],
    default_level: str,
) -> list[dict[str, Any]]:
    fields = requested_fields(params, ("impressions", "spend"))
    unknown = [f for f in fields if f not in INSIGHT_FIELDS]
    if unknown:
        raise invalid_parameter(
            f"(#100) {', '.join(unknown)} is not valid for fields param. Valid fields are: "
            + ", ".join(sorted(INSIGHT_FIELDS))
        )
    level = str(params.get("level", default_level))
    if level not in ("account", "campaign"):
        raise invalid_parameter(f"(#100) The sandbox supports level=account|campaign, not {level}")
    filtering = json_param(params, "filtering")
    if isinstance(filtering, list):
        for rule in filtering:
            if isinstance(rule, dict) and rule.get("field") in ("campaign.id", "campaign_id"):
                values = rule.get("value")
                allowed = {str(v) for v in (values if isinstance(values, list) else [values])}
                if str(rule.get("operator", "IN")).upper() in ("IN", "EQUAL"):
                    campaigns = [c for c in campaigns if c.campaign_id in allowed]
    earliest = min((c.start_date for c in campaigns), default=datetime.now(UTC).date())
    since, until = _date_range(params, earliest)
    increment = str(params.get("time_increment", "all_days"))
    if increment == "all_days":
        step = (until - since).days + 1
    elif increment.isdigit() and 1 <= int(increment) <= 90:
        step = int(increment)
    else:
        raise invalid_parameter("(#100) time_increment must be all_days or 1..90")
    today = datetime.now(UTC).date()
    rows: list[dict[str, Any]] = []
    window_start = since
    while window_start <= until:
        window_end = min(until, window_start + timedelta(days=step - 1))
        per_campaign: list[tuple[state.Campaign, DailyMetrics]] = []
        for campaign in campaigns:
            total: DailyMetrics | None = None
            for day in active_days(campaign.start_date, window_start, window_end, today):
                m = daily_metrics(PLATFORM, campaign.campaign_id, day)
                total = m if total is None else total + m
            if total is not None:
                per_campaign.append((campaign, total))
        if level == "campaign":
            rows += [
                _insight_row(m, window_start, window_end, fields, account, c)
                for c, m in per_campaign
            ]
        elif per_campaign:
            combined = per_campaign[0][1]
            for _, m in per_campaign[1:]:
                combined = combined + m
            rows.append(_insight_row(combined, window_start, window_end, fields, account, None))
        window_start = window_end + timedelta(days=1)
    return rows


@router.get("/{version}/act_{account_id}/insights")
async def account_insights(
    version: str, account_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    ctx = sandbox_of(request)
    params = await meta_params(request)

    def _work(conn: sqlite3.Connection) -> tuple[state.AdAccount, list[state.Campaign]]:
        account = meta_owned_account(conn, account_id, principal, "GET")
        return account, state.list_campaigns(conn, PLATFORM, account_id)

    account, campaigns = await ctx.store.run(_work)
    return respond(
        request, paged(request, params, _insights(params, account, campaigns, "account"))
    )


@router.get("/{version}/{object_id}/insights")
async def campaign_insights(
    version: str, object_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    ctx = sandbox_of(request)
    params = await meta_params(request)

    def _work(conn: sqlite3.Connection) -> tuple[state.AdAccount, state.Campaign]:
        campaign = state.get_campaign(conn, PLATFORM, object_id)
        if campaign is None:
            raise unsupported_object(object_id, "GET")
        account = meta_owned_account(conn, campaign.account_id, principal, "GET")
        return account, campaign

    account, campaign = await ctx.store.run(_work)
    rows = _insights(params, account, [campaign], "campaign")
    return respond(request, paged(request, params, rows))
