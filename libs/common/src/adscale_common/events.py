"""The event envelope (DESIGN.md, "Events") shared by producers and consumers.

Typed ``data`` schemas per event type live in ``adscale_contracts``; this
module only knows the envelope and the topic naming rule.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from adscale_common.types import utcnow


class Envelope(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: str
    version: int = 1
    occurred_at: datetime = Field(default_factory=utcnow)
    source: str
    subject: str
    data: dict[str, Any] = Field(default_factory=dict)

    @property
    def topic(self) -> str:
        return topic_for(self.type)


def topic_for(event_type: str) -> str:
    """``billing.plan_changed`` -> ``billing.events``: one topic per bounded context."""
    context, sep, _ = event_type.partition(".")
    if not sep or not context:
        raise ValueError(f"event type must look like '<context>.<name>': {event_type!r}")
    return f"{context}.events"


def dlq_topic(topic: str) -> str:
    return f"{topic}.dlq"
