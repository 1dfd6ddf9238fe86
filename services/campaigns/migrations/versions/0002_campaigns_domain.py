"""Campaigns domain: plan projection, ad accounts, campaigns, ad groups, creatives,
daily metrics, rules and their executions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 08:57:55.968177
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0002'
down_revision: str | None = '0001'


def upgrade() -> None:
    op.create_table('ad_account',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('platform', sa.Text(), nullable=False),
    sa.Column('account_id_external', sa.Text(), nullable=False),
    sa.Column('account_name', sa.Text(), nullable=True),
    sa.Column('access_token_encrypted', sa.Text(), nullable=True),
    sa.Column('status', sa.Text(), server_default=sa.text("'active'"), nullable=False),
    sa.Column('disconnected_reason', sa.Text(), nullable=True),
    sa.Column('connected_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('metrics_synced_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("platform IN ('google', 'meta')", name=op.f('ck_ad_account_platform')),
    sa.CheckConstraint("status IN ('active', 'disconnected')", name=op.f('ck_ad_account_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ad_account')),
    sa.UniqueConstraint('user_id', 'platform', 'account_id_external', name='uq_ad_account_user_platform_external')
    )
    op.create_index(op.f('ix_ad_account_user_id'), 'ad_account', ['user_id'], unique=False)
    op.create_table('rule',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('rule_type', sa.Text(), nullable=False),
    sa.Column('threshold', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('conditions', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('last_executed', sa.DateTime(timezone=True), nullable=True),
    sa.Column('executions_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("rule_type IN ('pause_low_roas', 'increase_budget_high_roas', 'decrease_budget_low_ctr', 'pause_no_conversions')", name=op.f('ck_rule_rule_type')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rule'))
    )
    op.create_index('ix_rule_due', 'rule', ['is_active', 'last_executed'], unique=False)
    op.create_index(op.f('ix_rule_user_id'), 'rule', ['user_id'], unique=False)
    op.create_table('user_plan',
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('plan', sa.Text(), server_default=sa.text("'free'"), nullable=False),
    sa.Column('plan_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_user_plan'))
    )
    op.create_table('campaign',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('ad_account_id', sa.UUID(), nullable=False),
    sa.Column('platform', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('objective', sa.Text(), nullable=False),
    sa.Column('status', sa.Text(), server_default=sa.text("'draft'"), nullable=False),
    sa.Column('budget_daily', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('budget_lifetime', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('external_campaign_id', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("objective IN ('sales', 'traffic', 'awareness', 'leads', 'app_installs')", name=op.f('ck_campaign_objective')),
    sa.CheckConstraint("status IN ('draft', 'active', 'paused', 'completed')", name=op.f('ck_campaign_status')),
    sa.CheckConstraint('budget_daily IS NULL OR budget_lifetime IS NULL', name=op.f('ck_campaign_one_budget')),
    sa.CheckConstraint('end_date IS NULL OR start_date IS NULL OR end_date >= start_date', name=op.f('ck_campaign_dates')),
    sa.ForeignKeyConstraint(['ad_account_id'], ['ad_account.id'], name=op.f('fk_campaign_ad_account_id_ad_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign')),
    sa.UniqueConstraint('ad_account_id', 'external_campaign_id', name='uq_campaign_account_external')
    )
    op.create_index(op.f('ix_campaign_ad_account_id'), 'campaign', ['ad_account_id'], unique=False)
    op.create_index(op.f('ix_campaign_user_id'), 'campaign', ['user_id'], unique=False)
    op.create_table('rule_execution',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('rule_id', sa.UUID(), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('trigger', sa.Text(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('window_start', sa.Date(), nullable=False),
    sa.Column('window_end', sa.Date(), nullable=False),
    sa.Column('campaigns_evaluated', sa.Integer(), server_default='0', nullable=False),
    sa.Column('campaigns_affected', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['rule_id'], ['rule.id'], name=op.f('fk_rule_execution_rule_id_rule'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rule_execution'))
    )
    op.create_index(op.f('ix_rule_execution_rule_id'), 'rule_execution', ['rule_id'], unique=False)
    op.create_index(op.f('ix_rule_execution_user_id'), 'rule_execution', ['user_id'], unique=False)
    op.create_table('ad_group',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('campaign_id', sa.UUID(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('targeting', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('bid_strategy', sa.Text(), server_default=sa.text("'auto_cpc'"), nullable=False),
    sa.Column('bid_amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('status', sa.Text(), server_default=sa.text("'active'"), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("bid_strategy IN ('auto_cpc', 'manual_cpc', 'target_roas')", name=op.f('ck_ad_group_bid_strategy')),
    sa.CheckConstraint("status IN ('active', 'paused')", name=op.f('ck_ad_group_status')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_ad_group_campaign_id_campaign'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ad_group'))
    )
    op.create_index(op.f('ix_ad_group_campaign_id'), 'ad_group', ['campaign_id'], unique=False)
    op.create_index(op.f('ix_ad_group_user_id'), 'ad_group', ['user_id'], unique=False)
    op.create_table('campaign_metric',
    sa.Column('campaign_id', sa.UUID(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('impressions', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('clicks', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('conversions', sa.Numeric(precision=14, scale=2), server_default=sa.text('0'), nullable=False),
    sa.Column('spend', sa.Numeric(precision=14, scale=2), server_default=sa.text('0'), nullable=False),
    sa.Column('revenue', sa.Numeric(precision=14, scale=2), server_default=sa.text('0'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_campaign_metric_campaign_id_campaign'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'day', name=op.f('pk_campaign_metric'))
    )
    op.create_table('rule_action',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('execution_id', sa.UUID(), nullable=False),
    sa.Column('rule_id', sa.UUID(), nullable=False),
    sa.Column('campaign_id', sa.UUID(), nullable=True),
    sa.Column('campaign_name', sa.Text(), nullable=False),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('metric_value', sa.Numeric(precision=20, scale=6), nullable=True),
    sa.Column('old_value', sa.Text(), nullable=True),
    sa.Column('new_value', sa.Text(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('platform_status', sa.Text(), server_default=sa.text("'not_applicable'"), nullable=False),
    sa.Column('platform_error', sa.Text(), nullable=True),
    sa.Column('platform_attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('platform_claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('platform_pushed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_rule_action_campaign_id_campaign'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['execution_id'], ['rule_execution.id'], name=op.f('fk_rule_action_execution_id_rule_execution'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rule_action'))
    )
    op.create_index('ix_rule_action_cooldown', 'rule_action', ['rule_id', 'campaign_id', 'created_at'], unique=False)
    op.create_index(op.f('ix_rule_action_execution_id'), 'rule_action', ['execution_id'], unique=False)
    op.create_index('ix_rule_action_push_pending', 'rule_action', ['platform_status'], unique=False, postgresql_where=sa.text("platform_status IN ('pending', 'pushing')"))
    op.create_table('creative',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('ad_group_id', sa.UUID(), nullable=False),
    sa.Column('headline', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('destination_url', sa.Text(), nullable=False),
    sa.Column('call_to_action', sa.Text(), nullable=True),
    sa.Column('status', sa.Text(), server_default=sa.text("'active'"), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('active', 'paused')", name=op.f('ck_creative_status')),
    sa.ForeignKeyConstraint(['ad_group_id'], ['ad_group.id'], name=op.f('fk_creative_ad_group_id_ad_group'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_creative'))
    )
    op.create_index(op.f('ix_creative_ad_group_id'), 'creative', ['ad_group_id'], unique=False)
    op.create_index(op.f('ix_creative_user_id'), 'creative', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_creative_user_id'), table_name='creative')
    op.drop_index(op.f('ix_creative_ad_group_id'), table_name='creative')
    op.drop_table('creative')
    op.drop_index('ix_rule_action_push_pending', table_name='rule_action', postgresql_where=sa.text("platform_status IN ('pending', 'pushing')"))
    op.drop_index(op.f('ix_rule_action_execution_id'), table_name='rule_action')
    op.drop_index('ix_rule_action_cooldown', table_name='rule_action')
    op.drop_table('rule_action')
    op.drop_table('campaign_metric')
    op.drop_index(op.f('ix_ad_group_user_id'), table_name='ad_group')
    op.drop_index(op.f('ix_ad_group_campaign_id'), table_name='ad_group')
    op.drop_table('ad_group')
    op.drop_index(op.f('ix_rule_execution_user_id'), table_name='rule_execution')
    op.drop_index(op.f('ix_rule_execution_rule_id'), table_name='rule_execution')
    op.drop_table('rule_execution')
    op.drop_index(op.f('ix_campaign_user_id'), table_name='campaign')
    op.drop_index(op.f('ix_campaign_ad_account_id'), table_name='campaign')
    op.drop_table('campaign')
    op.drop_table('user_plan')
    op.drop_index(op.f('ix_rule_user_id'), table_name='rule')
    op.drop_index('ix_rule_due', table_name='rule')
    op.drop_table('rule')
    op.drop_index(op.f('ix_ad_account_user_id'), table_name='ad_account')
    op.drop_table('ad_account')
