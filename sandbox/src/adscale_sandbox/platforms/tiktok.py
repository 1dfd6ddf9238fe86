"""TikTok API for Business v1.3: portal OAuth, advertisers, segment API and the file DMP API."""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from adscale_sandbox import state, uploads
from adscale_sandbox.core import (
    PlatformError,
    RateDecision,
    json_response,
    make_guard,
    now,
    parse_sha256_hex,
    read_json_object,
    sandbox_of,
)
from adscale_sandbox.oauth import IssuedTokens, Principal, TokenState, check_token, take_code
from adscale_sandbox.platforms.common import (
    account_audience,
    issue_session_tokens,
    owned_account,
    redirect_back,
    sign_in,
)
from adscale_sandbox.settings import Settings

PLATFORM = "tiktok"
API = "/open_api/v1.3"
MAX_MAPPING_ROWS = 10_000
UPDATE_FLOOR = 1_000
ID_TYPES = {"EMAIL_SHA256", "PHONE_SHA256", "IDFA_SHA256", "AAID_SHA256", "GAID_SHA256"}
ACTIONS = ("APPEND", "REMOVE", "REPLACE")


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
router = APIRouter()


async def _body(request: Request) -> dict[str, Any]:
    return await read_json_object(
        request, invalid, "Request body is not valid JSON: ", "Request body must be a JSON object."
    )


