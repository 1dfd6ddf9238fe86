"""Audience Sync tables. Outbox and inbox tables come from ``adscale_common.messaging``.

* ``segment`` / ``profile``: the CDP source. A profile lives in one segment, keyed by
  ``(segment_id, external_id)``; ``version`` is bumped from a sequence whenever its content
  changes, which invalidates the cached hashes in ``profile_digest``.
* ``profile_digest``: each profile's identifiers normalized and hashed for one platform,
  computed once per profile version (hashing is the expensive part of a sync).
* ``platform_connection`` / ``platform_ad_account`` / ``oauth_state``: OAuth connections,
  tokens encrypted at rest.
* ``audience`` / ``audience_member``: a platform audience fed by a segment, and the profiles
  the platform last accepted for it, with the keys they were sent with (the base of every
  diff).
* ``sync_job`` / ``sync_job_stage`` / ``sync_job_plan``: sync runs with their counters and
  checkpoints; at most one pending or running job per audience (partial unique index).

Every user-owned row carries ``user_id``; times are ``timestamptz``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlmodel import Field, SQLModel

from adscale_common.columns import (
    boolean,
    foreign_key,
    integer,
    jsonb,
    text,
    timestamp,
    uuid_column,
    uuid_pk,
)
from adscale_common.db import NAMING_CONVENTION
from adscale_contracts.platforms import PLATFORMS, one_of_check
from audience_sync.safeguards import identity

SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata = SQLModel.metadata

PLATFORM_CHECK = one_of_check("platform", PLATFORMS)
ACTIVE_JOB_STATUSES = ("pending", "running")
profile_version_seq = sa.Sequence("profile_version_seq", metadata=metadata)


def key_column() -> Any:
    """A nullable identifier key (SHA-256 bytes, or a normalized value's UTF-8)."""
    return Field(default=None, sa_column=sa.Column(sa.LargeBinary, nullable=True))


def keys_column() -> Any:
    """A nullable list of identifier keys (a person's extra emails or phones)."""
    return Field(default=None, sa_column=sa.Column(pg.ARRAY(sa.LargeBinary), nullable=True))


def table(model: type[SQLModel]) -> sa.Table:
    """The Core table of a model (for statements the ORM layer does not type well)."""
    return metadata.tables[str(model.__tablename__)]


# --------------------------------------------------------------------------- CDP source


class Segment(SQLModel, table=True):
    __tablename__ = "segment"
    __table_args__ = (sa.Index("ix_segment_user_created", "user_id", "created_at"),)

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = uuid_column()
    name: str = text()
    description: str | None = text(nullable=True)
    profile_count: int = integer()
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


CONSENT_DENIED_SQL = "consent_ad_user_data = 'denied' OR consent_ad_personalization = 'denied'"


class Profile(SQLModel, table=True):
    __tablename__ = "profile"
    __table_args__ = (
        sa.CheckConstraint(
            "consent_ad_user_data IN ('granted', 'denied') "
            "AND consent_ad_personalization IN ('granted', 'denied')",
            name="consent",
        ),
        # Small: only profiles that refused; the sync's desired set anti-joins it.
        sa.Index(
            "ix_profile_consent_denied",
            "segment_id",
            "external_id",
            postgresql_where=sa.text(CONSENT_DENIED_SQL),
        ),
        # Profiles changed since a watermark (``digest_mark``, ``audience_diff_mark``).
        sa.Index("ix_profile_version", "segment_id", "version"),
        # A segment's profiles, most recently updated first (the profiles list, 0012).
        sa.Index("ix_profile_updated", "segment_id", sa.text("updated_at DESC"), "external_id"),
        # Small: only profiles asking for Limited Data Use (does a job's segment have one?).
        sa.Index(
            "ix_profile_ldu",
            "segment_id",
            postgresql_where=sa.text("data_processing_options IS NOT NULL"),
        ),
        # A person by email, phone or external id prefix: the profiles list's ``q``, subject
        # access, erasure (0013; the expressions are ``safeguards.identity``'s).
        sa.Index("ix_profile_email", sa.text(identity.email_sql()), "segment_id"),
        sa.Index("ix_profile_phone_tail", sa.text(identity.phone_tail_sql()), "segment_id"),
        sa.Index(
            "ix_profile_extra_emails",
            sa.text(identity.extra_emails_sql()),
            postgresql_using="gin",
            postgresql_where=sa.text(identity.holds_extra_emails_sql()),
        ),
        sa.Index(
            "ix_profile_external_id_prefix",
            "segment_id",
            "external_id",
            postgresql_ops={"external_id": "text_pattern_ops"},
        ),
    )

    segment_id: uuid.UUID = foreign_key("segment.id", primary_key=True)
    external_id: str = text(primary_key=True)
    email: str | None = text(nullable=True)
    phone: str | None = text(nullable=True)
    first_name: str | None = text(nullable=True)
    last_name: str | None = text(nullable=True)
    city: str | None = text(nullable=True)
    state: str | None = text(nullable=True)
    zip: str | None = text(nullable=True)
    country: str | None = text(nullable=True)
    madid: str | None = text(nullable=True)
    # Further emails / phones of the person, after ``email`` / ``phone`` (migration 0006).
    extra_emails: list[str] | None = Field(
        default=None, sa_column=sa.Column(pg.ARRAY(sa.Text), nullable=True)
    )
    extra_phones: list[str] | None = Field(
        default=None, sa_column=sa.Column(pg.ARRAY(sa.Text), nullable=True)
    )
    # NULL is unspecified (the request-level default applies on Google).
    consent_ad_user_data: str | None = text(nullable=True)
    consent_ad_personalization: str | None = text(nullable=True)
    # Meta Limited Data Use: "LDU" or NULL, with Meta's country / state codes (0008).
    data_processing_options: str | None = text(nullable=True)
    data_processing_options_country: str | None = text(nullable=True)
    data_processing_options_state: str | None = text(nullable=True)
    traits: dict[str, Any] | None = jsonb()
    version: int = Field(
        default=None,
        sa_column=sa.Column(
            sa.BigInteger,
            nullable=False,
            server_default=sa.text("nextval('profile_version_seq')"),
        ),
    )
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class ProfileDigest(SQLModel, table=True):
    """A profile's identifiers as one platform takes them (SHA-256 bytes, or the normalized
    value's UTF-8 for identifiers a platform takes unhashed). ``invalid`` is a bit mask of the
    fields that were present but could not be normalized.

    A cache, written a million rows at a time: no foreign key (its per-row check would triple
    the cost of writing). Deleting profiles deletes their digests in the same transaction,
    and an advisory lock keeps deletions and hashing of one segment apart
    (:mod:`audience_sync.sync.digest`), so no digest outlives its profile.
    """

    __tablename__ = "profile_digest"
    __table_args__ = (sa.CheckConstraint(PLATFORM_CHECK, name="platform"),)

    segment_id: uuid.UUID = uuid_column(primary_key=True)
    external_id: str = text(primary_key=True)
    platform: str = text(primary_key=True)
    version: int = integer()
    email: bytes | None = Field(default=None, sa_column=sa.Column(sa.LargeBinary, nullable=True))
    phone: bytes | None = Field(default=None, sa_column=sa.Column(sa.LargeBinary, nullable=True))
    madid: bytes | None = Field(default=None, sa_column=sa.Column(sa.LargeBinary, nullable=True))
    first_name: bytes | None = key_column()
    last_name: bytes | None = key_column()
    zip: bytes | None = key_column()
    city: bytes | None = key_column()
    state: bytes | None = key_column()
    country: bytes | None = key_column()
    # Keys of the profile's extra emails / phones (migration 0008).
    extra_email_keys: list[bytes] | None = keys_column()
    extra_phone_keys: list[bytes] | None = keys_column()
    invalid: int = Field(
        default=0,
        sa_column=sa.Column(sa.SmallInteger, nullable=False, server_default=sa.text("0")),
    )


# --------------------------------------------------------------------------- connections


class PlatformConnection(SQLModel, table=True):
    __tablename__ = "platform_connection"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "platform", name="uq_platform_connection_user_platform"),
        sa.CheckConstraint(PLATFORM_CHECK, name="platform"),
        sa.CheckConstraint("status IN ('connected', 'expired')", name="status"),
    )

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = uuid_column()
    platform: str = text()
    access_token_encrypted: str = text()
    refresh_token_encrypted: str | None = text(nullable=True)
    token_expires_at: datetime | None = timestamp(nullable=True)
    scopes: list[str] | None = jsonb(nullable=False, default="[]")
    status: str = text(default="connected")
    connected_at: datetime = timestamp()
    refreshed_at: datetime | None = timestamp(nullable=True)
    updated_at: datetime = timestamp()


