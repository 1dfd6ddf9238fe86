"""Identity tables. Outbox and inbox tables come from ``adscale_common.messaging``.

Secrets are never stored in clear: refresh tokens as SHA-256, API keys and
reset tokens as HMAC-SHA256 with a server secret, passwords as argon2id.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from adscale_common.db import NAMING_CONVENTION
from adscale_common.types import utcnow

SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata = SQLModel.metadata

PLANS = ("free", "pro", "enterprise")


def _created_at() -> Any:
    return Field(
        default_factory=utcnow,
        sa_type=sa.DateTime(timezone=True),
        sa_column_kwargs={"server_default": sa.func.now()},
        nullable=False,
    )


def _expires_at() -> Any:
    return Field(sa_type=sa.DateTime(timezone=True), nullable=False)


def _attempts() -> Any:
    """Sends tried so far (a mail waiting for the mailer)."""
    return Field(default=0, sa_column_kwargs={"server_default": "0"}, nullable=False)


def _due_at() -> Any:
    """When the mailer may try a waiting mail (next); indexed, as it claims by it."""
    return Field(
        default_factory=utcnow,
        sa_type=sa.DateTime(timezone=True),
        sa_column_kwargs={"server_default": sa.func.now()},
        nullable=False,
        index=True,
    )


def _optional_at() -> Any:
    return Field(
        default=None,
        sa_type=sa.DateTime(timezone=True),
        nullable=True,
    )


class User(SQLModel, table=True):
    """An account. ``email`` is stored lower-cased, so uniqueness is case-insensitive."""

    __tablename__ = "user"
    __table_args__ = (
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
        sa.CheckConstraint("plan IN ('free', 'pro', 'enterprise')", name="plan_known"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    email: str = Field(sa_type=sa.Text, unique=True, nullable=False)
    # NULL for a provisioned user who has not chosen a password yet (reset flow sets it).
    password_hash: str | None = Field(default=None, sa_type=sa.Text, nullable=True)
    plan: str = Field(
        default="free",
        sa_type=sa.Text,
        sa_column_kwargs={"server_default": "free"},
        nullable=False,
    )
    # When the last applied billing.plan_changed took effect (older events are ignored).
    plan_changed_at: datetime | None = _optional_at()
    external_user_id: str | None = Field(default=None, sa_type=sa.Text, unique=True, nullable=True)
    # Who provisioned the user through /auth/provision (scopes idempotent repeats).
    provisioned_by_user_id: uuid.UUID | None = Field(
        default=None, foreign_key="user.id", ondelete="SET NULL", nullable=True
    )
    created_at: datetime = _created_at()
    updated_at: datetime = Field(
        default_factory=utcnow,
        sa_type=sa.DateTime(timezone=True),
        sa_column_kwargs={"server_default": sa.func.now(), "onupdate": sa.func.now()},
        nullable=False,
    )


class RefreshToken(SQLModel, table=True):
    """One opaque refresh token; rotation chains tokens of one login into a family."""

    __tablename__ = "refresh_token"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    family_id: uuid.UUID = Field(index=True)
    parent_id: uuid.UUID | None = Field(
        default=None, foreign_key="refresh_token.id", ondelete="SET NULL", nullable=True
    )
    token_hash: str = Field(sa_type=sa.Text, unique=True, nullable=False)
    created_at: datetime = _created_at()
    expires_at: datetime = _expires_at()
    used_at: datetime | None = _optional_at()
    revoked_at: datetime | None = _optional_at()
    # The User-Agent that signed in (the sessions list names the device by it); rotation
    # hands it down the family.
    user_agent: str | None = Field(default=None, sa_type=sa.Text, nullable=True)


class ApiKey(SQLModel, table=True):
    """A programmatic credential; only its keyed hash and display prefix are kept."""

    __tablename__ = "api_key"
    __table_args__ = (sa.Index("ix_api_key_user_id_created_at", "user_id", "created_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="user.id", ondelete="CASCADE")
    name: str = Field(sa_type=sa.Text, nullable=False)
    prefix: str = Field(sa_type=sa.Text, nullable=False)
    key_hash: str = Field(sa_type=sa.Text, unique=True, nullable=False)
    created_at: datetime = _created_at()
    last_used_at: datetime | None = _optional_at()
    revoked_at: datetime | None = _optional_at()


class PasswordReset(SQLModel, table=True):
    """A single-use password reset token (stored as a keyed hash)."""

    __tablename__ = "password_reset"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    token_hash: str = Field(sa_type=sa.Text, unique=True, nullable=False)
    created_at: datetime = _created_at()
    expires_at: datetime = _expires_at()
    used_at: datetime | None = _optional_at()


class PasswordResetMail(SQLModel, table=True):
    """A reset link waiting for the mailer: read only by identity's own worker.

    The raw token is needed to mail the link, so it is kept sealed (Fernet, under a key
    derived from ``RESET_TOKEN_SECRET``) and the row is deleted once the mail is sent or
    can no longer be sent. The recipient is read from ``user`` when sending.
    """

    __tablename__ = "password_reset_mail"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    password_reset_id: uuid.UUID = Field(
        foreign_key="password_reset.id", ondelete="CASCADE", unique=True
    )
    sealed_token: str = Field(sa_type=sa.Text, nullable=False)
    attempts: int = _attempts()
    next_attempt_at: datetime = _due_at()
    # A worker that claimed the row holds it until then (another takes over after a crash).
    locked_until: datetime | None = _optional_at()
    last_error: str | None = Field(default=None, sa_type=sa.Text, nullable=True)
    created_at: datetime = _created_at()


class AccountNoticeMail(SQLModel, table=True):
    """A security notice waiting for the mailer: the user is told of a change to their
    account that they may not have made ("your password was changed"). Read only by
    identity's own worker; the row is deleted once the mail is sent or can no longer be.
    The recipient is read from ``user`` when sending."""

    __tablename__ = "account_notice_mail"
    __table_args__ = (sa.CheckConstraint("kind IN ('password_changed')", name="kind_known"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    kind: str = Field(sa_type=sa.Text, nullable=False)
    # When the change happened (the mail says so; it may be sent later after retries).
    occurred_at: datetime = Field(sa_type=sa.DateTime(timezone=True), nullable=False)
    attempts: int = _attempts()
    next_attempt_at: datetime = _due_at()
    locked_until: datetime | None = _optional_at()
    last_error: str | None = Field(default=None, sa_type=sa.Text, nullable=True)
    created_at: datetime = _created_at()
