from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from adscale_common.types import UtcDateTime
from adscale_contracts.platforms import Platform


class AdAccountRead(BaseModel):
    id: str
    name: str
    currency: str | None = None
    connected_at: UtcDateTime


class PlatformRead(BaseModel):
    """One platform's connection. ``scopes``, ``expires_at`` and ``status`` are present only
    when the platform is connected (``status``: ``connected`` or ``expired``, the latter when
    the platform refused a token refresh and the user has to reconnect)."""

    platform: Platform
    connected: bool
    ad_accounts: list[AdAccountRead] = Field(default_factory=list)
    scopes: list[str] | None = None
    expires_at: UtcDateTime | None = None
    status: Literal["connected", "expired"] | None = None


class PlatformsRead(BaseModel):
    platforms: list[PlatformRead]


class ConnectRequest(BaseModel):
    """Optional: where the platform sends the user back (default
    ``AUDIENCE_SYNC_OAUTH_REDIRECT_URI``, else ``PLATFORMS_REDIRECT_URI``)."""

    redirect_uri: str | None = Field(default=None, max_length=2000)


class ConnectResponse(BaseModel):
    authorization_url: str
    state: str
    expires_at: UtcDateTime


class CallbackRequest(BaseModel):
    code: str = Field(min_length=1, max_length=4096)
    state: str = Field(min_length=1, max_length=512)


class DisconnectResponse(BaseModel):
    disconnected: bool
    platform: Platform
    ad_accounts_removed: int
