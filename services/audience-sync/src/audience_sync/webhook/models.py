"""Webhook tables.

* ``webhook_subscription``: a user's endpoint, the events it wants, its signing secret
  (Fernet-encrypted) and, for 24 hours after a rotation, the previous one.
* ``webhook_delivery``: one event (or test) for one subscription: the exact body sent and
  the retry schedule (``status``, ``attempt``, ``next_attempt_at``). A process claims due
  rows (``in_flight`` with a lease), sends outside any transaction and records the result;
  a lapsed lease puts the row back in play, so nothing is lost when a process stops.
* ``webhook_delivery_attempt``: every HTTP attempt with its outcome.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlmodel import Field, SQLModel

from adscale_common.columns import foreign_key, integer, text, timestamp, uuid_pk
from adscale_common.db import NAMING_CONVENTION

SQLModel.metadata.naming_convention = NAMING_CONVENTION

WEBHOOK_EVENTS = (
    "audience_sync.completed",
    "audience_sync.failed",
    "rule.executed",
    "profile.erased",
)
DELIVERY_STATUSES = ("pending", "in_flight", "succeeded", "failed", "cancelled")


class WebhookSubscription(SQLModel, table=True):
    __tablename__ = "webhook_subscription"
    __table_args__ = (
        sa.CheckConstraint(
            "disabled_reason IS NULL OR disabled_reason IN ('manual', 'gone', 'failing')",
            name="disabled_reason",
        ),
        sa.Index("ix_webhook_subscription_user_created", "user_id", "created_at"),
    )

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = Field(sa_column=sa.Column(pg.UUID(as_uuid=True), nullable=False))
    url: str = text()
    description: str | None = text(nullable=True)
    events: list[str] = Field(default_factory=list, sa_column=sa.Column(pg.JSONB, nullable=False))
    enabled: bool = Field(
        default=True,
        sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.text("true")),
    )
    secret_encrypted: str = text()
    previous_secret_encrypted: str | None = text(nullable=True)
    previous_secret_expires_at: datetime | None = timestamp(nullable=True)
    disabled_reason: str | None = text(nullable=True)
    disabled_at: datetime | None = timestamp(nullable=True)
    # Start of the current run of failed attempts (cleared by any success).
    failing_since: datetime | None = timestamp(nullable=True)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class WebhookDelivery(SQLModel, table=True):
    __tablename__ = "webhook_delivery"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('pending', 'in_flight', 'succeeded', 'failed', 'cancelled')",
            name="status",
        ),
        # One delivery per event and subscription, however often the event is redelivered.
        sa.UniqueConstraint("subscription_id", "event_id", name="uq_webhook_delivery_event"),
        sa.Index("ix_webhook_delivery_subscription_created", "subscription_id", "created_at"),
        sa.Index(
            "ix_webhook_delivery_due",
            "next_attempt_at",
            postgresql_where=sa.text("status = 'pending'"),
        ),
        sa.Index(
            "ix_webhook_delivery_in_flight",
            "lease_expires_at",
            postgresql_where=sa.text("status = 'in_flight'"),
        ),
    )

    id: uuid.UUID = uuid_pk()
    subscription_id: uuid.UUID = Field(
        sa_column=sa.Column(
            pg.UUID(as_uuid=True),
            sa.ForeignKey("webhook_subscription.id", ondelete="CASCADE"),
            nullable=False,
        )
    )
    user_id: uuid.UUID = Field(sa_column=sa.Column(pg.UUID(as_uuid=True), nullable=False))
    # The source event (``None`` for test sends).
    event_id: uuid.UUID | None = Field(
        default=None, sa_column=sa.Column(pg.UUID(as_uuid=True), nullable=True)
    )
    event_type: str = text()
    body: str = text()
    is_test: bool = Field(
        default=False,
        sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.text("false")),
    )
    status: str = Field(
        default="pending",
        sa_column=sa.Column(sa.Text, nullable=False, server_default=sa.text("'pending'")),
    )
    attempt: int = integer(big=False)
    next_attempt_at: datetime | None = timestamp(nullable=True)
    claim_token: uuid.UUID | None = Field(
        default=None, sa_column=sa.Column(pg.UUID(as_uuid=True), nullable=True)
    )
    lease_expires_at: datetime | None = timestamp(nullable=True)
    last_attempt_at: datetime | None = timestamp(nullable=True)
    response_code: int | None = integer(big=False, default=None)
    latency_ms: int | None = integer(big=False, default=None)
    last_error: str | None = text(nullable=True)
    delivered_at: datetime | None = timestamp(nullable=True)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class WebhookDeliveryAttempt(SQLModel, table=True):
    __tablename__ = "webhook_delivery_attempt"

    delivery_id: uuid.UUID = foreign_key("webhook_delivery.id", primary_key=True)
    attempt: int = Field(sa_column=sa.Column(sa.Integer, primary_key=True, autoincrement=False))
    attempted_at: datetime = timestamp()
    success: bool = Field(sa_column=sa.Column(sa.Boolean, nullable=False))
    response_code: int | None = integer(big=False, default=None)
    latency_ms: int | None = integer(big=False, default=None)
    error: str | None = text(nullable=True)


def subscription_table() -> sa.Table:
    table: sa.Table = WebhookSubscription.__table__  # type: ignore[attr-defined]
    return table


def delivery_table() -> sa.Table:
    table: sa.Table = WebhookDelivery.__table__  # type: ignore[attr-defined]
    return table


def attempt_table() -> sa.Table:
    table: sa.Table = WebhookDeliveryAttempt.__table__  # type: ignore[attr-defined]
    return table
