"""TikTok's file DMP API: files of hashed ids uploaded, and custom audiences created,
updated (APPEND, REMOVE, REPLACE), read, listed and deleted from them.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from adscale_sandbox import state, uploads
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

UPDATE_FLOOR = 1_000
ACTIONS = ("APPEND", "REMOVE", "REPLACE")


router = APIRouter()


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
        owned_advertiser(conn, advertiser_id, principal)
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
    body = await json_body(request)
    name = audience_name(body)
    calculate_type = _calculate_type(body.get("calculate_type"))
    paths = json_list(body.get("file_paths", []), "file_paths")
    at = now()
    permille = ctx.permille

    def _work(conn: sqlite3.Connection) -> str:
        advertiser = owned_advertiser(conn, body.get("advertiser_id"), principal)
        hashes, bad, kind = _files(conn, paths, advertiser, calculate_type)
        audience = state.create_audience(
            conn,
            PLATFORM,
            advertiser.account_id,
            name,
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
    body = await json_body(request)
    action = str(body.get("action") or "REPLACE").upper()
    if action not in ACTIONS:
        raise invalid("action must be one of APPEND, REMOVE, REPLACE.")
    paths = json_list(body.get("file_paths", []), "file_paths") if body.get("file_paths") else []
    name = body.get("custom_audience_name")
    if not paths and not name:
        raise invalid("Pass file_paths or custom_audience_name.")
    at = now()
    permille = ctx.permille

    def _work(conn: sqlite3.Connection) -> None:
        advertiser = owned_advertiser(conn, body.get("advertiser_id"), principal)
        audience = advertiser_audience(conn, advertiser, body.get("custom_audience_id"), ctx.delay)
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
    ids = json_list(request.query_params.get("custom_audience_ids", ""), "custom_audience_ids")
    if not ids or len(ids) > 100:
        raise invalid("custom_audience_ids must hold 1 to 100 ids.")

    def _work(conn: sqlite3.Connection) -> list[dict[str, Any]]:
        advertiser = owned_advertiser(conn, request.query_params.get("advertiser_id"), principal)
        return [
            {
                "audience_details": _details(advertiser_audience(conn, advertiser, i, ctx.delay)),
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
        advertiser = owned_advertiser(conn, q.get("advertiser_id"), principal)
        return state.list_audiences(conn, PLATFORM, advertiser.account_id, now=at, delay=ctx.delay)

    audiences = await ctx.store.run(_work)
    if q.get("custom_audience_ids"):
        wanted = set(json_list(q["custom_audience_ids"], "custom_audience_ids"))
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
    body = await json_body(request)
    ids = json_list(body.get("custom_audience_ids", []), "custom_audience_ids")
    if not ids:
        raise invalid("custom_audience_ids: Missing data for required field.")

    def _work(conn: sqlite3.Connection) -> None:
        advertiser = owned_advertiser(conn, body.get("advertiser_id"), principal)
        for audience_id in ids:
            state.delete_audience(
                conn, advertiser_audience(conn, advertiser, audience_id, ctx.delay)
            )

    await ctx.store.run(_work)
    return ok({})
