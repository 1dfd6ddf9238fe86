"""A segment's profiles, most recently updated first: ``GET /cdp/segments/{id}/profiles``
pages them by ``updated_at DESC, external_id``. Without an index every page sorted the
whole segment (a million profiles for a big one) to return twenty; with it a page reads
its rows in order, and the keys of the rows it skips come from the index alone (it holds
``external_id``).

Like 0009 and 0010 it is built in the migration's transaction, which holds writes to
``profile`` while it builds.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_profile_updated",
        "profile",
        ["segment_id", sa.text("updated_at DESC"), "external_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_profile_updated", table_name="profile")
