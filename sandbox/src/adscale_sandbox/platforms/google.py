"""Google: OAuth 2.0 (accounts.google.com, oauth2.googleapis.com) and the Data Manager API v1."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
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
    read_json,
    read_json_object,
    sandbox_of,
)
from adscale_sandbox.oauth import (
    IssuedTokens,
    Principal,
    TokenState,
    check_token,
    revoke_tokens,
    take_code,
    verify_pkce,
)
from adscale_sandbox.platforms.common import (
    account_audience,
    issue_session_tokens,
    owned_account,
    redirect_back,
    sign_in,
)
from adscale_sandbox.platforms.google_json import (
    DuplicateField,
    camel,
    canonical,
    query_param,
    wants_enum_numbers,
    with_enum_numbers,
)

PLATFORM = "google"
SERVICE = "datamanager.googleapis.com"
MAX_MEMBERS = 10_000
MAX_IDENTIFIERS = 10
MAX_DESTINATIONS = 10
HEX = re.compile(r"[0-9a-fA-F]{64}")
_SNAKE = {"emailAddress": "email_address", "phoneNumber": "phone_number"}


# --------------------------------------------------------------------------- errors


def rpc_error(
    status: int,
    code_name: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> PlatformError:
    error: dict[str, Any] = {"code": status, "message": message, "status": code_name}
    if details:
        error["details"] = details
    return PlatformError(status, {"error": error}, headers)


def error_info(reason: str, domain: str = SERVICE, **metadata: str) -> dict[str, Any]:
    info: dict[str, Any] = {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": reason,
        "domain": domain,
    }
    if metadata:
        info["metadata"] = metadata
    return info


def bad_request(violations: list[dict[str, str]], request_id: str) -> PlatformError:
    return rpc_error(
        400,
        "INVALID_ARGUMENT",
        "There was a problem with the request.",
        [
            error_info("INVALID_ARGUMENT", requestId=request_id),
            {"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": violations},
        ],
    )


def violation(field: str, reason: str, description: str) -> dict[str, str]:
    return {"field": field, "description": description, "reason": reason}


def invalid_format(description: str) -> PlatformError:
    """A body Google could not parse at all."""
    return bad_request([violation("", "INVALID_FORMAT", description)], state.new_request_id())


def duplicate_field(exc: DuplicateField) -> PlatformError:
    return invalid_format(f'Invalid JSON payload received. Field "{exc}" is given twice.')


def answer(request: Request, body: dict[str, Any]) -> Response:
    """A Data Manager answer, enums as numbers when the call asked ``enum-encoding=int``."""
    return json_response(with_enum_numbers(body) if wants_enum_numbers(request) else body)


def permission_denied(request_id: str) -> PlatformError:
    return rpc_error(
        403,
        "PERMISSION_DENIED",
        "The user does not have permission or the resource is not found.",
        [error_info("PERMISSION_DENIED", requestId=request_id)],
    )


def unauthenticated(token_state: TokenState, service: str) -> PlatformError:
    headers = {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'}
    if token_state is TokenState.MISSING:
        return rpc_error(
            401,
            "UNAUTHENTICATED",
            "Request is missing required authentication credential. Expected OAuth 2 access "
            "token, login cookie or other valid authentication credential.",
            [error_info("CREDENTIALS_MISSING", "googleapis.com", service=service)],
            headers,
        )
    headers["WWW-Authenticate"] += ', error="invalid_token"'
    reason = (
        "ACCESS_TOKEN_EXPIRED"
        if token_state is TokenState.EXPIRED
        else "ACCESS_TOKEN_TYPE_UNSUPPORTED"
    )
    return rpc_error(
        401,
        "UNAUTHENTICATED",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
        "cookie or other valid authentication credential.",
        [error_info(reason, "googleapis.com", service=service)],
        headers,
    )


class DataManagerAdapter:
    name = PLATFORM

    async def extract_token(self, request: Request) -> str | None:
        return bearer_token(request)

    def auth_error(self, token_state: TokenState, request: Request) -> PlatformError:
        return unauthenticated(token_state, SERVICE)

    def rate_limit_error(self, decision: RateDecision, request: Request) -> PlatformError:
        return rpc_error(
            429,
            "RESOURCE_EXHAUSTED",
            "Too many requests.",
            [
                error_info("RESOURCE_EXHAUSTED", requestId=state.new_request_id()),
                {
                    "@type": "type.googleapis.com/google.rpc.RetryInfo",
                    "retryDelay": f"{decision.retry_after}s",
                },
            ],
        )

    def fault_error(self, kind: str, request: Request) -> PlatformError:
        if kind == "permission":
            return permission_denied(state.new_request_id())
        if kind == "server_error":
            return rpc_error(
                500,
                "INTERNAL",
                "An internal error has occurred.",
                [error_info("INTERNAL_ERROR", requestId=state.new_request_id())],
            )
        return bad_request(
            [violation("", "INVALID_ARGUMENT", "There was a problem with the request.")],
            state.new_request_id(),
        )


adapter = DataManagerAdapter()
authorized = make_guard(adapter)


# --------------------------------------------------------------------------- OAuth

accounts_router = APIRouter()
oauth2_router = APIRouter()
router = APIRouter()


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
    query = {"code": code, "scope": scope}
    if "state" in q:
        query = {"state": q["state"], **query}
    return redirect_back(redirect_uri, query)


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
            return issue_session_tokens(
                conn,
                settings,
                PLATFORM,
                user_id=code.user_id,
                client_id=client_id,
                scope=code.scope,
                now=at,
            )

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
                conn,
                settings,
                PLATFORM,
                user_id=principal.user_id,
                client_id=client_id,
                scope=principal.scope,
                now=at,
                with_refresh=False,
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


# --------------------------------------------------------------------------- user lists


def _list_name(account_id: str, list_id: str) -> str:
    return f"accountTypes/GOOGLE_ADS/accounts/{account_id}/userLists/{list_id}"


def _user_list_body(audience: state.Audience) -> dict[str, Any]:
    members = audience.visible_members
    matched = audience.visible_matched
    rate = round(matched * 100 / members) if members else 0
    info = dict(audience.attrs.get("ingestedUserListInfo") or {})
    info.setdefault("uploadKeyTypes", ["CONTACT_ID"])
    contact = dict(info.get("contactIdInfo") or {})
    contact.setdefault("dataSourceType", "DATA_SOURCE_TYPE_FIRST_PARTY")
    if "CONTACT_ID" in info["uploadKeyTypes"]:
        contact["matchRatePercentage"] = rate
        info["contactIdInfo"] = contact
    return {
        "name": _list_name(audience.account_id, audience.audience_id),
        "id": audience.audience_id,
        "readOnly": False,
        "membershipDuration": audience.attrs.get("membershipDuration", "47520000s"),
        "accessReason": "OWNED",
        "accountAccessStatus": "ENABLED",
        "sizeInfo": {
            "displayNetworkMembersCount": str(matched),
            "searchNetworkMembersCount": str(matched if matched >= 1000 else 0),
        },
        "targetNetworkInfo": {
            "eligibleForDisplay": matched >= 100,
            "eligibleForSearch": matched >= 1000,
        },
        "displayName": audience.name,
        "description": audience.description,
        "membershipStatus": audience.attrs.get("membershipStatus", "OPEN"),
        "ingestedUserListInfo": info,
    }


def _check_account(
    conn: sqlite3.Connection, account_type: str, account_id: str, principal: Principal
) -> state.AdAccount:
    account = owned_account(conn, PLATFORM, account_id, principal)
    if account_type != "GOOGLE_ADS" or account is None:
        raise permission_denied(state.new_request_id())
    return account


async def _user_list_request(request: Request, partial: bool) -> dict[str, Any]:
    """The UserList in the body, validated (``partial`` for a PATCH)."""
    try:
        body = canonical(await read_json(request))
    except DuplicateField as exc:
        raise duplicate_field(exc) from exc
    except ValueError as exc:
        raise invalid_format(f"Invalid JSON payload: {exc}") from exc
    return _validate_user_list(body, partial)


def _validate_user_list(body: Any, partial: bool) -> dict[str, Any]:
    request_id = state.new_request_id()
    if not isinstance(body, dict):
        raise bad_request(
            [violation("user_list", "INVALID_ARGUMENT", "A UserList object is required.")],
            request_id,
        )
    problems: list[dict[str, str]] = []
    if not partial and not body.get("displayName"):
        problems.append(
            violation(
                "user_list.display_name", "REQUIRED_FIELD_MISSING", "Required field is missing."
            )
        )
    duration = body.get("membershipDuration")
    if duration is not None:
        match = re.fullmatch(r"(\d+)s", str(duration))
        if not match or int(match.group(1)) % 86400 or int(match.group(1)) > 540 * 86400:
            problems.append(
                violation(
                    "user_list.membership_duration",
                    "INVALID_ARGUMENT",
                    "The duration must be a whole number of days, at most 540 days.",
                )
            )
    info = body.get("ingestedUserListInfo")
    if info is not None:
        keys = info.get("uploadKeyTypes") if isinstance(info, dict) else None
        allowed = {"CONTACT_ID", "MOBILE_ID", "USER_ID", "PAIR_ID", "PSEUDONYMOUS_ID"}
        if not isinstance(keys, list) or not keys or not set(keys) <= allowed:
            problems.append(
                violation(
                    "user_list.ingested_user_list_info.upload_key_types",
                    "INVALID_ENUM_VALUE",
                    "Enum value cannot be used.",
                )
            )
    if problems:
        raise bad_request(problems, request_id)
    return body


@router.post("/v1/accountTypes/{account_type}/accounts/{account_id}/userLists")
async def create_user_list(
    account_type: str,
    account_id: str,
    request: Request,
    principal: Principal = Depends(authorized),
) -> Response:
    ctx = sandbox_of(request)
    body = await _user_list_request(request, partial=False)
    at = now()

    def _work(conn: sqlite3.Connection) -> state.Audience:
        _check_account(conn, account_type, account_id, principal)
        for existing in state.list_audiences(conn, PLATFORM, account_id, now=at, delay=0):
            if existing.name == body["displayName"]:
                raise rpc_error(
                    409,
                    "ALREADY_EXISTS",
                    f"A user list named '{body['displayName']}' already exists.",
                    [error_info("INVALID_ARGUMENT", requestId=state.new_request_id())],
                )
        return state.create_audience(
            conn,
            PLATFORM,
            account_id,
            str(body["displayName"]),
            description=str(body.get("description", "")),
            kind="INGESTED",
            attrs={
                k: body[k]
                for k in ("membershipDuration", "membershipStatus", "ingestedUserListInfo")
                if k in body
            },
            now=at,
        )

    audience = await ctx.store.run(_work)
    return answer(request, _user_list_body(audience))


@router.get("/v1/accountTypes/{account_type}/accounts/{account_id}/userLists")
async def list_user_lists(
    account_type: str,
    account_id: str,
    request: Request,
    principal: Principal = Depends(authorized),
) -> Response:
    ctx = sandbox_of(request)
    at = now()

    def _work(conn: sqlite3.Connection) -> list[state.Audience]:
        _check_account(conn, account_type, account_id, principal)
        return state.list_audiences(conn, PLATFORM, account_id, now=at, delay=ctx.delay)

    audiences = await ctx.store.run(_work)
    size = int(query_param(request, "pageSize") or 1000)
    start = int(query_param(request, "pageToken") or 0)
    page = audiences[start : start + size]
    body: dict[str, Any] = {"userLists": [_user_list_body(a) for a in page]}
    if start + size < len(audiences):
        body["nextPageToken"] = str(start + size)
    return answer(request, body)


def _owned_list(
    conn: sqlite3.Connection,
    account_type: str,
    account_id: str,
    list_id: str,
    principal: Principal,
    delay: float,
) -> state.Audience:
    _check_account(conn, account_type, account_id, principal)
    audience = account_audience(conn, PLATFORM, account_id, list_id, delay)
    if audience is None:
        raise rpc_error(
            404,
            "NOT_FOUND",
            f"Resource not found: {_list_name(account_id, list_id)}",
            [error_info("NOT_FOUND", requestId=state.new_request_id())],
        )
    return audience


@router.get("/v1/accountTypes/{account_type}/accounts/{account_id}/userLists/{list_id}")
async def get_user_list(
    account_type: str,
    account_id: str,
    list_id: str,
    request: Request,
    principal: Principal = Depends(authorized),
) -> Response:
    ctx = sandbox_of(request)
    audience = await ctx.store.run(
        lambda c: _owned_list(c, account_type, account_id, list_id, principal, ctx.delay)
    )
    return answer(request, _user_list_body(audience))


@router.patch("/v1/accountTypes/{account_type}/accounts/{account_id}/userLists/{list_id}")
async def patch_user_list(
    account_type: str,
    account_id: str,
    list_id: str,
    request: Request,
    principal: Principal = Depends(authorized),
) -> Response:
    ctx = sandbox_of(request)
    body = await _user_list_request(request, partial=True)
    mask = query_param(request, "updateMask")
    fields = [camel(f.strip()) for f in mask.split(",")] if mask else list(body)
    at = now()

    def _work(conn: sqlite3.Connection) -> state.Audience:
        audience = _owned_list(conn, account_type, account_id, list_id, principal, ctx.delay)
        attrs: dict[str, Any] = {
            k: body[k]
            for k in ("membershipDuration", "membershipStatus")
            if k in body and k in fields
        }
        state.update_audience_fields(
            conn,
            audience,
            name=body.get("displayName") if "displayName" in fields else None,
            description=body.get("description") if "description" in fields else None,
            attrs=attrs,
            now=at,
        )
        return audience

    audience = await ctx.store.run(_work)
    return answer(request, _user_list_body(audience))


@router.delete("/v1/accountTypes/{account_type}/accounts/{account_id}/userLists/{list_id}")
async def delete_user_list(
    account_type: str,
    account_id: str,
    list_id: str,
    request: Request,
    principal: Principal = Depends(authorized),
) -> Response:
    ctx = sandbox_of(request)

    def _work(conn: sqlite3.Connection) -> None:
        audience = _owned_list(conn, account_type, account_id, list_id, principal, ctx.delay)
        state.delete_audience(conn, audience)

    await ctx.store.run(_work)
    return answer(request, {})


# --------------------------------------------------------------------------- audience members


def _decode(value: Any, encoding: str) -> bytes | None:
    if not isinstance(value, str):
        return None
    if encoding == "HEX":
        return bytes.fromhex(value) if HEX.fullmatch(value) else None
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == 32 else None


def _destinations(
    body: dict[str, Any], violations: list[dict[str, str]]
) -> list[tuple[str, str, dict[str, Any]]]:
    destinations = body.get("destinations")
    if not isinstance(destinations, list) or not destinations:
        violations.append(
            violation("destinations", "REQUIRED_FIELD_MISSING", "Required field is missing.")
        )
        return []
    if len(destinations) > MAX_DESTINATIONS:
        violations.append(
            violation(
                "destinations",
                "TOO_MANY_DESTINATIONS",
                "Maximum number of destinations allowed per request is 10.",
            )
        )
        return []
    result = []
    for i, destination in enumerate(destinations):
        account = destination.get("operatingAccount") if isinstance(destination, dict) else None
        list_id = destination.get("productDestinationId") if isinstance(destination, dict) else None
        if not isinstance(account, dict) or not account.get("accountId") or not list_id:
            violations.append(
                violation(
                    f"destinations[{i}]",
                    "INVALID_DESTINATION",
                    "This Destination is not valid.",
                )
            )
            continue
        account_type = str(account.get("accountType") or account.get("product") or "")
        if account_type not in ("GOOGLE_ADS", "GOOGLE_ADS_ACCOUNT"):
            violations.append(
                violation(
                    f"destinations[{i}].operating_account.account_type",
                    "INVALID_ENUM_VALUE",
                    "The sandbox only serves GOOGLE_ADS destinations.",
                )
            )
            continue
        result.append((str(account["accountId"]).replace("-", ""), str(list_id), destination))
    return result


def _member_keys(
    body: dict[str, Any], violations: list[dict[str, str]]
) -> tuple[list[state.Person], int]:
    members = body.get("audienceMembers")
    if not isinstance(members, list) or not members:
        violations.append(
            violation("audience_members", "REQUIRED_FIELD_MISSING", "Required field is missing.")
        )
        return [], 0
    if len(members) > MAX_MEMBERS:
        violations.append(
            violation(
                "audience_members",
                "TOO_MANY_AUDIENCE_MEMBERS",
                "Maximum number of audience members allowed per request is 10,000.",
            )
        )
        return [], 0
    encoding = str(body.get("encoding", ""))
    if encoding not in ("HEX", "BASE64"):
        violations.append(
            violation(
                "encoding",
                "INVALID_ENUM_VALUE" if encoding else "REQUIRED_FIELD_MISSING",
                "encoding must be HEX or BASE64 for hashed user data.",
            )
        )
        return [], 0
    keys: list[state.Person] = []
    bad_format = "INVALID_HEX_ENCODING" if encoding == "HEX" else "INVALID_BASE64_ENCODING"
    for i, member in enumerate(members):
        identity: list[bytes] = []  # this member's email/phone keys
        evidence: list[bytes] = []  # its address: a key that only helps matching
        identifiers = (
            member.get("userData", {}).get("userIdentifiers")
            if isinstance(member, dict) and isinstance(member.get("userData"), dict)
            else None
        )
        prefix = f"audience_members[{i}].user_data.user_identifiers"
        if not isinstance(identifiers, list) or not identifiers:
            violations.append(
                violation(prefix, "INVALID_AUDIENCE_MEMBER", "This audience member is not valid.")
            )
            continue
        if len(identifiers) > MAX_IDENTIFIERS:
            violations.append(
                violation(
                    prefix,
                    "TOO_MANY_USER_IDENTIFIERS",
                    "Maximum number of user identifiers allowed per audience member is 10.",
                )
            )
            continue
        for j, identifier in enumerate(identifiers):
            field = f"{prefix}[{j}]"
            if not isinstance(identifier, dict):
                violations.append(violation(field, "INVALID_FORMAT", "Format is invalid."))
                continue
            if "emailAddress" in identifier or "phoneNumber" in identifier:
                name = "emailAddress" if "emailAddress" in identifier else "phoneNumber"
                decoded = _decode(identifier[name], encoding)
                if decoded is None:
                    violations.append(
                        violation(
                            f"{field}.{_SNAKE[name]}",
                            bad_format
                            if _malformed(identifier[name], encoding)
                            else "INVALID_SHA256_FORMAT",
                            "The SHA256 encoded value is malformed.",
                        )
                    )
                    continue
                identity.append(decoded)
                continue
            address = identifier.get("address") or identifier.get("addressInfo")
            if isinstance(address, dict):
                given = _decode(address.get("givenName"), encoding)
                family = _decode(address.get("familyName"), encoding)
                region = str(address.get("regionCode", ""))
                postal = str(address.get("postalCode", ""))
                if given is None or family is None:
                    violations.append(
                        violation(
                            f"{field}.address",
                            "INVALID_SHA256_FORMAT",
                            "The SHA256 encoded value is malformed.",
                        )
                    )
                    continue
                if not re.fullmatch(r"[A-Z]{2}", region) or not postal:
                    violations.append(
                        violation(
                            f"{field}.address",
                            "INVALID_POSTAL_CODE" if region else "INVALID_COUNTRY_CODE",
                            "regionCode (ISO alpha-2) and postalCode are required, unhashed.",
                        )
                    )
                    continue
                joined = given + family + region.encode() + postal.encode()
                evidence.append(hashlib.sha256(joined).digest())
                continue
            violations.append(
                violation(field, "INVALID_AUDIENCE_MEMBER", "This audience member is not valid.")
            )
        if identity:
            keys.append(state.Person(tuple(identity), tuple(evidence)))
        elif evidence:
            keys.append(state.Person(tuple(evidence)))
    return keys, len(members)


def _malformed(value: Any, encoding: str) -> bool:
    """True when the value is not even valid HEX/BASE64 (as opposed to a wrong length)."""
    if not isinstance(value, str):
        return True
    if encoding == "HEX":
        return re.fullmatch(r"[0-9a-fA-F]*", value) is None or len(value) % 2 == 1
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return True
    return False


async def _json_body(request: Request) -> dict[str, Any]:
    body = await read_json_object(
        request,
        invalid_format,
        "Invalid JSON payload received. ",
        "The request body must be a JSON object.",
    )
    try:
        result: dict[str, Any] = canonical(body)
    except DuplicateField as exc:
        raise duplicate_field(exc) from exc
    return result


def _resolve_lists(
    conn: sqlite3.Connection,
    destinations: list[tuple[str, str, dict[str, Any]]],
    principal: Principal,
    request_id: str,
    delay: float,
) -> list[state.Audience]:
    audiences = []
    for i, (account_id, list_id, _) in enumerate(destinations):
        if owned_account(conn, PLATFORM, account_id, principal) is None:
            raise permission_denied(request_id)
        audience = account_audience(conn, PLATFORM, account_id, list_id, delay)
        if audience is None:
            raise bad_request(
                [
                    violation(
                        f"destinations[{i}].product_destination_id",
                        "INVALID_USER_LIST_ID",
                        "The user list is not valid.",
                    )
                ],
                request_id,
            )
        audiences.append(audience)
    return audiences


def _member_consent(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Each member's own consent as sent, by its identifiers (for the request log)."""
    out = []
    for member in body.get("audienceMembers") or []:
        if not isinstance(member, dict) or not isinstance(member.get("consent"), dict):
            continue
        identifiers = (member.get("userData") or {}).get("userIdentifiers") or []
        keys = [
            v for i in identifiers if isinstance(i, dict) for v in i.values() if isinstance(v, str)
        ]
        out.append({"identifiers": keys, "consent": member["consent"]})
    return out


