"""``/api/v1/cdp/audience-sync/audiences``: platform audiences fed by CDP segments."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from adscale_common.db import DbSession
from adscale_common.internal_auth import CurrentUser, CurrentUserId
from adscale_common.pagination import Page
from adscale_contracts.platforms import Platform
from audience_sync.audience import repository, service
from audience_sync.audience.schemas import (
    AudienceCreate,
    AudienceCreated,
    AudienceDeleted,
    AudienceDetail,
    AudienceList,
    AudienceUpdate,
    StatusFilter,
)
from audience_sync.dependencies import AppSettings, Cipher, Registry, Sessions
from audience_sync.models import Audience
from audience_sync.sync import service as syncs
from audience_sync.sync.engine import SyncEngine

router = APIRouter(prefix="/api/v1/cdp/audience-sync/audiences", tags=["audience-sync: audiences"])


async def _owned_audience(
    audience_id: uuid.UUID, session: DbSession, user_id: CurrentUserId
) -> Audience:
    return await service.get_owned(session, user_id, audience_id)


OwnedAudience = Annotated[Audience, Depends(_owned_audience)]


def _engine(request: Request) -> SyncEngine:
    engine: SyncEngine = request.app.state.sync_engine
    return engine


Engine = Annotated[SyncEngine, Depends(_engine)]


@router.get("", response_model=AudienceList)
async def list_audiences(
    session: DbSession,
    user_id: CurrentUserId,
    page: Page,
    platform: Platform | None = None,
    segment_id: uuid.UUID | None = None,
    status_: Annotated[StatusFilter | None, Query(alias="status")] = None,
    name_contains: Annotated[
        str | None,
        Query(
            max_length=255,
            description="Only audiences whose platform audience name or segment name holds "
            "this text, any case",
        ),
    ] = None,
) -> AudienceList:
    """Filters: ``platform``, ``segment_id``, ``status`` (``active`` or ``paused``, i.e.
    ``is_active``), ``name_contains`` (the platform audience's name or its segment's)."""
    rows, total = await repository.list_owned(
        session,
        user_id,
        page.offset,
        page.limit,
        platform=platform,
        segment_id=segment_id,
        is_active=None if status_ is None else status_ == "active",
        name_contains=name_contains or None,
    )
    return AudienceList(
        audiences=[service.read(a, name) for a, name in rows],
        total=total,
        page=page.page,
        page_size=page.page_size,
    )


@router.post("", response_model=AudienceCreated, status_code=status.HTTP_201_CREATED)
async def create_audience(
    body: AudienceCreate,
    user: CurrentUser,
    user_id: CurrentUserId,
    sessions: Sessions,
    engine: Engine,
    cipher: Cipher,
    registry: Registry,
    settings: AppSettings,
) -> AudienceCreated:
    """Creates the audience on the platform and runs the initial sync: within this request
    for segments up to ``AUDIENCE_SYNC_INITIAL_SYNC_INLINE_MAX_PROFILES`` profiles (10,000),
    else on a worker (``initial_sync.status`` is then ``pending``; follow it with
    ``GET /sync-jobs/{job_id}``)."""
    return await service.create(
        sessions,
        engine=engine,
        cipher=cipher,
        registry=registry,
        settings=settings,
        user_id=user_id,
        triggered_by=syncs.triggered_by(user),
        body=body,
    )


@router.get("/{audience_id}", response_model=AudienceDetail)
async def get_audience(audience: OwnedAudience, session: DbSession) -> AudienceDetail:
    return await service.detail(session, audience)


@router.patch("/{audience_id}", response_model=AudienceDetail)
async def update_audience(
    body: AudienceUpdate, audience: OwnedAudience, session: DbSession
) -> AudienceDetail:
    """``auto_sync``, ``sync_interval_hours`` (1-720), ``is_active``, ``additive_only``,
    ``limited_data_use`` (Meta)."""
    await service.update(session, audience, body)
    return await service.detail(session, audience)


@router.delete("/{audience_id}", response_model=AudienceDeleted)
async def delete_audience(
    audience_id: uuid.UUID,
    user_id: CurrentUserId,
    sessions: Sessions,
    cipher: Cipher,
    registry: Registry,
    delete_from_platform: bool = True,
) -> AudienceDeleted:
    deleted_there = await service.delete(
        sessions,
        cipher=cipher,
        registry=registry,
        user_id=user_id,
        audience_id=audience_id,
        delete_from_platform=delete_from_platform,
    )
    return AudienceDeleted(
        deleted=True, audience_id=audience_id, platform_audience_deleted=deleted_there
    )
