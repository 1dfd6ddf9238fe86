"""TikTok's segment API: ``segment/audience`` (create, update, delete) and
``segment/mapping`` (members added or deleted, one person per ``batch_data`` row).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from adscale_sandbox import state
from adscale_sandbox.core import now, parse_sha256_hex, sandbox_of
from adscale_sandbox.oauth import Principal
from adscale_sandbox.platforms.tiktok_api import (
    API,
    ID_TYPES,
    PLATFORM,
    advertiser_audience,
    audience_name,
    authorized,
    invalid,
    json_body,
    json_list,
    ok,
    owned_advertiser,
)

MAX_MAPPING_ROWS = 10_000


router = APIRouter()


@router.post(f"{API}/segment/audience/")
async def segment_audience(
    request: Request, principal: Principal = Depends(authorized)
) -> Response:
    ctx = sandbox_of(request)
    body = await json_body(request)
    action = str(body.get("action", "create")).lower()
    at = now()

    def _work(conn: sqlite3.Connection) -> dict[str, Any]:
        advertiser = owned_advertiser(conn, body.get("advertiser_id"), principal)
        if action == "create":
            audience = state.create_audience(
                conn,
                PLATFORM,
                advertiser.account_id,
                audience_name(body),
                kind="SEGMENT",
                attrs={"retention_in_days": body.get("retention_in_days")},
                now=at,
            )
            return {"audience_id": audience.audience_id}
        audience = advertiser_audience(conn, advertiser, body.get("audience_id"), ctx.delay)
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
    body = await json_body(request)
    action = str(body.get("action", "")).lower()
    if action not in ("add", "delete"):
        raise invalid("action must be add or delete.")
    advertiser_ids = json_list(body.get("advertiser_ids", []), "advertiser_ids")
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
        advertisers = [owned_advertiser(conn, a, principal) for a in advertiser_ids]
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