class PlatformAdAccount(SQLModel, table=True):
    __tablename__ = "platform_ad_account"

    connection_id: uuid.UUID = foreign_key("platform_connection.id", primary_key=True)
    account_id: str = text(primary_key=True)
    name: str = text()
    currency: str | None = text(nullable=True)
    connected_at: datetime = timestamp()


class OAuthState(SQLModel, table=True):
    """A pending connect: single-use, bound to the user and platform, expiring. Only the
    SHA-256 of the state is stored; the PKCE verifier is encrypted."""

    __tablename__ = "oauth_state"
    __table_args__ = (sa.CheckConstraint(PLATFORM_CHECK, name="platform"),)

    state_hash: str = text(primary_key=True)
    user_id: uuid.UUID = uuid_column(index=True)
    platform: str = text()
    redirect_uri: str = text()
    code_verifier_encrypted: str | None = text(nullable=True)
    created_at: datetime = timestamp()
    expires_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))


# --------------------------------------------------------------------------- audiences


class Audience(SQLModel, table=True):
    __tablename__ = "audience"
    __table_args__ = (
        sa.CheckConstraint(PLATFORM_CHECK, name="platform"),
        sa.CheckConstraint("sync_interval_hours BETWEEN 1 AND 720", name="sync_interval_hours"),
        sa.Index("ix_audience_user_created", "user_id", "created_at"),
        sa.Index(
            "ix_audience_due",
            "next_sync_at",
            postgresql_where=sa.text("auto_sync AND is_active"),
        ),
    )

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = uuid_column()
    segment_id: uuid.UUID = foreign_key("segment.id", ondelete="RESTRICT")
    platform: str = text()
    ad_account_id: str = text()
    platform_audience_id: str | None = text(nullable=True)
    platform_audience_name: str = text()
    description: str | None = text(nullable=True)
    identifier_fields: list[str] | None = jsonb(nullable=False, default="[]")
    is_active: bool = boolean(True)
    auto_sync: bool = boolean(True)
    sync_interval_hours: int = Field(
        default=24, sa_column=sa.Column(sa.Integer, nullable=False, server_default="24")
    )
    additive_only: bool = boolean(False)
    # Meta: every row with Limited Data Use (migration 0008).
    limited_data_use: bool = boolean(False)
    last_sync_at: datetime | None = timestamp(nullable=True)
    last_sync_status: str | None = text(nullable=True)
    platform_size: int | None = integer(default=None)
    matched_size: int | None = integer(default=None)
    match_rate: float | None = Field(default=None, sa_column=sa.Column(sa.Float, nullable=True))
    member_count: int = integer()
    next_sync_at: datetime | None = timestamp(nullable=True)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class AudienceMember(SQLModel, table=True):
    """A profile the platform accepted for the audience, with the strong keys it was sent
    with (to remove them when they change or the profile leaves) and ``extra``, the
    fingerprint of its other keys (``None`` for members migrated from identifier rows, whose
    other keys were never sent). No foreign key: they go with their audience through a
    trigger, and whatever writes them locks the audience first (migration 0011)."""

    __tablename__ = "audience_member"

    audience_id: uuid.UUID = uuid_column(primary_key=True)
    external_id: str = text(primary_key=True)
    email: bytes | None = key_column()
    phone: bytes | None = key_column()
    madid: bytes | None = key_column()
    extra: bytes | None = key_column()
    extra_email_keys: list[bytes] | None = keys_column()
    extra_phone_keys: list[bytes] | None = keys_column()


