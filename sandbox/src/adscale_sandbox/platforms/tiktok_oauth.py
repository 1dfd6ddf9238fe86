"""TikTok portal OAuth and advertisers: the authorization page, the access and refresh
token endpoints, ``oauth2/advertiser/get`` and ``advertiser/info``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from adscale_sandbox import state
from adscale_sandbox.core import json_response, now, sandbox_of
from adscale_sandbox.oauth import (
    AuthCode,
    IssuedTokens,
    Principal,
    TokenState,
    check_token,
    take_code,
)
from adscale_sandbox.platforms.common import (
    echoed_state,
    issue_session_tokens,
    redirect_back,
    sign_in,
    user_accounts,
)
from adscale_sandbox.platforms.tiktok_api import (
    API,
    PLATFORM,
    authorized,
    invalid,
    json_body,
    json_list,
    ok,
    owned_advertiser,
    tiktok_error,
)

router = APIRouter()


@router.get("/portal/auth")
async def portal_auth(request: Request) -> Response:
    q = request.query_params
    app_id = q.get("app_id")
    redirect_uri = q.get("redirect_uri")
    if not app_id or not redirect_uri:
        return json_response(
            {"code": 40002, "message": "app_id and redirect_uri are required", "data": {}}, 400
        )
    code = await sign_in(
        request,
        PLATFORM,
        client_id=app_id,
        redirect_uri=redirect_uri,
        scope=q.get("scope", "audience_management"),
    )
    return redirect_back(redirect_uri, {"auth_code": code, "code": code, **echoed_state(request)})


def _token_data(tokens: IssuedTokens, advertiser_ids: list[str]) -> dict[str, Any]:
    return {
        "access_token": tokens.access_token,
        "refresh_token": tokens.refresh_token,
        "access_token_expire_in": tokens.expires_in,
        "refresh_token_expire_in": tokens.refresh_expires_in,
        "advertiser_ids": advertiser_ids,
        "scope": [s for s in tokens.scope.split(",") if s] or ["audience_management"],
    }


def _app_id(body: dict[str, Any]) -> str:
    """The caller's ``app_id``, refused unless it comes with a ``secret``."""
    app_id = str(body.get("app_id", ""))
    if not app_id or not body.get("secret"):
        raise tiktok_error(40101, "app_id or secret is invalid.")
    return app_id


def _valid_code(
    conn: sqlite3.Connection, auth_code: str, app_id: str, at: float
) -> AuthCode | None:
    """The authorization code, unless it is unknown, used, expired or another app's."""
    code = take_code(conn, PLATFORM, auth_code)
    if code is None or code.used or code.expires_at <= at or code.client_id != app_id:
        return None
    return code


def _valid_refresh(
    conn: sqlite3.Connection, refresh: str, app_id: str, at: float
) -> Principal | None:
    """The refresh token's principal, unless the token is not valid or is another app's."""
    token_state, principal = check_token(conn, PLATFORM, refresh, "refresh", at)
    if token_state is not TokenState.OK or principal is None or principal.client_id != app_id:
        return None
    return principal


async def _grant_tokens(
    request: Request,
    field: str,
    redeem: Callable[[sqlite3.Connection, str, str, float], AuthCode | Principal | None],
    code: int,
    message: str,
) -> Response:
    """New tokens, and the advertisers they may operate, for the grant in the body's
    ``field``; TikTok's error ``code`` when ``redeem`` finds no valid grant in it."""
    ctx = sandbox_of(request)
    body = await json_body(request)
    app_id = _app_id(body)
    value = str(body.get(field, ""))
    at = now()

    def _work(conn: sqlite3.Connection) -> tuple[IssuedTokens, list[str]] | None:
        grant = redeem(conn, value, app_id, at)
        if grant is None:
            return None
        tokens = issue_session_tokens(conn, ctx.settings, grant, client_id=app_id, now=at)
        accounts = state.list_accounts(conn, PLATFORM, grant.user_id)
        return tokens, [a.account_id for a in accounts]

    result = await ctx.store.run(_work)
    if result is None:
        raise tiktok_error(code, message)
    return ok(_token_data(*result))


@router.post(f"{API}/oauth2/access_token/")
async def oauth_access_token(request: Request) -> Response:
    return await _grant_tokens(
        request, "auth_code", _valid_code, 40110, "auth_code is invalid, expired or already used."
    )


@router.post(f"{API}/oauth2/refresh_token/")
async def oauth_refresh_token(request: Request) -> Response:
    return await _grant_tokens(
        request,
        "refresh_token",
        _valid_refresh,
        40107,
        "refresh_token is invalid, expired or revoked.",
    )


@router.get(f"{API}/oauth2/advertiser/get/")
async def advertiser_get(request: Request, principal: Principal = Depends(authorized)) -> Response:
    if not request.query_params.get("app_id") or not request.query_params.get("secret"):
        raise invalid("app_id and secret are required.")
    accounts = await user_accounts(request, principal)
    return ok(
        {"list": [{"advertiser_id": a.account_id, "advertiser_name": a.name} for a in accounts]}
    )


@router.get(f"{API}/advertiser/info/")
async def advertiser_info(request: Request, principal: Principal = Depends(authorized)) -> Response:
    ctx = sandbox_of(request)
    ids = json_list(request.query_params.get("advertiser_ids", "[]"), "advertiser_ids")

    def _work(conn: sqlite3.Connection) -> list[dict[str, Any]]:
        rows = []
        for advertiser_id in ids:
            account = owned_advertiser(conn, advertiser_id, principal)
            rows.append(
                {
                    "advertiser_id": account.account_id,
                    "name": account.name,
                    "currency": account.currency,
                    "timezone": account.timezone,
                    "status": "STATUS_ENABLE",
                }
            )
        return rows

    return ok({"list": await ctx.store.run(_work)})
