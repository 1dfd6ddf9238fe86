"""Request and response bodies of the webhook routes."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from adscale_common.types import HTTP_URL_SCHEMA, UtcDateTime
from audience_sync.types import drop_repeats

WebhookEvent = Literal[
    "audience_sync.completed", "audience_sync.failed", "rule.executed", "profile.erased"
]
Url = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2048),
    Field(json_schema_extra=HTTP_URL_SCHEMA),
]
Description = Annotated[str, StringConstraints(max_length=500)]
Events = Annotated[
    list[WebhookEvent],
    Field(
        min_length=1,
        max_length=3,
        description="audience_sync.completed, audience_sync.failed (the spec's events) and "
        "rule.executed (an optimization rule's action on one of your campaigns or ad groups), "
        "profile.erased (a person's erasure finished: its receipt in brief)",
        examples=[["audience_sync.completed", "audience_sync.failed"], ["rule.executed"]],
    ),
]


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url
    events: Events
    description: Description | None = None

    @field_validator("events", mode="before")
    @classmethod
    def _dedupe(cls, value: Any) -> Any:
        return drop_repeats(value)


class WebhookUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url | None = None
    events: Events | None = None
    enabled: bool | None = None
    description: Description | None = None

    @field_validator("events", mode="before")
    @classmethod
    def _dedupe(cls, value: Any) -> Any:
        return drop_repeats(value)


class WebhookRead(BaseModel):
    id: uuid.UUID
    url: str
    events: list[str]
    description: str | None
    enabled: bool
    disabled_reason: Literal["manual", "gone", "failing"] | None = Field(
        description="manual (PATCH enabled=false), gone (the endpoint answered 410) or "
        "failing (every delivery failed for 5 days)"
    )
    disabled_at: UtcDateTime | None
    previous_secret_expires_at: UtcDateTime | None = Field(
        description="Until then deliveries are also signed with the secret before the last rotation"
    )
    created_at: UtcDateTime
    updated_at: UtcDateTime


class WebhookCreated(WebhookRead):
    secret: str = Field(description="Signing secret (whsec_...); shown only in this response")


class WebhookList(BaseModel):
    webhooks: list[WebhookRead]
    total: int
    page: int
    page_size: int


class SecretRotated(BaseModel):
    id: uuid.UUID
    secret: str = Field(description="The new signing secret; shown only in this response")
    previous_secret_expires_at: UtcDateTime | None


class WebhookTest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event: WebhookEvent | None = Field(
        default=None, description="Which event's sample payload to send (default: the first)"
    )


class DeliveryAttemptRead(BaseModel):
    attempt: int
    attempted_at: UtcDateTime
    success: bool
    response_code: int | None
    latency_ms: int | None
    error: str | None


class DeliveryRead(BaseModel):
    id: uuid.UUID = Field(description="Also the webhook-id header of every attempt")
    event: str
    event_id: uuid.UUID | None
    test: bool
    status: Literal["pending", "in_flight", "succeeded", "failed", "cancelled"]
    attempt: int = Field(description="Attempts made so far")
    response_code: int | None = Field(description="HTTP status of the last attempt")
    latency_ms: int | None = Field(description="Duration of the last attempt")
    error: str | None
    next_retry_at: UtcDateTime | None
    last_attempt_at: UtcDateTime | None
    delivered_at: UtcDateTime | None
    created_at: UtcDateTime
    attempts: list[DeliveryAttemptRead]


class DeliveryList(BaseModel):
    deliveries: list[DeliveryRead]
    total: int
    page: int
    page_size: int


class WebhookTestResult(BaseModel):
    delivery_id: uuid.UUID
    event: str
    success: bool
    response_code: int | None
    latency_ms: int | None
    error: str | None
    attempted_at: UtcDateTime
