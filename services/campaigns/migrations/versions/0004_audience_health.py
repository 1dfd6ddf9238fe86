"""Audience-health projection (audience_sync.completed / .failed).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 00:15:00
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"


def upgrade() -> None:
    op.create_table(
        "audience_health",
        sa.Column("audience_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("platform", sa.Text(), nullable=False),
        sa.Column("last_status", sa.Text(), nullable=False),
        sa.Column("last_error_code", sa.Text(), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("match_rate", sa.Numeric(7, 4), nullable=True),
        sa.Column(
            "last_event_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "last_status IN ('completed', 'failed')", name=op.f("ck_audience_health_status")
        ),
        sa.PrimaryKeyConstraint("audience_id", name=op.f("pk_audience_health")),
    )
    op.create_index(
        op.f("ix_audience_health_user_id"), "audience_health", ["user_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_audience_health_user_id"), table_name="audience_health")
    op.drop_table("audience_health")
