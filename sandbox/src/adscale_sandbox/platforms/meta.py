"""Meta Marketing API (Graph API v25.0): OAuth, ad accounts, custom audiences, insights."""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import secrets
import sqlite3
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

import orjson
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from adscale_sandbox import state, uploads
from adscale_sandbox.core import (
    PlatformError,
    RateDecision,
    bearer_token,
    json_response,
    make_guard,
    now,
    parse_sha256_hex,
    sandbox_of,
)
from adscale_sandbox.metrics import DailyMetrics, active_days, daily_metrics, preset_range
from adscale_sandbox.oauth import (
    IssuedTokens,
    Principal,
    TokenState,
    check_token,
    issue_tokens,
    take_code,
)
from adscale_sandbox.platforms.common import (
    issue_session_tokens,
    owned_account,
    owned_audience,
    redirect_back,
    sign_in,
)
from adscale_sandbox.platforms.meta_ldu import LDU_KEYS, ldu_problem, request_detail
from adscale_sandbox.platforms.meta_rows import hashed_people

PLATFORM = "meta"
MAX_USERS_PER_REQUEST = 10_000
CUSTOMER_FILE_SOURCES = (
    "USER_PROVIDED_ONLY",
    "PARTNER_PROVIDED_ONLY",
    "BOTH_USER_AND_PARTNER_PROVIDED",
)
CAMPAIGN_STATUSES = ("ACTIVE", "PAUSED", "DELETED", "ARCHIVED")
# Multi-key schema fields; all but MADID and EXTERN_ID arrive SHA-256 hashed.
HASHED_KEYS = {
    "EMAIL",
    "PHONE",
    "FN",
    "LN",
    "FI",
    "CT",
    "ST",
    "ZIP",
    "COUNTRY",
    "DOBY",
    "DOBM",
    "DOBD",
    "DOB",
    "GEN",
}
RAW_KEYS = {"MADID", "EXTERN_ID", "LOOKALIKE_VALUE", *LDU_KEYS}
SINGLE_KEYS = {
    "EMAIL_SHA256": "EMAIL",
    "PHONE_SHA256": "PHONE",
    "EMAIL": "EMAIL",
    "PHONE": "PHONE",
    "MOBILE_ADVERTISER_ID": "MADID",
    "MADID": "MADID",
    "EXTERN_ID": "EXTERN_ID",
}
IDENTITY_ORDER = ("EMAIL", "PHONE", "MADID", "EXTERN_ID")
AUDIENCE_PATH = re.compile(r"/(customaudiences|users|usersreplace)$")


# --------------------------------------------------------------------------- errors


