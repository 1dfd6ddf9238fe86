"""Bodies of the privacy routes: erasure requests and receipts, suppressions, access."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from adscale_common.types import UtcDateTime
from audience_sync.safeguards.identity import Identifier, Kind, NotAnIdentifier
from audience_sync.segment.schemas import ProfileRead

ErasureStatus = Literal["pending", "running", "completed", "failed"]
TargetStatus = Literal["pending", "completed", "failed"]

EMAIL_EXAMPLE = "jane.doe@example.com"
HASH_EXAMPLE = "836f82db99121b3481011f16b49dfa5fbc714a0d1b1b9f784a1ebbbf5b39577f"


def _check(kind: Kind, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        Identifier.parse(kind, value)
    except NotAnIdentifier as exc:
        raise ValueError(str(exc)) from None
    return value


class PersonKey(BaseModel):
    """Exactly one identifier of the person."""

    model_config = ConfigDict(extra="forbid")

    external_id: str | None = Field(default=None, min_length=1, max_length=255)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=64)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return _check("email", value)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return _check("phone", value)

    @model_validator(mode="after")
    def _exactly_one(self) -> PersonKey:
        given = [k for k in ("external_id", "email", "phone") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of external_id, email, phone")
        return self

    def identifier(self) -> Identifier:
        for kind in ("external_id", "email", "phone"):
            value = getattr(self, kind)
            if value is not None:
                return Identifier.parse(kind, value)  # type: ignore[arg-type]
        raise AssertionError("validated")  # pragma: no cover


class ErasureCreate(PersonKey):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"email": EMAIL_EXAMPLE, "reason": "GDPR art. 17 request #4411"},
                {"external_id": "cust-001"},
            ]
        },
    )

    reason: str | None = Field(default=None, max_length=500)


class ErasureAccepted(BaseModel):
    erasure_id: uuid.UUID
    status: ErasureStatus
    created: bool = Field(description="false when the same request was already received")
    requested_at: UtcDateTime


BATCH_MAX = 10_000


class ErasureBatchCreate(BaseModel):
    """Up to 10,000 people in one request (a deletion queue drained at once), each with
    exactly one identifier; every item is checked before anything is queued."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "people": [{"email": EMAIL_EXAMPLE}, {"external_id": "cust-001"}],
                    "reason": "CCPA deletion queue 2026-12-06",
                }
            ]
        },
    )

    people: list[PersonKey] = Field(min_length=1, max_length=BATCH_MAX)
    reason: str | None = Field(default=None, max_length=500)


class ErasureBatchAccepted(BaseModel):
    erasures: list[ErasureAccepted] = Field(
        description="One per item of ``people``, in the same order (the same person twice "
        "gets the same erasure)"
    )
    created: int = Field(description="Erasures queued by this request")
    existing: int = Field(description="Items answered by an erasure already received")


class HashedIdentifier(BaseModel):
    kind: Kind
    sha256: str = Field(examples=[HASH_EXAMPLE])


class Attempt(BaseModel):
    attempt: int
    at: str
    outcome: Literal["ok", "error"]
    platform_answer: dict[str, Any] = Field(
        description="The platform's own answer: rows received / invalid and requests made, "
        "or its error code, message and Retry-After"
    )


class TargetRead(BaseModel):
    audience_id: uuid.UUID
    platform: str
    platform_audience_id: str | None
    audience_name: str
    profiles: int = Field(description="Profiles of the person this audience held")
    status: TargetStatus
    attempts: int
    retries: int
    answers: list[Attempt]
    completed_at: UtcDateTime | None


class Matched(BaseModel):
    profiles: int
    segments: int
    identifiers: list[HashedIdentifier]


class Deleted(BaseModel):
    profiles: int
    digests: int
    audience_members: int
    exports_revoked: int


class ErasureRead(BaseModel):
    erasure_id: uuid.UUID
    status: ErasureStatus
    failure_reason: str | None
    reason: str | None
    requested: HashedIdentifier
    requested_at: UtcDateTime
    started_at: UtcDateTime | None
    completed_at: UtcDateTime | None
    nothing_matched: bool
    matched: Matched
    deleted: Deleted
    audiences: list[TargetRead]


class ErasureList(BaseModel):
    erasures: list[ErasureRead]
    total: int
    page: int
    page_size: int


class SuppressionLifted(BaseModel):
    lifted: bool
    hash: str
    kind: Kind


class Membership(BaseModel):
    audience_id: uuid.UUID
    platform: str
    platform_audience_id: str | None
    audience_name: str
    ad_account_id: str
    identifier_fields: list[str] = Field(description="What the audience sends (hashed)")
    audience_created_at: UtcDateTime
    first_sent_by_sync_at: UtcDateTime | None = Field(
        description="First completed sync of the audience after the profile was created"
    )
    last_sync_at: UtcDateTime | None


class ProfileHeld(ProfileRead):
    """The profile as the segment list shows it, with its segment and the platform
    audiences that accepted it."""

    segment_id: uuid.UUID
    segment_name: str
    audiences: list[Membership]


class PersonRead(BaseModel):
    requested: HashedIdentifier
    identifiers: list[HashedIdentifier] = Field(
        description="SHA-256 of every normalized identifier the person's profiles hold"
    )
    suppressed: bool = Field(description="Some of these identifiers are on the suppression list")
    profiles: list[ProfileHeld]
    platforms: list[str] = Field(description="Platforms the person was sent to")