# --------------------------------------------------------------------------- sync jobs


class SyncJob(SQLModel, table=True):
    __tablename__ = "sync_job"
    __table_args__ = (
        sa.CheckConstraint(PLATFORM_CHECK, name="platform"),
        sa.CheckConstraint(
            "operation IN ('create', 'update', 'replace', 'delete')", name="operation"
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'running', 'completed', 'failed', 'cancelled')", name="status"
        ),
        sa.CheckConstraint("triggered_by IN ('manual', 'scheduled', 'api')", name="triggered_by"),
        # One pending or running job per audience, whatever the number of API and worker
        # processes: the database refuses the second one.
        sa.Index(
            "uq_sync_job_active_audience",
            "audience_id",
            unique=True,
            postgresql_where=sa.text("status IN ('pending', 'running')"),
        ),
        sa.Index("ix_sync_job_audience_created", "audience_id", "created_at"),
        sa.Index(
            "ix_sync_job_active",
            "status",
            "updated_at",
            postgresql_where=sa.text("status IN ('pending', 'running')"),
        ),
    )

    id: uuid.UUID = uuid_pk()
    audience_id: uuid.UUID = foreign_key("audience.id", index=False)
    user_id: uuid.UUID = uuid_column()
    platform: str = text()
    operation: str = text()
    status: str = text(default="pending")
    triggered_by: str = text()
    triggered_by_user_id: uuid.UUID | None = uuid_column(nullable=True)
    segment_size: int | None = integer(default=None)
    estimated_to_add: int | None = integer(default=None)
    estimated_to_remove: int | None = integer(default=None)
    estimate_exact: bool = boolean(True)
    profiles_sent: int = integer()
    profiles_added: int = integer()
    profiles_removed: int = integer()
    profiles_failed: int = integer()
    profiles_invalid: int = integer()
    profiles_skipped_consent: int = integer()
    match_rate: float | None = Field(default=None, sa_column=sa.Column(sa.Float, nullable=True))
    platform_response: dict[str, Any] | None = jsonb()
    invalid_samples: list[Any] | None = jsonb()
    identifier_counts: dict[str, Any] | None = jsonb()
    error_code: str | None = text(nullable=True)
    error_message: str | None = text(nullable=True)
    phase: str | None = text(nullable=True)
    plan_version: datetime | None = timestamp(nullable=True)
    batches_done: int = integer(big=False)
    lease_owner: str | None = text(nullable=True)
    lease_expires_at: datetime | None = timestamp(nullable=True)
    requeued_at: datetime | None = timestamp(nullable=True)
    created_at: datetime = timestamp()
    started_at: datetime | None = timestamp(nullable=True)
    completed_at: datetime | None = timestamp(nullable=True)
    duration_ms: int | None = integer(default=None)
    updated_at: datetime = timestamp()


