"""A person's extra emails and phones travel with them: their keys are remembered.

``profile_digest.extra_email_keys`` / ``extra_phone_keys`` hold the platform keys of a
profile's ``extra_emails`` / ``extra_phones`` (migration 0006), in the profile's order;
``audience_member`` and ``sync_job_stage`` the ones a member was sent with (to remove an
extra email that changes); ``sync_job_plan`` the ones to send and the old ones to remove;
``erasure_member`` the ones an erasure still has to remove from the platform.
``NULL`` means none, so every row written before stays unchanged.

Meta Limited Data Use: ``profile.data_processing_options`` ("LDU" or NULL) with
``data_processing_options_country`` / ``_state`` (Meta's codes, text), and
``audience.limited_data_use`` (false by default).

Digests of profiles that already hold extras are dropped: their extras were never sent, so
the next sync hashes those profiles again and sends them once more (only them).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision: str = "0008"
down_revision: str | None = "0007"

KEYS = ("extra_email_keys", "extra_phone_keys")
TABLES = {
    "profile_digest": KEYS,
    "audience_member": KEYS,
    "sync_job_stage": KEYS,
    "erasure_member": KEYS,
    "sync_job_plan": (*KEYS, "old_extra_email_keys", "old_extra_phone_keys"),
}


LDU = ("data_processing_options", "data_processing_options_country", "data_processing_options_state")


def upgrade() -> None:
    for column in LDU:
        op.add_column("profile", sa.Column(column, sa.Text(), nullable=True))
    op.add_column(
        "audience",
        sa.Column("limited_data_use", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
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
    op.drop_column("audience", "limited_data_use")
    for column in reversed(LDU):
        op.drop_column("profile", column)
