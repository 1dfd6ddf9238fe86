"""Meta ``/me``, ``/me/adaccounts`` and ``/act_{id}``: the user, their ad accounts, and the
owned-account lookup the other Meta routes use.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from adscale_sandbox import state
from adscale_sandbox.core import sandbox_of
from adscale_sandbox.oauth import Principal
from adscale_sandbox.platforms.common import owned_account, user_accounts
from adscale_sandbox.platforms.meta_errors import unsupported_object
from adscale_sandbox.platforms.meta_guard import authorized
from adscale_sandbox.platforms.meta_params import (
    PLATFORM,
    meta_params,
    paged,
    requested_fields,
    respond,
    selected,
)

router = APIRouter()


def _account_body(account: state.AdAccount, fields: list[str]) -> dict[str, Any]:
    full: dict[str, Any] = {
        "id": f"act_{account.account_id}",
        "account_id": account.account_id,
        "name": account.name,
        "currency": account.currency,
        "timezone_name": account.timezone,
        "account_status": 1,
        "business_name": "AdScale Sandbox",
    }
    return selected(full, fields)


@router.get("/{version}/me")
async def me(
    version: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    params = await meta_params(request)
    full = {
        "id": state.user_numeric_id(PLATFORM, principal.user_id),
        "name": "Sandbox User",
    }
    fields = requested_fields(params, ("id", "name"))
    return respond(request, selected(full, fields))


@router.get("/{version}/me/adaccounts")
async def my_ad_accounts(
    version: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    params = await meta_params(request)
    fields = requested_fields(params, ("account_id",))
    accounts = await user_accounts(request, principal)
    return respond(request, paged(request, params, [_account_body(a, fields) for a in accounts]))


def meta_owned_account(
    conn: sqlite3.Connection, account_id: str, principal: Principal, method: str
) -> state.AdAccount:
    account = owned_account(conn, PLATFORM, account_id, principal)
    if account is None:
        raise unsupported_object(f"act_{account_id}", method)
    return account


@router.get("/{version}/act_{account_id}")
async def get_ad_account(
    version: str, account_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    ctx = sandbox_of(request)
    params = await meta_params(request)
    account = await ctx.store.run(lambda c: meta_owned_account(c, account_id, principal, "GET"))
    return respond(request, _account_body(account, requested_fields(params, ("id",))))
