"""Watermarks: an update's diff and its hashing touch only what changed since the last sync.

``profile.version`` comes from one sequence, so it orders every change. Three records use
it (all read by :mod:`audience_sync.sync.digest` and :mod:`audience_sync.sync.planner`):

* ``ix_profile_version``: profiles of a segment changed after a version, by index;
* ``digest_mark``: every profile of the segment up to ``version`` has a current digest for
  the platform (hashing reads only the profiles above it);
* ``profile_removed``: the profiles deleted from a segment, with a version of the same
  sequence (written by a statement trigger on ``profile``, so every deletion path counts);
* ``audience_diff_mark``: the audience's diff of every profile up to ``version`` (and every
  removal up to it) is empty, for ``fields`` and ``removals``; ``pending_*`` is the mark
  the job ``pending_job`` sets when it completes without a refused profile.

``profile_versions_settled(key)`` returns the sequence's last value when no writer of the
segment (who holds ``key`` shared) is in flight, so that every version up to it is
committed, or ``NULL`` (the mark then stays where it was).

Existing rows need nothing: without a mark, the first sync of an audience computes the
whole diff (as before) and sets one.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REMOVED_LOG = """
CREATE FUNCTION profile_removed_log() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO profile_removed (segment_id, version, external_id)
    SELECT g.segment_id, nextval('profile_version_seq'), g.external_id FROM gone g
    WHERE EXISTS (SELECT 1 FROM segment s WHERE s.id = g.segment_id);
    RETURN NULL;
END $$
"""

SETTLED = """
CREATE FUNCTION profile_versions_settled(lock_key bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    settled bigint;
BEGIN
    IF NOT pg_try_advisory_lock(lock_key) THEN
        RETURN NULL;
    END IF;
    SELECT last_value INTO settled FROM profile_version_seq;
    PERFORM pg_advisory_unlock(lock_key);
    RETURN settled;
END $$
"""


def _owner(table: str, column: str, owner: str) -> sa.ForeignKeyConstraint:
    """``column`` references ``owner.id``; the row goes with its owner."""
    return sa.ForeignKeyConstraint(
        [column], [f"{owner}.id"], name=op.f(f"fk_{table}_{column}_{owner}"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_index("ix_profile_version", "profile", ["segment_id", "version"])
    op.create_table(
        "profile_removed",
        sa.Column("segment_id", sa.UUID(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=False),
        _owner("profile_removed", "segment_id", "segment"),
        sa.PrimaryKeyConstraint("segment_id", "version", name=op.f("pk_profile_removed")),
    )
    op.create_table(
        "digest_mark",
        sa.Column("segment_id", sa.UUID(), nullable=False),
        sa.Column("platform", sa.Text(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        _owner("digest_mark", "segment_id", "segment"),
        sa.PrimaryKeyConstraint("segment_id", "platform", name=op.f("pk_digest_mark")),
    )
    op.create_table(
        "audience_diff_mark",
        sa.Column("audience_id", sa.UUID(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=True),
        sa.Column("fields", pg.ARRAY(sa.Text()), nullable=True),
        sa.Column("removals", sa.Boolean(), nullable=True),
        sa.Column("pending_job", sa.UUID(), nullable=True),
        sa.Column("pending_version", sa.BigInteger(), nullable=True),
        sa.Column("pending_fields", pg.ARRAY(sa.Text()), nullable=True),
        sa.Column("pending_removals", sa.Boolean(), nullable=True),
        _owner("audience_diff_mark", "audience_id", "audience"),
        sa.PrimaryKeyConstraint("audience_id", name=op.f("pk_audience_diff_mark")),
    )
    op.execute(REMOVED_LOG)
    op.execute(
        "CREATE TRIGGER profile_removed_log AFTER DELETE ON profile "
        "REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION profile_removed_log()"
    )
    op.execute(SETTLED)


def downgrade() -> None:
    op.execute("DROP FUNCTION profile_versions_settled(bigint)")
    op.execute("DROP TRIGGER profile_removed_log ON profile")
    op.execute("DROP FUNCTION profile_removed_log()")
    op.drop_table("audience_diff_mark")
    op.drop_table("digest_mark")
    op.drop_table("profile_removed")
    op.drop_index("ix_profile_version", table_name="profile")
