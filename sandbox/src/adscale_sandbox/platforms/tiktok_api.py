"""What every TikTok API for Business route shares: the ``{code, message, request_id,
data}`` envelope and its errors, the Access-Token guard, JSON body and list parameters,
and the owned advertiser and audience lookups.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from adscale_sandbox import state
from adscale_sandbox.core import (
    PlatformError,
    RateDecision,
    json_response,
    make_guard,
    read_json_object,
)
from adscale_sandbox.oauth import Principal, TokenState
from adscale_sandbox.platforms.common import account_audience, owned_account

PLATFORM = "tiktok"
API = "/open_api/v1.3"
ID_TYPES = {"EMAIL_SHA256", "PHONE_SHA256", "IDFA_SHA256", "AAID_SHA256", "GAID_SHA256"}


def request_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%d%H%M%S") + secrets.token_hex(9).upper()


def ok(data: Any) -> Response:
    return json_response({"code": 0, "message": "OK", "request_id": request_id(), "data": data})


def tiktok_error(code: int, message: str, status: int = 200) -> PlatformError:
    return PlatformError(
        status, {"code": code, "message": message, "request_id": request_id(), "data": {}}
    )


def invalid(message: str) -> PlatformError:
    return tiktok_error(40002, message)


class TikTokAdapter:
    name = PLATFORM

    async def extract_token(self, request: Request) -> str | None:
        return request.headers.get("access-token") or None

    def auth_error(self, token_state: TokenState, request: Request) -> PlatformError:
        if token_state is TokenState.MISSING:
            return tiktok_error(
                40104, "Access token is empty. Please pass it in the Access-Token header."
            )
        if token_state is TokenState.EXPIRED:
            return tiktok_error(40102, "Access token has expired. Please refresh it.")
        return tiktok_error(40105, "Access token is incorrect or has been revoked.")

    def rate_limit_error(self, decision: RateDecision, request: Request) -> PlatformError:
        return tiktok_error(
            40100,
            f"Too many requests. Request QPM exceeded; retry in {decision.retry_after} seconds.",
        )

    def fault_error(self, kind: str, request: Request) -> PlatformError:
        if kind == "permission":
            return tiktok_error(40001, "No permission to operate this advertiser.")
        if kind == "server_error":
            return tiktok_error(50000, "System error. Please retry later.")
        return invalid("Invalid parameters.")


adapter = TikTokAdapter()
authorized = make_guard(adapter)


async def json_body(request: Request) -> dict[str, Any]:
    return await read_json_object(
        request, invalid, "Request body is not valid JSON: ", "Request body must be a JSON object."
    )


def json_list(value: Any, name: str) -> list[str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise invalid(f"{name} must be a JSON array.") from exc
    if not isinstance(value, list):
        raise invalid(f"{name} must be an array.")
    return [str(v) for v in value]


def audience_name(body: dict[str, Any]) -> str:
    """The body's ``custom_audience_name``, required and at most 128 characters."""
    name = body.get("custom_audience_name")
    if not name or len(str(name)) > 128:
        raise invalid("custom_audience_name is required (at most 128 characters).")
    return str(name)


def owned_advertiser(
    conn: sqlite3.Connection, advertiser_id: Any, principal: Principal
) -> state.AdAccount:
    if not advertiser_id:
        raise invalid("advertiser_id: Missing data for required field.")
    account = owned_account(conn, PLATFORM, str(advertiser_id), principal)
    if account is None:
        raise tiktok_error(40001, f"No permission to operate advertiser {advertiser_id}.")
    return account


def advertiser_audience(
    conn: sqlite3.Connection, advertiser: state.AdAccount, audience_id: Any, delay: float
) -> state.Audience:
    audience = account_audience(conn, PLATFORM, advertiser.account_id, str(audience_id), delay)
    if audience is None:
        raise invalid(f"Custom audience {audience_id} does not exist.")
    return audience
