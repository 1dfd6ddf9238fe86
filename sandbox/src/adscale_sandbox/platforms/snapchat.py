"""Snapchat Marketing API v1: OAuth (accounts.snapchat.com), organizations, customer lists."""

from __future__ import annotations

import secrets
import sqlite3
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from adscale_sandbox import state
from adscale_sandbox.core import (
    PlatformError,
    RateDecision,
    bearer_token,
    json_response,
    make_guard,
    now,
    parse_sha256_hex,
    read_json_object,
    sandbox_of,
)
from adscale_sandbox.oauth import (
    IssuedTokens,
    Principal,
    TokenState,
    check_token,
    take_code,
    verify_pkce,
)
from adscale_sandbox.platforms.common import (
    echoed_state,
    issue_session_tokens,
    owned_account,
    owned_audience,
    redirect_back,
    sign_in,
    user_accounts,
)

PLATFORM = "snapchat"
MAX_IDENTIFIERS = 100_000
SCHEMAS = ("EMAIL_SHA256", "PHONE_SHA256", "MOBILE_AD_ID_SHA256")


def request_id() -> str:
    return secrets.token_hex(12)


def snap_error(status: int, message: str, headers: dict[str, str] | None = None) -> PlatformError:
    return PlatformError(
        status,
        {
            "request_status": "ERROR",
            "request_id": request_id(),
            "debug_message": message,
            "display_message": message,
        },
        headers,
    )


def success(**items: Any) -> Response:
    return json_response({"request_status": "SUCCESS", "request_id": request_id(), **items})


class SnapchatAdapter:
    name = PLATFORM

    async def extract_token(self, request: Request) -> str | None:
        return bearer_token(request)

    def auth_error(self, token_state: TokenState, request: Request) -> PlatformError:
        if token_state is TokenState.EXPIRED:
            return snap_error(401, "The access token has expired. Refresh it and retry.")
        return snap_error(401, "Unauthorized: the access token is missing, invalid or revoked.")

    def rate_limit_error(self, decision: RateDecision, request: Request) -> PlatformError:
        return snap_error(
            429,
            "Too many requests. Retry after the interval in the Retry-After header.",
            {"Retry-After": str(decision.retry_after)},
        )

    def fault_error(self, kind: str, request: Request) -> PlatformError:
        if kind == "permission":
            return snap_error(403, "Forbidden: the user lacks access to this ad account.")
        if kind == "server_error":
            return snap_error(500, "Internal server error. Please retry.")
        return snap_error(400, "Bad request: invalid parameters.")


adapter = SnapchatAdapter()
authorized = make_guard(adapter)
accounts_router = APIRouter()
router = APIRouter()


# --------------------------------------------------------------------------- OAuth


@accounts_router.get("/login/oauth2/authorize")
async def authorize(request: Request) -> Response:
    q = request.query_params
    client_id = q.get("client_id")
    redirect_uri = q.get("redirect_uri")
    if not client_id or not redirect_uri or q.get("response_type") != "code":
        return json_response(
            {
                "error": "invalid_request",
                "error_description": "client_id, redirect_uri and response_type=code are required",
            },
            400,
        )
    code = await sign_in(
        request,
        PLATFORM,
        client_id=client_id,
        redirect_uri=redirect_uri,
        scope=q.get("scope", "snapchat-marketing-api"),
        code_challenge=q.get("code_challenge"),
        code_challenge_method=q.get("code_challenge_method"),
    )
    return redirect_back(redirect_uri, {"code": code, **echoed_state(request)})


def _token_body(tokens: IssuedTokens) -> dict[str, Any]:
    return {
        "access_token": tokens.access_token,
        "token_type": "Bearer",
        "expires_in": tokens.expires_in,
        "refresh_token": tokens.refresh_token,
        "scope": tokens.scope,
    }


