from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from adscale_common.types import UtcDateTime
from adscale_contracts.platforms import Platform
from audience_sync.sync.schemas import JobStatus, SyncStats

SyncInterval = Annotated[int, Field(ge=1, le=720)]


class AudienceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    segment_id: uuid.UUID
    platform: Platform
    ad_account_id: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)
    ]
    audience_name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)
    ]
    description: Annotated[str, StringConstraints(max_length=2000)] | None = None
    auto_sync: bool = True
    sync_interval_hours: SyncInterval = 24
    additive_only: bool = False
    limited_data_use: bool = Field(
        default=False,
        description="Meta only: every row carries Limited Data Use "
        '(data_processing_options ["LDU"], country and state 0: Meta geolocates)',
        examples=[True],
    )


class AudienceUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    auto_sync: bool | None = None
    sync_interval_hours: SyncInterval | None = None
    is_active: bool | None = None
    additive_only: bool | None = None
    limited_data_use: bool | None = Field(
        default=None, description="Meta Limited Data Use for every row", examples=[True]
    )


class AudienceRead(BaseModel):
    """``PlatformAudience``, plus ``additive_only`` (no removals are sent),
    ``limited_data_use`` (Meta rows carry Limited Data Use) and ``identifier_fields`` (the
    identifier fields each profile's row carries)."""

    id: uuid.UUID
    segment_id: uuid.UUID
    segment_name: str
    platform: Platform
    platform_audience_id: str | None
    platform_audience_name: str
    ad_account_id: str
    description: str | None
    is_active: bool
    auto_sync: bool
    sync_interval_hours: int
    additive_only: bool
    limited_data_use: bool
    identifier_fields: list[str]
    last_sync_at: UtcDateTime | None
    last_sync_status: JobStatus | None
    platform_size: int | None
    matched_size: int | None
    match_rate: float | None
    next_sync_at: UtcDateTime | None
    created_at: UtcDateTime
    updated_at: UtcDateTime


class AudienceDetail(AudienceRead):
    """Also ``identifier_coverage``: per field of ``identifier_fields``, how many of the
    segment's profiles have it."""

    segment_profile_count: int
    identifier_coverage: dict[str, int]
    extra_identifiers: dict[str, int] = Field(
        description="Further emails and phones the segment's people hold beyond their first, "
        "for the fields the audience sends (they travel in the person's row)",
        examples=[{"emails": 120, "phones": 15}],
    )
    sync_stats_30d: SyncStats


class AudienceList(BaseModel):
    audiences: list[AudienceRead]
    total: int
    page: int
    page_size: int


class InitialSync(BaseModel):
    job_id: uuid.UUID
    status: JobStatus
    profiles_sent: int
    matched: int | None
    match_rate: float | None
    duration_ms: int | None
    error_code: str | None = None
    error_message: str | None = None


class AudienceCreated(BaseModel):
    audience: AudienceRead
    initial_sync: InitialSync


class AudienceDeleted(BaseModel):
    deleted: bool
    audience_id: uuid.UUID
    platform_audience_deleted: bool


StatusFilter = Literal["active", "paused"]
