"""Every query of the export package."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.repository import OwnedRepository
from audience_sync.export.errors import ExportNotFound
from audience_sync.export.models import SegmentExport, export_table
from audience_sync.models import Segment


def _seconds(value: float) -> sa.ColumnElement[datetime]:
    return sa.func.now() + sa.func.make_interval(0, 0, 0, 0, 0, 0, value)


async def owned_segment(
    session: AsyncSession, user_id: uuid.UUID, segment_id: uuid.UUID
) -> Segment | None:
    stmt = sa.select(Segment).where(
        Segment.id == segment_id,  # type: ignore[arg-type]
        Segment.user_id == user_id,  # type: ignore[arg-type]
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def get(session: AsyncSession, export_id: uuid.UUID) -> SegmentExport | None:
    return await session.get(SegmentExport, export_id)


owned = OwnedRepository(SegmentExport, not_found=ExportNotFound)


async def claim(
    session: AsyncSession, export_id: uuid.UUID, token: uuid.UUID, lease_seconds: float
) -> SegmentExport | None:
    """Take a pending export, or a running one whose worker's lease lapsed."""
    t = export_table()
    stmt = (
        sa.update(t)
        .where(
            t.c.id == export_id,
            sa.or_(
                t.c.status == "pending",
                sa.and_(t.c.status == "running", t.c.lease_expires_at < sa.func.now()),
            ),
        )
        .values(
            status="running",
            attempts=t.c.attempts + 1,
            lease_token=token,
            lease_expires_at=_seconds(lease_seconds),
            started_at=sa.func.now(),
            updated_at=sa.func.now(),
        )
        .returning(t.c.id)
    )
    claimed = (await session.execute(stmt)).scalar_one_or_none()
    if claimed is None:
        return None
    return await session.get(SegmentExport, claimed, populate_existing=True)


async def extend_lease(
    session: AsyncSession, export_id: uuid.UUID, token: uuid.UUID, lease_seconds: float
) -> bool:
    t = export_table()
    result = await session.execute(
        sa.update(t)
        .where(t.c.id == export_id, t.c.lease_token == token, t.c.status == "running")
        .values(lease_expires_at=_seconds(lease_seconds), updated_at=sa.func.now())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def complete(
    session: AsyncSession,
    export_id: uuid.UUID,
    token: uuid.UUID,
    *,
    file_name: str,
    size: int,
    rows: int,
    ttl_seconds: float,
) -> bool:
    t = export_table()
    result = await session.execute(
        sa.update(t)
        .where(t.c.id == export_id, t.c.lease_token == token, t.c.status == "running")
        .values(
            status="completed",
            file_name=file_name,
            file_size_bytes=size,
            profile_count=rows,
            completed_at=sa.func.now(),
            expires_at=_seconds(ttl_seconds),
            lease_token=None,
            lease_expires_at=None,
            updated_at=sa.func.now(),
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def fail(
    session: AsyncSession,
    export_id: uuid.UUID,
    *,
    code: str,
    message: str,
    token: uuid.UUID | None = None,
) -> bool:
    t = export_table()
    conditions = [t.c.id == export_id, t.c.status.in_(("pending", "running"))]
    if token is not None:
        conditions.append(t.c.lease_token == token)
    result = await session.execute(
        sa.update(t)
        .where(*conditions)
        .values(
            status="failed",
            error_code=code,
            error_message=message[:500],
            completed_at=sa.func.now(),
            lease_token=None,
            lease_expires_at=None,
            updated_at=sa.func.now(),
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def expired_files(session: AsyncSession, limit: int) -> Sequence[SegmentExport]:
    t = export_table().c
    stmt = (
        sa.select(SegmentExport)
        .where(t.status == "completed", t.file_deleted_at.is_(None), t.expires_at < sa.func.now())
        .order_by(t.expires_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.execute(stmt)).scalars())


async def mark_file_deleted(session: AsyncSession, export_ids: Sequence[uuid.UUID]) -> None:
    t = export_table()
    await session.execute(
        sa.update(t)
        .where(t.c.id.in_(export_ids))
        .values(file_deleted_at=sa.func.now(), updated_at=sa.func.now())
    )


async def stranded(session: AsyncSession, limit: int) -> Sequence[SegmentExport]:
    """Running exports whose worker stopped (lease lapsed)."""
    t = export_table().c
    stmt = (
        sa.select(SegmentExport)
        .where(t.status == "running", t.lease_expires_at < sa.func.now())
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.execute(stmt)).scalars())


async def requeue(session: AsyncSession, export_id: uuid.UUID) -> None:
    t = export_table()
    await session.execute(
        sa.update(t)
        .where(t.c.id == export_id)
        .values(status="pending", lease_token=None, lease_expires_at=None, updated_at=sa.func.now())
    )


async def fail_waiting_since(
    session: AsyncSession, older_than: timedelta, *, code: str, message: str
) -> int:
    t = export_table()
    result = await session.execute(
        sa.update(t)
        .where(t.c.status == "pending", t.c.created_at < sa.func.now() - older_than)
        .values(
            status="failed",
            error_code=code,
            error_message=message,
            completed_at=sa.func.now(),
            updated_at=sa.func.now(),
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
