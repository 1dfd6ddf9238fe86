"""Service-to-service routes (the gateway): JWKS and API-key verification."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from adscale_common.db import DbSession
from adscale_common.internal_auth import ServiceCaller
from adscale_contracts.internal import (
    JWKS_PATH,
    VERIFY_API_KEY_PATH,
    ApiKeyVerifyRequest,
    ApiKeyVerifyResponse,
)
from identity.api_key import service as api_keys
from identity.dependencies import AppSecurity

router = APIRouter(include_in_schema=False)


@router.get(JWKS_PATH)
async def jwks(_: ServiceCaller, security: AppSecurity) -> JSONResponse:
    """Current and previous public keys: tokens signed by a retired key verify until they expire."""
    return JSONResponse(security.keys.jwks(), headers={"Cache-Control": "max-age=300"})


@router.post(VERIFY_API_KEY_PATH, response_model=ApiKeyVerifyResponse)
async def verify_api_key(
    body: ApiKeyVerifyRequest, _: ServiceCaller, session: DbSession, security: AppSecurity
) -> ApiKeyVerifyResponse:
    """Owner and plan of an active key; 404 for an unknown, revoked or malformed one."""
    return await api_keys.verify(session, security.settings, body.key)
