"""Webhook bodies, exactly the spec's "Webhooks" section: ``{"event", "timestamp", "data"}``
with exactly the listed data fields (the event's owner and extra counters stay out)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import orjson

from adscale_common.types import utc_z
from adscale_contracts.events import SyncCompleted, SyncFailed

COMPLETED = SyncCompleted.TYPE
FAILED = SyncFailed.TYPE


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


def body(event_type: str, occurred_at: datetime, data: dict[str, Any]) -> str:
    payload = {"event": event_type, "timestamp": utc_z(occurred_at), "data": data}
    return orjson.dumps(payload).decode()


def sample(event_type: str) -> str:
    """A test payload: the event's shape with placeholder values (nil UUIDs)."""
    nil = str(uuid.UUID(int=0))
    data: dict[str, Any]
    if event_type == COMPLETED:
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
    return body(event_type, datetime.now(UTC), data)
