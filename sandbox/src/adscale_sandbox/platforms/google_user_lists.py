"""Data Manager user lists: create, list, get, patch and delete under
``/v1/accountTypes/{account_type}/accounts/{account_id}/userLists``.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from adscale_sandbox import state
from adscale_sandbox.core import now, read_json, sandbox_of
from adscale_sandbox.oauth import Principal
from adscale_sandbox.platforms.common import account_audience, owned_account
from adscale_sandbox.platforms.google_datamanager import answer, authorized
from adscale_sandbox.platforms.google_errors import (
    PLATFORM,
    bad_request,
    duplicate_field,
    invalid_format,
    permission_denied,
    request_error,
    violation,
)
from adscale_sandbox.platforms.google_json import DuplicateField, camel, canonical, query_param

USER_LISTS = "/v1/accountTypes/{account_type}/accounts/{account_id}/userLists"

router = APIRouter()


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


@dataclass(frozen=True)
class _Lists:
    """The account a userLists path names, and who calls it."""

    account_type: str
    account_id: str
    principal: Principal

    def check(self, conn: sqlite3.Connection) -> None:
        """PERMISSION_DENIED unless the account is the caller's, and a Google Ads account."""
        account = owned_account(conn, PLATFORM, self.account_id, self.principal)
        if self.account_type != "GOOGLE_ADS" or account is None:
            raise permission_denied(state.new_request_id())

    def user_list(self, conn: sqlite3.Connection, list_id: str, delay: float) -> state.Audience:
        """The account's user list ``list_id``; NOT_FOUND unless the account holds it."""
        self.check(conn)
        audience = account_audience(conn, PLATFORM, self.account_id, list_id, delay)
        if audience is None:
            raise request_error(
                404,
                "NOT_FOUND",
                f"Resource not found: {_list_name(self.account_id, list_id)}",
                "NOT_FOUND",
            )
        return audience


async def _lists(
    account_type: str, account_id: str, principal: Principal = Depends(authorized)
) -> _Lists:
    """The route's account path, once the caller has passed the Data Manager guard."""
    return _Lists(account_type, account_id, principal)


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


@router.post(USER_LISTS)
async def create_user_list(request: Request, lists: _Lists = Depends(_lists)) -> Response:
    ctx = sandbox_of(request)
    body = await _user_list_request(request, partial=False)
    at = now()

    def _work(conn: sqlite3.Connection) -> state.Audience:
        lists.check(conn)
        for existing in state.list_audiences(conn, PLATFORM, lists.account_id, now=at, delay=0):
            if existing.name == body["displayName"]:
                raise request_error(
                    409,
                    "ALREADY_EXISTS",
                    f"A user list named '{body['displayName']}' already exists.",
                    "INVALID_ARGUMENT",
                )
        return state.create_audience(
            conn,
            PLATFORM,
            lists.account_id,
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


@router.get(USER_LISTS)
async def list_user_lists(request: Request, lists: _Lists = Depends(_lists)) -> Response:
    ctx = sandbox_of(request)
    at = now()

    def _work(conn: sqlite3.Connection) -> list[state.Audience]:
        lists.check(conn)
        return state.list_audiences(conn, PLATFORM, lists.account_id, now=at, delay=ctx.delay)

    audiences = await ctx.store.run(_work)
    size = int(query_param(request, "pageSize") or 1000)
    start = int(query_param(request, "pageToken") or 0)
    page = audiences[start : start + size]
    body: dict[str, Any] = {"userLists": [_user_list_body(a) for a in page]}
    if start + size < len(audiences):
        body["nextPageToken"] = str(start + size)
    return answer(request, body)


@router.get(USER_LISTS + "/{list_id}")
async def get_user_list(
    list_id: str, request: Request, lists: _Lists = Depends(_lists)
) -> Response:
    ctx = sandbox_of(request)
    audience = await ctx.store.run(lambda c: lists.user_list(c, list_id, ctx.delay))
    return answer(request, _user_list_body(audience))


@router.patch(USER_LISTS + "/{list_id}")
async def patch_user_list(
    list_id: str, request: Request, lists: _Lists = Depends(_lists)
) -> Response:
    ctx = sandbox_of(request)
    body = await _user_list_request(request, partial=True)
    mask = query_param(request, "updateMask")
    fields = [camel(f.strip()) for f in mask.split(",")] if mask else list(body)
    at = now()

    def _work(conn: sqlite3.Connection) -> state.Audience:
        audience = lists.user_list(conn, list_id, ctx.delay)
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


@router.delete(USER_LISTS + "/{list_id}")
async def delete_user_list(
    list_id: str, request: Request, lists: _Lists = Depends(_lists)
) -> Response:
    ctx = sandbox_of(request)

    def _work(conn: sqlite3.Connection) -> None:
        audience = lists.user_list(conn, list_id, ctx.delay)
        state.delete_audience(conn, audience)

    await ctx.store.run(_work)
    return answer(request, {})
