"""Billing tables. Outbox and inbox tables come from ``adscale_common.messaging``.

The plan catalogue is code (``billing.plan.catalogue``), not a table.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlmodel import Field, SQLModel

from adscale_common.db import NAMING_CONVENTION
from adscale_common.types import utcnow

SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata = SQLModel.metadata

PLAN_CHECK = "plan IN ('free', 'pro', 'enterprise')"
# Stripe's subscription statuses (Subscription object, ``status``).
SUBSCRIPTION_STATUSES = (
    "incomplete",
    "incomplete_expired",
    "trialing",
    "active",
    "past_due",
    "unpaid",
    "canceled",
    "paused",
)
STATUS_CHECK = "status IN (" + ", ".join(f"'{s}'" for s in SUBSCRIPTION_STATUSES) + ")"


def _optional_at() -> Any:
    return Field(
        default=None,
        sa_type=sa.DateTime(timezone=True),  # type: ignore[call-overload]
        nullable=True,
    )


def _created_at() -> Any:
    return Field(
        default_factory=utcnow,
        sa_type=sa.DateTime(timezone=True),  # type: ignore[call-overload]
        sa_column_kwargs={"server_default": sa.func.now()},
        nullable=False,
    )


class Customer(SQLModel, table=True):
    """The Stripe customer of a user (one per user)."""

    __tablename__ = "customer"

    user_id: uuid.UUID = Field(primary_key=True)
    stripe_customer_id: str = Field(sa_type=sa.Text, unique=True, nullable=False)
    created_at: datetime = _created_at()


class Subscription(SQLModel, table=True):
    """A Stripe subscription as the webhooks told us, newest event first.

    ``last_event_created`` is the Stripe ``created`` epoch of the newest event
    applied; an older event for the same subscription changes nothing.
    """

    __tablename__ = "subscription"
    __table_args__ = (
        sa.CheckConstraint(PLAN_CHECK, name="plan_known"),
        sa.CheckConstraint(STATUS_CHECK, name="status_known"),
        sa.Index("ix_subscription_user_id", "user_id"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    stripe_subscription_id: str = Field(sa_type=sa.Text, unique=True, nullable=False)
    user_id: uuid.UUID = Field(nullable=False)
    stripe_customer_id: str | None = Field(default=None, sa_type=sa.Text, nullable=True)
    stripe_price_id: str | None = Field(default=None, sa_type=sa.Text, nullable=True)
    plan: str = Field(sa_type=sa.Text, nullable=False)
    status: str = Field(sa_type=sa.Text, nullable=False)
    current_period_end: datetime | None = _optional_at()
    cancel_at_period_end: bool = Field(
        default=False, sa_column_kwargs={"server_default": sa.false()}, nullable=False
    )
    cancel_at: datetime | None = _optional_at()
    canceled_at: datetime | None = _optional_at()
    last_event_id: str | None = Field(default=None, sa_type=sa.Text, nullable=True)
    last_event_created: int = Field(
        default=0, sa_type=sa.BigInteger, sa_column_kwargs={"server_default": "0"}, nullable=False
    )
    created_at: datetime = _created_at()
    updated_at: datetime = Field(
        default_factory=utcnow,
        sa_type=sa.DateTime(timezone=True),  # type: ignore[call-overload]
        sa_column_kwargs={"server_default": sa.func.now(), "onupdate": sa.func.now()},
        nullable=False,
    )


class StripeEvent(SQLModel, table=True):
    """Inbox of Stripe webhook events, keyed by Stripe's event id (a redelivery is a no-op)."""

    __tablename__ = "stripe_event"

    id: str = Field(sa_type=sa.Text, primary_key=True)
    type: str = Field(sa_type=sa.Text, nullable=False)
    created: int = Field(sa_type=sa.BigInteger, nullable=False)  # Stripe's epoch seconds
    livemode: bool = Field(default=False, nullable=False)
    payload: dict[str, Any] = Field(sa_type=pg.JSONB, nullable=False)
    # What handling did: applied, stale (older than the state), ignored, unmatched.
    outcome: str | None = Field(default=None, sa_type=sa.Text, nullable=True)
    received_at: datetime = _created_at()
    processed_at: datetime | None = _optional_at()


class UserPlan(SQLModel, table=True):
    """The plan each user is on, as billing decided it (no row: Free)."""

    __tablename__ = "user_plan"
    __table_args__ = (sa.CheckConstraint(PLAN_CHECK, name="plan_known"),)

    user_id: uuid.UUID = Field(primary_key=True)
    plan: str = Field(default="free", sa_type=sa.Text, sa_column_kwargs={"server_default": "free"})
    reason: str | None = Field(default=None, sa_type=sa.Text, nullable=True)
    changed_at: datetime = _created_at()


class UsageResource(SQLModel, table=True):
    """A campaign or ad group a user has, from campaigns' events (tombstoned when deleted).

    Counting live rows gives the usage; keeping one row per resource (instead
    of bare counters) makes the projection immune to duplicates, to a cascade
    reported twice (campaign deleted and each ad group deleted) and to a
    creation that arrives after its deletion.
    """

    __tablename__ = "usage_resource"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('campaign', 'ad_group')", name="kind_known"),
        sa.Index(
            "ix_usage_resource_live",
            "user_id",
            "kind",
            postgresql_where=sa.text("deleted_at IS NULL"),
        ),
        sa.Index("ix_usage_resource_campaign_id", "campaign_id"),
    )

    resource_id: uuid.UUID = Field(primary_key=True)
    kind: str = Field(sa_type=sa.Text, nullable=False)
    user_id: uuid.UUID = Field(nullable=False)
    # The campaign an ad group belongs to (NULL for a campaign).
    campaign_id: uuid.UUID | None = Field(default=None, nullable=True)
    created_at: datetime = _created_at()
    deleted_at: datetime | None = _optional_at()


class ProfileSyncUsage(SQLModel, table=True):
    """Profiles sent to ad platforms per user and calendar month (UTC)."""

    __tablename__ = "profile_sync_usage"

    user_id: uuid.UUID = Field(primary_key=True)
    month: date = Field(primary_key=True)  # first day of the month
    profiles_synced: int = Field(
        default=0, sa_type=sa.BigInteger, sa_column_kwargs={"server_default": "0"}
    )
    syncs_completed: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    updated_at: datetime = Field(
        default_factory=utcnow,
        sa_type=sa.DateTime(timezone=True),  # type: ignore[call-overload]
        sa_column_kwargs={"server_default": sa.func.now(), "onupdate": sa.func.now()},
        nullable=False,
    )
