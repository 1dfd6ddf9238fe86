"""Data Manager ``requestStatus:retrieve``: how an ingest or removal went, per destination
(processing, then success with the upload's match-rate range).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from adscale_sandbox import state
from adscale_sandbox.core import now, sandbox_of
from adscale_sandbox.oauth import Principal
from adscale_sandbox.platforms.google_datamanager import answer, authorized, json_body
from adscale_sandbox.platforms.google_errors import bad_request, request_error, violation
from adscale_sandbox.platforms.google_json import query_param

router = APIRouter()


def _match_range(matched: int, unique: int) -> str:
    if unique < 1000:
        return "MATCH_RATE_RANGE_NOT_ELIGIBLE"
    pct = matched * 100 // unique
    if pct < 20:
        return "MATCH_RATE_RANGE_LESS_THAN_20"
    if pct <= 30:
        return "MATCH_RATE_RANGE_20_TO_30"
    low = (pct - 1) // 10 * 10 + 1
    return f"MATCH_RATE_RANGE_{low}_TO_{low + 9}"


@router.api_route("/v1/requestStatus:retrieve", methods=["GET", "POST"])
async def request_status(request: Request, principal: Principal = Depends(authorized)) -> Response:
    ctx = sandbox_of(request)
    request_id = query_param(request, "requestId")
    if request.method == "POST" and not request_id:
        body = await json_body(request)
        request_id = str(body.get("requestId", ""))
    if not request_id:
        raise bad_request(
            [violation("request_id", "REQUIRED_FIELD_MISSING", "Required field is missing.")],
            state.new_request_id(),
        )
    detail = await ctx.store.run(lambda c: state.get_request(c, request_id))
    if detail is None:
        raise request_error(404, "NOT_FOUND", f"Request {request_id} not found.", "NOT_FOUND")
    processing = now() < float(detail["at"]) + ctx.delay
    statuses = []
    for destination in detail["destinations"]:
        entry: dict[str, Any] = {
            "destination": destination,
            "requestStatus": "PROCESSING" if processing else "SUCCESS",
            "errorInfo": {"errorCounts": []},
            "warningInfo": {"warningCounts": []},
        }
        if detail["kind"] == "ingest":
            ingestion: dict[str, Any] = {
                "recordCount": str(detail["record_count"]),
                "userIdentifierCount": str(detail["identifier_count"]),
            }
            if not processing:
                ingestion["uploadMatchRateRange"] = _match_range(
                    detail["matched"], detail["unique"]
                )
            entry["audienceMembersIngestionStatus"] = {"userDataIngestionStatus": ingestion}
        else:
            entry["audienceMembersRemovalStatus"] = {
                "userDataRemovalStatus": {
                    "recordCount": str(detail["record_count"]),
                    "userIdentifierCount": str(detail["identifier_count"]),
                }
            }
        statuses.append(entry)
    return answer(request, {"requestStatusPerDestination": statuses})
