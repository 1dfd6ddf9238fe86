"""User API schemas."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import BaseModel, EmailStr, Field, StringConstraints

from adscale_common.types import UtcDateTime

ExternalUserId = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)
]


class UserRead(BaseModel):
    """``GET /auth/me``."""

    id: uuid.UUID
    email: str
    plan: str
    created_at: UtcDateTime


class ProvisionCreate(BaseModel):
    email: EmailStr = Field(max_length=320)
    external_user_id: ExternalUserId


class ProvisionRead(BaseModel):
    user_id: uuid.UUID
    email: str
    plan: str
