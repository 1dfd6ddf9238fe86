"""Profiles hold several emails and phones: ``email``/``phone`` stay the first (primary)
ones, every sync path reads them as before; ``extra_emails``/``extra_phones`` hold the
others in the order the source gave them (a customer list with three email columns).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision: str = "0006"
down_revision: str | None = "0005"


def upgrade() -> None:
    op.add_column("profile", sa.Column("extra_emails", pg.ARRAY(sa.Text()), nullable=True))
    op.add_column("profile", sa.Column("extra_phones", pg.ARRAY(sa.Text()), nullable=True))


def downgrade() -> None:
    op.drop_column("profile", "extra_phones")
    op.drop_column("profile", "extra_emails")
