"""Security notices wait in identity's own table: "your password was changed".

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision: str = "0005"
down_revision: str | None = "0004"


def upgrade() -> None:
    op.create_table(
        "account_notice_mail",
        sa.Column("id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("user_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "next_attempt_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name="pk_account_notice_mail"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name="fk_account_notice_mail_user_id_user",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(
            "kind IN ('password_changed')", name="ck_account_notice_mail_kind_known"
        ),
    )
    op.create_index("ix_account_notice_mail_user_id", "account_notice_mail", ["user_id"])
    op.create_index(
        "ix_account_notice_mail_next_attempt_at", "account_notice_mail", ["next_attempt_at"]
    )


def downgrade() -> None:
    op.drop_table("account_notice_mail")
