"""Meta OAuth: the login dialog (``/meta/www``) and Graph's token endpoint (code exchange
and long-lived token exchange).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from adscale_sandbox.core import PlatformError, json_response, now, sandbox_of
from adscale_sandbox.oauth import IssuedTokens, TokenState, check_token, issue_tokens, take_code
from adscale_sandbox.platforms.common import (
    echoed_state,
    issue_session_tokens,
    redirect_back,
    sign_in,
)
from adscale_sandbox.platforms.meta_errors import invalid_parameter
from adscale_sandbox.platforms.meta_guard import adapter
from adscale_sandbox.platforms.meta_params import PLATFORM, meta_params

www_router = APIRouter()
router = APIRouter()


@www_router.get("/{version}/dialog/oauth")
async def oauth_dialog(version: str, request: Request) -> Response:
    q = request.query_params
    client_id = q.get("client_id") or q.get("app_id")
    redirect_uri = q.get("redirect_uri")
    if not client_id or not redirect_uri:
        return json_response(
            {"error": {"message": "Invalid App ID or missing redirect_uri", "code": 191}}, 400
        )
    code = await sign_in(
        request,
        PLATFORM,
        client_id=client_id,
        redirect_uri=redirect_uri,
        scope=q.get("scope", "ads_management"),
    )
    return redirect_back(redirect_uri, {"code": code, **echoed_state(request)})


def _token_response(tokens: IssuedTokens) -> Response:
    return json_response(
        {
            "access_token": tokens.access_token,
            "token_type": "bearer",
            "expires_in": tokens.expires_in,
        }
    )


@router.api_route("/{version}/oauth/access_token", methods=["GET", "POST"])
async def access_token(version: str, request: Request) -> Response:
    ctx = sandbox_of(request)
    params = await meta_params(request)
    at = now()
    settings = ctx.settings
    if params.get("grant_type") == "fb_exchange_token":
        current = str(params.get("fb_exchange_token", ""))

        def _exchange(conn: sqlite3.Connection) -> Any:
            token_state, principal = check_token(conn, PLATFORM, current, "access", at)
            if token_state is not TokenState.OK or principal is None:
                return token_state
            return issue_tokens(
                conn,
                platform=PLATFORM,
                user_id=principal.user_id,
                client_id=principal.client_id,
                scope=principal.scope,
                now=at,
                lifetime=settings.refresh_token_lifetime_seconds,
                refresh_lifetime=settings.refresh_token_lifetime_seconds,
                with_refresh=False,
            )

        result = await ctx.store.run(_exchange)
        if isinstance(result, TokenState):
            raise adapter.auth_error(result, request)
        return _token_response(result)

    code_value = str(params.get("code", ""))
    client_id = str(params.get("client_id", ""))
    if not code_value:
        raise invalid_parameter("Missing authorization code")
    if not client_id or not params.get("client_secret"):
        raise invalid_parameter("Missing client_id or client_secret parameter")

    def _work(conn: sqlite3.Connection) -> Any:
        code = take_code(conn, PLATFORM, code_value)
        if code is None:
            return invalid_parameter("Invalid verification code format.", subcode=36007)
        if code.used:
            return invalid_parameter("This authorization code has been used.", subcode=36009)
        if code.expires_at <= at:
            return invalid_parameter("This authorization code has expired.", subcode=36007)
        if code.client_id != client_id or code.redirect_uri != params.get("redirect_uri"):
            return invalid_parameter(
                "Error validating verification code. Please make sure your redirect_uri is "
                "identical to the one you used in the OAuth dialog request",
                subcode=36008,
            )
        return issue_session_tokens(
            conn, settings, code, client_id=client_id, now=at, with_refresh=False
        )

    result = await ctx.store.run(_work)
    if isinstance(result, PlatformError):
        raise result
    return _token_response(result)
