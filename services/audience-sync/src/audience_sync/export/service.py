"""Export requests, their API view and download-link checks. Flushes, never commits."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.outbox import emit
from adscale_contracts.jobs import JOBS_TOPIC, job_envelope
from audience_sync.export import links, repository
from audience_sync.export.errors import (
    DownloadExpired,
    ExportNotFound,
    InvalidDownloadLink,
    SigningNotConfigured,
)
from audience_sync.export.models import SegmentExport
from audience_sync.export.schemas import ExportCreate, ExportError, ExportRead
from audience_sync.export.writer import CONTENT_TYPES
from audience_sync.export_webhook_settings import ExportWebhookSettings
from audience_sync.segment.errors import SegmentNotFound


async def request_export(
    session: AsyncSession, user_id: uuid.UUID, body: ExportCreate
) -> tuple[SegmentExport, int]:
    """Record the export and queue its job; returns it with the segment's profile count."""
    segment = await repository.owned_segment(session, user_id, body.segment_id)
    if segment is None:
        raise SegmentNotFound()
    export = SegmentExport(
        user_id=user_id,
        segment_id=segment.id,
        format=body.format,
        options=body.options.model_dump(mode="json"),
        profile_count=segment.profile_count,
    )
    session.add(export)
    await session.flush()
    await emit(session, job_envelope("export", export.id, export.user_id), topic=JOBS_TOPIC)
    return export, segment.profile_count


async def get_owned(
    session: AsyncSession, user_id: uuid.UUID, export_id: uuid.UUID
) -> SegmentExport:
    return await repository.owned.require(session, user_id, export_id)


def signing_key(settings: ExportWebhookSettings) -> str:
    key = settings.export_signing_key.get_secret_value()
    if not key:
        raise SigningNotConfigured()
    return key


def read_fields(export: SegmentExport) -> dict[str, object]:
    status = {"pending": "processing", "running": "processing"}.get(export.status, export.status)
    return {
        "export_id": export.id,
        "status": status,
        "segment_id": export.segment_id,
        "format": export.format,
        "download_url": None,
        "expires_at": export.expires_at,
        "profile_count": export.profile_count,
        "file_size_bytes": export.file_size_bytes,
        "created_at": export.created_at,
        "completed_at": export.completed_at,
        "error": (
            ExportError(
                code=export.error_code or "EXPORT_FAILED", message=export.error_message or ""
            )
            if export.status == "failed"
            else None
        ),
    }


def to_read(export: SegmentExport, settings: ExportWebhookSettings) -> ExportRead:
    """The API view; a completed, unexpired export carries a freshly signed link."""
    fields = read_fields(export)
    if (
        export.status == "completed"
        and export.expires_at is not None
        and export.file_deleted_at is None
        and export.expires_at.timestamp() > time.time()
    ):
        fields["download_url"] = links.download_url(
            settings.public_base_url,
            signing_key(settings),
            export.id,
            int(export.expires_at.timestamp()),
        )
    return ExportRead.model_validate(fields)


@dataclass(frozen=True)
class Download:
    path: Path
    filename: str
    media_type: str


async def resolve_download(
    session: AsyncSession,
    settings: ExportWebhookSettings,
    export_id: uuid.UUID,
    expires: str | None,
    signature: str | None,
) -> Download:
    """Check a download link: a bad or missing signature is 403, an expired link (or a file
    already cleaned up) 410."""
    key = signing_key(settings)
    try:
        expires_at = int(expires or "")
    except ValueError:
        raise InvalidDownloadLink() from None
    if not signature or not links.verify(key, export_id, expires_at, signature):
        raise InvalidDownloadLink()
    if expires_at <= time.time():
        raise DownloadExpired()
    export = await repository.get(session, export_id)
    if export is None or export.status != "completed" or export.file_name is None:
        raise ExportNotFound()
    path = Path(settings.export_dir) / export.file_name
    if export.file_deleted_at is not None or not path.is_file():
        raise DownloadExpired("The export file is no longer available")
    return Download(
        path=path,
        filename=f"segment-export-{export.id}.{export.format}",
        media_type=CONTENT_TYPES[export.format],
    )