@accounts_router.post("/login/oauth2/access_token")
async def access_token(request: Request) -> Response:
    ctx = sandbox_of(request)
    form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
    form.update({k: v for k, v in request.query_params.items() if k not in form})
    client_id = form.get("client_id", "")
    if not client_id or not form.get("client_secret"):
        return json_response(
            {"error": "invalid_client", "error_description": "Invalid client credentials"}, 401
        )
    at = now()
    settings = ctx.settings
    grant = form.get("grant_type")

    def _work(conn: sqlite3.Connection) -> IssuedTokens | None:
        if grant == "authorization_code":
            code = take_code(conn, PLATFORM, form.get("code", ""))
            if (
                code is None
                or code.used
                or code.expires_at <= at
                or code.client_id != client_id
                or code.redirect_uri != form.get("redirect_uri", code.redirect_uri)
                or verify_pkce(code, form.get("code_verifier")) is not None
            ):
                return None
            return issue_session_tokens(conn, settings, code, client_id=client_id, now=at)
        if grant == "refresh_token":
            token_state, principal = check_token(
                conn, PLATFORM, form.get("refresh_token"), "refresh", at
            )
            if token_state is not TokenState.OK or principal is None:
                return None
            return issue_session_tokens(conn, settings, principal, client_id=client_id, now=at)
        return None

    if grant not in ("authorization_code", "refresh_token"):
        return json_response(
            {"error": "unsupported_grant_type", "error_description": f"Unsupported grant {grant}"},
            400,
        )
    tokens = await ctx.store.run(_work)
    if tokens is None:
        return json_response(
            {"error": "invalid_grant", "error_description": "Invalid or expired grant"}, 400
        )
    return json_response(_token_body(tokens))


# --------------------------------------------------------------------------- me / accounts


def _ts(value: float) -> str:
    return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _account_body(account: state.AdAccount) -> dict[str, Any]:
    return {
        "id": account.account_id,
        "name": account.name,
        "type": "PARTNER",
        "status": "ACTIVE",
        "organization_id": account.organization_id,
        "currency": account.currency,
        "timezone": account.timezone,
        "advertiser_organization_id": account.organization_id,
    }


@router.get("/v1/me")
async def me(request: Request, principal: Principal = Depends(authorized)) -> Response:
    return success(
        me={
            "id": state.stable_uuid(PLATFORM, "user", principal.user_id),
            "display_name": "Sandbox User",
            "email": f"{principal.user_id}@sandbox.invalid",
            "organization_id": state.organization_id_for(principal.user_id),
        }
    )


@router.get("/v1/me/organizations")
async def organizations(request: Request, principal: Principal = Depends(authorized)) -> Response:
    with_accounts = request.query_params.get("with_ad_accounts", "false").lower() == "true"
    accounts = await user_accounts(request, principal)
    organization: dict[str, Any] = {
        "id": state.organization_id_for(principal.user_id),
        "name": "AdScale Sandbox Organization",
        "type": "ENTERPRISE",
        "state": "ACTIVE",
        "country": "US",
    }
    if with_accounts:
        organization["ad_accounts"] = [_account_body(a) for a in accounts]
    return success(organizations=[{"sub_request_status": "SUCCESS", "organization": organization}])


