"""Google OAuth 2.0: the consent page (accounts.google.com, under ``/google/accounts``) and
the token and revoke endpoints (oauth2.googleapis.com, under ``/google/oauth2``).
"""

from __future__ import annotations

import sqlite3
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import Response

from adscale_sandbox.core import json_response, now, read_json, sandbox_of
from adscale_sandbox.oauth import (
    IssuedTokens,
    TokenState,
    check_token,
    revoke_tokens,
    take_code,
    verify_pkce,
)
from adscale_sandbox.platforms.common import (
    echoed_state,
    issue_session_tokens,
    redirect_back,
    sign_in,
)
from adscale_sandbox.platforms.google_errors import PLATFORM

accounts_router = APIRouter()
oauth2_router = APIRouter()


def _oauth_page_error(error: str, description: str) -> Response:
    return json_response({"error": error, "error_description": description}, 400)


@accounts_router.get("/o/oauth2/v2/auth")
@accounts_router.get("/o/oauth2/auth")
async def authorize(request: Request) -> Response:
    q = request.query_params
    client_id = q.get("client_id")
    redirect_uri = q.get("redirect_uri")
    if not client_id:
        return _oauth_page_error("invalid_request", "Missing required parameter: client_id")
    if not redirect_uri:
        return _oauth_page_error("invalid_request", "Missing required parameter: redirect_uri")
    if q.get("response_type") != "code":
        return _oauth_page_error("unsupported_response_type", "response_type must be code")
    challenge = q.get("code_challenge")
    method = q.get("code_challenge_method", "plain" if challenge else None)
    if challenge and method not in ("S256", "plain"):
        return _oauth_page_error("invalid_request", "Invalid code_challenge_method")
    scope = q.get("scope", "")
    code = await sign_in(
        request,
        PLATFORM,
        client_id=client_id,
        redirect_uri=redirect_uri,
        scope=scope,
        code_challenge=challenge,
        code_challenge_method=method,
    )
    return redirect_back(redirect_uri, {**echoed_state(request), "code": code, "scope": scope})


async def _form(request: Request) -> dict[str, str]:
    raw = await request.body()
    content_type = request.headers.get("content-type", "")
    if "application/json" in content_type:
        body = await read_json(request)
        return {str(k): str(v) for k, v in (body or {}).items()}
    return dict(parse_qsl(raw.decode("utf-8", "replace")))


def _token_body(tokens: IssuedTokens, with_refresh: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "access_token": tokens.access_token,
        "expires_in": tokens.expires_in,
        "scope": tokens.scope,
        "token_type": "Bearer",
    }
    if with_refresh and tokens.refresh_token:
        body["refresh_token"] = tokens.refresh_token
        body["refresh_token_expires_in"] = tokens.refresh_expires_in
    return body


@oauth2_router.post("/token")
async def token(request: Request) -> Response:
    ctx = sandbox_of(request)
    form = await _form(request)
    grant = form.get("grant_type")
    client_id = form.get("client_id", "")
    if not client_id:
        return json_response(
            {"error": "invalid_client", "error_description": "The OAuth client was not found."},
            401,
        )
    at = now()
    settings = ctx.settings

    if grant == "authorization_code":

        def _exchange(conn: sqlite3.Connection) -> IssuedTokens | str:
            code = take_code(conn, PLATFORM, form.get("code", ""))
            if code is None or code.used or code.expires_at <= at:
                return "Malformed auth code." if code is None else "Bad Request"
            if code.client_id != client_id:
                return "Bad Request"
            if code.redirect_uri != form.get("redirect_uri"):
                return "Bad Request"
            problem = verify_pkce(code, form.get("code_verifier"))
            if problem:
                return problem
            return issue_session_tokens(conn, settings, code, client_id=client_id, now=at)

        result = await ctx.store.run(_exchange)
        if isinstance(result, str):
            return json_response({"error": "invalid_grant", "error_description": result}, 400)
        return json_response(_token_body(result, with_refresh=True))

    if grant == "refresh_token":
        refresh = form.get("refresh_token", "")

        def _refresh(conn: sqlite3.Connection) -> IssuedTokens | None:
            token_state, principal = check_token(conn, PLATFORM, refresh, "refresh", at)
            if token_state is not TokenState.OK or principal is None:
                return None
            if principal.client_id != client_id:
                return None
            return issue_session_tokens(
                conn, settings, principal, client_id=client_id, now=at, with_refresh=False
            )

        refreshed = await ctx.store.run(_refresh)
        if refreshed is None:
            return json_response(
                {
                    "error": "invalid_grant",
                    "error_description": "Token has been expired or revoked.",
                },
                400,
            )
        return json_response(_token_body(refreshed, with_refresh=False))

    return json_response(
        {
            "error": "unsupported_grant_type",
            "error_description": "Invalid grant_type: " + str(grant),
        },
        400,
    )


@oauth2_router.post("/revoke")
async def revoke(request: Request) -> Response:
    ctx = sandbox_of(request)
    form = await _form(request)
    value = request.query_params.get("token") or form.get("token", "")
    count = await ctx.store.run(
        lambda c: revoke_tokens(c, platform=PLATFORM, token=value, user_id=None) if value else 0
    )
    if not count:
        return json_response(
            {"error": "invalid_token", "error_description": "Token expired or revoked"}, 400
        )
    return json_response({})
