"""A person's extra emails and phones travel with them: their keys are remembered.

``profile_digest.extra_email_keys`` / ``extra_phone_keys`` hold the platform keys of a
profile's ``extra_emails`` / ``extra_phones`` (migration 0006), in the profile's order;
``audience_member`` and ``sync_job_stage`` the ones a member was sent with (to remove an
extra email that changes); ``sync_job_plan`` the ones to send and the old ones to remove.
``NULL`` means none, so every row written before stays unchanged.

Digests of profiles that already hold extras are dropped: their extras were never sent, so
the next sync hashes those profiles again and sends them once more (only them).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYS = ("extra_email_keys", "extra_phone_keys")
TABLES = {
    "profile_digest": KEYS,
    "audience_member": KEYS,
    "sync_job_stage": KEYS,
    "sync_job_plan": (*KEYS, "old_extra_email_keys", "old_extra_phone_keys"),
}


def upgrade() -> None:
    for table, columns in TABLES.items():
        for column in columns:
            op.add_column(table, sa.Column(column, pg.ARRAY(sa.LargeBinary()), nullable=True))
    op.execute(
        "DELETE FROM profile_digest d USING profile p "
        "WHERE p.segment_id = d.segment_id AND p.external_id = d.external_id "
        "AND (cardinality(p.extra_emails) > 0 OR cardinality(p.extra_phones) > 0)"
    )


def downgrade() -> None:
    for table, columns in TABLES.items():
        for column in reversed(columns):
            op.drop_column(table, column)
