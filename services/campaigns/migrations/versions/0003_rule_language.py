"""Rule language: ad account time zone; runs recorded with dry runs, schedule slots and
undo; per-object evaluations on ad groups as well as campaigns.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 23:50:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"


def upgrade() -> None:
    op.add_column(
        "ad_account",
        sa.Column("time_zone", sa.Text(), server_default=sa.text("'UTC'"), nullable=False),
    )
    op.add_column(
        "rule_execution",
        sa.Column("dry_run", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column("rule_execution", sa.Column("slot_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "rule_execution", sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_unique_constraint(
        "uq_rule_execution_slot", "rule_execution", ["rule_id", "slot_at"]
    )
    op.add_column(
        "rule_action",
        sa.Column("object_type", sa.Text(), server_default=sa.text("'campaign'"), nullable=False),
    )
    op.add_column("rule_action", sa.Column("ad_group_id", sa.UUID(), nullable=True))
    op.create_foreign_key(
        op.f("fk_rule_action_ad_group_id_ad_group"),
        "rule_action",
        "ad_group",
        ["ad_group_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.add_column("rule_action", sa.Column("ad_group_name", sa.Text(), nullable=True))
    op.add_column(
        "rule_action",
        sa.Column("evaluation", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )
    op.add_column("rule_action", sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_rule_action_group_cooldown",
        "rule_action",
        ["rule_id", "ad_group_id", "created_at"],
        unique=False,
        postgresql_where=sa.text("ad_group_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_rule_action_group_cooldown",
        table_name="rule_action",
        postgresql_where=sa.text("ad_group_id IS NOT NULL"),
    )
    op.drop_column("rule_action", "undone_at")
    op.drop_column("rule_action", "evaluation")
    op.drop_column("rule_action", "ad_group_name")
    op.drop_constraint(
        op.f("fk_rule_action_ad_group_id_ad_group"), "rule_action", type_="foreignkey"
    )
    op.drop_column("rule_action", "ad_group_id")
    op.drop_column("rule_action", "object_type")
    op.drop_constraint("uq_rule_execution_slot", "rule_execution", type_="unique")
    op.drop_column("rule_execution", "undone_at")
    op.drop_column("rule_execution", "slot_at")
    op.drop_column("rule_execution", "dry_run")
    op.drop_column("ad_account", "time_zone")
