"""Route dependencies: the request's session, the caller, and the collaborators the app
factory puts on ``app.state``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from adscale_common.app import from_app_state
from adscale_common.crypto import TokenCipher, required_cipher
from adscale_common.db import DbSession
from adscale_common.internal_auth import CurrentJwtUserId
from campaigns.platforms import PlatformGateway
from campaigns.rule.push import Pushing
from campaigns.settings import Settings

Session = DbSession
UserId = CurrentJwtUserId
Cipher = Annotated[TokenCipher, Depends(required_cipher("CAMPAIGNS_ENCRYPTION_KEYS"))]
Platforms = Annotated[PlatformGateway, Depends(from_app_state("platforms"))]
AppSettings = Annotated[Settings, Depends(from_app_state("settings"))]


def _pushing(platforms: Platforms, cipher: Cipher, settings: AppSettings) -> Pushing:
    return Pushing(platforms, cipher, settings)


Push = Annotated[Pushing, Depends(_pushing)]
