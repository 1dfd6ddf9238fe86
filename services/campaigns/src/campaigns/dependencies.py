"""Route dependencies: the request's session, the caller, and the collaborators the app
factory puts on ``app.state``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from adscale_common.crypto import TokenCipher
from adscale_common.db import DbSession
from adscale_common.errors import ServiceUnavailable
from adscale_common.internal_auth import CurrentJwtUserId
from campaigns.creative.copy import CopyGenerator
from campaigns.platforms import CampaignPlatforms
from campaigns.settings import Settings

Session = DbSession
UserId = CurrentJwtUserId


def _cipher(request: Request) -> TokenCipher:
    cipher: TokenCipher | None = request.app.state.cipher
    if cipher is None:
        raise ServiceUnavailable("Token encryption is not configured (CAMPAIGNS_ENCRYPTION_KEYS)")
    return cipher


def _platforms(request: Request) -> CampaignPlatforms:
    platforms: CampaignPlatforms = request.app.state.platforms
    return platforms


def _copy(request: Request) -> CopyGenerator:
    generator: CopyGenerator = request.app.state.copy_generator
    return generator


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


Cipher = Annotated[TokenCipher, Depends(_cipher)]
Platforms = Annotated[CampaignPlatforms, Depends(_platforms)]
Copy = Annotated[CopyGenerator, Depends(_copy)]
AppSettings = Annotated[Settings, Depends(_settings)]
