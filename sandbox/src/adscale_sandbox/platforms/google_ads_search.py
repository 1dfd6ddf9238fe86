"""Google Ads ``googleAds:search`` and ``googleAds:searchStream``: a GAQL report, paged or
in batches.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from adscale_sandbox import state
from adscale_sandbox.core import json_response, read_json, sandbox_of
from adscale_sandbox.oauth import Principal
from adscale_sandbox.platforms.google_ads import PLATFORM, authorized, owned_customer, query_error
from adscale_sandbox.platforms.google_ads_gaql import Query, parse_query
from adscale_sandbox.platforms.google_ads_rows import field_mask, render_row, run_query
from adscale_sandbox.platforms.google_errors import rpc_error

router = APIRouter()


async def _report(
    request: Request, customer_id: str, principal: Principal
) -> tuple[Query, list[dict[str, Any]]]:
    ctx = sandbox_of(request)
    try:
        body = await read_json(request)
    except ValueError as exc:
        raise rpc_error(400, "INVALID_ARGUMENT", f"Invalid JSON payload received. {exc}") from exc
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        raise query_error(request, "EXPECTED_SELECT", "Error in query: missing query.")
    query = parse_query(request, body["query"])

    def _work(conn: sqlite3.Connection) -> tuple[state.AdAccount, list[state.Campaign]]:
        account = owned_customer(conn, request, customer_id, principal)
        return account, state.list_campaigns(conn, PLATFORM, customer_id)

    account, campaigns = await ctx.store.run(_work)
    rows = run_query(request, query, account, campaigns)
    return query, [render_row(r, query.select) for r in rows]


@router.post("/{version}/customers/{customer_id}/googleAds:searchStream")
async def search_stream(
    version: str, customer_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    query, rows = await _report(request, customer_id, principal)
    mask = field_mask(query.select)
    request_id = state.new_request_id()
    batches: list[dict[str, Any]] = []
    for start in range(0, len(rows), 10_000):
        batches.append(
            {"results": rows[start : start + 10_000], "fieldMask": mask, "requestId": request_id}
        )
    if not batches:
        batches.append({"fieldMask": mask, "requestId": request_id})
    return json_response(batches)


@router.post("/{version}/customers/{customer_id}/googleAds:search")
async def search(
    version: str, customer_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    query, rows = await _report(request, customer_id, principal)
    body_raw = await read_json(request)
    token = str(body_raw.get("pageToken") or "0") if isinstance(body_raw, dict) else "0"
    start = int(token) if token.isdigit() else 0
    page = rows[start : start + 10_000]
    body: dict[str, Any] = {
        "fieldMask": field_mask(query.select),
        "requestId": state.new_request_id(),
    }
    if page:
        body["results"] = page
    if start + 10_000 < len(rows):
        body["nextPageToken"] = str(start + 10_000)
    if isinstance(body_raw, dict) and body_raw.get("returnTotalResultsCount"):
        body["totalResultsCount"] = str(len(rows))
    return json_response(body)
