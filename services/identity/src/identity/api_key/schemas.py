"""API key schemas. The raw key appears only in :class:`ApiKeyCreated`, once."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from adscale_common.types import UtcDateTime

KeyName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class ApiKeyCreate(BaseModel):
    name: KeyName


class ApiKeyRead(BaseModel):
    id: uuid.UUID
    name: str
    prefix: str = Field(description="The key's first characters, to recognise it")
    created_at: UtcDateTime
    last_used_at: UtcDateTime | None


class ApiKeyCreated(BaseModel):
    id: uuid.UUID
    name: str
    prefix: str
    created_at: UtcDateTime
    key: str = Field(description="The raw key. Shown only in this response: store it now.")
