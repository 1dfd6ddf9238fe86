"""Reset links wait in identity's own table; no reset token left in the outbox.

``identity.password_reset_requested`` used to carry the raw token and the address
on ``identity.events``. Its outbox rows (sent or not) lose both fields here, so no
row holds a live token; a request whose mail was not sent yet is simply asked for
again by its user. The data removed cannot come back, so the downgrade only drops
the new table.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision: str = "0003"
down_revision: str | None = "0002"


def upgrade() -> None:
    op.create_table(
        "password_reset_mail",
        sa.Column("id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("password_reset_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("sealed_token", sa.Text(), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name="pk_password_reset_mail"),
        sa.UniqueConstraint(
            "password_reset_id", name="uq_password_reset_mail_password_reset_id"
        ),
        sa.ForeignKeyConstraint(
            ["password_reset_id"],
            ["password_reset.id"],
            name="fk_password_reset_mail_password_reset_id_password_reset",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_password_reset_mail_next_attempt_at", "password_reset_mail", ["next_attempt_at"]
    )
    op.execute(
        "UPDATE outbox_event"
        " SET payload = payload #- '{data,token}' #- '{data,email}'"
        " WHERE event_type = 'identity.password_reset_requested'"
    )


def downgrade() -> None:
    op.drop_index("ix_password_reset_mail_next_attempt_at", table_name="password_reset_mail")
    op.drop_table("password_reset_mail")
