"""A person found by email or phone through an index, not by reading every profile.

The profiles list's ``q`` (``GET /cdp/segments/{id}/profiles``) read every profile of the
segment (1.2-1.8 s a search on 1,000,000 profiles: each email normalized, each further
email unnested, each phone's digits extracted), and subject access and erasure read every
profile of all the user's segments the same way. These indexes hold the very expressions
those queries compare (``audience_sync.safeguards.identity`` writes them for the queries;
migrations never import the application, so they are written out here, and
``tests/test_migration_0013.py`` checks that each query is served by its index):

* ``ix_profile_email``: the first email, trimmed and lower-cased;
* ``ix_profile_phone_tail``: the last seven digits of the phone (the candidates are then
  compared in E.164);
* ``ix_profile_extra_emails``: the further emails, GIN over ``normalized_emails`` (imports
  keep their case, so the raw array cannot answer a case-blind question; the function is
  IMMUTABLE, with a SQL-standard body bound at creation, so neither the index nor a
  restore depends on ``search_path``). Partial: most profiles have no further email. Its
  expression gets statistics of its own (``st_profile_extra_emails``): a partial index's
  are not read by the planner, which then guessed that an erasure run's 2,000 emails
  matched 0.5 % of the table each and went parallel (130 ms against 32 ms);
* ``ix_profile_external_id_prefix``: ``external_id`` in ``text_pattern_ops``, so the list's
  prefix match, part of every ``q``, is a range of it (the primary key serves ``LIKE`` only
  in a database of ``C`` collation; without it, ~0.5 s a search on 1,000,000 profiles).

The email and phone indexes lead with the expression, then ``segment_id``: subject access
spans the user's segments (one probe) and the list one segment (one probe), and a value
common in other tenants' data (``none@example.com``) is read for neither. They are not
partial: the planner takes an expression's statistics from a non-partial index only, and
without them it thought the 2,000 emails of an erasure run matched every profile and read
the table (0.7 s against 0.05 s).

Cost: every profile inserted, and every one changed (``updated_at`` is indexed, so no
update is HOT), writes four more index entries and runs ``regexp_replace`` once: upserting
100,000 profiles into a segment of 1,000,000 took 1.5x as long as new profiles and
1.7-1.9x as changed ones (7-14 µs more a profile; ``bench/people_lookup.py``). Like 0009 to
0012 they are built in the migration's transaction, which holds writes to ``profile``
while it builds, then ``profile`` is analyzed: about 4.5 s a million profiles.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATISTICS = "st_profile_extra_emails"
NORMALIZED_EMAILS = """
CREATE FUNCTION normalized_emails(emails text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ARRAY(SELECT lower(btrim(e)) FROM unnest(emails) AS e)
"""


def upgrade() -> None:
    op.execute(NORMALIZED_EMAILS)
    op.create_index("ix_profile_email", "profile", [sa.text("lower(btrim(email))"), "segment_id"])
    op.create_index(
        "ix_profile_phone_tail",
        "profile",
        [sa.text("right(regexp_replace(phone, '\\D', '', 'g'), 7)"), "segment_id"],
    )
    op.create_index(
        "ix_profile_extra_emails",
        "profile",
        [sa.text("normalized_emails(extra_emails)")],
        postgresql_using="gin",
        postgresql_where=sa.text("extra_emails IS NOT NULL"),
    )
    op.execute(f"CREATE STATISTICS {STATISTICS} ON (normalized_emails(extra_emails)) FROM profile")
    op.create_index(
        "ix_profile_external_id_prefix",
        "profile",
        ["segment_id", "external_id"],
        postgresql_ops={"external_id": "text_pattern_ops"},
    )
    # The expressions' statistics now, not at autovacuum's next look: the estimates above.
    op.execute("ANALYZE profile")


def downgrade() -> None:
    for name in (
        "ix_profile_external_id_prefix",
        "ix_profile_extra_emails",
        "ix_profile_phone_tail",
        "ix_profile_email",
    ):
        op.drop_index(name, table_name="profile")
    op.execute(f"DROP STATISTICS {STATISTICS}")
    op.execute("DROP FUNCTION normalized_emails(text[])")
