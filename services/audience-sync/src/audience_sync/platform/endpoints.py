"""``/api/v1/cdp/audience-sync/platforms``: OAuth connections to the ad platforms."""

from __future__ import annotations

from fastapi import APIRouter

from adscale_common.db import DbSession
from adscale_common.internal_auth import CurrentUserId
from adscale_contracts.platforms import Platform
from audience_sync.dependencies import AppSettings, Cipher, Registry, Sessions
from audience_sync.platform import service
from audience_sync.platform.schemas import (
    CallbackRequest,
    ConnectRequest,
    ConnectResponse,
    DisconnectResponse,
    PlatformRead,
    PlatformsRead,
)

router = APIRouter(prefix="/api/v1/cdp/audience-sync/platforms", tags=["audience-sync: platforms"])


@router.get("", response_model=PlatformsRead, response_model_exclude_unset=True)
async def list_platforms(session: DbSession, user_id: CurrentUserId) -> PlatformsRead:
    """Every platform with its connection state, ad accounts, scopes and token expiry."""
    return await service.list_platforms(session, user_id)


@router.post("/{platform}/connect", response_model=ConnectResponse)
async def connect(
    platform: Platform,
    session: DbSession,
    user_id: CurrentUserId,
    cipher: Cipher,
    registry: Registry,
    settings: AppSettings,
    body: ConnectRequest | None = None,
) -> ConnectResponse:
    """Start OAuth: the URL to send the user to, and a single-use ``state`` bound to the
    caller that expires after ``AUDIENCE_SYNC_OAUTH_STATE_TTL_SECONDS`` (PKCE S256 where the
    platform supports it; the verifier stays on the server)."""
    return await service.start_connect(
        session,
        cipher=cipher,
        registry=registry,
        settings=settings,
        user_id=user_id,
        platform=platform,
        redirect_uri=body.redirect_uri if body else None,
    )


@router.post("/{platform}/callback", response_model=PlatformRead, response_model_exclude_unset=True)
async def callback(
    platform: Platform,
    body: CallbackRequest,
    user_id: CurrentUserId,
    sessions: Sessions,
    cipher: Cipher,
    registry: Registry,
) -> PlatformRead:
    """Finish OAuth: exchange the code, load ad accounts and scopes, store the tokens."""
    return await service.complete_connect(
        sessions,
        cipher=cipher,
        registry=registry,
        user_id=user_id,
        platform=platform,
        code=body.code,
        state=body.state,
    )


@router.delete("/{platform}", response_model=DisconnectResponse)
async def disconnect(
    platform: Platform, session: DbSession, user_id: CurrentUserId
) -> DisconnectResponse:
    removed = await service.disconnect(session, user_id, platform)
    return DisconnectResponse(disconnected=True, platform=platform, ad_accounts_removed=removed)
