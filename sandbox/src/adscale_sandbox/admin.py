"""Admin API (not part of any platform): faults, token revocation, member inspection, reset."""

from __future__ import annotations

import sqlite3
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

from adscale_sandbox import state
from adscale_sandbox.core import FAULT_KINDS, now, sandbox_of
from adscale_sandbox.oauth import expire_tokens, revoke_tokens
from adscale_sandbox.settings import PLATFORMS

router = APIRouter(prefix="/_admin", tags=["admin"])

PlatformName = Literal["meta", "google", "tiktok", "snapchat"]
FaultKind = Literal[
    "rate_limit", "token_expired", "permission", "server_error", "latency", "invalid_request"
]
assert set(FAULT_KINDS) == set(FaultKind.__args__)  # type: ignore[attr-defined]


class FaultCreate(BaseModel):
    platform: PlatformName
    kind: FaultKind
    count: int = Field(default=1, ge=1, le=10_000)
    latency_ms: int = Field(default=0, ge=0, le=120_000)
    path_contains: str | None = None
    method: str | None = None


class TokenSelector(BaseModel):
    platform: PlatformName | None = None
    token: str | None = None
    user_id: str | None = None


class ConfigUpdate(BaseModel):
    processing_delay_seconds: float | None = Field(default=None, ge=0)
    rate_limits: dict[PlatformName, int] | None = None


@router.post("/faults", status_code=201)
async def add_fault(body: FaultCreate, request: Request) -> dict[str, Any]:
    if body.kind == "latency" and body.latency_ms == 0:
        raise HTTPException(422, "latency faults need latency_ms > 0")
    fault = sandbox_of(request).faults.add(
        body.platform, body.kind, body.count, body.latency_ms, body.path_contains, body.method
    )
    return fault.as_dict()


@router.get("/faults")
async def list_faults(request: Request) -> dict[str, Any]:
    return {"faults": [f.as_dict() for f in sandbox_of(request).faults.pending()]}


@router.delete("/faults")
async def clear_faults(request: Request) -> dict[str, Any]:
    faults = sandbox_of(request).faults
    count = len(faults.pending())
    faults.clear()
    return {"cleared": count}


@router.post("/tokens/revoke")
async def revoke(body: TokenSelector, request: Request) -> dict[str, Any]:
    ctx = sandbox_of(request)
    count = await ctx.store.run(
        lambda c: revoke_tokens(c, platform=body.platform, token=body.token, user_id=body.user_id)
    )
    return {"revoked": count}


@router.post("/tokens/expire")
async def expire(body: TokenSelector, request: Request) -> dict[str, Any]:
    ctx = sandbox_of(request)
    at = now()
    count = await ctx.store.run(
        lambda c: expire_tokens(c, platform=body.platform, token=body.token, now=at)
    )
    return {"expired": count}


@router.get("/audiences/{platform}/{audience_id}/members")
async def members(
    platform: PlatformName,
    audience_id: str,
    request: Request,
    include_hashes: bool = False,
    limit: int | None = Query(default=None, ge=1),
) -> dict[str, Any]:
    ctx = sandbox_of(request)
    at = now()

    def _work(conn: sqlite3.Connection) -> dict[str, Any] | None:
        audience = state.get_audience(conn, platform, audience_id, now=at, delay=ctx.delay)
        if audience is None:
            return None
        body: dict[str, Any] = {
            "platform": platform,
            "audience_id": audience.audience_id,
            "account_id": audience.account_id,
            "name": audience.name,
            "identifier_type": audience.identifier_type,
            "count": audience.member_count,
            "matched_count": audience.matched_count,
            "visible_count": audience.visible_members,
            "visible_matched_count": audience.visible_matched,
            "processing": audience.processing,
            "stats": {
                "accepted_batches": audience.accepted_batches,
                "received_rows": audience.received_rows,
                "duplicates": audience.duplicate_rows,
                "invalid_rows": audience.invalid_rows,
                "removed_rows": audience.removed_rows,
            },
        }
        if include_hashes:
            body["hashes"] = state.member_hashes(conn, audience, limit)
        return body

    body = await ctx.store.run(_work)
    if body is None:
        raise HTTPException(404, f"No {platform} audience {audience_id}")
    return body


@router.get("/requests/{platform}")
async def requests_log(
    platform: PlatformName, request: Request, limit: int = Query(default=100, ge=1, le=10_000)
) -> dict[str, Any]:
    """The member requests the platform logged (Google: with the request's consent and each
    member's own), newest first."""
    ctx = sandbox_of(request)
    rows = await ctx.store.run(lambda conn: state.list_requests(conn, platform, limit))
    return {"requests": rows}


@router.post("/reset")
async def reset(request: Request) -> dict[str, Any]:
    ctx = sandbox_of(request)
    await ctx.store.run(lambda c: None)  # drain pending work
    ctx.store.wipe_sync()
    ctx.reset_runtime()
    return {"reset": True}


@router.get("/config")
async def get_config(request: Request) -> dict[str, Any]:
    config = sandbox_of(request).config
    return {
        "processing_delay_seconds": config.processing_delay_seconds,
        "rate_limits": config.rate_limits,
        "platforms": list(PLATFORMS),
    }


@router.patch("/config")
async def patch_config(body: ConfigUpdate, request: Request) -> dict[str, Any]:
    ctx = sandbox_of(request)
    if body.processing_delay_seconds is not None:
        ctx.config.processing_delay_seconds = body.processing_delay_seconds
    if body.rate_limits:
        for platform, limit in body.rate_limits.items():
            if limit < 1:
                raise HTTPException(422, "rate limits must be at least 1 per minute")
            ctx.config.rate_limits[platform] = limit
        ctx.limiter.clear()
    return await get_config(request)
