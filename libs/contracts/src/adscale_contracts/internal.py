"""Schemas of the internal HTTP API between services (not public)."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict

JWKS_PATH = "/internal/jwks"
VERIFY_API_KEY_PATH = "/internal/api-keys/verify"

ACCESS_TOKEN_AUDIENCE = "adscale-api"
ACCESS_TOKEN_ISSUER = "adscale-identity"
ACCESS_TOKEN_TYPE = "access"


class ApiKeyVerifyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str


class ApiKeyVerifyResponse(BaseModel):
    api_key_id: uuid.UUID
    user_id: uuid.UUID
    plan: str
