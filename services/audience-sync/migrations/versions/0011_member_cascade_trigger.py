"""``audience_member`` without its foreign key to ``audience``: the members of a deleted
audience go with it through a statement trigger on ``audience`` instead.

A sync writes an audience's members ten thousand at a time, a million for a first send.
The foreign key checked every one of them against ``audience`` (one lookup and row lock
per member: 4 of the ~20 CPU seconds PostgreSQL spent on the 1,000,000-profile first
send, measured with pg_stat_statements), and it kept checkpoints from COPYing their
members straight into the table. What the key guaranteed stays true:

* no member outlives its audience: ``audience_member_cascade`` deletes them with it, in the
  same statement, as ``ON DELETE CASCADE`` did;
* no member is written for an audience that is gone: every transaction that writes members
  first locks the audience row (``FOR KEY SHARE``, :func:`audience_sync.sync.members.lock_audience`),
  as the key's own check did, so a deletion either waits for it (and its trigger then sees
  the members) or has already committed (and the writer finds no audience and stops).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOREIGN_KEY = "fk_audience_member_audience_id_audience"

CASCADE = """
CREATE FUNCTION audience_member_cascade() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM audience_member m USING gone WHERE m.audience_id = gone.id;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.drop_constraint(FOREIGN_KEY, "audience_member", type_="foreignkey")
    op.execute(CASCADE)
    op.execute(
        "CREATE TRIGGER audience_member_cascade AFTER DELETE ON audience "
        "REFERENCING OLD TABLE AS gone FOR EACH STATEMENT "
        "EXECUTE FUNCTION audience_member_cascade()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER audience_member_cascade ON audience")
    op.execute("DROP FUNCTION audience_member_cascade()")
    # Nothing should be left behind, but the key cannot come back over a stray row.
    op.execute(
        "DELETE FROM audience_member m WHERE NOT EXISTS "
        "(SELECT 1 FROM audience a WHERE a.id = m.audience_id)"
    )
    op.create_foreign_key(
        FOREIGN_KEY, "audience_member", "audience", ["audience_id"], ["id"], ondelete="CASCADE"
    )
