"""Typed ``data`` schemas for every event type, used by producers and consumers.

An event travels as :class:`adscale_common.events.Envelope` JSON; its ``type``
names one of the schemas below. Producers build envelopes with :func:`build`;
consumers read the typed payload with :func:`parse`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from adscale_common.events import Envelope
from adscale_contracts.platforms import AdPlatform, Platform

Plan = Literal["free", "pro", "enterprise"]


class EventData(BaseModel):
    """Base of every payload: frozen, extra fields refused (contract drift fails loudly)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    TYPE: ClassVar[str]
    VERSION: ClassVar[int] = 1
    SUBJECT_FIELD: ClassVar[str]


# --- identity.events -------------------------------------------------------


class UserRegistered(EventData):
    TYPE: ClassVar[str] = "identity.user_registered"
    SUBJECT_FIELD: ClassVar[str] = "user_id"
    user_id: uuid.UUID
    plan: Plan = "free"
    external_user_id: str | None = None


class ApiKeyCreated(EventData):
    TYPE: ClassVar[str] = "identity.api_key_created"
    SUBJECT_FIELD: ClassVar[str] = "user_id"
    user_id: uuid.UUID
    api_key_id: uuid.UUID
    prefix: str


class ApiKeyRevoked(EventData):
    TYPE: ClassVar[str] = "identity.api_key_revoked"
    SUBJECT_FIELD: ClassVar[str] = "user_id"
    user_id: uuid.UUID
    api_key_id: uuid.UUID


class PasswordResetRequested(EventData):
    """A reset link was issued. No token and no address: those stay in identity's own
    store (its mailer reads them there), since any service may read ``identity.events``.
    Version 1 carried both."""

    TYPE: ClassVar[str] = "identity.password_reset_requested"
    VERSION: ClassVar[int] = 2
    SUBJECT_FIELD: ClassVar[str] = "user_id"
    user_id: uuid.UUID
    expires_at: datetime


class PasswordChanged(EventData):
    TYPE: ClassVar[str] = "identity.password_changed"
    SUBJECT_FIELD: ClassVar[str] = "user_id"
    user_id: uuid.UUID


class SessionsEnded(EventData):
    """Sessions (refresh-token families, the ``sid`` of their access tokens) ended: a sign
    out, one session revoked from the list, signing out everywhere, a password change or
    reset, a leaked refresh token. The gateway refuses their access tokens from then on."""

    TYPE: ClassVar[str] = "identity.sessions_ended"
    SUBJECT_FIELD: ClassVar[str] = "user_id"
    user_id: uuid.UUID
    session_ids: list[uuid.UUID] = Field(min_length=1)


# --- billing.events --------------------------------------------------------


class PlanChanged(EventData):
    TYPE: ClassVar[str] = "billing.plan_changed"
    SUBJECT_FIELD: ClassVar[str] = "user_id"
    user_id: uuid.UUID
    old_plan: Plan
    new_plan: Plan
    reason: str
    effective_at: datetime | None = None


# --- campaigns.events ------------------------------------------------------


class CampaignCreated(EventData):
    TYPE: ClassVar[str] = "campaigns.campaign_created"
    SUBJECT_FIELD: ClassVar[str] = "campaign_id"
    campaign_id: uuid.UUID
    user_id: uuid.UUID
    ad_account_id: uuid.UUID
    platform: AdPlatform
    name: str
    status: str


class CampaignUpdated(EventData):
    TYPE: ClassVar[str] = "campaigns.campaign_updated"
    SUBJECT_FIELD: ClassVar[str] = "campaign_id"
    campaign_id: uuid.UUID
    user_id: uuid.UUID
    changed: list[str]
    status: str
    budget_daily: Decimal | None = None
    budget_lifetime: Decimal | None = None


class CampaignDeleted(EventData):
    TYPE: ClassVar[str] = "campaigns.campaign_deleted"
    SUBJECT_FIELD: ClassVar[str] = "campaign_id"
    campaign_id: uuid.UUID
    user_id: uuid.UUID
    ad_groups_deleted: int = 0


class AdGroupCreated(EventData):
    TYPE: ClassVar[str] = "campaigns.ad_group_created"
    SUBJECT_FIELD: ClassVar[str] = "ad_group_id"
    ad_group_id: uuid.UUID
    campaign_id: uuid.UUID
    user_id: uuid.UUID


class AdGroupUpdated(EventData):
    TYPE: ClassVar[str] = "campaigns.ad_group_updated"
    SUBJECT_FIELD: ClassVar[str] = "ad_group_id"
    ad_group_id: uuid.UUID
    campaign_id: uuid.UUID
    user_id: uuid.UUID
    changed: list[str]


