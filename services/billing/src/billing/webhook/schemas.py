"""Webhook API schemas."""

from __future__ import annotations

from pydantic import BaseModel


class WebhookAck(BaseModel):
    received: bool = True
    event_id: str
    duplicate: bool = False
