"""The ``segment_export`` table: one export request, its progress and its file.

``status`` is ``pending`` (waiting for a worker), ``running``, ``completed`` or ``failed``;
the API shows the first two as ``processing``. A running export holds a lease
(``lease_token``, ``lease_expires_at``) that it extends as it goes; a lapsed lease means
its worker stopped, and the cleanup task hands the export to another run.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlmodel import Field, SQLModel

from adscale_common.columns import text, timestamp
from adscale_common.db import NAMING_CONVENTION

SQLModel.metadata.naming_convention = NAMING_CONVENTION

EXPORT_FORMATS = ("csv", "jsonl")
EXPORT_STATUSES = ("pending", "running", "completed", "failed")


class SegmentExport(SQLModel, table=True):
    __tablename__ = "segment_export"
    __table_args__ = (
        sa.CheckConstraint("format IN ('csv', 'jsonl')", name="format"),
        sa.CheckConstraint(
            "status IN ('pending', 'running', 'completed', 'failed')", name="status"
        ),
        sa.Index("ix_segment_export_user_created", "user_id", "created_at"),
        sa.Index(
            "ix_segment_export_active",
            "status",
            "updated_at",
            postgresql_where=sa.text("status IN ('pending', 'running')"),
        ),
        sa.Index(
            "ix_segment_export_expiring",
            "expires_at",
            postgresql_where=sa.text("status = 'completed' AND file_deleted_at IS NULL"),
        ),
    )

    id: uuid.UUID = Field(
        default_factory=uuid.uuid4, sa_column=sa.Column(pg.UUID(as_uuid=True), primary_key=True)
    )
    user_id: uuid.UUID = Field(sa_column=sa.Column(pg.UUID(as_uuid=True), nullable=False))
    # SET NULL: deleting a segment keeps its export rows, so expired files are still cleaned.
    segment_id: uuid.UUID | None = Field(
        default=None,
        sa_column=sa.Column(
            pg.UUID(as_uuid=True),
            sa.ForeignKey("segment.id", ondelete="SET NULL"),
            nullable=True,
            index=True,
        ),
    )
    format: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    options: dict[str, Any] = Field(
        default_factory=dict, sa_column=sa.Column(pg.JSONB, nullable=False)
    )
    status: str = Field(
        default="pending",
        sa_column=sa.Column(sa.Text, nullable=False, server_default=sa.text("'pending'")),
    )
    profile_count: int = Field(
        default=0, sa_column=sa.Column(sa.BigInteger, nullable=False, server_default="0")
    )
    file_name: str | None = text(nullable=True)
    file_size_bytes: int | None = Field(
        default=None, sa_column=sa.Column(sa.BigInteger, nullable=True)
    )
    error_code: str | None = text(nullable=True)
    error_message: str | None = text(nullable=True)
    attempts: int = Field(
        default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0")
    )
    lease_token: uuid.UUID | None = Field(
        default=None, sa_column=sa.Column(pg.UUID(as_uuid=True), nullable=True)
    )
    lease_expires_at: datetime | None = timestamp(nullable=True)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
    started_at: datetime | None = timestamp(nullable=True)
    completed_at: datetime | None = timestamp(nullable=True)
    expires_at: datetime | None = timestamp(nullable=True)
    file_deleted_at: datetime | None = timestamp(nullable=True)


def export_table() -> sa.Table:
    table: sa.Table = SegmentExport.__table__  # type: ignore[attr-defined]
    return table
