"""Privacy: erasure requests and their receipts, the keys still to remove per audience,
the suppression list and the log of lifted suppressions.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"

NOW = sa.text("now()")
JSONB = postgresql.JSONB(astext_type=sa.Text())
EMPTY = sa.text("'[]'::jsonb")


def _count(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.BigInteger(), server_default=sa.text("0"), nullable=False)


def _erasure_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["erasure_id"],
        ["erasure.id"],
        name=op.f(f"fk_{table}_erasure_id_erasure"),
        ondelete="CASCADE",
    )


CONSENT_DENIED = "consent_ad_user_data = 'denied' OR consent_ad_personalization = 'denied'"


def upgrade() -> None:
    op.add_column("profile", sa.Column("consent_ad_user_data", sa.Text(), nullable=True))
    op.add_column("profile", sa.Column("consent_ad_personalization", sa.Text(), nullable=True))
    op.create_check_constraint(
        op.f("ck_profile_consent"),
        "profile",
        "consent_ad_user_data IN ('granted', 'denied') "
        "AND consent_ad_personalization IN ('granted', 'denied')",
    )
    op.create_index(
        "ix_profile_consent_denied",
        "profile",
        ["segment_id", "external_id"],
        postgresql_where=sa.text(CONSENT_DENIED),
    )
    op.add_column(
        "sync_job",
        sa.Column(
            "profiles_skipped_consent", sa.BigInteger(), server_default=sa.text("0"), nullable=False
        ),
    )

    op.create_table(
        "erasure",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("key_hash", sa.Text(), nullable=False),
        sa.Column("subject_encrypted", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), server_default=sa.text("'pending'"), nullable=False),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("identifier_hashes", JSONB, server_default=EMPTY, nullable=False),
        _count("profiles_matched"),
        _count("segments_matched"),
        _count("profiles_deleted"),
        _count("digests_deleted"),
        _count("members_deleted"),
        _count("exports_revoked"),
        sa.Column("planned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sa.Text(), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'running', 'completed', 'failed')",
            name=op.f("ck_erasure_status"),
        ),
        sa.CheckConstraint(
            "kind IN ('external_id', 'email', 'phone')", name=op.f("ck_erasure_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure")),
    )
    op.create_index("ix_erasure_user_created", "erasure", ["user_id", "created_at"])
    op.create_index("ix_erasure_user_key", "erasure", ["user_id", "key_hash"])
    op.create_index(
        "ix_erasure_active",
        "erasure",
        ["created_at"],
        postgresql_where=sa.text("status IN ('pending', 'running')"),
    )

    op.create_table(
        "erasure_target",
        sa.Column("erasure_id", sa.UUID(), nullable=False),
        sa.Column("audience_id", sa.UUID(), nullable=False),
        sa.Column("platform", sa.Text(), nullable=False),
        sa.Column("platform_audience_id", sa.Text(), nullable=True),
        sa.Column("audience_name", sa.Text(), nullable=False),
        _count("profiles"),
        sa.Column("status", sa.Text(), server_default=sa.text("'pending'"), nullable=False),
        _count("attempts"),
        sa.Column("answers", JSONB, server_default=EMPTY, nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'completed', 'failed')", name=op.f("ck_erasure_target_status")
        ),
        _erasure_fk("erasure_target"),
        sa.PrimaryKeyConstraint("erasure_id", "audience_id", name=op.f("pk_erasure_target")),
    )

    op.create_table(
        "erasure_member",
        sa.Column("erasure_id", sa.UUID(), nullable=False),
        sa.Column("audience_id", sa.UUID(), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=False),
        sa.Column("email", sa.LargeBinary(), nullable=True),
        sa.Column("phone", sa.LargeBinary(), nullable=True),
        sa.Column("madid", sa.LargeBinary(), nullable=True),
        _erasure_fk("erasure_member"),
        sa.PrimaryKeyConstraint(
            "erasure_id", "audience_id", "external_id", name=op.f("pk_erasure_member")
        ),
    )

    op.create_table(
        "suppression",
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("hash", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("erasure_id", sa.UUID(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.CheckConstraint(
            "kind IN ('external_id', 'email', 'phone')", name=op.f("ck_suppression_kind")
        ),
        sa.PrimaryKeyConstraint("user_id", "hash", name=op.f("pk_suppression")),
    )

    op.create_table(
        "suppression_lift",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("hash", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("lifted_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suppression_lift")),
    )
    op.create_index(
        "ix_suppression_lift_user_lifted", "suppression_lift", ["user_id", "lifted_at"]
    )


def downgrade() -> None:
    op.drop_column("sync_job", "profiles_skipped_consent")
    op.drop_index("ix_profile_consent_denied", table_name="profile")
    op.drop_constraint("ck_profile_consent", "profile", type_="check")
    op.drop_column("profile", "consent_ad_personalization")
    op.drop_column("profile", "consent_ad_user_data")
    op.drop_index("ix_suppression_lift_user_lifted", table_name="suppression_lift")
    op.drop_table("suppression_lift")
    op.drop_table("suppression")
    op.drop_table("erasure_member")
    op.drop_table("erasure_target")
    op.drop_index("ix_erasure_active", table_name="erasure")
    op.drop_index("ix_erasure_user_key", table_name="erasure")
    op.drop_index("ix_erasure_user_created", table_name="erasure")
    op.drop_table("erasure")
