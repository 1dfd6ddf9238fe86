"""Meta's generic object routes, ``/{version}/{object_id}`` (GET, POST and DELETE) on a
campaign or a custom audience. Mounted after every other Meta router: its path takes
any object id.
"""

from __future__ import annotations

import sqlite3

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from adscale_sandbox import state
from adscale_sandbox.core import now, sandbox_of
from adscale_sandbox.oauth import Principal
from adscale_sandbox.platforms.meta_accounts import meta_owned_account
from adscale_sandbox.platforms.meta_audiences import audience_body, meta_owned_audience
from adscale_sandbox.platforms.meta_campaigns import campaign_body
from adscale_sandbox.platforms.meta_errors import invalid_parameter
from adscale_sandbox.platforms.meta_guard import authorized
from adscale_sandbox.platforms.meta_params import PLATFORM, meta_params, requested_fields, respond

CAMPAIGN_STATUSES = ("ACTIVE", "PAUSED", "DELETED", "ARCHIVED")


router = APIRouter()


def _load_object(
    conn: sqlite3.Connection, object_id: str, principal: Principal, method: str, delay: float
) -> state.Audience | state.Campaign:
    campaign = state.get_campaign(conn, PLATFORM, object_id)
    if campaign is not None:
        meta_owned_account(conn, campaign.account_id, principal, method)
        return campaign
    return meta_owned_audience(conn, object_id, principal, method, delay)


@router.get("/{version}/{object_id}")
async def get_object(
    version: str, object_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    ctx = sandbox_of(request)
    params = await meta_params(request)
    fields = requested_fields(params, ("id",))
    obj = await ctx.store.run(lambda c: _load_object(c, object_id, principal, "GET", ctx.delay))
    if isinstance(obj, state.Campaign):
        return respond(request, campaign_body(obj, fields))
    return respond(request, audience_body(obj, fields))


@router.post("/{version}/{object_id}")
async def update_object(
    version: str, object_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    ctx = sandbox_of(request)
    params = await meta_params(request)
    if str(params.get("method", "")).lower() == "delete":
        return await _delete(request, object_id, principal)
    at = now()
    status = params.get("status")
    if status is not None and status not in CAMPAIGN_STATUSES:
        raise invalid_parameter(
            "(#100) Param status must be one of {ACTIVE, PAUSED, DELETED, ARCHIVED}"
        )
    budget_micros: int | None = None
    if "daily_budget" in params:
        try:
            minor = int(str(params["daily_budget"]))
        except ValueError as exc:
            raise invalid_parameter("(#100) Param daily_budget must be an integer") from exc
        if minor < 100:
            raise invalid_parameter(
                "(#100) The daily budget must be at least 100 (1.00 in the account currency)"
            )
        budget_micros = minor * 10_000

    def _work(conn: sqlite3.Connection) -> None:
        obj = _load_object(conn, object_id, principal, "POST", ctx.delay)
        if isinstance(obj, state.Campaign):
            state.update_campaign(
                conn,
                PLATFORM,
                obj.campaign_id,
                status=status,
                daily_budget_micros=budget_micros,
                name=params.get("name"),
                now=at,
            )
        else:
            state.update_audience_fields(
                conn,
                obj,
                name=params.get("name"),
                description=params.get("description"),
                now=at,
            )

    await ctx.store.run(_work)
    return respond(request, {"success": True})


async def _delete(request: Request, object_id: str, principal: Principal) -> Response:
    ctx = sandbox_of(request)
    at = now()

    def _work(conn: sqlite3.Connection) -> None:
        obj = _load_object(conn, object_id, principal, "DELETE", ctx.delay)
        if isinstance(obj, state.Campaign):
            state.update_campaign(conn, PLATFORM, obj.campaign_id, status="DELETED", now=at)
        else:
            state.delete_audience(conn, obj)

    await ctx.store.run(_work)
    return respond(request, {"success": True})


@router.delete("/{version}/{object_id}")
async def delete_object(
    version: str, object_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    return await _delete(request, object_id, principal)
