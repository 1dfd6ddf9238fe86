"""Meta custom audiences: create and list under ``/act_{id}/customaudiences``, the audience
body, and the owned-audience lookup the member and object routes use.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from adscale_sandbox import state
from adscale_sandbox.core import now, sandbox_of
from adscale_sandbox.oauth import Principal
from adscale_sandbox.platforms.common import owned_audience
from adscale_sandbox.platforms.meta_accounts import meta_owned_account
from adscale_sandbox.platforms.meta_errors import invalid_parameter, unsupported_object
from adscale_sandbox.platforms.meta_guard import authorized
from adscale_sandbox.platforms.meta_params import (
    PLATFORM,
    meta_params,
    paged,
    requested_fields,
    respond,
    selected,
)

CUSTOMER_FILE_SOURCES = (
    "USER_PROVIDED_ONLY",
    "PARTNER_PROVIDED_ONLY",
    "BOTH_USER_AND_PARTNER_PROVIDED",
)


router = APIRouter()


def _bounds(matched: int) -> tuple[int, int]:
    return matched * 95 // 100, -(-matched * 105 // 100)


def audience_body(audience: state.Audience, fields: list[str]) -> dict[str, Any]:
    lower, upper = _bounds(audience.visible_matched)
    if audience.uploads == 0:
        operation = {"code": 410, "description": "No upload: no customer data has been uploaded."}
    elif audience.processing:
        operation = {"code": 300, "description": "Processing: the last upload is being matched."}
    elif audience.visible_members and audience.visible_matched * 5 < audience.visible_members:
        operation = {"code": 411, "description": "Low match rate."}
    else:
        operation = {"code": 200, "description": "Normal"}
    if audience.visible_matched >= 1000:
        delivery = {"code": 200, "description": "This audience is ready for use."}
    else:
        delivery = {
            "code": 300,
            "description": "This audience is too small to use. Add more people to it.",
        }
    full: dict[str, Any] = {
        "id": audience.audience_id,
        "account_id": audience.account_id,
        "name": audience.name,
        "description": audience.description,
        "subtype": "CUSTOM",
        "customer_file_source": audience.attrs.get("customer_file_source"),
        "approximate_count_lower_bound": lower,
        "approximate_count_upper_bound": upper,
        "operation_status": operation,
        "delivery_status": delivery,
        "data_source": {"type": "FILE_IMPORTED", "sub_type": "HASHES", "creation_params": "[]"},
        "retention_days": audience.attrs.get("retention_days", 0),
        "time_created": int(audience.created_at),
        "time_updated": int(audience.updated_at),
        "time_content_updated": int(audience.last_change_at or audience.created_at),
        "is_value_based": False,
    }
    return selected(full, fields)


@router.post("/{version}/act_{account_id}/customaudiences")
async def create_custom_audience(
    version: str, account_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    ctx = sandbox_of(request)
    params = await meta_params(request)
    name = params.get("name")
    if not name:
        raise invalid_parameter("(#100) The parameter name is required")
    subtype = str(params.get("subtype", "CUSTOM")).upper()
    if subtype != "CUSTOM":
        raise invalid_parameter(
            f"(#100) Param subtype must be CUSTOM in the sandbox (got {subtype})"
        )
    source = params.get("customer_file_source")
    if source not in CUSTOMER_FILE_SOURCES:
        raise invalid_parameter(
            "(#100) Param customer_file_source must be one of "
            "{USER_PROVIDED_ONLY, PARTNER_PROVIDED_ONLY, BOTH_USER_AND_PARTNER_PROVIDED}",
        )
    at = now()

    def _work(conn: sqlite3.Connection) -> state.Audience:
        meta_owned_account(conn, account_id, principal, "POST")
        return state.create_audience(
            conn,
            PLATFORM,
            account_id,
            str(name),
            description=str(params.get("description", "")),
            kind="CUSTOM",
            attrs={
                "customer_file_source": source,
                "retention_days": int(params.get("retention_days", 0) or 0),
            },
            now=at,
        )

    audience = await ctx.store.run(_work)
    return respond(request, {"id": audience.audience_id})


@router.get("/{version}/act_{account_id}/customaudiences")
async def list_custom_audiences(
    version: str, account_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    ctx = sandbox_of(request)
    params = await meta_params(request)
    fields = requested_fields(params, ("id",))
    at = now()

    def _work(conn: sqlite3.Connection) -> list[state.Audience]:
        meta_owned_account(conn, account_id, principal, "GET")
        return state.list_audiences(conn, PLATFORM, account_id, now=at, delay=ctx.delay)

    audiences = await ctx.store.run(_work)
    return respond(request, paged(request, params, [audience_body(a, fields) for a in audiences]))


def meta_owned_audience(
    conn: sqlite3.Connection, audience_id: str, principal: Principal, method: str, delay: float
) -> state.Audience:
    audience = owned_audience(conn, PLATFORM, audience_id, principal, delay)
    if audience is None:
        raise unsupported_object(audience_id, method)
    return audience
