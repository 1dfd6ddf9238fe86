"""Members are profiles: ``audience_member`` becomes one row per accepted profile (with the
strong keys it was sent with and a fingerprint of the others), ``profile_digest`` gains the
name and address fields, plans and stages are per profile, jobs keep per-field counts.

Existing audiences keep what the platform holds without a resend: each accepted identifier
row is matched to the profiles whose digest holds that key (the digest is what was sent),
and those profiles become members with exactly the keys that were accepted. Accepted keys
no profile holds any more become members of their own (``external_id`` ``legacy:<hex>``),
which the next sync removes, as it would have. Migrated members have no fingerprint, so
their other fields do not count as changed until their strong keys do. Digests are marked
stale (rehashed on the next sync, with the new fields; nothing is resent for that).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 23:50:00.000000
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"

NEW_DIGEST_FIELDS = ("first_name", "last_name", "zip", "city", "state", "country")
KEYS = ("email", "phone", "madid", *NEW_DIGEST_FIELDS)
STRONG = {"email": 1, "phone": 2, "madid": 3}


def _binary(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.LargeBinary(), nullable=True)


def _owned_table(name: str, owner: str, key: list[str], *columns: sa.Column) -> None:  # type: ignore[type-arg]
    """A table of rows belonging to an audience or a job (cascading with it)."""
    parent = {"audience_id": "audience", "job_id": "sync_job"}[owner]
    op.create_table(
        name,
        sa.Column(owner, sa.UUID(), nullable=False),
        *columns,
        sa.ForeignKeyConstraint(
            [owner], [f"{parent}.id"], name=op.f(f"fk_{name}_{owner}_{parent}"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint(owner, *key, name=op.f(f"pk_{name}")),
    )


def _profile_rows(name: str, owner: str) -> None:
    """One row per profile with the strong keys it was sent with and its fingerprint."""
    external_id = sa.Column("external_id", sa.Text(), nullable=False)
    keys = (_binary("email"), _binary("phone"), _binary("madid"), _binary("extra"))
    _owned_table(name, owner, ["external_id"], external_id, *keys)


def _identifier_rows(name: str, owner: str, key: list[str], *extra: sa.Column) -> None:  # type: ignore[type-arg]
    """The 0003 shape: one row per identifier (``hash``, ``field``)."""
    _owned_table(
        name,
        owner,
        key,
        *extra,
        sa.Column("field", sa.SmallInteger(), nullable=False),
        sa.Column("hash", sa.LargeBinary(), nullable=False),
    )


def upgrade() -> None:
    for name in NEW_DIGEST_FIELDS:
        op.add_column("profile_digest", _binary(name))
    op.add_column(
        "sync_job",
        sa.Column("identifier_counts", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )

    op.execute("ALTER TABLE audience_member RENAME TO audience_member_legacy")
    op.execute(
        "ALTER TABLE audience_member_legacy RENAME CONSTRAINT pk_audience_member "
        "TO pk_audience_member_legacy"
    )
    op.execute(
        "ALTER TABLE audience_member_legacy RENAME CONSTRAINT "
        "fk_audience_member_audience_id_audience TO fk_audience_member_legacy_audience_id"
    )
    _profile_rows("audience_member", "audience_id")
    held = " OR ".join(f"{name}_held" for name in STRONG)
    columns = ",\n".join(
        f"""EXISTS (SELECT 1 FROM audience_member_legacy m WHERE m.audience_id = a.id
               AND m.field = {code} AND m.hash = d.{name}) AS {name}_held"""
        for name, code in STRONG.items()
    )
    keys = ", ".join(f"CASE WHEN {name}_held THEN {name} END" for name in STRONG)
    op.execute(
        f"""
        INSERT INTO audience_member (audience_id, external_id, email, phone, madid)
        SELECT audience_id, external_id, {keys} FROM (
            SELECT a.id AS audience_id, d.external_id, d.email, d.phone, d.madid, {columns}
            FROM audience a
            JOIN profile_digest d ON d.segment_id = a.segment_id AND d.platform = a.platform
        ) s
        WHERE {held}
        """
    )
    # Accepted keys no profile holds any more: members the next sync removes.
    for name, code in STRONG.items():
        op.execute(
            f"""
            INSERT INTO audience_member (audience_id, external_id, {name})
            SELECT m.audience_id, 'legacy:' || encode(m.hash, 'hex'), m.hash
            FROM audience_member_legacy m JOIN audience a ON a.id = m.audience_id
            WHERE m.field = {code} AND NOT EXISTS (
                SELECT 1 FROM profile_digest d WHERE d.segment_id = a.segment_id
                  AND d.platform = a.platform AND d.{name} = m.hash)
            ON CONFLICT DO NOTHING
            """
        )
    op.execute(
        "UPDATE audience a SET member_count = (SELECT count(*) FROM audience_member m "
        "WHERE m.audience_id = a.id)"
    )
    op.drop_table("audience_member_legacy")
    # The digests miss the new fields: rehashed on the next sync.
    op.execute("UPDATE profile_digest SET version = -1")

    op.drop_table("sync_job_plan")
    op.drop_table("sync_job_stage")
    _profile_rows("sync_job_stage", "job_id")
    _owned_table(
        "sync_job_plan",
        "job_id",
        ["external_id"],
        sa.Column("external_id", sa.Text(), nullable=False),
        sa.Column("op", sa.SmallInteger(), nullable=False),
        *(_binary(name) for name in (*KEYS, "extra", "old_email", "old_phone", "old_madid")),
    )
    # A job planned or staged under the old shape starts its diff again.
    op.execute(
        "UPDATE sync_job SET plan_version = NULL, phase = NULL "
        "WHERE status IN ('pending', 'running')"
    )


def downgrade() -> None:
    op.drop_table("sync_job_plan")
    op.drop_table("sync_job_stage")
    _identifier_rows("sync_job_stage", "job_id", ["hash"])
    op_column = sa.Column("op", sa.SmallInteger(), nullable=False)
    _identifier_rows("sync_job_plan", "job_id", ["op", "field", "hash"], op_column)
    op.execute("ALTER TABLE audience_member RENAME TO audience_member_profile")
    op.execute(
        "ALTER TABLE audience_member_profile RENAME CONSTRAINT pk_audience_member "
        "TO pk_audience_member_profile"
    )
    op.execute(
        "ALTER TABLE audience_member_profile RENAME CONSTRAINT "
        "fk_audience_member_audience_id_audience TO fk_audience_member_profile_audience_id"
    )
    _identifier_rows("audience_member", "audience_id", ["hash"])
    for name, code in STRONG.items():
        op.execute(
            f"""
            INSERT INTO audience_member (audience_id, hash, field)
            SELECT audience_id, {name}, {code} FROM audience_member_profile
            WHERE {name} IS NOT NULL
            ON CONFLICT DO NOTHING
            """
        )
    op.execute(
        "UPDATE audience a SET member_count = (SELECT count(*) FROM audience_member m "
        "WHERE m.audience_id = a.id)"
    )
    op.drop_table("audience_member_profile")
    op.drop_column("sync_job", "identifier_counts")
    for name in NEW_DIGEST_FIELDS:
        op.drop_column("profile_digest", name)
