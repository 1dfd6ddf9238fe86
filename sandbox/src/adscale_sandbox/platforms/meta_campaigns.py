"""Meta campaigns: ``/act_{id}/campaigns`` and the campaign body."""

from __future__ import annotations

import sqlite3
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from adscale_sandbox import state
from adscale_sandbox.core import sandbox_of
from adscale_sandbox.oauth import Principal
from adscale_sandbox.platforms.meta_accounts import meta_owned_account
from adscale_sandbox.platforms.meta_guard import authorized
from adscale_sandbox.platforms.meta_params import (
    PLATFORM,
    json_param,
    meta_params,
    paged,
    requested_fields,
    respond,
    selected,
)

router = APIRouter()


def campaign_body(campaign: state.Campaign, fields: list[str]) -> dict[str, Any]:
    full: dict[str, Any] = {
        "id": campaign.campaign_id,
        "account_id": campaign.account_id,
        "name": campaign.name,
        "status": campaign.status,
        "configured_status": campaign.status,
        "effective_status": campaign.status,
        "objective": campaign.objective,
        "daily_budget": str(campaign.daily_budget_micros // 10_000),
        "buying_type": "AUCTION",
        "start_time": f"{campaign.start_date.isoformat()}T00:00:00+0000",
        "created_time": f"{campaign.start_date.isoformat()}T00:00:00+0000",
    }
    return selected(full, fields)


@router.get("/{version}/act_{account_id}/campaigns")
async def list_campaigns(
    version: str, account_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    ctx = sandbox_of(request)
    params = await meta_params(request)
    fields = requested_fields(params, ("id",))
    wanted = json_param(params, "effective_status")

    def _work(conn: sqlite3.Connection) -> list[state.Campaign]:
        meta_owned_account(conn, account_id, principal, "GET")
        return state.list_campaigns(conn, PLATFORM, account_id)

    campaigns = await ctx.store.run(_work)
    if isinstance(wanted, list):
        campaigns = [c for c in campaigns if c.status in wanted]
    else:
        campaigns = [c for c in campaigns if c.status != "DELETED"]
    return respond(request, paged(request, params, [campaign_body(c, fields) for c in campaigns]))