class SyncJobStage(SQLModel, table=True):
    """Profiles a replace has sent so far: they become the audience's members when the
    platform's replace completes."""

    __tablename__ = "sync_job_stage"

    job_id: uuid.UUID = foreign_key("sync_job.id", primary_key=True)
    external_id: str = text(primary_key=True)
    email: bytes | None = key_column()
    phone: bytes | None = key_column()
    madid: bytes | None = key_column()
    extra: bytes | None = key_column()
    extra_email_keys: list[bytes] | None = keys_column()
    extra_phone_keys: list[bytes] | None = keys_column()


class SyncJobPlan(SQLModel, table=True):
    """A job's diff on profiles, computed once (by the request that queued it, or by the
    worker): ``op`` 0 removes a profile, 1 adds one, 2 sends a changed one again (its
    ``old_*`` keys, those no other profile of the segment uses, are removed first). The
    keys to send are the profile's digest columns; ``extra`` its fingerprint.
    ``sync_job.plan_version`` is the segment's ``updated_at`` it was computed from; a plan
    older than the segment is recomputed."""

    __tablename__ = "sync_job_plan"

    job_id: uuid.UUID = foreign_key("sync_job.id", primary_key=True)
    external_id: str = text(primary_key=True)
    op: int = Field(sa_column=sa.Column(sa.SmallInteger, nullable=False))
    email: bytes | None = key_column()
    phone: bytes | None = key_column()
    madid: bytes | None = key_column()
    first_name: bytes | None = key_column()
    last_name: bytes | None = key_column()
    zip: bytes | None = key_column()
    city: bytes | None = key_column()
    state: bytes | None = key_column()
    country: bytes | None = key_column()
    extra: bytes | None = key_column()
    extra_email_keys: list[bytes] | None = keys_column()
    extra_phone_keys: list[bytes] | None = keys_column()
    old_email: bytes | None = key_column()
    old_phone: bytes | None = key_column()
    old_madid: bytes | None = key_column()
    old_extra_email_keys: list[bytes] | None = keys_column()
    old_extra_phone_keys: list[bytes] | None = keys_column()


