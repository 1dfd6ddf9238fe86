from __future__ import annotations

import uuid
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from adscale_common.types import HTTP_URL_SCHEMA, UtcDateTime
from adscale_contracts.platforms import AdPlatform
from campaigns.patch import Patch

CreativeStatus = Literal["active", "paused"]
MAX_URL_LENGTH = 2048


def _http_url(value: str) -> str:
    value = value.strip()
    if any(ch.isspace() for ch in value):
        raise ValueError("URL must not contain whitespace")
    try:
        parts = urlsplit(value)
        port = parts.port  # raises on a malformed port
    except ValueError as exc:
        raise ValueError("not a valid URL") from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError("URL must use http or https")
    if not parts.hostname or (
        "." not in parts.hostname.strip(".") and parts.hostname != "localhost"
    ):
        raise ValueError("URL must have a host name")
    if port == 0:
        raise ValueError("not a valid URL")
    return value


HttpUrlText = Annotated[
    str,
    Field(min_length=1, max_length=MAX_URL_LENGTH, json_schema_extra=HTTP_URL_SCHEMA),
    AfterValidator(_http_url),
]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
CallToAction = Annotated[str, Field(min_length=1, max_length=30)]


class CreativeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    ad_group_id: uuid.UUID
    headline: Text
    description: Text
    destination_url: HttpUrlText
    call_to_action: CallToAction | None = None
    status: CreativeStatus = "active"


class CreativeUpdate(Patch):
    not_null = ("headline", "description", "destination_url", "status")

    headline: Text | None = None
    description: Text | None = None
    destination_url: HttpUrlText | None = None
    call_to_action: CallToAction | None = None
    status: CreativeStatus | None = None


class CreativeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    ad_group_id: uuid.UUID
    headline: str
    description: str
    destination_url: str
    call_to_action: str | None
    status: CreativeStatus
    created_at: UtcDateTime
    updated_at: UtcDateTime


class GenerateCopyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    product_name: str = Field(min_length=1, max_length=200)
    product_description: str = Field(min_length=1, max_length=2000)
    target_audience: str | None = Field(default=None, max_length=200)
    tone: str | None = Field(default=None, max_length=50)
    # House extension: whose text limits the copy must respect (default: Google's, the tighter).
    platform: AdPlatform = "google"


class GenerateCopyResponse(BaseModel):
    headline: str
    description: str
    call_to_action: str
    provider: str
    platform: AdPlatform
