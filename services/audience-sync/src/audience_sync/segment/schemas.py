from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from adscale_common.types import UtcDateTime

MAX_PROFILES_PER_CALL = 10_000

Text255 = Annotated[str, StringConstraints(max_length=255)]
ConsentStatus = Literal["granted", "denied", "unspecified"]


class SegmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
    description: Annotated[str, StringConstraints(max_length=2000)] | None = None


class SegmentRead(BaseModel):
    id: uuid.UUID
    name: str
    description: str | None
    profile_count: int
    created_at: UtcDateTime
    updated_at: UtcDateTime


class IdentifierCoverage(BaseModel):
    """How many of the segment's profiles carry each kind of identifier."""

    email: int
    phone: int
    name_zip: int = Field(description="first name, last name and zip all present")
    madid: int


class SegmentDetail(SegmentRead):
    identifier_coverage: IdentifierCoverage
    audience_count: int


class SegmentList(BaseModel):
    segments: list[SegmentRead]
    total: int
    page: int
    page_size: int


class SegmentDeleted(BaseModel):
    deleted: bool
    segment_id: uuid.UUID
    profiles_deleted: int


class ProfileIn(BaseModel):
    """A profile to upsert. A field left out keeps its stored value; ``null`` clears it;
    ``traits`` replaces the stored traits as a whole."""

    model_config = ConfigDict(extra="forbid")

    external_id: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)
    ]
    email: Annotated[str, StringConstraints(max_length=320)] | None = None
    phone: Annotated[str, StringConstraints(max_length=64)] | None = None
    first_name: Text255 | None = None
    last_name: Text255 | None = None
    city: Text255 | None = None
    state: Text255 | None = None
    zip: Annotated[str, StringConstraints(max_length=32)] | None = None
    country: Annotated[str, StringConstraints(max_length=64)] | None = None
    madid: Annotated[str, StringConstraints(max_length=64)] | None = None
    consent_ad_user_data: ConsentStatus | None = None
    consent_ad_personalization: ConsentStatus | None = None
    traits: dict[str, Any] | None = None

    @model_validator(mode="before")
    @classmethod
    def _consent_object(cls, data: Any) -> Any:
        """``"consent": {"ad_user_data": ..., "ad_personalization": ...}`` is the same as the
        flat ``consent_ad_user_data`` / ``consent_ad_personalization``."""
        if isinstance(data, dict) and isinstance(data.get("consent"), dict):
            data = dict(data)
            consent = data.pop("consent")
            for key, value in consent.items():
                data[f"consent_{key}"] = value
        return data


class ProfilesUpsert(BaseModel):
    model_config = ConfigDict(extra="forbid")

    profiles: list[ProfileIn] = Field(min_length=1, max_length=MAX_PROFILES_PER_CALL)


class ProfilesDelete(BaseModel):
    model_config = ConfigDict(extra="forbid")

    external_ids: list[Annotated[str, StringConstraints(min_length=1, max_length=255)]] = Field(
        min_length=1, max_length=MAX_PROFILES_PER_CALL
    )


class InvalidRow(BaseModel):
    """Why a row was refused. Never carries the offending value (it may be an email)."""

    line: int | None = None
    index: int | None = None
    external_id: str | None = None
    reason: str


class UpsertResult(BaseModel):
    received: int
    inserted: int
    updated: int
    unchanged: int
    invalid: int
    invalid_samples: list[InvalidRow]
    profile_count: int
    suppressed: int = Field(
        default=0, description="Rows refused: the person was erased (suppression list)"
    )
    suppressed_rows: list[InvalidRow] = Field(
        default_factory=list, description="Up to 20 of them, reason `suppressed`"
    )


class ImportResult(UpsertResult):
    """``received`` counts data rows (header excluded); a repeated ``external_id`` keeps its
    last row, the earlier ones count as ``duplicates``."""

    duplicates: int


class ProfilesDeleted(BaseModel):
    deleted: int
    not_found: int
    profile_count: int
