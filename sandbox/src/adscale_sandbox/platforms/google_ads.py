"""Google Ads API (googleads.googleapis.com): its errors (GoogleAdsFailure), the guard
(OAuth token and developer token), ``customers:listAccessibleCustomers`` and the
owned-customer lookup the report and mutate routes use.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from adscale_sandbox import state
from adscale_sandbox.core import (
    PlatformError,
    RateDecision,
    bearer_token,
    json_response,
    make_guard,
    sandbox_of,
)
from adscale_sandbox.oauth import Principal, TokenState
from adscale_sandbox.platforms.common import owned_account, user_accounts
from adscale_sandbox.platforms.google_errors import rpc_error, unauthenticated

PLATFORM = "google"
SERVICE = "googleads.googleapis.com"
VERSION = re.compile(r"/(v\d+)/")


def _version(request: Request) -> str:
    match = VERSION.search(request.url.path)
    return match.group(1) if match else "v21"


def ads_failure(
    request: Request,
    status: int,
    code_name: str,
    message: str,
    error_code: dict[str, str],
    *,
    location: list[dict[str, Any]] | None = None,
    details: dict[str, Any] | None = None,
    extra: list[dict[str, Any]] | None = None,
) -> PlatformError:
    error: dict[str, Any] = {"errorCode": error_code, "message": message}
    if location:
        error["location"] = {"fieldPathElements": location}
    if details:
        error["details"] = details
    failure = {
        "@type": (
            f"type.googleapis.com/google.ads.googleads.{_version(request)}.errors.GoogleAdsFailure"
        ),
        "errors": [error],
        "requestId": state.new_request_id(),
    }
    return rpc_error(status, code_name, message, [failure, *(extra or [])])


def query_error(request: Request, code: str, message: str) -> PlatformError:
    return ads_failure(request, 400, "INVALID_ARGUMENT", message, {"queryError": code})


class GoogleAdsAdapter:
    name = PLATFORM

    async def extract_token(self, request: Request) -> str | None:
        return bearer_token(request)

    def auth_error(self, token_state: TokenState, request: Request) -> PlatformError:
        if token_state is TokenState.MISSING:
            return unauthenticated(token_state, SERVICE)
        code = {
            TokenState.EXPIRED: "OAUTH_TOKEN_EXPIRED",
            TokenState.REVOKED: "OAUTH_TOKEN_REVOKED",
        }.get(token_state, "OAUTH_TOKEN_INVALID")
        base = unauthenticated(token_state, SERVICE)
        failure = ads_failure(
            request,
            401,
            "UNAUTHENTICATED",
            "Authentication of the request failed.",
            {"authenticationError": code},
        )
        base.body["error"]["details"] = failure.body["error"]["details"] + base.body["error"].get(
            "details", []
        )
        return base

    def rate_limit_error(self, decision: RateDecision, request: Request) -> PlatformError:
        return ads_failure(
            request,
            429,
            "RESOURCE_EXHAUSTED",
            f"Too many requests. Retry in {decision.retry_after} seconds.",
            {"quotaError": "RESOURCE_TEMPORARILY_EXHAUSTED"},
            details={
                "quotaErrorDetails": {
                    "rateScope": "DEVELOPER",
                    "rateName": "Number of operations for basic access",
                    "retryDelay": f"{decision.retry_after}s",
                }
            },
        )

    def fault_error(self, kind: str, request: Request) -> PlatformError:
        if kind == "permission":
            return ads_failure(
                request,
                403,
                "PERMISSION_DENIED",
                "User doesn't have permission to access customer.",
                {"authorizationError": "USER_PERMISSION_DENIED"},
            )
        if kind == "server_error":
            return ads_failure(
                request,
                500,
                "INTERNAL",
                "An internal error has occurred.",
                {"internalError": "INTERNAL_ERROR"},
            )
        return ads_failure(
            request,
            400,
            "INVALID_ARGUMENT",
            "Request contains an invalid argument.",
            {"fieldError": "INVALID_VALUE"},
        )


adapter = GoogleAdsAdapter()
_guard = make_guard(adapter)


async def authorized(request: Request) -> Principal:
    principal = await _guard(request)
    ctx = sandbox_of(request)
    if ctx.settings.google_ads_require_developer_token and not request.headers.get(
        "developer-token"
    ):
        raise ads_failure(
            request,
            400,
            "INVALID_ARGUMENT",
            "The developer-token parameter is required for all requests.",
            {"requestError": "DEVELOPER_TOKEN_PARAMETER_MISSING"},
        )
    return principal


router = APIRouter()


@router.get("/{version}/customers:listAccessibleCustomers")
async def list_accessible_customers(
    version: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    accounts = await user_accounts(request, principal)
    return json_response({"resourceNames": [f"customers/{a.account_id}" for a in accounts]})


def owned_customer(
    conn: sqlite3.Connection, request: Request, customer_id: str, principal: Principal
) -> state.AdAccount:
    account = owned_account(conn, PLATFORM, customer_id, principal)
    if account is None:
        raise ads_failure(
            request,
            403,
            "PERMISSION_DENIED",
            "User doesn't have permission to access customer. Note: If you're accessing a "
            "client customer, the manager's customer id must be set in the 'login-customer-id' "
            "header.",
            {"authorizationError": "USER_PERMISSION_DENIED"},
        )
    return account