def _json_list(value: Any, name: str) -> list[str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise invalid(f"{name} must be a JSON array.") from exc
    if not isinstance(value, list):
        raise invalid(f"{name} must be an array.")
    return [str(v) for v in value]


def _advertiser(
    conn: sqlite3.Connection, advertiser_id: Any, principal: Principal
) -> state.AdAccount:
    if not advertiser_id:
        raise invalid("advertiser_id: Missing data for required field.")
    account = owned_account(conn, PLATFORM, str(advertiser_id), principal)
    if account is None:
        raise tiktok_error(40001, f"No permission to operate advertiser {advertiser_id}.")
    return account


def _audience(
    conn: sqlite3.Connection, advertiser: state.AdAccount, audience_id: Any, delay: float
) -> state.Audience:
    audience = account_audience(conn, PLATFORM, advertiser.account_id, str(audience_id), delay)
    if audience is None:
        raise invalid(f"Custom audience {audience_id} does not exist.")
    return audience


# --------------------------------------------------------------------------- OAuth


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
    query = {"auth_code": code, "code": code}
    if "state" in q:
        query["state"] = q["state"]
    return redirect_back(redirect_uri, query)


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


def _issue(
    conn: sqlite3.Connection,
    settings: Settings,
    *,
    user_id: str,
    app_id: str,
    scope: str,
    at: float,
) -> tuple[IssuedTokens, list[str]]:
    """New tokens and the advertisers they may operate."""
    tokens = issue_session_tokens(
        conn, settings, PLATFORM, user_id=user_id, client_id=app_id, scope=scope, now=at
    )
    accounts = state.list_accounts(conn, PLATFORM, user_id)
    return tokens, [a.account_id for a in accounts]


@router.post(f"{API}/oauth2/access_token/")
async def oauth_access_token(request: Request) -> Response:
    ctx = sandbox_of(request)
    body = await _body(request)
    app_id = _app_id(body)
    auth_code = str(body.get("auth_code", ""))
    at = now()

    def _work(conn: sqlite3.Connection) -> tuple[IssuedTokens, list[str]] | None:
        code = take_code(conn, PLATFORM, auth_code)
        if code is None or code.used or code.expires_at <= at or code.client_id != app_id:
            return None
        return _issue(
            conn, ctx.settings, user_id=code.user_id, app_id=app_id, scope=code.scope, at=at
        )

    result = await ctx.store.run(_work)
    if result is None:
        raise tiktok_error(40110, "auth_code is invalid, expired or already used.")
    return ok(_token_data(*result))


@router.post(f"{API}/oauth2/refresh_token/")
async def oauth_refresh_token(request: Request) -> Response:
    ctx = sandbox_of(request)
    body = await _body(request)
    app_id = _app_id(body)
    refresh = str(body.get("refresh_token", ""))
    at = now()

    def _work(conn: sqlite3.Connection) -> tuple[IssuedTokens, list[str]] | None:
        token_state, principal = check_token(conn, PLATFORM, refresh, "refresh", at)
        if token_state is not TokenState.OK or principal is None or principal.client_id != app_id:
            return None
        return _issue(
            conn,
            ctx.settings,
            user_id=principal.user_id,
            app_id=app_id,
            scope=principal.scope,
            at=at,
        )

    result = await ctx.store.run(_work)
    if result is None:
        raise tiktok_error(40107, "refresh_token is invalid, expired or revoked.")
    return ok(_token_data(*result))


@router.get(f"{API}/oauth2/advertiser/get/")
async def advertiser_get(request: Request, principal: Principal = Depends(authorized)) -> Response:
    ctx = sandbox_of(request)
    if not request.query_params.get("app_id") or not request.query_params.get("secret"):
        raise invalid("app_id and secret are required.")
    accounts = await ctx.store.run(lambda c: state.list_accounts(c, PLATFORM, principal.user_id))
    return ok(
        {"list": [{"advertiser_id": a.account_id, "advertiser_name": a.name} for a in accounts]}
    )


@router.get(f"{API}/advertiser/info/")
async def advertiser_info(request: Request, principal: Principal = Depends(authorized)) -> Response:
    ctx = sandbox_of(request)
    ids = _json_list(request.query_params.get("advertiser_ids", "[]"), "advertiser_ids")

    def _work(conn: sqlite3.Connection) -> list[dict[str, Any]]:
        rows = []
        for advertiser_id in ids:
            account = _advertiser(conn, advertiser_id, principal)
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


# --------------------------------------------------------------------------- segment API


@router.post(f"{API}/segment/audience/")
async def segment_audience(
    request: Request, principal: Principal = Depends(authorized)
) -> Response:
    ctx = sandbox_of(request)
    body = await _body(request)
    action = str(body.get("action", "create")).lower()
    at = now()

    def _work(conn: sqlite3.Connection) -> dict[str, Any]:
        advertiser = _advertiser(conn, body.get("advertiser_id"), principal)
        if action == "create":
            name = body.get("custom_audience_name")
            if not name or len(str(name)) > 128:
                raise invalid("custom_audience_name is required (at most 128 characters).")
            audience = state.create_audience(
                conn,
                PLATFORM,
                advertiser.account_id,
                str(name),
                kind="SEGMENT",
                attrs={"retention_in_days": body.get("retention_in_days")},
                now=at,
            )
            return {"audience_id": audience.audience_id}
        audience = _audience(conn, advertiser, body.get("audience_id"), ctx.delay)
        if action == "delete":
            state.delete_audience(conn, audience)
            return {"audience_id": audience.audience_id}
        if action == "update":
            state.update_audience_fields(
                conn, audience, name=body.get("custom_audience_name"), now=at
            )
            return {"audience_id": audience.audience_id}
        raise invalid("action must be one of create, update, delete.")

    return ok(await ctx.store.run(_work))


@router.post(f"{API}/segment/mapping/")
async def segment_mapping(request: Request, principal: Principal = Depends(authorized)) -> Response:
    ctx = sandbox_of(request)
    body = await _body(request)
    action = str(body.get("action", "")).lower()
    if action not in ("add", "delete"):
        raise invalid("action must be add or delete.")
    advertiser_ids = _json_list(body.get("advertiser_ids", []), "advertiser_ids")
    if not advertiser_ids:
        raise invalid("advertiser_ids: Missing data for required field.")
    id_schema = body.get("id_schema")
    if (
        not isinstance(id_schema, list)
        or not id_schema
        or any(s not in ID_TYPES for s in id_schema)
    ):
        raise invalid(
            "id_schema must be a non-empty list of "
            + ", ".join(sorted(ID_TYPES))
            + f"; got {id_schema!r}."
        )
    batch = body.get("batch_data")
    if not isinstance(batch, list) or not batch:
        raise invalid("batch_data: Missing data for required field.")
    if len(batch) > MAX_MAPPING_ROWS:
        raise invalid(
            f"batch_data has {len(batch)} rows; at most {MAX_MAPPING_ROWS} are allowed per request."
        )
    # Each batch_data row is one user: its ids, across id_schema, are one person.
    per_audience: dict[str, list[state.Person]] = {}
    problems: list[str] = []
    for i, row in enumerate(batch):
        user: dict[str, list[bytes]] = {}
        if not isinstance(row, list) or len(row) != len(id_schema):
            problems.append(
                f"batch_data[{i}] must hold {len(id_schema)} entries (one per id_schema)"
            )
            continue
        for j, entry in enumerate(row):
            if not entry:
                continue
            if not isinstance(entry, dict):
                problems.append(f"batch_data[{i}][{j}] must be an object")
                continue
            digest = parse_sha256_hex(entry.get("id"))
            if digest is None:
                problems.append(
                    f"batch_data[{i}][{j}].id is not a 64-character lowercase SHA-256 hex digest"
                )
                continue
            audience_ids = entry.get("audience_ids")
            if not isinstance(audience_ids, list) or not audience_ids:
                problems.append(f"batch_data[{i}][{j}].audience_ids is required")
                continue
            for audience_id in audience_ids:
                user.setdefault(str(audience_id), []).append(digest)
        for audience_id, keys in user.items():
            per_audience.setdefault(audience_id, []).append(state.Person(tuple(keys)))
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise invalid("; ".join(problems[:5]) + more)
    at = now()
    permille = ctx.permille

    def _work(conn: sqlite3.Connection) -> None:
        advertisers = [_advertiser(conn, a, principal) for a in advertiser_ids]
        owned = {a.account_id for a in advertisers}
        for audience_id, hashes in per_audience.items():
            audience = state.get_audience(conn, PLATFORM, audience_id, now=at, delay=ctx.delay)
            if audience is None or audience.account_id not in owned:
                raise invalid(f"Custom audience {audience_id} does not exist.")
            state.change_members(
                conn,
                audience,
                hashes,
                remove=action == "delete",
                invalid=0,
                permille=permille,
                now=at,
            )

    await ctx.store.run(_work)
    return ok({})


# --------------------------------------------------------------------------- file API


def _calculate_type(value: Any) -> str:
    text = str(value or "")
    if text not in ID_TYPES:
        raise invalid(f"calculate_type must be one of {', '.join(sorted(ID_TYPES))}.")
    return text


@router.post(f"{API}/dmp/custom_audience/file/upload/")
async def file_upload(request: Request, principal: Principal = Depends(authorized)) -> Response:
    ctx = sandbox_of(request)
    if "multipart/form-data" not in request.headers.get("content-type", ""):
        raise invalid("Content-Type must be multipart/form-data.")
    form = await request.form()
    calculate_type = _calculate_type(form.get("calculate_type"))
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise invalid("file: Missing data for required field.")
    content = await upload.read()
    signature = form.get("file_signature")
    if (
        isinstance(signature, str)
        and signature
        and hashlib.md5(content, usedforsecurity=False).hexdigest() != signature.lower()
    ):
        raise invalid("file_signature does not match the MD5 of the uploaded file.")
    lines = [line.strip() for line in content.decode("utf-8", "replace").splitlines()]
    lines = [line for line in lines if line]
    hashes: list[bytes] = []
    bad = 0
    for index, line in enumerate(lines):
        digest = parse_sha256_hex(line)
        if digest is None:
            if index == 0 and not any(ch.isdigit() for ch in line):
                continue  # a header row
            bad += 1
            continue
        hashes.append(digest)
    if not hashes:
        raise invalid("The file holds no valid SHA-256 identifiers (one lowercase hex per line).")
    advertiser_id = form.get("advertiser_id")
    file_path = f"dmp/{advertiser_id}/{secrets.token_hex(16)}.txt"
    at = now()

    def _work(conn: sqlite3.Connection) -> None:
        _advertiser(conn, advertiser_id, principal)
        uploads.save_file(
            conn,
            file_path=file_path,
            advertiser_id=str(advertiser_id),
            calculate_type=calculate_type,
            hashes=hashes,
            invalid=bad,
            now=at,
        )

    await ctx.store.run(_work)
    return ok({"file_path": file_path})


def _files(
    conn: sqlite3.Connection,
    paths: list[str],
    advertiser: state.AdAccount,
    calculate_type: str | None,
) -> tuple[list[bytes], int, str]:
    if not paths:
        raise invalid("file_paths: Missing data for required field.")
    hashes: list[bytes] = []
    bad = 0
    kind = calculate_type
    for path in paths:
        uploaded = uploads.get_file(conn, path)
        if uploaded is None or uploaded.advertiser_id != advertiser.account_id:
            raise invalid(f"File {path} does not exist.")
        if kind is not None and uploaded.calculate_type != kind:
            raise invalid(f"File {path} was uploaded as {uploaded.calculate_type}, not {kind}.")
        kind = uploaded.calculate_type
        hashes += uploaded.hashes
        bad += uploaded.invalid_count
    assert kind is not None
    return hashes, bad, kind


@router.post(f"{API}/dmp/custom_audience/create/")
async def custom_audience_create(
    request: Request, principal: Principal = Depends(authorized)
) -> Response:
    ctx = sandbox_of(request)
    body = await _body(request)
    name = body.get("custom_audience_name")
    if not name or len(str(name)) > 128:
        raise invalid("custom_audience_name is required (at most 128 characters).")
    calculate_type = _calculate_type(body.get("calculate_type"))
    paths = _json_list(body.get("file_paths", []), "file_paths")
    at = now()
    permille = ctx.permille

    def _work(conn: sqlite3.Connection) -> str:
        advertiser = _advertiser(conn, body.get("advertiser_id"), principal)
        hashes, bad, kind = _files(conn, paths, advertiser, calculate_type)
        audience = state.create_audience(
            conn,
            PLATFORM,
            advertiser.account_id,
            str(name),
            kind="CUSTOMER_FILE",
            identifier_type=kind,
            attrs={"retention_in_days": body.get("retention_in_days")},
            now=at,
        )
        state.add_members(conn, audience, hashes, invalid=bad, permille=permille, now=at)
        return audience.audience_id

    return ok({"custom_audience_id": await ctx.store.run(_work)})


@router.post(f"{API}/dmp/custom_audience/update/")
async def custom_audience_update(
    request: Request, principal: Principal = Depends(authorized)
) -> Response:
    ctx = sandbox_of(request)
    body = await _body(request)
    action = str(body.get("action") or "REPLACE").upper()
    if action not in ACTIONS:
        raise invalid("action must be one of APPEND, REMOVE, REPLACE.")
    paths = _json_list(body.get("file_paths", []), "file_paths") if body.get("file_paths") else []
    name = body.get("custom_audience_name")
    if not paths and not name:
        raise invalid("Pass file_paths or custom_audience_name.")
    at = now()
    permille = ctx.permille

    def _work(conn: sqlite3.Connection) -> None:
        advertiser = _advertiser(conn, body.get("advertiser_id"), principal)
        audience = _audience(conn, advertiser, body.get("custom_audience_id"), ctx.delay)
        if name:
            state.update_audience_fields(conn, audience, name=str(name), now=at)
        if not paths:
            return
        hashes, bad, _ = _files(conn, paths, advertiser, audience.identifier_type)
        current = state.member_count(conn, audience)
        unique = len(set(hashes))
        if action == "APPEND":
            after = current + unique - state.count_existing(conn, audience, hashes)
        elif action == "REMOVE":
            after = current - state.count_existing(conn, audience, hashes)
        else:
            after = unique
        if after < UPDATE_FLOOR:
            raise invalid(
                f"The {action} operation would leave the audience with {after} users; an audience "
                f"must keep at least {UPDATE_FLOOR} users after an update."
            )
        if action == "REPLACE":
            state.remove_all_members(conn, audience, before=None, now=at)
        state.change_members(
            conn,
            audience,
            hashes,
            remove=action == "REMOVE",
            invalid=bad,
            permille=permille,
            now=at,
        )

    await ctx.store.run(_work)
    return ok({})


def _time(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S")


def _details(audience: state.Audience) -> dict[str, Any]:
    retention = audience.attrs.get("retention_in_days") or 365
    return {
        "audience_id": audience.audience_id,
        "name": audience.name,
        "audience_type": "Customer File" if audience.kind == "CUSTOMER_FILE" else "Partner Segment",
        "audience_sub_type": "NORMAL",
        "calculate_type": audience.identifier_type or "MULTIPLE_TYPES",
        "cover_num": audience.visible_matched,
        "is_valid": audience.uploads > 0 and not audience.processing,
        "is_expiring": False,
        "is_expired": False,
        "shared": False,
        "is_creator": True,
        "audience_enhancement": False,
        "create_time": _time(audience.created_at),
        "expired_time": _time(audience.created_at + timedelta(days=int(retention)).total_seconds()),
    }


@router.get(f"{API}/dmp/custom_audience/get/")
async def custom_audience_get(
    request: Request, principal: Principal = Depends(authorized)
) -> Response:
    ctx = sandbox_of(request)
    ids = _json_list(request.query_params.get("custom_audience_ids", ""), "custom_audience_ids")
    if not ids or len(ids) > 100:
        raise invalid("custom_audience_ids must hold 1 to 100 ids.")

    def _work(conn: sqlite3.Connection) -> list[dict[str, Any]]:
        advertiser = _advertiser(conn, request.query_params.get("advertiser_id"), principal)
        return [
            {
                "audience_details": _details(_audience(conn, advertiser, i, ctx.delay)),
                "audience_history": [],
            }
            for i in ids
        ]

    return ok({"list": await ctx.store.run(_work)})


@router.get(f"{API}/dmp/custom_audience/list/")
async def custom_audience_list(
    request: Request, principal: Principal = Depends(authorized)
) -> Response:
    ctx = sandbox_of(request)
    q = request.query_params
    try:
        page = max(1, int(q.get("page", "1")))
        page_size = min(100, max(1, int(q.get("page_size", "10"))))
    except ValueError as exc:
        raise invalid("page and page_size must be integers.") from exc
    at = now()

    def _work(conn: sqlite3.Connection) -> list[state.Audience]:
        advertiser = _advertiser(conn, q.get("advertiser_id"), principal)
        return state.list_audiences(conn, PLATFORM, advertiser.account_id, now=at, delay=ctx.delay)

    audiences = await ctx.store.run(_work)
    if q.get("custom_audience_ids"):
        wanted = set(_json_list(q["custom_audience_ids"], "custom_audience_ids"))
        audiences = [a for a in audiences if a.audience_id in wanted]
    chunk = audiences[(page - 1) * page_size : page * page_size]
    total_page = max(1, -(-len(audiences) // page_size))
    return ok(
        {
            "list": [_details(a) for a in chunk],
            "page_info": {
                "page": page,
                "page_size": page_size,
                "total_number": len(audiences),
                "total_page": total_page,
            },
        }
    )


@router.post(f"{API}/dmp/custom_audience/delete/")
async def custom_audience_delete(
    request: Request, principal: Principal = Depends(authorized)
) -> Response:
    ctx = sandbox_of(request)
    body = await _body(request)
    ids = _json_list(body.get("custom_audience_ids", []), "custom_audience_ids")
    if not ids:
        raise invalid("custom_audience_ids: Missing data for required field.")

    def _work(conn: sqlite3.Connection) -> None:
        advertiser = _advertiser(conn, body.get("advertiser_id"), principal)
        for audience_id in ids:
            state.delete_audience(conn, _audience(conn, advertiser, audience_id, ctx.delay))

    await ctx.store.run(_work)
    return ok({})
