"""Data Manager ``audienceMembers:ingest``, ``:remove`` and ``:removeAll``: members changed
in each destination user list, and the request logged for ``requestStatus``.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from adscale_sandbox import state
from adscale_sandbox.core import now, sandbox_of
from adscale_sandbox.oauth import Principal
from adscale_sandbox.platforms.common import account_audience, owned_account
from adscale_sandbox.platforms.google_datamanager import answer, authorized, json_body
from adscale_sandbox.platforms.google_errors import (
    PLATFORM,
    bad_request,
    permission_denied,
    violation,
)
from adscale_sandbox.platforms.google_payload import parse_destinations, parse_member_keys

router = APIRouter()


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
    body = await json_body(request)
    request_id = state.new_request_id()
    violations: list[dict[str, str]] = []
    destinations = parse_destinations(body, violations)
    keys, member_total = parse_member_keys(body, violations)
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
    body = await json_body(request)
    request_id = state.new_request_id()
    violations: list[dict[str, str]] = []
    destinations = parse_destinations(body, violations)
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
