"""What the steps of an erasure run (planning in :mod:`.person`, removals in :mod:`.removal`)
work with: the worker's database, platform clients, token cipher, settings and lease owner.
:class:`~audience_sync.privacy.eraser.Eraser` is one (it adds the driving loop); the steps
never import it, so the worker sits above its steps and not beside them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from adscale_common.crypto import TokenCipher
from audience_sync.platforms import PlatformRegistry
from audience_sync.settings import Settings


@dataclass
class ErasureRun:
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    registry: PlatformRegistry
    cipher: TokenCipher | None
    settings: Settings
    owner: str
