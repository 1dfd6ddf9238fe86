"""Request and response bodies of ``POST /audiences/export`` and ``GET /exports/{id}``."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from adscale_common.types import UtcDateTime
from adscale_contracts.platforms import IDENTIFIER_FIELDS, IdentifierField, Platform
from audience_sync.types import drop_repeats

ExportFormat = Literal["csv", "jsonl"]


class ExportOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    identifier_types: Annotated[list[IdentifierField], Field(min_length=1, max_length=10)] = Field(
        default_factory=lambda: list(IDENTIFIER_FIELDS),
        description="Identifier columns, in this order (default: all ten).",
    )
    hash_identifiers: bool = Field(
        default=True,
        description="SHA-256 of each value normalised by the platform's rules "
        "(fields the platform takes unhashed are written normalised, in clear).",
    )
    platform: Platform = Field(
        default="meta", description="Whose normalisation rules apply when hashing."
    )
    include_traits: bool = False
    include_events: bool = Field(
        default=False,
        description="Always refused: AdScale holds profiles and traits, not behavioural events.",
    )

    @field_validator("identifier_types", mode="before")
    @classmethod
    def _unique(cls, value: Any) -> Any:
        return drop_repeats(value)  # all ten types plus a repeat is the ten columns

    @field_validator("include_events")
    @classmethod
    def _no_events(cls, value: bool) -> bool:
        if value:
            raise ValueError(
                "event data is not available: AdScale holds profiles and their traits, "
                "not behavioural events; set include_events to false"
            )
        return value


class ExportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    segment_id: uuid.UUID
    format: ExportFormat = "csv"
    options: ExportOptions = Field(default_factory=ExportOptions)


class ExportAccepted(BaseModel):
    export_id: uuid.UUID
    status: Literal["processing"]
    segment_id: uuid.UUID
    profile_count: int


class ExportError(BaseModel):
    code: str
    message: str


class ExportRead(BaseModel):
    export_id: uuid.UUID
    status: Literal["processing", "completed", "failed"]
    segment_id: uuid.UUID | None
    format: ExportFormat
    download_url: str | None = Field(
        description="Signed link, no login needed; null until completed and after expiry."
    )
    expires_at: UtcDateTime | None
    profile_count: int
    file_size_bytes: int | None
    created_at: UtcDateTime
    completed_at: UtcDateTime | None
    error: ExportError | None = None