def meta_error(
    status: int,
    code: int,
    message: str,
    *,
    error_type: str = "OAuthException",
    subcode: int | None = None,
    user_title: str | None = None,
    user_msg: str | None = None,
    transient: bool | None = None,
    headers: dict[str, str] | None = None,
) -> PlatformError:
    error: dict[str, Any] = {"message": message, "type": error_type, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    if transient is not None:
        error["is_transient"] = transient
    if user_title is not None:
        error["error_user_title"] = user_title
    if user_msg is not None:
        error["error_user_msg"] = user_msg
    error["fbtrace_id"] = base64.b64encode(secrets.token_bytes(15)).decode().rstrip("=")
    return PlatformError(status, {"error": error}, headers)


def invalid_parameter(message: str, subcode: int | None = None) -> PlatformError:
    return meta_error(400, 100, message, subcode=subcode)


def unsupported_object(object_id: str, method: str) -> PlatformError:
    return meta_error(
        400,
        100,
        f"Unsupported {method.lower()} request. Object with ID '{object_id}' does not exist, "
        "cannot be loaded due to missing permissions, or does not support this operation.",
        error_type="GraphMethodException",
        subcode=33,
    )


def usage_header(decision: RateDecision | None, key: str, kind: str) -> dict[str, str]:
    if decision is None:
        return {}
    pct = decision.usage_percent
    regain = 0 if decision.allowed else max(1, math.ceil(decision.retry_after / 60))
    value = {
        key: [
            {
                "type": kind,
                "call_count": pct,
                "total_cputime": pct // 2,
                "total_time": pct // 2,
                "estimated_time_to_regain_access": regain,
                "ads_api_access_tier": "standard_access",
            }
        ]
    }
    return {"X-Business-Use-Case-Usage": json.dumps(value, separators=(",", ":"))}


def _usage_kind(path: str) -> str:
    return "custom_audience" if AUDIENCE_PATH.search(path) else "ads_management"


def _usage_key(request: Request) -> str:
    match = re.search(r"/act_(\d+)", request.url.path)
    if match:
        return match.group(1)
    principal: Principal | None = getattr(request.state, "principal", None)
    return state.user_numeric_id(PLATFORM, principal.user_id) if principal else "0"


def _http_date(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%A, %d-%b-%y %H:%M:%S UTC")


class MetaAdapter:
    name = PLATFORM

    async def extract_token(self, request: Request) -> str | None:
        header_token = bearer_token(request, ("bearer", "oauth"))
        if header_token:
            return header_token
        params = await meta_params(request)
        token = params.get("access_token")
        return str(token) if token else None

    def auth_error(self, token_state: TokenState, request: Request) -> PlatformError:
        if token_state is TokenState.MISSING:
            return meta_error(400, 104, "An access token is required to request this resource.")
        if token_state is TokenState.EXPIRED:
            at = now()
            return expired_token_error(at - 1, at)
        if token_state is TokenState.REVOKED:
            return meta_error(
                400,
                190,
                "Error validating access token: The session has been invalidated because the "
                "user changed their password or Facebook has changed the session for security "
                "reasons.",
                subcode=460,
                headers=_www_authenticate("The session has been invalidated"),
            )
        return meta_error(
            400,
            190,
            "Invalid OAuth access token - Cannot parse access token",
            headers=_www_authenticate("Invalid OAuth access token"),
        )

    def rate_limit_error(self, decision: RateDecision, request: Request) -> PlatformError:
        kind = _usage_kind(request.url.path)
        headers = usage_header(decision, _usage_key(request), kind)
        if kind == "custom_audience":
            return meta_error(
                400,
                80003,
                "There have been too many calls to this ad-account. Wait a bit and try again.",
                transient=True,
                headers=headers,
            )
        return meta_error(
            400,
            17,
            "User request limit reached",
            subcode=2446079,
            transient=True,
            headers=headers,
        )

    def fault_error(self, kind: str, request: Request) -> PlatformError:
        if kind == "permission":
            return meta_error(403, 200, "(#200) Permissions error")
        if kind == "server_error":
            return meta_error(
                500,
                2,
                "An unexpected error has occurred. Please retry your request later.",
                transient=True,
            )
        return invalid_parameter("(#100) Invalid parameter")


def expired_token_error(expired_at: float, current: float) -> PlatformError:
    return meta_error(
        400,
        190,
        f"Error validating access token: Session has expired on {_http_date(expired_at)}. "
        f"The current time is {_http_date(current)}.",
        subcode=463,
        headers=_www_authenticate("Session has expired"),
    )


def _www_authenticate(reason: str) -> dict[str, str]:
    return {"WWW-Authenticate": f'OAuth "Facebook Platform" "invalid_token" "{reason}"'}


adapter = MetaAdapter()
_guard = make_guard(adapter)


async def authorized(request: Request) -> Principal:
    principal = await _guard(request)
    request.state.principal = principal
    return principal


async def meta_params(request: Request) -> dict[str, Any]:
    """Query string merged with a form-encoded, multipart or JSON body (the body wins)."""
    cached: dict[str, Any] | None = getattr(request.state, "meta_params", None)
    if cached is not None:
        return cached
    params: dict[str, Any] = dict(request.query_params)
    if request.method in ("POST", "DELETE", "PUT"):
        content_type = request.headers.get("content-type", "")
        raw = await request.body()
        if raw.strip():
            if "application/json" in content_type:
                try:
                    body = orjson.loads(raw)
                except orjson.JSONDecodeError as exc:
                    raise invalid_parameter("(#100) Request body is not valid JSON") from exc
                if isinstance(body, dict):
                    params.update(body)
            elif "multipart/form-data" in content_type:
                form = await request.form()
                params.update({k: v for k, v in form.items() if isinstance(v, str)})
            else:
                params.update(dict(parse_qsl(raw.decode("utf-8", "replace"))))
    request.state.meta_params = params
    return params


def respond(request: Request, body: Any, status: int = 200) -> Response:
    decision: RateDecision | None = getattr(request.state, "rate", None)
    headers = usage_header(decision, _usage_key(request), _usage_kind(request.url.path))
    return json_response(body, status, headers)


def _json_param(params: dict[str, Any], name: str) -> Any:
    value = params.get(name)
    if isinstance(value, str):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError as exc:
            raise invalid_parameter(f"(#100) Param {name} must be a JSON object") from exc
    return value


def _fields(params: dict[str, Any], default: tuple[str, ...]) -> list[str]:
    raw = params.get("fields")
    if not raw:
        return list(default)
    if isinstance(raw, list):
        return [str(f) for f in raw]
    return [f.strip() for f in re.sub(r"\{[^}]*\}", "", str(raw)).split(",") if f.strip()]


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def _offset(params: dict[str, Any]) -> int:
    after = params.get("after")
    if not after:
        return 0
    try:
        decoded = base64.urlsafe_b64decode(str(after).encode()).decode()
        return max(0, int(decoded.removeprefix("o:")))
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid_parameter("(#100) Invalid cursor") from exc


def paged(request: Request, params: dict[str, Any], rows: list[Any], default: int = 25) -> Any:
    try:
        limit = int(params.get("limit", default))
    except ValueError as exc:
        raise invalid_parameter("(#100) Param limit must be an integer") from exc
    limit = max(1, min(limit, 5000))
    start = _offset(params)
    page = rows[start : start + limit]
    body: dict[str, Any] = {"data": page}
    if rows:
        paging: dict[str, Any] = {
            "cursors": {"before": _cursor(start), "after": _cursor(start + len(page))}
        }
        if start + limit < len(rows):
            paging["next"] = str(request.url.include_query_params(after=_cursor(start + limit)))
        if start > 0:
            paging["previous"] = str(
                request.url.include_query_params(after=_cursor(max(0, start - limit)))
            )
        body["paging"] = paging
    return body


# --------------------------------------------------------------------------- OAuth

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
    query: dict[str, str] = {"code": code}
    if "state" in q:
        query["state"] = q["state"]
    return redirect_back(redirect_uri, query)


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
            conn,
            settings,
            PLATFORM,
            user_id=code.user_id,
            client_id=client_id,
            scope=code.scope,
            now=at,
            with_refresh=False,
        )

    result = await ctx.store.run(_work)
    if isinstance(result, PlatformError):
        raise result
    return _token_response(result)


# --------------------------------------------------------------------------- me / accounts


def _account_body(account: state.AdAccount, fields: list[str]) -> dict[str, Any]:
    full: dict[str, Any] = {
        "id": f"act_{account.account_id}",
        "account_id": account.account_id,
        "name": account.name,
        "currency": account.currency,
        "timezone_name": account.timezone,
        "account_status": 1,
        "business_name": "AdScale Sandbox",
    }
    return {k: full[k] for k in ["id", *fields] if k in full}


@router.get("/{version}/me")
async def me(
    version: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    params = await meta_params(request)
    full = {
        "id": state.user_numeric_id(PLATFORM, principal.user_id),
        "name": "Sandbox User",
    }
    fields = _fields(params, ("id", "name"))
    return respond(request, {k: full[k] for k in ["id", *fields] if k in full})


@router.get("/{version}/me/adaccounts")
async def my_ad_accounts(
    version: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    ctx = sandbox_of(request)
    params = await meta_params(request)
    fields = _fields(params, ("account_id",))
    accounts = await ctx.store.run(lambda c: state.list_accounts(c, PLATFORM, principal.user_id))
    return respond(request, paged(request, params, [_account_body(a, fields) for a in accounts]))


def _owned_account(
    conn: sqlite3.Connection, account_id: str, principal: Principal, method: str
) -> state.AdAccount:
    account = owned_account(conn, PLATFORM, account_id, principal)
    if account is None:
        raise unsupported_object(f"act_{account_id}", method)
    return account


@router.get("/{version}/act_{account_id}")
async def get_ad_account(
    version: str, account_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    ctx = sandbox_of(request)
    params = await meta_params(request)
    account = await ctx.store.run(lambda c: _owned_account(c, account_id, principal, "GET"))
    return respond(request, _account_body(account, _fields(params, ("id",))))


# --------------------------------------------------------------------------- audiences


def _bounds(matched: int) -> tuple[int, int]:
    return matched * 95 // 100, -(-matched * 105 // 100)


def _audience_body(audience: state.Audience, fields: list[str]) -> dict[str, Any]:
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
    return {k: full[k] for k in ["id", *fields] if k in full}


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
        _owned_account(conn, account_id, principal, "POST")
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
    fields = _fields(params, ("id",))
    at = now()

    def _work(conn: sqlite3.Connection) -> list[state.Audience]:
        _owned_account(conn, account_id, principal, "GET")
        return state.list_audiences(conn, PLATFORM, account_id, now=at, delay=ctx.delay)

    audiences = await ctx.store.run(_work)
    return respond(request, paged(request, params, [_audience_body(a, fields) for a in audiences]))


def _owned_audience(
    conn: sqlite3.Connection, audience_id: str, principal: Principal, method: str, delay: float
) -> state.Audience:
    audience = owned_audience(conn, PLATFORM, audience_id, principal, delay)
    if audience is None:
        raise unsupported_object(audience_id, method)
    return audience


def _parse_payload(params: dict[str, Any]) -> tuple[list[str], list[Any]]:
    payload = _json_param(params, "payload")
    if not isinstance(payload, dict):
        raise invalid_parameter("(#100) The parameter payload is required")
    schema = payload.get("schema")
    if isinstance(schema, str):
        schema_keys = [schema.upper()]
    elif isinstance(schema, list) and schema and all(isinstance(k, str) for k in schema):
        schema_keys = [k.upper() for k in schema]
    else:
        raise invalid_parameter("(#100) Param payload[schema] must be a string or an array")
    if len(schema_keys) == 1 and schema_keys[0] not in SINGLE_KEYS:
        raise invalid_parameter(
            f"(#100) Invalid schema: {schema_keys[0]} is not a supported key type",
            subcode=1870024,
        )
    if len(schema_keys) > 1:
        unknown = [k for k in schema_keys if k not in HASHED_KEYS and k not in RAW_KEYS]
        if unknown:
            raise invalid_parameter(
                f"(#100) Invalid schema: {', '.join(unknown)} is not a supported key type",
                subcode=1870024,
            )
    data = payload.get("data")
    if not isinstance(data, list):
        raise invalid_parameter("(#100) Param payload[data] must be an array")
    problem = ldu_problem(schema_keys, data)
    if problem is not None:
        raise invalid_parameter(f"(#100) Invalid data processing options: {problem}")
    if len(data) > MAX_USERS_PER_REQUEST:
        raise meta_error(
            400,
            100,
            f"(#100) Too many users in the payload: {len(data)} received, at most "
            f"{MAX_USERS_PER_REQUEST} are allowed per request",
            user_title="Too Many Users",
            user_msg="Split the upload into requests of at most 10000 users each.",
        )
    return schema_keys, data


def _identity(key: str, text: str) -> bytes:
    if key in HASHED_KEYS:
        return bytes.fromhex(text)
    return hashlib.sha256(text.strip().lower().encode()).digest()


def _row_person(schema: list[str], row: Any) -> tuple[state.Person | None, str]:
    """The person a row stands for (its identity keys, and its other keys as match-only
    evidence), or ``None`` and the reason the row is invalid."""
    if len(schema) == 1:
        key = SINGLE_KEYS[schema[0]]
        value = row[0] if isinstance(row, list) and len(row) == 1 else row
        if key in HASHED_KEYS:
            digest = parse_sha256_hex(value)
            if digest is None:
                return None, f"{schema[0]} is not a 64-character lowercase SHA-256 hex digest"
            return state.Person((digest,)), ""
        if not isinstance(value, str | int) or not str(value).strip():
            return None, f"{schema[0]} is empty"
        return state.Person((_identity(key, str(value)),)), ""
    if not isinstance(row, list) or len(row) != len(schema):
        return (
            None,
            f"Row has {len(row) if isinstance(row, list) else 1} values, schema has {len(schema)}",
        )
    values: dict[str, str] = {}
    # A key named again in the schema (Meta's customer file takes up to three email and
    # three phone columns) is one more identity key of the same person.
    identities: dict[str, list[str]] = {}
    for key, value in zip(schema, row, strict=True):
        if key in ("LOOKALIKE_VALUE", *LDU_KEYS):
            continue
        text = "" if value is None else str(value)
        if not text:
            continue
        if key in HASHED_KEYS and parse_sha256_hex(text) is None:
            return None, f"{key} is not a 64-character lowercase SHA-256 hex digest"
        values[key] = text
        if key in IDENTITY_ORDER:
            identities.setdefault(key, []).append(text)
    if not values:
        return None, "Row has no identifier"
    # Not deduplicated: the fast reader (meta_rows) keeps a key repeated across columns too.
    keys = tuple(_identity(k, v) for k in IDENTITY_ORDER for v in identities.get(k, ()))
    rest = sorted(k for k in values if k not in IDENTITY_ORDER)
    joined = hashlib.sha256("|".join(f"{k}={values[k]}" for k in rest).encode()).digest()
    if not keys:
        return state.Person((joined,)), ""
    return state.Person(keys, (joined,) if rest else ()), ""


def _rows(schema: list[str], data: list[Any]) -> tuple[list[state.Person], dict[str, str]]:
    fast = hashed_people(
        schema, data, hashed=HASHED_KEYS, identity_order=IDENTITY_ORDER, general=_row_person
    )
    if fast is not None:
        return fast, {}
    people: list[state.Person] = []
    samples: dict[str, str] = {}
    invalid = 0
    for row in data:
        person, reason = _row_person(schema, row)
        if person is None:
            invalid += 1
            if len(samples) < 10:
                samples[json.dumps(row) if not isinstance(row, str) else row] = reason
            continue
        people.append(person)
    if invalid and not samples:  # pragma: no cover - defensive
        samples["?"] = "invalid"
    return people, samples


def _session_param(params: dict[str, Any], required: bool) -> dict[str, Any] | None:
    session = _json_param(params, "session")
    if session is None:
        if required:
            raise invalid_parameter("(#100) The parameter session is required")
        return None
    if not isinstance(session, dict) or "session_id" not in session:
        raise invalid_parameter("(#100) Param session must contain session_id")
    try:
        int(session["session_id"])
        seq = int(session.get("batch_seq", 1))
    except (TypeError, ValueError) as exc:
        raise invalid_parameter("(#100) session_id and batch_seq must be integers") from exc
    if seq < 1:
        raise invalid_parameter("(#100) Param session[batch_seq] must start at 1")
    return session


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in ("true", "1")
    return bool(value)


async def _upload(request: Request, audience_id: str, principal: Principal, kind: str) -> Response:
    ctx = sandbox_of(request)
    params = await meta_params(request)
    schema, data = _parse_payload(params)
    session = _session_param(params, required=kind == "replace")
    hashes, samples = _rows(schema, data)
    invalid = len(data) - len(hashes)
    at = now()
    permille = ctx.permille

    def _work(conn: sqlite3.Connection) -> dict[str, Any]:
        audience = _owned_audience(conn, audience_id, principal, request.method, ctx.delay)
        if audience.attrs.get("schema") is None:
            state.update_audience_fields(conn, audience, attrs={"schema": schema}, now=at)
        result: dict[str, Any] = {
            "audience_id": audience.audience_id,
            "num_received": len(data),
            "num_invalid_entries": invalid,
            "invalid_entry_samples": samples,
        }
        if session is not None:
            result["session_id"] = int(session["session_id"])
        if kind == "replace":
            assert session is not None
            _replace_batch(conn, audience, session, hashes, invalid, len(data), at, permille)
            return result
        if session is not None and _accepted_before(conn, audience, session, kind):
            # A repeat of a batch this session already applied (a sender that lost the
            # answer sends it again): answered alike, applied once, logged as a repeat.
            state.save_request(
                conn,
                state.new_request_id(),
                "meta",
                {
                    "audience_id": audience.audience_id,
                    "repeat_of": _batch_name(session),
                    **request_detail(kind, schema, data, invalid),
                },
                at,
            )
            return result
        if session is not None:
            _track_session(conn, audience, session, kind, len(data), invalid, at)
        state.save_request(
            conn,
            state.new_request_id(),
            "meta",
            {"audience_id": audience.audience_id, **request_detail(kind, schema, data, invalid)},
            at,
        )
        state.change_members(
            conn,
            audience,
            hashes,
            remove=kind == "remove",
            invalid=invalid,
            permille=permille,
            now=at,
        )
        return result

    return respond(request, await ctx.store.run(_work))


def _batch_name(session: dict[str, Any]) -> str:
    return f"{int(session['session_id'])}/{int(session.get('batch_seq', 1))}"


def _accepted_before(
    conn: sqlite3.Connection, audience: state.Audience, session: dict[str, Any], kind: str
) -> bool:
    """Whether this session already took this batch (its batch_seq at or below the last)."""
    current = uploads.get_session(conn, audience, str(int(session["session_id"])))
    seq = int(session.get("batch_seq", 1))
    return current is not None and current.kind == kind and seq <= current.last_seq


def _start_session(
    conn: sqlite3.Connection,
    audience: state.Audience,
    session_id: str,
    session: dict[str, Any],
    kind: str,
    at: float,
) -> uploads.UploadSession:
    estimated = session.get("estimated_num_total")
    return uploads.start_session(
        conn, audience, session_id, kind, int(estimated) if estimated else None, at
    )


def _finished_session(session_id: str) -> PlatformError:
    return invalid_parameter(
        f"(#100) Upload session {session_id} is already finished", subcode=1870055
    )


def _track_session(
    conn: sqlite3.Connection,
    audience: state.Audience,
    session: dict[str, Any],
    kind: str,
    received: int,
    invalid: int,
    at: float,
) -> None:
    session_id = str(int(session["session_id"]))
    seq = int(session.get("batch_seq", 1))
    current = uploads.get_session(conn, audience, session_id)
    if current is None or (seq == 1 and current.status != "open"):
        current = _start_session(conn, audience, session_id, session, kind, at)
    elif current.status != "open":
        raise _finished_session(session_id)
    uploads.record_batch(
        conn,
        current,
        seq=seq,
        received=received,
        invalid=invalid,
        last=_flag(session.get("last_batch_flag")),
        now=at,
    )


def _replace_batch(
    conn: sqlite3.Connection,
    audience: state.Audience,
    session: dict[str, Any],
    hashes: list[state.Person],
    invalid: int,
    received: int,
    at: float,
    permille: int,
) -> None:
    session_id = str(int(session["session_id"]))
    seq = int(session.get("batch_seq", 1))
    current = uploads.get_session(conn, audience, session_id)
    if seq == 1:
        for other in uploads.open_replace_sessions(conn, audience):
            if other.session_id != session_id:
                raise meta_error(
                    400,
                    2650,
                    "Failed to update the custom audience",
                    user_title="Replace Already In Progress",
                    user_msg=(
                        f"Another replace session ({other.session_id}) is still uploading to "
                        "this audience. Finish it with last_batch_flag=true first."
                    ),
                )
        current = _start_session(conn, audience, session_id, session, "replace", at)
    elif current is None or current.kind != "replace":
        raise invalid_parameter(
            f"(#100) Upload session {session_id} was not started: send batch_seq 1 first",
            subcode=1870055,
        )
    elif current.status != "open":
        raise _finished_session(session_id)
    staged = uploads.stage_members(conn, current, hashes, permille=permille)
    last = _flag(session.get("last_batch_flag"))
    uploads.record_batch(
        conn, current, seq=seq, received=received, invalid=invalid, last=last, now=at
    )
    uploads.note_batch(
        conn,
        audience,
        received=received,
        invalid=invalid,
        duplicates=len(hashes) - staged,
        now=at,
    )
    if last:
        uploads.commit_replace(conn, audience, current, now=at)
        conn.execute("UPDATE audience SET uploads = uploads + 1 WHERE pk = ?", (audience.pk,))


@router.post("/{version}/{audience_id}/users")
async def add_users(
    version: str, audience_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    params = await meta_params(request)
    kind = "remove" if str(params.get("method", "")).lower() == "delete" else "add"
    return await _upload(request, audience_id, principal, kind)


@router.delete("/{version}/{audience_id}/users")
async def remove_users(
    version: str, audience_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    return await _upload(request, audience_id, principal, "remove")


@router.post("/{version}/{audience_id}/usersreplace")
async def replace_users(
    version: str, audience_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    return await _upload(request, audience_id, principal, "replace")


# --------------------------------------------------------------------------- campaigns


def _money(micros: int) -> str:
    return f"{Decimal(micros) / Decimal(1_000_000):.2f}"


def _campaign_body(campaign: state.Campaign, fields: list[str]) -> dict[str, Any]:
    full: dict[str, Any] = {
        "id": campaign.campaign_id,
        "account_id": campaign.account_id,
        "name": campaign.name,
        "status": campaign.status,
        "configured_status": campaign.status,
        "effective_status": campaign.status,
        "objective": campaign.objective,
        "daily_budget": str(campaign.daily_budget_micros // 10_000),
        "buying_type": "AUCTION",
        "start_time": f"{campaign.start_date.isoformat()}T00:00:00+0000",
        "created_time": f"{campaign.start_date.isoformat()}T00:00:00+0000",
    }
    return {k: full[k] for k in ["id", *fields] if k in full}


@router.get("/{version}/act_{account_id}/campaigns")
async def list_campaigns(
    version: str, account_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    ctx = sandbox_of(request)
    params = await meta_params(request)
    fields = _fields(params, ("id",))
    wanted = _json_param(params, "effective_status")

    def _work(conn: sqlite3.Connection) -> list[state.Campaign]:
        _owned_account(conn, account_id, principal, "GET")
        return state.list_campaigns(conn, PLATFORM, account_id)

    campaigns = await ctx.store.run(_work)
    if isinstance(wanted, list):
        campaigns = [c for c in campaigns if c.status in wanted]
    else:
        campaigns = [c for c in campaigns if c.status != "DELETED"]
    return respond(request, paged(request, params, [_campaign_body(c, fields) for c in campaigns]))


# --------------------------------------------------------------------------- insights

INSIGHT_FIELDS = {
    "account_id",
    "account_name",
    "account_currency",
    "campaign_id",
    "campaign_name",
    "objective",
    "impressions",
    "clicks",
    "reach",
    "spend",
    "ctr",
    "cpc",
    "cpm",
    "actions",
    "action_values",
    "purchase_roas",
    "date_start",
    "date_stop",
}
PURCHASE_ACTIONS = ("offsite_conversion.fb_pixel_purchase", "omni_purchase", "purchase")


def _date_range(params: dict[str, Any], earliest: date) -> tuple[date, date]:
    today = datetime.now(UTC).date()
    time_range = _json_param(params, "time_range")
    if time_range is not None:
        if (
            not isinstance(time_range, dict)
            or "since" not in time_range
            or "until" not in time_range
        ):
            raise invalid_parameter("(#100) Param time_range must have since and until")
        try:
            since = date.fromisoformat(str(time_range["since"]))
            until = date.fromisoformat(str(time_range["until"]))
        except ValueError as exc:
            raise invalid_parameter("(#100) time_range dates must be YYYY-MM-DD") from exc
        if since > until:
            raise invalid_parameter("(#100) time_range since must not be after until")
        return since, until
    preset = str(params.get("date_preset", "last_30d"))
    if preset == "maximum":
        return earliest, today
    match = re.fullmatch(r"last_(\d+)d", preset)
    window = preset_range(preset, today, last_days=int(match.group(1)) if match else None)
    if window is not None:
        return window
    raise invalid_parameter(f"(#100) date_preset must be a supported preset, got {preset}")


def _insight_row(
    metrics: DailyMetrics,
    since: date,
    until: date,
    fields: list[str],
    account: state.AdAccount,
    campaign: state.Campaign | None,
) -> dict[str, Any]:
    spend = Decimal(metrics.spend_micros) / Decimal(1_000_000)
    full: dict[str, Any] = {
        "account_id": account.account_id,
        "account_name": account.name,
        "account_currency": account.currency,
        "impressions": str(metrics.impressions),
        "clicks": str(metrics.clicks),
        "reach": str(metrics.reach),
        "spend": f"{spend:.2f}",
        "ctr": f"{(metrics.clicks * 100 / metrics.impressions) if metrics.impressions else 0:.6f}",
        "cpc": f"{(spend / metrics.clicks) if metrics.clicks else 0:.6f}",
        "cpm": f"{(spend * 1000 / metrics.impressions) if metrics.impressions else 0:.6f}",
    }
    if campaign is not None:
        full["campaign_id"] = campaign.campaign_id
        full["campaign_name"] = campaign.name
        full["objective"] = campaign.objective
    actions = []
    if metrics.clicks:
        actions.append({"action_type": "link_click", "value": str(metrics.clicks)})
    if metrics.conversions:
        actions += [{"action_type": a, "value": str(metrics.conversions)} for a in PURCHASE_ACTIONS]
    if actions:
        full["actions"] = actions
    if metrics.revenue_micros:
        revenue = f"{Decimal(metrics.revenue_micros) / Decimal(1_000_000):.2f}"
        full["action_values"] = [{"action_type": a, "value": revenue} for a in PURCHASE_ACTIONS]
        if spend:
            roas = Decimal(metrics.revenue_micros) / Decimal(metrics.spend_micros)
            full["purchase_roas"] = [{"action_type": "omni_purchase", "value": f"{roas:.6f}"}]
    row = {k: full[k] for k in fields if k in full}
    row["date_start"] = since.isoformat()
    row["date_stop"] = until.isoformat()
    return row


def _insights(
    params: dict[str, Any],
    account: state.AdAccount,
    campaigns: list[state.Campaign],
    default_level: str,
) -> list[dict[str, Any]]:
    fields = _fields(params, ("impressions", "spend"))
    unknown = [f for f in fields if f not in INSIGHT_FIELDS]
    if unknown:
        raise invalid_parameter(
            f"(#100) {', '.join(unknown)} is not valid for fields param. Valid fields are: "
            + ", ".join(sorted(INSIGHT_FIELDS))
        )
    level = str(params.get("level", default_level))
    if level not in ("account", "campaign"):
        raise invalid_parameter(f"(#100) The sandbox supports level=account|campaign, not {level}")
    filtering = _json_param(params, "filtering")
    if isinstance(filtering, list):
        for rule in filtering:
            if isinstance(rule, dict) and rule.get("field") in ("campaign.id", "campaign_id"):
                values = rule.get("value")
                allowed = {str(v) for v in (values if isinstance(values, list) else [values])}
                if str(rule.get("operator", "IN")).upper() in ("IN", "EQUAL"):
                    campaigns = [c for c in campaigns if c.campaign_id in allowed]
    earliest = min((c.start_date for c in campaigns), default=datetime.now(UTC).date())
    since, until = _date_range(params, earliest)
    increment = str(params.get("time_increment", "all_days"))
    if increment == "all_days":
        step = (until - since).days + 1
    elif increment.isdigit() and 1 <= int(increment) <= 90:
        step = int(increment)
    else:
        raise invalid_parameter("(#100) time_increment must be all_days or 1..90")
    today = datetime.now(UTC).date()
    rows: list[dict[str, Any]] = []
    window_start = since
    while window_start <= until:
        window_end = min(until, window_start + timedelta(days=step - 1))
        per_campaign: list[tuple[state.Campaign, DailyMetrics]] = []
        for campaign in campaigns:
            total: DailyMetrics | None = None
            for day in active_days(campaign.start_date, window_start, window_end, today):
                m = daily_metrics(PLATFORM, campaign.campaign_id, day)
                total = m if total is None else total + m
            if total is not None:
                per_campaign.append((campaign, total))
        if level == "campaign":
            rows += [
                _insight_row(m, window_start, window_end, fields, account, c)
                for c, m in per_campaign
            ]
        elif per_campaign:
            combined = per_campaign[0][1]
            for _, m in per_campaign[1:]:
                combined = combined + m
            rows.append(_insight_row(combined, window_start, window_end, fields, account, None))
        window_start = window_end + timedelta(days=1)
    return rows


@router.get("/{version}/act_{account_id}/insights")
async def account_insights(
    version: str, account_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    ctx = sandbox_of(request)
    params = await meta_params(request)

    def _work(conn: sqlite3.Connection) -> tuple[state.AdAccount, list[state.Campaign]]:
        account = _owned_account(conn, account_id, principal, "GET")
        return account, state.list_campaigns(conn, PLATFORM, account_id)

    account, campaigns = await ctx.store.run(_work)
    return respond(
        request, paged(request, params, _insights(params, account, campaigns, "account"))
    )


@router.get("/{version}/{object_id}/insights")
async def campaign_insights(
    version: str, object_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    ctx = sandbox_of(request)
    params = await meta_params(request)

    def _work(conn: sqlite3.Connection) -> tuple[state.AdAccount, state.Campaign]:
        campaign = state.get_campaign(conn, PLATFORM, object_id)
        if campaign is None:
            raise unsupported_object(object_id, "GET")
        account = _owned_account(conn, campaign.account_id, principal, "GET")
        return account, campaign

    account, campaign = await ctx.store.run(_work)
    rows = _insights(params, account, [campaign], "campaign")
    return respond(request, paged(request, params, rows))


# --------------------------------------------------------------------------- generic objects


def _load_object(
    conn: sqlite3.Connection, object_id: str, principal: Principal, method: str, delay: float
) -> state.Audience | state.Campaign:
    campaign = state.get_campaign(conn, PLATFORM, object_id)
    if campaign is not None:
        _owned_account(conn, campaign.account_id, principal, method)
        return campaign
    return _owned_audience(conn, object_id, principal, method, delay)


@router.get("/{version}/{object_id}")
async def get_object(
    version: str, object_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    ctx = sandbox_of(request)
    params = await meta_params(request)
    fields = _fields(params, ("id",))
    obj = await ctx.store.run(lambda c: _load_object(c, object_id, principal, "GET", ctx.delay))
    if isinstance(obj, state.Campaign):
        return respond(request, _campaign_body(obj, fields))
    return respond(request, _audience_body(obj, fields))


@router.post("/{version}/{object_id}")
async def update_object(
    version: str, object_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    ctx = sandbox_of(request)
    params = await meta_params(request)
    if str(params.get("method", "")).lower() == "delete":
        return await _delete(request, object_id, principal)
    at = now()
    status = params.get("status")
    if status is not None and status not in CAMPAIGN_STATUSES:
        raise invalid_parameter(
            "(#100) Param status must be one of {ACTIVE, PAUSED, DELETED, ARCHIVED}"
        )
    budget_micros: int | None = None
    if "daily_budget" in params:
        try:
            minor = int(str(params["daily_budget"]))
        except ValueError as exc:
            raise invalid_parameter("(#100) Param daily_budget must be an integer") from exc
        if minor < 100:
            raise invalid_parameter(
                "(#100) The daily budget must be at least 100 (1.00 in the account currency)"
            )
        budget_micros = minor * 10_000

    def _work(conn: sqlite3.Connection) -> None:
        obj = _load_object(conn, object_id, principal, "POST", ctx.delay)
        if isinstance(obj, state.Campaign):
            state.update_campaign(
                conn,
                PLATFORM,
                obj.campaign_id,
                status=status,
                daily_budget_micros=budget_micros,
                name=params.get("name"),
                now=at,
            )
        else:
            state.update_audience_fields(
                conn,
                obj,
                name=params.get("name"),
                description=params.get("description"),
                now=at,
            )

    await ctx.store.run(_work)
    return respond(request, {"success": True})


async def _delete(request: Request, object_id: str, principal: Principal) -> Response:
    ctx = sandbox_of(request)
    at = now()

    def _work(conn: sqlite3.Connection) -> None:
        obj = _load_object(conn, object_id, principal, "DELETE", ctx.delay)
        if isinstance(obj, state.Campaign):
            state.update_campaign(conn, PLATFORM, obj.campaign_id, status="DELETED", now=at)
        else:
            state.delete_audience(conn, obj)

    await ctx.store.run(_work)
    return respond(request, {"success": True})


@router.delete("/{version}/{object_id}")
async def delete_object(
    version: str, object_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    return await _delete(request, object_id, principal)
