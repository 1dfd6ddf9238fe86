"""Audience sync domain: segments and profiles (with per-platform hash cache), platform
connections and OAuth states, audiences and their accepted members, sync jobs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 09:17:13.695449
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0002'
down_revision: str | None = '0001'


def upgrade() -> None:
    op.execute(sa.schema.CreateSequence(sa.Sequence('profile_version_seq')))
    op.create_table('oauth_state',
    sa.Column('state_hash', sa.Text(), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('platform', sa.Text(), nullable=False),
    sa.Column('redirect_uri', sa.Text(), nullable=False),
    sa.Column('code_verifier_encrypted', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("platform IN ('meta', 'google', 'tiktok', 'snapchat')", name=op.f('ck_oauth_state_platform')),
    sa.PrimaryKeyConstraint('state_hash', name=op.f('pk_oauth_state'))
    )
    op.create_index(op.f('ix_oauth_state_user_id'), 'oauth_state', ['user_id'], unique=False)
    op.create_table('platform_connection',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('platform', sa.Text(), nullable=False),
    sa.Column('access_token_encrypted', sa.Text(), nullable=False),
    sa.Column('refresh_token_encrypted', sa.Text(), nullable=True),
    sa.Column('token_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('scopes', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False),
    sa.Column('status', sa.Text(), server_default=sa.text("'connected'"), nullable=False),
    sa.Column('connected_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('refreshed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("platform IN ('meta', 'google', 'tiktok', 'snapchat')", name=op.f('ck_platform_connection_platform')),
    sa.CheckConstraint("status IN ('connected', 'expired')", name=op.f('ck_platform_connection_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_platform_connection')),
    sa.UniqueConstraint('user_id', 'platform', name='uq_platform_connection_user_platform')
    )
    op.create_table('segment',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('profile_count', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_segment'))
    )
    op.create_index('ix_segment_user_created', 'segment', ['user_id', 'created_at'], unique=False)
    op.create_table('audience',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('segment_id', sa.UUID(), nullable=False),
    sa.Column('platform', sa.Text(), nullable=False),
    sa.Column('ad_account_id', sa.Text(), nullable=False),
    sa.Column('platform_audience_id', sa.Text(), nullable=True),
    sa.Column('platform_audience_name', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('identifier_fields', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('auto_sync', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('sync_interval_hours', sa.Integer(), server_default='24', nullable=False),
    sa.Column('additive_only', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('last_sync_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_sync_status', sa.Text(), nullable=True),
    sa.Column('platform_size', sa.BigInteger(), nullable=True),
    sa.Column('matched_size', sa.BigInteger(), nullable=True),
    sa.Column('match_rate', sa.Float(), nullable=True),
    sa.Column('member_count', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('next_sync_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("platform IN ('meta', 'google', 'tiktok', 'snapchat')", name=op.f('ck_audience_platform')),
    sa.CheckConstraint('sync_interval_hours BETWEEN 1 AND 720', name=op.f('ck_audience_sync_interval_hours')),
    sa.ForeignKeyConstraint(['segment_id'], ['segment.id'], name=op.f('fk_audience_segment_id_segment'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audience'))
    )
    op.create_index('ix_audience_due', 'audience', ['next_sync_at'], unique=False, postgresql_where=sa.text('auto_sync AND is_active'))
    op.create_index(op.f('ix_audience_segment_id'), 'audience', ['segment_id'], unique=False)
    op.create_index('ix_audience_user_created', 'audience', ['user_id', 'created_at'], unique=False)
    op.create_table('platform_ad_account',
    sa.Column('connection_id', sa.UUID(), nullable=False),
    sa.Column('account_id', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('currency', sa.Text(), nullable=True),
    sa.Column('connected_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['connection_id'], ['platform_connection.id'], name=op.f('fk_platform_ad_account_connection_id_platform_connection'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('connection_id', 'account_id', name=op.f('pk_platform_ad_account'))
    )
    op.create_table('profile',
    sa.Column('segment_id', sa.UUID(), nullable=False),
    sa.Column('external_id', sa.Text(), nullable=False),
    sa.Column('email', sa.Text(), nullable=True),
    sa.Column('phone', sa.Text(), nullable=True),
    sa.Column('first_name', sa.Text(), nullable=True),
    sa.Column('last_name', sa.Text(), nullable=True),
    sa.Column('city', sa.Text(), nullable=True),
    sa.Column('state', sa.Text(), nullable=True),
    sa.Column('zip', sa.Text(), nullable=True),
    sa.Column('country', sa.Text(), nullable=True),
    sa.Column('madid', sa.Text(), nullable=True),
    sa.Column('traits', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('version', sa.BigInteger(), server_default=sa.text("nextval('profile_version_seq')"), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['segment_id'], ['segment.id'], name=op.f('fk_profile_segment_id_segment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('segment_id', 'external_id', name=op.f('pk_profile'))
    )
    op.create_table('audience_member',
    sa.Column('audience_id', sa.UUID(), nullable=False),
    sa.Column('hash', sa.LargeBinary(), nullable=False),
    sa.Column('field', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['audience_id'], ['audience.id'], name=op.f('fk_audience_member_audience_id_audience'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('audience_id', 'hash', name=op.f('pk_audience_member'))
    )
    op.create_table('profile_digest',
    sa.Column('segment_id', sa.UUID(), nullable=False),
    sa.Column('external_id', sa.Text(), nullable=False),
    sa.Column('platform', sa.Text(), nullable=False),
    sa.Column('version', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('email', sa.LargeBinary(), nullable=True),
    sa.Column('phone', sa.LargeBinary(), nullable=True),
    sa.Column('madid', sa.LargeBinary(), nullable=True),
    sa.Column('invalid', sa.SmallInteger(), server_default=sa.text('0'), nullable=False),
    sa.CheckConstraint("platform IN ('meta', 'google', 'tiktok', 'snapchat')", name=op.f('ck_profile_digest_platform')),
    sa.PrimaryKeyConstraint('segment_id', 'external_id', 'platform', name=op.f('pk_profile_digest'))
    )
    op.create_table('sync_job',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('audience_id', sa.UUID(), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('platform', sa.Text(), nullable=False),
    sa.Column('operation', sa.Text(), nullable=False),
    sa.Column('status', sa.Text(), server_default=sa.text("'pending'"), nullable=False),
    sa.Column('triggered_by', sa.Text(), nullable=False),
    sa.Column('triggered_by_user_id', sa.UUID(), nullable=True),
    sa.Column('segment_size', sa.BigInteger(), nullable=True),
    sa.Column('estimated_to_add', sa.BigInteger(), nullable=True),
    sa.Column('estimated_to_remove', sa.BigInteger(), nullable=True),
    sa.Column('estimate_exact', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('profiles_sent', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('profiles_added', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('profiles_removed', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('profiles_failed', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('profiles_invalid', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('match_rate', sa.Float(), nullable=True),
    sa.Column('platform_response', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('invalid_samples', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('error_code', sa.Text(), nullable=True),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('phase', sa.Text(), nullable=True),
    sa.Column('plan_version', sa.DateTime(timezone=True), nullable=True),
    sa.Column('batches_done', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('lease_owner', sa.Text(), nullable=True),
    sa.Column('lease_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('requeued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('duration_ms', sa.BigInteger(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("operation IN ('create', 'update', 'replace', 'delete')", name=op.f('ck_sync_job_operation')),
    sa.CheckConstraint("platform IN ('meta', 'google', 'tiktok', 'snapchat')", name=op.f('ck_sync_job_platform')),
    sa.CheckConstraint("status IN ('pending', 'running', 'completed', 'failed', 'cancelled')", name=op.f('ck_sync_job_status')),
    sa.CheckConstraint("triggered_by IN ('manual', 'scheduled', 'api')", name=op.f('ck_sync_job_triggered_by')),
    sa.ForeignKeyConstraint(['audience_id'], ['audience.id'], name=op.f('fk_sync_job_audience_id_audience'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_job'))
    )
    op.create_index('ix_sync_job_active', 'sync_job', ['status', 'updated_at'], unique=False, postgresql_where=sa.text("status IN ('pending', 'running')"))
    op.create_index('ix_sync_job_audience_created', 'sync_job', ['audience_id', 'created_at'], unique=False)
    op.create_index('uq_sync_job_active_audience', 'sync_job', ['audience_id'], unique=True, postgresql_where=sa.text("status IN ('pending', 'running')"))
    op.create_table('sync_job_stage',
    sa.Column('job_id', sa.UUID(), nullable=False),
    sa.Column('hash', sa.LargeBinary(), nullable=False),
    sa.Column('field', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['sync_job.id'], name=op.f('fk_sync_job_stage_job_id_sync_job'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('job_id', 'hash', name=op.f('pk_sync_job_stage'))
    )
    op.create_table('sync_job_plan',
    sa.Column('job_id', sa.UUID(), nullable=False),
    sa.Column('op', sa.SmallInteger(), nullable=False),
    sa.Column('field', sa.SmallInteger(), nullable=False),
    sa.Column('hash', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['sync_job.id'], name=op.f('fk_sync_job_plan_job_id_sync_job'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('job_id', 'op', 'field', 'hash', name=op.f('pk_sync_job_plan'))
    )


def downgrade() -> None:
    op.drop_table('sync_job_plan')
    op.drop_table('sync_job_stage')
    op.drop_index('uq_sync_job_active_audience', table_name='sync_job', postgresql_where=sa.text("status IN ('pending', 'running')"))
    op.drop_index('ix_sync_job_audience_created', table_name='sync_job')
    op.drop_index('ix_sync_job_active', table_name='sync_job', postgresql_where=sa.text("status IN ('pending', 'running')"))
    op.drop_table('sync_job')
    op.drop_table('profile_digest')
    op.drop_table('audience_member')
    op.drop_table('profile')
    op.drop_table('platform_ad_account')
    op.drop_index('ix_audience_user_created', table_name='audience')
    op.drop_index(op.f('ix_audience_segment_id'), table_name='audience')
    op.drop_index('ix_audience_due', table_name='audience', postgresql_where=sa.text('auto_sync AND is_active'))
    op.drop_table('audience')
    op.drop_index('ix_segment_user_created', table_name='segment')
    op.drop_table('segment')
    op.drop_table('platform_connection')
    op.drop_index(op.f('ix_oauth_state_user_id'), table_name='oauth_state')
    op.drop_table('oauth_state')
    op.execute(sa.schema.DropSequence(sa.Sequence('profile_version_seq')))