class AdGroupDeleted(EventData):
    TYPE: ClassVar[str] = "campaigns.ad_group_deleted"
    SUBJECT_FIELD: ClassVar[str] = "ad_group_id"
    ad_group_id: uuid.UUID
    campaign_id: uuid.UUID
    user_id: uuid.UUID


# --- campaigns.events: optimization rule actions ---------------------------

RuleActionName = Literal[
    "pause",
    "unpause",
    "increase_budget",
    "decrease_budget",
    "increase_bid",
    "decrease_bid",
    "notify",
]


class RuleExecuted(EventData):
    """One change (or notification) an optimization rule run made, or an undo restored.

    Keyed by rule, so the actions of one rule stay in order. ``old_value`` /
    ``new_value``: a status (``active``/``paused``) or an amount (``"12.50"``).
    """

    TYPE: ClassVar[str] = "campaigns.rule_executed"
    SUBJECT_FIELD: ClassVar[str] = "rule_id"
    rule_id: uuid.UUID
    run_id: uuid.UUID
    user_id: uuid.UUID
    rule_name: str
    trigger: Literal["manual", "schedule", "event", "undo"]
    object_type: Literal["campaign", "ad_group"]
    campaign_id: uuid.UUID
    ad_group_id: uuid.UUID | None = None
    object_name: str
    action: RuleActionName
    old_value: str | None = None
    new_value: str | None = None
    description: str


# --- audience_sync.events --------------------------------------------------

SyncOperation = Literal["create", "update", "replace", "delete"]


class SyncCompleted(EventData):
    """Spec "Webhooks / Sync Completed" data, plus owner and full counters. Every count is
    of profiles (people), never of identifiers."""

    TYPE: ClassVar[str] = "audience_sync.completed"
    SUBJECT_FIELD: ClassVar[str] = "audience_id"
    job_id: uuid.UUID
    audience_id: uuid.UUID
    user_id: uuid.UUID
    platform: Platform
    operation: SyncOperation
    profiles_sent: int = Field(ge=0)
    profiles_added: int = Field(ge=0)
    profiles_removed: int = Field(default=0, ge=0)
    profiles_failed: int = Field(default=0, ge=0)
    match_rate: float | None = None
    duration_ms: int | None = None


class SyncFailed(EventData):
    TYPE: ClassVar[str] = "audience_sync.failed"
    SUBJECT_FIELD: ClassVar[str] = "audience_id"
    job_id: uuid.UUID
    audience_id: uuid.UUID
    user_id: uuid.UUID
    platform: Platform
    error_code: str
    error_message: str


# --- cdp.events -------------------------------------------------------------


class ProfileErased(EventData):
    """A person's erasure finished (``completed``, or ``failed`` with its reason): their
    profiles, digests and accepted-member rows are deleted and every platform audience they
    were in was asked to remove them. Only SHA-256 of normalized identifiers travel."""

    TYPE: ClassVar[str] = "cdp.profile_erased"
    SUBJECT_FIELD: ClassVar[str] = "erasure_id"
    erasure_id: uuid.UUID
    user_id: uuid.UUID
    status: Literal["completed", "failed"]
    failure_reason: str | None = None
    profiles_erased: int = Field(ge=0)
    audiences_completed: int = Field(ge=0)
    audiences_failed: int = Field(default=0, ge=0)
    exports_revoked: int = Field(default=0, ge=0)
    identifier_hashes: list[str] = Field(default_factory=list)


EVENT_TYPES: dict[str, type[EventData]] = {
    cls.TYPE: cls
    for cls in (
        UserRegistered,
        ApiKeyCreated,
        ApiKeyRevoked,
        PasswordResetRequested,
        PasswordChanged,
        SessionsEnded,
        PlanChanged,
        CampaignCreated,
        CampaignUpdated,
        CampaignDeleted,
        AdGroupCreated,
        AdGroupUpdated,
        AdGroupDeleted,
        RuleExecuted,
        SyncCompleted,
        SyncFailed,
        ProfileErased,
    )
}

D = TypeVar("D", bound=EventData)


def build(data: EventData, *, source: str) -> Envelope:
    """Wrap a typed payload in the envelope; the subject is its aggregate id."""
    return Envelope(
        type=data.TYPE,
        version=data.VERSION,
        source=source,
        subject=str(getattr(data, data.SUBJECT_FIELD)),
        data=data.model_dump(mode="json"),
    )


def parse(envelope: Envelope, expected: type[D]) -> D:
    if envelope.type != expected.TYPE:
        raise ValueError(f"expected {expected.TYPE}, got {envelope.type}")
    return expected.model_validate(envelope.data)


def parse_any(envelope: Envelope) -> EventData:
    try:
        schema = EVENT_TYPES[envelope.type]
    except KeyError as exc:
        raise ValueError(f"unknown event type {envelope.type!r}") from exc
    return schema.model_validate(envelope.data)
