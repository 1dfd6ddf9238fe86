"""Campaigns tables. Outbox and inbox tables come from ``adscale_common.messaging``.

Every user-owned row carries ``user_id`` so each query is scoped to the caller
with one predicate. Children reference their parent with ``ON DELETE CASCADE``
(account -> campaign -> ad group -> creative; campaign -> daily metrics).
Money is ``NUMERIC(14,2)``; times are ``timestamptz``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlmodel import Field, SQLModel

from adscale_common.columns import foreign_key, text, timestamp, uuid_column, uuid_pk
from adscale_common.db import NAMING_CONVENTION
from adscale_contracts.platforms import AD_PLATFORMS, one_of_check

SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata = SQLModel.metadata

MONEY = sa.Numeric(14, 2)


def _user_id() -> Any:
    return Field(sa_column=sa.Column(pg.UUID(as_uuid=True), nullable=False, index=True))


def _money(*, nullable: bool = True) -> Any:
    if nullable:
        return Field(default=None, sa_column=sa.Column(MONEY, nullable=True))
    return Field(
        default=Decimal("0"),
        sa_column=sa.Column(MONEY, nullable=False, server_default=sa.text("0")),
    )


class UserPlan(SQLModel, table=True):
    """Local plan projection fed by ``billing.plan_changed`` (limits never trust the token)."""

    __tablename__ = "user_plan"

    user_id: uuid.UUID = uuid_column(primary_key=True)
    plan: str = text(default="free")
    plan_changed_at: datetime | None = timestamp(nullable=True)
    updated_at: datetime = timestamp()


class AdAccount(SQLModel, table=True):
    __tablename__ = "ad_account"
    __table_args__ = (
        sa.UniqueConstraint(
            "user_id",
            "platform",
            "account_id_external",
            name="uq_ad_account_user_platform_external",
        ),
        sa.CheckConstraint(one_of_check("platform", AD_PLATFORMS), name="platform"),
        sa.CheckConstraint("status IN ('active', 'disconnected')", name="status"),
    )

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = _user_id()
    platform: str = text()
    account_id_external: str = text()
    account_name: str | None = text(nullable=True)
    access_token_encrypted: str | None = text(nullable=True)
    status: str = text(default="active")
    disconnected_reason: str | None = text(nullable=True)
    time_zone: str = text(default="UTC")  # IANA; rule windows and schedules count days in it
    connected_at: datetime = timestamp()
    metrics_synced_at: datetime | None = timestamp(nullable=True)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class Campaign(SQLModel, table=True):
    __tablename__ = "campaign"
    __table_args__ = (
        sa.UniqueConstraint(
            "ad_account_id", "external_campaign_id", name="uq_campaign_account_external"
        ),
        sa.CheckConstraint("budget_daily IS NULL OR budget_lifetime IS NULL", name="one_budget"),
        sa.CheckConstraint(
            "end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="dates"
        ),
        sa.CheckConstraint(
            "objective IN ('sales', 'traffic', 'awareness', 'leads', 'app_installs')",
            name="objective",
        ),
        sa.CheckConstraint("status IN ('draft', 'active', 'paused', 'completed')", name="status"),
    )

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = _user_id()
    ad_account_id: uuid.UUID = foreign_key("ad_account.id")
    platform: str = text()
    name: str = text()
    objective: str = text()
    status: str = text(default="draft")
    budget_daily: Decimal | None = _money()
    budget_lifetime: Decimal | None = _money()
    start_date: date | None = Field(default=None, sa_column=sa.Column(sa.Date, nullable=True))
    end_date: date | None = Field(default=None, sa_column=sa.Column(sa.Date, nullable=True))
    external_campaign_id: str | None = text(nullable=True)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class AdGroup(SQLModel, table=True):
    __tablename__ = "ad_group"
    __table_args__ = (
        sa.CheckConstraint(
            "bid_strategy IN ('auto_cpc', 'manual_cpc', 'target_roas')", name="bid_strategy"
        ),
        sa.CheckConstraint("status IN ('active', 'paused')", name="status"),
    )

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = _user_id()
    campaign_id: uuid.UUID = foreign_key("campaign.id")
    name: str = text()
    targeting: dict[str, Any] = Field(
        default_factory=dict,
        sa_column=sa.Column(pg.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    )
    bid_strategy: str = text(default="auto_cpc")
    bid_amount: Decimal | None = _money()
    status: str = text(default="active")
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class Creative(SQLModel, table=True):
    __tablename__ = "creative"
    __table_args__ = (sa.CheckConstraint("status IN ('active', 'paused')", name="status"),)

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = _user_id()
    ad_group_id: uuid.UUID = foreign_key("ad_group.id")
    headline: str = text()
    description: str = text()
    destination_url: str = text()
    call_to_action: str | None = text(nullable=True)
    status: str = text(default="active")
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class CampaignMetric(SQLModel, table=True):
    """One row per campaign and day, upserted by the platform sync."""

    __tablename__ = "campaign_metric"

    campaign_id: uuid.UUID = foreign_key("campaign.id", primary_key=True)
    day: date = Field(sa_column=sa.Column(sa.Date, primary_key=True))
    impressions: int = Field(
        default=0, sa_column=sa.Column(sa.BigInteger, nullable=False, server_default="0")
    )
    clicks: int = Field(
        default=0, sa_column=sa.Column(sa.BigInteger, nullable=False, server_default="0")
    )
    conversions: Decimal = _money(nullable=False)
    spend: Decimal = _money(nullable=False)
    revenue: Decimal = _money(nullable=False)
    updated_at: datetime = timestamp()


class Rule(SQLModel, table=True):
    __tablename__ = "rule"
    __table_args__ = (
        sa.CheckConstraint(
            "rule_type IN ('pause_low_roas', 'increase_budget_high_roas', "
            "'decrease_budget_low_ctr', 'pause_no_conversions')",
            name="rule_type",
        ),
        sa.Index("ix_rule_due", "is_active", "last_executed"),
    )

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = _user_id()
    name: str = text()
    rule_type: str = text()
    threshold: Decimal = Field(sa_column=sa.Column(sa.Numeric(14, 4), nullable=False))
    conditions: dict[str, Any] = Field(
        default_factory=dict,
        sa_column=sa.Column(pg.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    )
    is_active: bool = Field(
        default=True, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.true())
    )
    last_executed: datetime | None = timestamp(nullable=True)
    executions_count: int = Field(
        default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0")
    )
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class RuleExecution(SQLModel, table=True):
    """One run of a rule (``GET /rule-runs/{id}``); ``slot_at`` makes a scheduled slot run once."""

    __tablename__ = "rule_execution"
    __table_args__ = (sa.UniqueConstraint("rule_id", "slot_at", name="uq_rule_execution_slot"),)

    id: uuid.UUID = uuid_pk()
    rule_id: uuid.UUID = foreign_key("rule.id")
    user_id: uuid.UUID = _user_id()
    trigger: str = text()  # manual | schedule
    dry_run: bool = Field(
        default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false())
    )
    slot_at: datetime | None = timestamp(nullable=True)
    undone_at: datetime | None = timestamp(nullable=True)
    started_at: datetime = timestamp()
    finished_at: datetime | None = timestamp(nullable=True)
    window_start: date = Field(sa_column=sa.Column(sa.Date, nullable=False))
    window_end: date = Field(sa_column=sa.Column(sa.Date, nullable=False))
    campaigns_evaluated: int = Field(
        default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0")
    )
    campaigns_affected: int = Field(
        default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0")
    )


class RuleAction(SQLModel, table=True):
    """One object a run judged: acted on (``applied``), matched but left (``skipped``), or
    not matched (``no_match``); ``evaluation`` holds each filter's value and verdict."""

    __tablename__ = "rule_action"
    __table_args__ = (
        sa.Index("ix_rule_action_cooldown", "rule_id", "campaign_id", "created_at"),
        sa.Index(
            "ix_rule_action_push_pending",
            "platform_status",
            postgresql_where=sa.text("platform_status IN ('pending', 'pushing')"),
        ),
        sa.Index(
            "ix_rule_action_group_cooldown",
            "rule_id",
            "ad_group_id",
            "created_at",
            postgresql_where=sa.text("ad_group_id IS NOT NULL"),
        ),
    )

    id: uuid.UUID = uuid_pk()
    execution_id: uuid.UUID = foreign_key("rule_execution.id")
    rule_id: uuid.UUID = Field(sa_column=sa.Column(pg.UUID(as_uuid=True), nullable=False))
    campaign_id: uuid.UUID | None = Field(
        default=None,
        sa_column=sa.Column(
            pg.UUID(as_uuid=True), sa.ForeignKey("campaign.id", ondelete="SET NULL"), nullable=True
        ),
    )
    campaign_name: str = text()
    object_type: str = text(default="campaign")  # campaign | ad_group
    ad_group_id: uuid.UUID | None = Field(
        default=None,
        sa_column=sa.Column(
            pg.UUID(as_uuid=True), sa.ForeignKey("ad_group.id", ondelete="SET NULL"), nullable=True
        ),
    )
    ad_group_name: str | None = text(nullable=True)
    # pause | unpause | increase_budget | decrease_budget | increase_bid | decrease_bid | notify
    action: str = text()
    outcome: str = text()  # applied | skipped | no_match
    evaluation: list[dict[str, Any]] | None = Field(
        default=None, sa_column=sa.Column(pg.JSONB, nullable=True)
    )
    undone_at: datetime | None = timestamp(nullable=True)
    reason: str = text()
    metric_value: Decimal | None = Field(
        default=None, sa_column=sa.Column(sa.Numeric(20, 6), nullable=True)
    )
    old_value: str | None = text(nullable=True)
    new_value: str | None = text(nullable=True)
    description: str = text()
    # not_applicable | pending | pushing | succeeded | failed
    platform_status: str = text(default="not_applicable")
    platform_error: str | None = text(nullable=True)
    platform_attempts: int = Field(
        default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0")
    )
    platform_claimed_at: datetime | None = timestamp(nullable=True)
    platform_pushed_at: datetime | None = timestamp(nullable=True)
    created_at: datetime = timestamp()


class AudienceHealth(SQLModel, table=True):
    """Projection of each AdScale audience's last sync, fed by ``audience_sync.completed`` /
    ``.failed`` (audience-health rule conditions read it)."""

    __tablename__ = "audience_health"
    __table_args__ = (sa.CheckConstraint("last_status IN ('completed', 'failed')", name="status"),)

    audience_id: uuid.UUID = uuid_column(primary_key=True)
    user_id: uuid.UUID = _user_id()
    platform: str = text()
    last_status: str = text()
    last_error_code: str | None = text(nullable=True)
    size: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, nullable=True))
    match_rate: Decimal | None = Field(
        default=None, sa_column=sa.Column(sa.Numeric(7, 4), nullable=True)
    )
    last_event_at: datetime = timestamp()
    updated_at: datetime = timestamp()