# --------------------------------------------------------------------------- watermarks (0009)


def _owned_by(target: str) -> Any:
    """A primary-key UUID referencing ``target`` (``"table.id"``), deleted with it."""
    return Field(
        sa_column=sa.Column(
            pg.UUID(as_uuid=True),
            sa.ForeignKey(target, ondelete="CASCADE"),
            primary_key=True,
        )
    )


def _version(nullable: bool = False, primary_key: bool = False) -> Any:
    return Field(
        default=None,
        sa_column=sa.Column(sa.BigInteger, nullable=nullable, primary_key=primary_key),
    )


class ProfileRemoved(SQLModel, table=True):
    """A profile deleted from a segment (written by a trigger on ``profile``)."""

    __tablename__ = "profile_removed"

    segment_id: uuid.UUID = _owned_by("segment.id")
    version: int = _version(primary_key=True)
    external_id: str = text()


class DigestMark(SQLModel, table=True):
    """Every profile of the segment up to ``version`` has a current digest for ``platform``."""

    __tablename__ = "digest_mark"

    segment_id: uuid.UUID = _owned_by("segment.id")
    platform: str = Field(sa_column=sa.Column(sa.Text, primary_key=True))
    version: int = _version()


class AudienceDiffMark(SQLModel, table=True):
    """The audience's diff is empty for every profile (and removal) up to ``version``, for
    these ``fields`` and ``removals``; ``pending_*`` becomes that mark when ``pending_job``
    completes without a refused profile."""

    __tablename__ = "audience_diff_mark"

    audience_id: uuid.UUID = _owned_by("audience.id")
    version: int | None = _version(nullable=True)
    fields: list[str] | None = Field(default=None, sa_column=sa.Column(pg.ARRAY(sa.Text)))
    removals: bool | None = Field(default=None, sa_column=sa.Column(sa.Boolean, nullable=True))
    pending_job: uuid.UUID | None = uuid_column(nullable=True)
    pending_version: int | None = _version(nullable=True)
    pending_fields: list[str] | None = Field(default=None, sa_column=sa.Column(pg.ARRAY(sa.Text)))
    pending_removals: bool | None = Field(default=None, sa_column=sa.Column(sa.Boolean))
