"""Export routes under ``/api/v1/cdp/audience-sync``.

``router`` needs a signed-in user; ``download_router`` is the public signed link (the
gateway forwards it as an anonymous principal: the signature is the credential).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import FileResponse

from adscale_common.db import DbSession
from adscale_common.errors import ServiceUnavailable
from adscale_common.internal_auth import CurrentPrincipal, CurrentUserId
from audience_sync.export import service
from audience_sync.export.schemas import ExportAccepted, ExportCreate, ExportRead
from audience_sync.export_webhook_settings import ExportWebhookSettings

PREFIX = "/api/v1/cdp/audience-sync"

router = APIRouter(prefix=PREFIX, tags=["audience-sync: exports"])
download_router = APIRouter(prefix=PREFIX, tags=["audience-sync: exports"])


def _settings(request: Request) -> ExportWebhookSettings:
    settings = request.app.state.settings
    if not isinstance(settings, ExportWebhookSettings):
        raise ServiceUnavailable("Exports are not configured on this service")
    return settings


XwSettings = Annotated[ExportWebhookSettings, Depends(_settings)]


@router.post(
    "/audiences/export", response_model=ExportAccepted, status_code=status.HTTP_202_ACCEPTED
)
async def create_export(
    body: ExportCreate, session: DbSession, user_id: CurrentUserId
) -> ExportAccepted:
    """Export a segment for manual upload (csv or jsonl). The file is built by the worker;
    poll ``GET /exports/{export_id}`` for the signed download link. ``include_events`` is
    refused (422): AdScale holds no event data."""
    export, profile_count = await service.request_export(session, user_id, body)
    return ExportAccepted(
        export_id=export.id,
        status="processing",
        segment_id=body.segment_id,
        profile_count=profile_count,
    )


@router.get("/exports/{export_id}", response_model=ExportRead)
async def get_export(
    export_id: uuid.UUID, session: DbSession, user_id: CurrentUserId, settings: XwSettings
) -> ExportRead:
    export = await service.get_owned(session, user_id, export_id)
    return service.to_read(export, settings)


@download_router.get(
    "/exports/{export_id}/download",
    response_class=FileResponse,
    responses={
        200: {"content": {"text/csv": {}, "application/x-ndjson": {}}},
        403: {"description": "Bad signature (INVALID_SIGNATURE)"},
        410: {"description": "Link expired or file deleted (EXPORT_EXPIRED)"},
    },
)
async def download_export(
    export_id: uuid.UUID,
    session: DbSession,
    principal: CurrentPrincipal,
    settings: XwSettings,
    expires: Annotated[str | None, Query(max_length=20)] = None,
    signature: Annotated[str | None, Query(max_length=128)] = None,
) -> FileResponse:
    """The export file, streamed. No login: the link's signature and expiry are checked."""
    del principal  # anyone holding the link, signed in or not
    download = await service.resolve_download(session, settings, export_id, expires, signature)
    return FileResponse(
        download.path,
        media_type=download.media_type,
        filename=download.filename,
        content_disposition_type="attachment",
        headers={"Cache-Control": "private, no-store"},
    )
