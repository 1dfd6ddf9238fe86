"""Sync triggers, history and job details under ``/api/v1/cdp/audience-sync``."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, status

from adscale_common.db import DbSession
from adscale_common.internal_auth import CurrentUser, CurrentUserId
from audience_sync.audience import repository as audiences
from audience_sync.audience.endpoints import OwnedAudience
from audience_sync.dependencies import AppSettings
from audience_sync.sync import service as syncs
from audience_sync.sync.hashing import Hasher
from audience_sync.sync.schemas import HistoryRead, SyncJobRead, SyncRequest, SyncTriggered

router = APIRouter(prefix="/api/v1/cdp/audience-sync", tags=["audience-sync: syncs"])


@router.post(
    "/audiences/{audience_id}/sync",
    response_model=SyncTriggered,
    status_code=status.HTTP_202_ACCEPTED,
)
async def trigger_sync(
    audience: OwnedAudience,
    session: DbSession,
    user: CurrentUser,
    settings: AppSettings,
    request: Request,
    body: SyncRequest | None = None,
) -> SyncTriggered:
    """Queue a sync: ``update`` sends the difference, ``replace`` uses the platform's full
    replace. ``estimated_changes`` is the real diff at the time of the request. One pending
    or running job per audience: a second one is refused with ``SYNC_IN_PROGRESS``."""
    hasher: Hasher = request.app.state.hasher
    segment = await audiences.segment_of(session, audience)
    return await syncs.trigger(
        session,
        audience,
        segment,
        operation=(body or SyncRequest()).operation,
        principal=user,
        hasher=hasher,
        rehash_limit=settings.estimate_rehash_limit,
        plan_max_rows=settings.plan_max_rows,
        work_mem=settings.diff_work_mem,
    )


@router.get("/audiences/{audience_id}/history", response_model=HistoryRead)
async def sync_history(
    audience: OwnedAudience,
    session: DbSession,
    days: Annotated[int, Query(ge=1, le=365)] = 30,
    status_: Annotated[
        Literal["pending", "running", "completed", "failed", "cancelled"] | None,
        Query(alias="status"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> HistoryRead:
    return await syncs.history(session, audience, days=days, status=status_, limit=limit)


@router.get("/sync-jobs/{job_id}", response_model=SyncJobRead)
async def get_sync_job(
    job_id: uuid.UUID, session: DbSession, user_id: CurrentUserId
) -> SyncJobRead:
    return await syncs.get_job(session, user_id, job_id)