@router.get("/v1/organizations/{organization_id}/adaccounts")
async def organization_accounts(
    organization_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    if organization_id != state.organization_id_for(principal.user_id):
        raise snap_error(403, "Forbidden: the user lacks access to this organization.")
    accounts = await user_accounts(request, principal)
    return success(
        adaccounts=[
            {"sub_request_status": "SUCCESS", "adaccount": _account_body(a)} for a in accounts
        ]
    )


def _account(conn: sqlite3.Connection, account_id: str, principal: Principal) -> state.AdAccount:
    account = owned_account(conn, PLATFORM, account_id, principal)
    if account is None:
        raise snap_error(403, "Forbidden: the user lacks access to this ad account.")
    return account


@router.get("/v1/adaccounts/{account_id}")
async def get_account(
    account_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    ctx = sandbox_of(request)
    account = await ctx.store.run(lambda c: _account(c, account_id, principal))
    return success(
        adaccounts=[{"sub_request_status": "SUCCESS", "adaccount": _account_body(account)}]
    )


# --------------------------------------------------------------------------- segments


def _segment_body(audience: state.Audience) -> dict[str, Any]:
    if audience.uploads == 0:
        upload_status, targetable = "NO_UPLOAD", "NOT_READY"
    elif audience.processing:
        upload_status, targetable = "PROCESSING", "NOT_READY"
    else:
        upload_status = "COMPLETE"
        targetable = "READY" if audience.visible_matched >= 1000 else "TOO_FEW_USERS"
    return {
        "id": audience.audience_id,
        "updated_at": _ts(audience.updated_at),
        "created_at": _ts(audience.created_at),
        "name": audience.name,
        "ad_account_id": audience.account_id,
        "description": audience.description,
        "status": "ACTIVE",
        "source_type": "FIRST_PARTY",
        "retention_in_days": audience.attrs.get("retention_in_days", 9999),
        "approximate_number_users": audience.visible_matched,
        "upload_status": upload_status,
        "targetable_status": targetable,
        "organization_id": audience.attrs.get("organization_id"),
        "visible_to": [f"AdAccountEntity_{audience.account_id}"],
    }


def _segments(*audiences: state.Audience) -> list[dict[str, Any]]:
    return [{"sub_request_status": "SUCCESS", "segment": _segment_body(a)} for a in audiences]


async def _body(request: Request) -> dict[str, Any]:
    return await read_json_object(
        request,
        lambda message: snap_error(400, message),
        "Malformed JSON body: ",
        "The request body must be a JSON object.",
    )


@router.post("/v1/adaccounts/{account_id}/segments")
async def create_segments(
    account_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    ctx = sandbox_of(request)
    body = await _body(request)
    items = body.get("segments")
    if not isinstance(items, list) or not items:
        raise snap_error(400, "segments: a non-empty list of segments is required.")
    for item in items:
        if not isinstance(item, dict) or not item.get("name"):
            raise snap_error(400, "segments[].name is required.")
        if len(str(item["name"])) > 375:
            raise snap_error(400, "segments[].name is longer than 375 characters.")
        if item.get("source_type", "FIRST_PARTY") != "FIRST_PARTY":
            raise snap_error(400, "The sandbox supports source_type FIRST_PARTY only.")
        retention = item.get("retention_in_days", 9999)
        if not isinstance(retention, int) or retention < 1:
            raise snap_error(400, "segments[].retention_in_days must be a positive integer.")
    at = now()

    def _work(conn: sqlite3.Connection) -> list[state.Audience]:
        account = _account(conn, account_id, principal)
        return [
            state.create_audience(
                conn,
                PLATFORM,
                account.account_id,
                str(item["name"]),
                description=str(item.get("description", "")),
                kind="FIRST_PARTY",
                attrs={
                    "retention_in_days": item.get("retention_in_days", 9999),
                    "organization_id": account.organization_id,
                },
                now=at,
            )
            for item in items
        ]

    return success(segments=_segments(*await ctx.store.run(_work)))


@router.get("/v1/adaccounts/{account_id}/segments")
async def list_segments(
    account_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    ctx = sandbox_of(request)
    at = now()

    def _work(conn: sqlite3.Connection) -> list[state.Audience]:
        _account(conn, account_id, principal)
        return state.list_audiences(conn, PLATFORM, account_id, now=at, delay=ctx.delay)

    return success(segments=_segments(*await ctx.store.run(_work)))


def _segment(
    conn: sqlite3.Connection, segment_id: str, principal: Principal, delay: float
) -> state.Audience:
    audience = owned_audience(conn, PLATFORM, segment_id, principal, delay)
    if audience is None:
        raise snap_error(404, f"Segment {segment_id} not found.")
    return audience


@router.get("/v1/segments/{segment_id}")
async def get_segment(
    segment_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    ctx = sandbox_of(request)
    audience = await ctx.store.run(lambda c: _segment(c, segment_id, principal, ctx.delay))
    return success(segments=_segments(audience))


@router.delete("/v1/segments/{segment_id}")
async def delete_segment(
    segment_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    ctx = sandbox_of(request)

    def _work(conn: sqlite3.Connection) -> state.Audience:
        audience = _segment(conn, segment_id, principal, ctx.delay)
        state.delete_audience(conn, audience)
        return audience

    return success(segments=_segments(await ctx.store.run(_work)))


def _users(body: dict[str, Any]) -> tuple[str, list[bytes]]:
    """The identifier type of the request (one per request; a segment takes several types
    over separate requests) and its keys."""
    users = body.get("users")
    if not isinstance(users, list) or not users:
        raise snap_error(400, "users: a non-empty list is required.")
    schema_type: str | None = None
    hashes: list[bytes] = []
    total = 0
    for i, entry in enumerate(users):
        schema = entry.get("schema") if isinstance(entry, dict) else None
        data = entry.get("data") if isinstance(entry, dict) else None
        if not isinstance(schema, list) or len(schema) != 1 or schema[0] not in SCHEMAS:
            raise snap_error(
                400,
                f"users[{i}].schema must be a single identifier type, one of {', '.join(SCHEMAS)}.",
            )
        if schema_type is not None and schema[0] != schema_type:
            raise snap_error(
                400,
                f"This request holds {schema_type} identifiers; one identifier type per request.",
            )
        schema_type = schema[0]
        if not isinstance(data, list):
            raise snap_error(400, f"users[{i}].data must be a list of single-value lists.")
        total += len(data)
        if total > MAX_IDENTIFIERS:
            raise snap_error(400, f"Too many identifiers: at most {MAX_IDENTIFIERS} per request.")
        for j, row in enumerate(data):
            value = row[0] if isinstance(row, list) and len(row) == 1 else None
            digest = parse_sha256_hex(value)
            if digest is None:
                raise snap_error(
                    400,
                    f"users[{i}].data[{j}] is not a 64-character lowercase SHA-256 hex digest.",
                )
            hashes.append(digest)
    assert schema_type is not None
    return schema_type, hashes


async def _change_users(
    request: Request, segment_id: str, principal: Principal, remove: bool
) -> Response:
    ctx = sandbox_of(request)
    body = await _body(request)
    at = now()
    permille = ctx.permille

    def _work(conn: sqlite3.Connection) -> int:
        audience = _segment(conn, segment_id, principal, ctx.delay)
        schema_type, hashes = _users(body)
        if audience.identifier_type is None:
            state.update_audience_fields(conn, audience, identifier_type=schema_type, now=at)
        state.change_members(
            conn, audience, hashes, remove=remove, invalid=0, permille=permille, now=at
        )
        return len(hashes)

    count = await ctx.store.run(_work)
    return success(
        users=[{"sub_request_status": "SUCCESS", "user": {"number_uploaded_users": count}}]
    )


@router.post("/v1/segments/{segment_id}/users")
async def add_users(
    segment_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    return await _change_users(request, segment_id, principal, remove=False)


@router.delete("/v1/segments/{segment_id}/users")
async def remove_users(
    segment_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    return await _change_users(request, segment_id, principal, remove=True)


@router.delete("/v1/segments/{segment_id}/all_users")
async def remove_all_users(
    segment_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    ctx = sandbox_of(request)
    at = now()

    def _work(conn: sqlite3.Connection) -> state.Audience:
        audience = _segment(conn, segment_id, principal, ctx.delay)
        state.remove_all_members(conn, audience, before=None, now=at)
        refreshed = state.get_audience(conn, PLATFORM, segment_id, now=at, delay=ctx.delay)
        assert refreshed is not None
        return refreshed

    return success(segments=_segments(await ctx.store.run(_work)))
