"""Privacy tables: erasure requests with their receipts, and the suppression list.

* ``erasure``: one request to erase a person (by external id, email or phone) with its
  lease (the worker that runs it), its receipt counts and the SHA-256 of every normalized
  identifier it matched (never a raw value). ``key_hash`` is the request's own identifier,
  hashed: the same request twice finds the same erasure.
* ``erasure_target``: per platform audience the person was in, the removal's result with
  every attempt and the platform's answer.
* ``erasure_member``: the keys (hashes, as the platform was sent them) still to remove from
  one audience; deleted as soon as the platform confirmed the removal.
* ``suppression``: hashes of erased identifiers; a profile carrying one is refused.
  ``suppression_lift``: who lifted which hash, when (the log).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlmodel import Field, SQLModel

from adscale_common.columns import (
    foreign_key,
    integer,
    jsonb,
    text,
    timestamp,
    uuid_column,
    uuid_pk,
)
from adscale_common.db import NAMING_CONVENTION
from audience_sync.models import key_column, keys_column

SQLModel.metadata.naming_convention = NAMING_CONVENTION

ERASURE_STATUSES = ("pending", "running", "completed", "failed")
IDENTIFIER_KINDS = ("external_id", "email", "phone")


def _erasure_fk() -> Any:
    return foreign_key("erasure.id", primary_key=True)


class Erasure(SQLModel, table=True):
    __tablename__ = "erasure"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('pending', 'running', 'completed', 'failed')", name="status"
        ),
        sa.CheckConstraint("kind IN ('external_id', 'email', 'phone')", name="kind"),
        sa.Index("ix_erasure_user_created", "user_id", "created_at"),
        sa.Index("ix_erasure_user_key", "user_id", "key_hash"),
        sa.Index(
            "ix_erasure_active",
            "created_at",
            postgresql_where=sa.text("status IN ('pending', 'running')"),
        ),
    )

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = uuid_column()
    kind: str = text()
    key_hash: str = text()
    # The normalized identifier, encrypted, until the worker has matched it (then wiped).
    subject_encrypted: str | None = text(nullable=True)
    reason: str | None = text(nullable=True)
    status: str = text(default="pending")
    failure_reason: str | None = text(nullable=True)
    identifier_hashes: list[Any] | None = jsonb(nullable=False, default="[]")
    profiles_matched: int = integer()
    segments_matched: int = integer()
    profiles_deleted: int = integer()
    digests_deleted: int = integer()
    members_deleted: int = integer()
    exports_revoked: int = integer()
    planned_at: datetime | None = timestamp(nullable=True)
    lease_owner: str | None = text(nullable=True)
    lease_expires_at: datetime | None = timestamp(nullable=True)
    created_at: datetime = timestamp()
    started_at: datetime | None = timestamp(nullable=True)
    completed_at: datetime | None = timestamp(nullable=True)
    updated_at: datetime = timestamp()


class ErasureTarget(SQLModel, table=True):
    __tablename__ = "erasure_target"
    __table_args__ = (
        sa.CheckConstraint("status IN ('pending', 'completed', 'failed')", name="status"),
    )

    erasure_id: uuid.UUID = _erasure_fk()
    # No foreign key: the receipt outlives an audience deleted later.
    audience_id: uuid.UUID = uuid_column(primary_key=True)
    platform: str = text()
    platform_audience_id: str | None = text(nullable=True)
    audience_name: str = text()
    profiles: int = integer()
    status: str = text(default="pending")
    attempts: int = integer()
    answers: list[Any] | None = jsonb(nullable=False, default="[]")
    completed_at: datetime | None = timestamp(nullable=True)


class ErasureMember(SQLModel, table=True):
    __tablename__ = "erasure_member"

    erasure_id: uuid.UUID = _erasure_fk()
    audience_id: uuid.UUID = uuid_column(primary_key=True)
    external_id: str = text(primary_key=True)
    email: bytes | None = key_column()
    phone: bytes | None = key_column()
    madid: bytes | None = key_column()
    extra_email_keys: list[bytes] | None = keys_column()
    extra_phone_keys: list[bytes] | None = keys_column()


class Suppression(SQLModel, table=True):
    __tablename__ = "suppression"
    __table_args__ = (sa.CheckConstraint("kind IN ('external_id', 'email', 'phone')", name="kind"),)

    user_id: uuid.UUID = uuid_column(primary_key=True)
    hash: str = text(primary_key=True)
    kind: str = text()
    erasure_id: uuid.UUID | None = Field(
        default=None, sa_column=sa.Column(pg.UUID(as_uuid=True), nullable=True)
    )
    created_at: datetime = timestamp()


class SuppressionLift(SQLModel, table=True):
    __tablename__ = "suppression_lift"
    __table_args__ = (sa.Index("ix_suppression_lift_user_lifted", "user_id", "lifted_at"),)

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = uuid_column()
    hash: str = text()
    kind: str = text()
    lifted_at: datetime = timestamp()
