"""Webhook bodies: ``{"event", "timestamp", "data"}``. The sync events carry exactly the
spec's "Webhooks" data fields (the event's owner and extra counters stay out);
``rule.executed`` (AdScale's addition) carries one optimization rule action."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import orjson

from adscale_common.types import utc_z
from adscale_contracts.events import ProfileErased, RuleExecuted, SyncCompleted, SyncFailed

COMPLETED = SyncCompleted.TYPE
FAILED = SyncFailed.TYPE
RULE_EXECUTED = "rule.executed"  # the subscribable name of campaigns.rule_executed
PROFILE_ERASED = "profile.erased"  # the subscribable name of cdp.profile_erased


def data_of(event: SyncCompleted | SyncFailed) -> dict[str, Any]:
    if isinstance(event, SyncCompleted):
        return {
            "job_id": str(event.job_id),
            "audience_id": str(event.audience_id),
            "platform": event.platform,
            "operation": event.operation,
            "profiles_sent": event.profiles_sent,
            "profiles_added": event.profiles_added,
            "match_rate": event.match_rate,
            "duration_ms": event.duration_ms,
        }
    return {
        "job_id": str(event.job_id),
        "audience_id": str(event.audience_id),
        "platform": event.platform,
        "error_code": event.error_code,
        "error_message": event.error_message,
    }


def rule_data(event: RuleExecuted, occurred_at: datetime) -> dict[str, Any]:
    """One rule action (or undo restore) on one campaign or ad group, as campaigns applied
    it in AdScale; the platform push follows (its result is on the rule run)."""
    return {
        "rule_id": str(event.rule_id),
        "rule_name": event.rule_name,
        "run_id": str(event.run_id),
        "trigger": event.trigger,
        "action": event.action,
        "object": {
            "type": event.object_type,
            "campaign_id": str(event.campaign_id),
            "ad_group_id": None if event.ad_group_id is None else str(event.ad_group_id),
            "name": event.object_name,
        },
        "old_value": event.old_value,
        "new_value": event.new_value,
        "description": event.description,
        "occurred_at": utc_z(occurred_at),
    }


def erased_data(event: ProfileErased) -> dict[str, Any]:
    """A finished erasure in brief (the full receipt: ``GET /cdp/erasures/{id}``)."""
    return {
        "erasure_id": str(event.erasure_id),
        "status": event.status,
        "failure_reason": event.failure_reason,
        "profiles_erased": event.profiles_erased,
        "audiences_completed": event.audiences_completed,
        "audiences_failed": event.audiences_failed,
        "exports_revoked": event.exports_revoked,
        "identifier_hashes": list(event.identifier_hashes),
    }


def body(event_type: str, occurred_at: datetime, data: dict[str, Any]) -> str:
    payload = {"event": event_type, "timestamp": utc_z(occurred_at), "data": data}
    return orjson.dumps(payload).decode()


def sample(event_type: str) -> str:
    """A test payload: the event's shape with placeholder values (nil UUIDs)."""
    nil = str(uuid.UUID(int=0))
    data: dict[str, Any]
    now = datetime.now(UTC)
    if event_type == RULE_EXECUTED:
        data = rule_data(
            RuleExecuted(
                rule_id=uuid.UUID(int=0),
                run_id=uuid.UUID(int=0),
                user_id=uuid.UUID(int=0),
                rule_name="Test rule",
                trigger="manual",
                object_type="campaign",
                campaign_id=uuid.UUID(int=0),
                object_name="Test campaign",
                action="notify",
                description="Test event sent from AdScale",
            ),
            now,
        )
    elif event_type == PROFILE_ERASED:
        data = erased_data(
            ProfileErased(
                erasure_id=uuid.UUID(int=0),
                user_id=uuid.UUID(int=0),
                status="completed",
                profiles_erased=0,
                audiences_completed=0,
            )
        )
    elif event_type == COMPLETED:
        data = {
            "job_id": nil,
            "audience_id": nil,
            "platform": "meta",
            "operation": "update",
            "profiles_sent": 0,
            "profiles_added": 0,
            "match_rate": None,
            "duration_ms": 0,
        }
    else:
        data = {
            "job_id": nil,
            "audience_id": nil,
            "platform": "meta",
            "error_code": "TEST",
            "error_message": "Test event sent from AdScale",
        }
    return body(event_type, now, data)
