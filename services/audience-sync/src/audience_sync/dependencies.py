"""Process-wide collaborators the app factory puts on ``app.state``, as dependencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adscale_common.crypto import TokenCipher
from adscale_common.errors import ServiceUnavailable
from audience_sync.platforms import PlatformRegistry
from audience_sync.settings import Settings


def _cipher(request: Request) -> TokenCipher:
    cipher: TokenCipher | None = request.app.state.cipher
    if cipher is None:
        raise ServiceUnavailable(
            "Token encryption is not configured (AUDIENCE_SYNC_ENCRYPTION_KEYS)"
        )
    return cipher


def _registry(request: Request) -> PlatformRegistry:
    registry: PlatformRegistry = request.app.state.platforms
    return registry


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    return sessionmaker


Cipher = Annotated[TokenCipher, Depends(_cipher)]
Registry = Annotated[PlatformRegistry, Depends(_registry)]
AppSettings = Annotated[Settings, Depends(_settings)]
Sessions = Annotated[async_sessionmaker[AsyncSession], Depends(_sessions)]
