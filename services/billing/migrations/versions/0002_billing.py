"""Billing tables: customer, subscription, stripe_event, user_plan, usage.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"

PLAN_CHECK = "plan IN ('free', 'pro', 'enterprise')"
STATUS_CHECK = (
    "status IN ('incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due', "
    "'unpaid', 'canceled', 'paused')"
)


def _now_column(name: str) -> sa.Column:
    return sa.Column(
        name, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "customer",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("stripe_customer_id", sa.Text(), nullable=False),
        _now_column("created_at"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_customer")),
        sa.UniqueConstraint("stripe_customer_id", name=op.f("uq_customer_stripe_customer_id")),
    )
    op.create_table(
        "subscription",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("stripe_subscription_id", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("stripe_customer_id", sa.Text(), nullable=True),
        sa.Column("stripe_price_id", sa.Text(), nullable=True),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("current_period_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "cancel_at_period_end", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("cancel_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("canceled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_event_id", sa.Text(), nullable=True),
        sa.Column("last_event_created", sa.BigInteger(), server_default="0", nullable=False),
        _now_column("created_at"),
        _now_column("updated_at"),
        sa.CheckConstraint(PLAN_CHECK, name=op.f("ck_subscription_plan_known")),
        sa.CheckConstraint(STATUS_CHECK, name=op.f("ck_subscription_status_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription")),
        sa.UniqueConstraint(
            "stripe_subscription_id", name=op.f("uq_subscription_stripe_subscription_id")
        ),
    )
    op.create_index("ix_subscription_user_id", "subscription", ["user_id"])
    op.create_table(
        "stripe_event",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        _now_column("received_at"),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stripe_event")),
    )
    op.create_table(
        "user_plan",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("plan", sa.Text(), server_default="free", nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        _now_column("changed_at"),
        sa.CheckConstraint(PLAN_CHECK, name=op.f("ck_user_plan_plan_known")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_plan")),
    )
    op.create_table(
        "usage_resource",
        sa.Column("resource_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("campaign_id", sa.Uuid(), nullable=True),
        _now_column("created_at"),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('campaign', 'ad_group')", name=op.f("ck_usage_resource_kind_known")),
        sa.PrimaryKeyConstraint("resource_id", name=op.f("pk_usage_resource")),
    )
    op.create_index("ix_usage_resource_campaign_id", "usage_resource", ["campaign_id"])
    op.create_index(
        "ix_usage_resource_live",
        "usage_resource",
        ["user_id", "kind"],
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "profile_sync_usage",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("profiles_synced", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("syncs_completed", sa.Integer(), server_default="0", nullable=False),
        _now_column("updated_at"),
        sa.PrimaryKeyConstraint("user_id", "month", name=op.f("pk_profile_sync_usage")),
    )


def downgrade() -> None:
    op.drop_table("profile_sync_usage")
    op.drop_index("ix_usage_resource_live", table_name="usage_resource")
    op.drop_index("ix_usage_resource_campaign_id", table_name="usage_resource")
    op.drop_table("usage_resource")
    op.drop_table("user_plan")
    op.drop_table("stripe_event")
    op.drop_index("ix_subscription_user_id", table_name="subscription")
    op.drop_table("subscription")
    op.drop_table("customer")
