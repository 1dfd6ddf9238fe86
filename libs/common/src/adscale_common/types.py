"""Field types shared by every service's API schemas."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import PlainSerializer, WithJsonSchema


def utcnow() -> datetime:
    return datetime.now(UTC)


def utc_z(moment: datetime) -> str:
    """``2026-02-14T12:34:56Z``: UTC, second precision, ``Z`` suffix (spec Conventions).

    A naive value is taken to be UTC already (PostgreSQL ``timestamptz`` never gives one).
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


UtcDateTime = Annotated[
    datetime,
    PlainSerializer(utc_z, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time", "example": "2026-02-14T12:34:56Z"}),
]
"""A time serialised as ``2026-02-14T12:34:56Z`` in JSON responses."""


HTTP_URL_SCHEMA: dict[str, str] = {
    "format": "uri",
    "pattern": r"^[Hh][Tt][Tt][Pp][Ss]?://\S+$",
    "description": "An http or https URL, without whitespace",
    "example": "https://example.com/path",
}
"""The JSON schema an http(s) URL field adds to its string type (``Field(json_schema_extra=...)``),
so clients and fuzzers see the rule the service checks."""