async def _members_call(request: Request, principal: Principal, remove: bool) -> Response:
    ctx = sandbox_of(request)
    body = await _json_body(request)
    request_id = state.new_request_id()
    violations: list[dict[str, str]] = []
    destinations = _destinations(body, violations)
    keys, member_total = _member_keys(body, violations)
    if violations:
        raise bad_request(violations[:100], request_id)
    validate_only = bool(body.get("validateOnly"))
    at = now()
    permille = ctx.permille

    def _work(conn: sqlite3.Connection) -> None:
        audiences = _resolve_lists(conn, destinations, principal, request_id, ctx.delay)
        if validate_only:
            return
        for audience in audiences:
            state.change_members(
                conn,
                audience,
                keys,
                remove=remove,
                invalid=0,
                permille=permille,
                now=at,
                refresh_existing=True,
            )
        matched = sum(1 for p in state.as_people(keys) if p.matched(permille))
        state.save_request(
            conn,
            request_id,
            PLATFORM,
            {
                "kind": "remove" if remove else "ingest",
                "destinations": [d for _, _, d in destinations],
                "record_count": member_total,
                "identifier_count": sum(len(p.keys) + len(p.extra) for p in keys),
                "matched": matched,
                "unique": len(state.as_people(keys)),
                "at": at,
                "consent": body.get("consent"),
                "member_consent": _member_consent(body),
            },
            at,
        )

    await ctx.store.run(_work)
    return answer(request, {"requestId": request_id})


