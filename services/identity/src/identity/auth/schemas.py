"""Auth API schemas."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, EmailStr, Field

PASSWORD_MIN = 8
PASSWORD_MAX = 1024  # argon2 takes any length; this only bounds the work per request


class RegisterCreate(BaseModel):
    email: EmailStr = Field(max_length=320)
    password: str = Field(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)


class LoginRequest(BaseModel):
    # Plain strings: a malformed address or short password is just a failed login (401).
    email: str = Field(max_length=320)
    password: str = Field(max_length=PASSWORD_MAX)


class RefreshRequest(BaseModel):
    # Bounds the work per request, with room for an access token sent by mistake (a JWT,
    # about 600 characters): that is a refused token (401), not a malformed request.
    refresh_token: str = Field(max_length=4096)


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the access token expires")


class SessionRead(BaseModel):
    """One open sign-in session: a login (or registration, or password change) and every
    refresh since, on one device."""

    id: uuid.UUID = Field(description="The session (the `sid` claim of its access tokens)")
    user_agent: str | None = Field(description="The User-Agent it signed in with, if sent")
    signed_in_at: datetime
    last_active_at: datetime = Field(description="When it last signed in or refreshed")
    expires_at: datetime = Field(description="When it ends unless refreshed before")
    current: bool = Field(description="Whether it is the session of the calling token")


class ForgotPasswordRequest(BaseModel):
    # Any string is accepted: the answer is the same whatever the address.
    email: str = Field(max_length=320)


class ResetPasswordRequest(BaseModel):
    token: str = Field(max_length=512)
    new_password: str = Field(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)


class ChangePasswordRequest(BaseModel):
    # Any string: a wrong current password is refused on its field, whatever its length.
    current_password: str = Field(max_length=PASSWORD_MAX)
    new_password: str = Field(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)


class Accepted(BaseModel):
    message: str
