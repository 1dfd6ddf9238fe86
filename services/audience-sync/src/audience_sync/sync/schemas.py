from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from adscale_common.types import UtcDateTime

Operation = Literal["create", "update", "replace", "delete"]
JobStatus = Literal["pending", "running", "completed", "failed", "cancelled"]
TriggeredBy = Literal["manual", "scheduled", "api"]


class SyncRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    operation: Literal["update", "replace"] = "update"


class EstimatedChanges(BaseModel):
    to_add: int
    to_remove: int
    exact: bool = Field(
        default=True,
        description="false when too many profiles were unhashed to diff them in the request",
    )


class SyncTriggered(BaseModel):
    job_id: uuid.UUID
    status: JobStatus
    operation: Operation
    segment_size: int
    estimated_changes: EstimatedChanges


class HistoryEntry(BaseModel):
    job_id: uuid.UUID
    operation: Operation
    status: JobStatus
    profiles_sent: int
    profiles_added: int
    profiles_removed: int
    profiles_failed: int
    match_rate: float | None
    triggered_by: TriggeredBy
    started_at: UtcDateTime | None
    completed_at: UtcDateTime | None
    duration_ms: int | None
    error_code: str | None = None
    error_message: str | None = None
    profiles_skipped_consent: int = Field(
        default=0, description="Profiles of the segment left out: consent denied"
    )


class HistorySummary(BaseModel):
    total_syncs: int
    successful: int
    failed: int
    avg_match_rate: float | None


class HistoryRead(BaseModel):
    audience_id: uuid.UUID
    history: list[HistoryEntry]
    summary: HistorySummary


class FieldCounts(BaseModel):
    sent: int
    invalid: int


class SyncJobRead(BaseModel):
    """``AudienceSyncJob``. ``triggered_by_user_id`` is the user's UUID (the spec shows a
    number; AdScale user ids are UUIDs). Counts are profiles (people): a profile sent with
    its email and phone is one. Extra fields: ``error_code``, ``profiles_invalid`` (profiles
    with an identifier the platform's normalizer refused) with ``invalid_samples`` (those and
    the failed profiles with no usable identifier, with their reason), ``identifier_counts``
    (per field the audience sends: profiles ``sent`` with it, profiles whose value was
    ``invalid``), ``segment_size``, ``estimated_changes``, ``created_at``."""

    job_id: uuid.UUID
    audience_id: uuid.UUID
    platform: str
    operation: Operation
    status: JobStatus
    profiles_sent: int
    profiles_added: int
    profiles_removed: int
    profiles_failed: int
    match_rate: float | None
    triggered_by: TriggeredBy
    triggered_by_user_id: uuid.UUID | None
    started_at: UtcDateTime | None
    completed_at: UtcDateTime | None
    duration_ms: int | None
    error_message: str | None
    platform_response: dict[str, Any] | None
    error_code: str | None
    profiles_invalid: int
    profiles_skipped_consent: int = Field(
        default=0, description="Profiles of the segment left out: consent denied"
    )
    invalid_samples: list[dict[str, Any]]
    identifier_counts: dict[str, FieldCounts]
    segment_size: int | None
    estimated_changes: EstimatedChanges | None
    created_at: UtcDateTime


class SyncStats(BaseModel):
    total_syncs: int
    successful_syncs: int
    failed_syncs: int
    avg_match_rate: float | None
    profiles_added: int
    profiles_removed: int
