from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

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


class SegmentCoverage(IdentifierCoverage):
    """The segment's coverage (``email``: people with any email), and how many further
    emails and phones its people hold beyond their first (additive fields)."""

    extra_emails: int = Field(description="Further emails of these people, beyond their first")
    extra_phones: int = Field(description="Further phones of these people, beyond their first")


class SegmentDetail(SegmentRead):
    identifier_coverage: SegmentCoverage
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
    data_processing_options: str | None = Field(
        default=None,
        description='Meta Limited Data Use for this person: "LDU" (empty or null: none)',
        examples=["LDU"],
    )
    data_processing_options_country: str | None = Field(
        default=None, description="Meta's code: 1 (US) or 0 (Meta geolocates)", examples=["1"]
    )
    data_processing_options_state: str | None = Field(
        default=None,
        description="Meta's code: 1000 (California) and the other US states, 0 (geolocate)",
        examples=["1000"],
    )
    traits: dict[str, Any] | None = None

    @field_validator(
        "data_processing_options",
        "data_processing_options_country",
        "data_processing_options_state",
        mode="before",
    )
    @classmethod
    def _ldu_text(cls, value: Any) -> Any:
        """Meta's own forms: ``["LDU"]`` / ``[]`` and integer codes."""
        if isinstance(value, list):
            return value[0] if value else None
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

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


class Consent(BaseModel):
    ad_user_data: ConsentStatus
    ad_personalization: ConsentStatus


class ProfileRead(BaseModel):
    """A profile as stored: here and, with its segment and audiences, in subject access
    (``GET /cdp/people``)."""

    external_id: str
    fields: dict[str, str] = Field(examples=[{"email": "jane.doe@example.com", "country": "FR"}])
    extra_emails: list[str] = Field(
        default_factory=list, description="The person's further emails, after `fields.email`"
    )
    extra_phones: list[str] = Field(
        default_factory=list, description="The person's further phones, after `fields.phone`"
    )
    traits: dict[str, Any] | None
    consent: Consent
    created_at: UtcDateTime
    updated_at: UtcDateTime


class ProfileList(BaseModel):
    profiles: list[ProfileRead]
    total: int = Field(description="Profiles matching `q` (without it, the segment's count)")
    page: int
    page_size: int


class DialectRead(BaseModel):
    """How the file was read."""

    encoding: Literal["UTF-8"]
    bom: bool = Field(description="the file starts with a UTF-8 byte-order mark (dropped)")
    compression: Literal["gzip"] | None = Field(description="from `Content-Encoding`")
    delimiter: Literal[",", ";", "\t", "|"] = Field(description="sniffed from the header")
    delimiter_name: Literal["comma", "semicolon", "tab", "pipe"]
    line_ending: Literal["LF", "CRLF", "CR"] = Field(description="the header's line ending")
    skipped_lines: int = Field(description="`#` comment lines above the header")


class ColumnDecision(BaseModel):
    """What one header column holds and how that was decided."""

    position: int = Field(description="1-based column number")
    header: str
    target: str = Field(
        description="a profile field (`external_id`, `email`, `phone`, `first_name`, "
        "`last_name`, `city`, `state`, `zip`, `country`, `madid`), `traits` (a JSON "
        "object column), `trait:<name>` or `ignore`"
    )
    decided_by: Literal["mapping", "exact", "alias", "unknown", "empty header"] = Field(
        description="`mapping`: the request's mapping; `exact`: the header is the field's "
        "name; `alias`: a header known from an export (Shopify, Mailchimp, HubSpot, "
        "Klaviyo, Salesforce, Meta's or Google's template); `unknown`: kept as a string "
        "trait; `empty header`: an unnamed column, ignored"
    )


class IdentifierCounts(BaseModel):
    """Identifiers, not people: a person with three emails counts three here, once in
    ``people`` and once in ``identifier_coverage.email``."""

    emails: int
    phones: int


class ImportPreview(BaseModel):
    """A dry run (`?dry_run=true`): what the import would do, nothing written."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "dry_run": True,
                "dialect": {
                    "encoding": "UTF-8",
                    "bom": True,
                    "compression": None,
                    "delimiter": ";",
                    "delimiter_name": "semicolon",
                    "line_ending": "CRLF",
                    "skipped_lines": 0,
                },
                "columns": [
                    {
                        "position": 1,
                        "header": "Email Address",
                        "target": "email",
                        "decided_by": "alias",
                    },
                    {
                        "position": 2,
                        "header": "Phone",
                        "target": "phone",
                        "decided_by": "exact",
                    },
                    {
                        "position": 3,
                        "header": "Tier",
                        "target": "trait:tier",
                        "decided_by": "unknown",
                    },
                ],
                "received": 1200,
                "people": 1180,
                "new_people": 1000,
                "existing_people": 180,
                "duplicates": 12,
                "identifier_coverage": {"email": 1175, "phone": 640, "name_zip": 0, "madid": 0},
                "identifier_counts": {"emails": 1310, "phones": 702},
                "invalid": 8,
                "invalid_samples": [
                    {
                        "line": 17,
                        "index": None,
                        "external_id": None,
                        "reason": "phone is in scientific notation (a spreadsheet rounded it; "
                        "export the column as text)",
                    }
                ],
            }
        }
    )

    dry_run: Literal[True] = True
    dialect: DialectRead
    columns: list[ColumnDecision]
    received: int = Field(description="data rows read (header and comment lines excluded)")
    people: int = Field(description="distinct people among the valid rows (by key)")
    new_people: int = Field(description="people the segment does not have yet")
    existing_people: int = Field(description="people the import would update (or leave)")
    duplicates: int = Field(description="valid rows repeating a person (the last one wins)")
    identifier_coverage: IdentifierCoverage = Field(
        description="among the people found: how many have an email, a phone, first name + "
        "last name + zip, a mobile ad id"
    )
    identifier_counts: IdentifierCounts = Field(
        description="emails and phones among the people found, every one counted (a person "
        "may have up to 10 of each)"
    )
    invalid: int
    invalid_samples: list[InvalidRow]