@router.post("/v1/audienceMembers:ingest")
async def ingest(request: Request, principal: Principal = Depends(authorized)) -> Response:
    return await _members_call(request, principal, remove=False)


@router.post("/v1/audienceMembers:remove")
async def remove(request: Request, principal: Principal = Depends(authorized)) -> Response:
    return await _members_call(request, principal, remove=True)


def _parse_time(value: str) -> float:
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    match = re.fullmatch(r"(.*T\d\d:\d\d:\d\d)(\.\d+)?([+-]\d\d:\d\d)", text)
    if not match:
        raise ValueError(value)
    base = datetime.fromisoformat(match.group(1) + match.group(3))
    fraction = float(match.group(2)) if match.group(2) else 0.0
    return base.timestamp() + fraction


@router.post("/v1/audienceMembers:removeAll")
async def remove_all(request: Request, principal: Principal = Depends(authorized)) -> Response:
    ctx = sandbox_of(request)
    body = await _json_body(request)
    request_id = state.new_request_id()
    violations: list[dict[str, str]] = []
    destinations = _destinations(body, violations)
    at = now()
    before: float | None = None
    if body.get("removeAsOfTime"):
        try:
            before = _parse_time(str(body["removeAsOfTime"]))
        except ValueError:
            violations.append(
                violation("remove_as_of_time", "INVALID_FORMAT", "Format is invalid.")
            )
        else:
            if before > at + 1:
                violations.append(
                    violation(
                        "remove_as_of_time",
                        "INVALID_ARGUMENT",
                        "The remove as of time must not be in the future.",
                    )
                )
    if violations:
        raise bad_request(violations, request_id)
    validate_only = bool(body.get("validateOnly"))

    def _work(conn: sqlite3.Connection) -> None:
        audiences = _resolve_lists(conn, destinations, principal, request_id, ctx.delay)
        if validate_only:
            return
        removed = 0
        for audience in audiences:
            removed += state.remove_all_members(conn, audience, before=before, now=at)
        state.save_request(
            conn,
            request_id,
            PLATFORM,
            {
                "kind": "removeAll",
                "destinations": [d for _, _, d in destinations],
                "record_count": removed,
                "identifier_count": removed,
                "matched": 0,
                "unique": 0,
                "at": at,
            },
            at,
        )

    await ctx.store.run(_work)
    return answer(request, {"requestId": request_id})


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
        body = await _json_body(request)
        request_id = str(body.get("requestId", ""))
    if not request_id:
        raise bad_request(
            [violation("request_id", "REQUIRED_FIELD_MISSING", "Required field is missing.")],
            state.new_request_id(),
        )
    detail = await ctx.store.run(lambda c: state.get_request(c, request_id))
    if detail is None:
        raise rpc_error(
            404,
            "NOT_FOUND",
            f"Request {request_id} not found.",
            [error_info("NOT_FOUND", requestId=state.new_request_id())],
        )
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


def utc_iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")
