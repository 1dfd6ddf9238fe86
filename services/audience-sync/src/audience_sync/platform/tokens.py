"""A stored connection as a token source for the platform clients.

The clients call :meth:`ConnectionToken.refresh` once when the platform rejects the access
token (``TokenExpired``) and repeat the call. Here a refresh happens at most
``max_refreshes`` times per use (one job, one request); the new tokens are encrypted and
stored at once. A refresh the platform refuses (revoked or expired refresh token) raises
:class:`CredentialsRefreshFailed` and marks the connection ``expired``: the caller answers
``CREDENTIALS_EXPIRED``. A platform outage during the refresh stays a platform error.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from adscale_platforms.errors import (
    PlatformError,
    PlatformUnavailable,
    RateLimited,
    TokenExpired,
)
from adscale_platforms.models import TokenSet

logger = logging.getLogger(__name__)


class CredentialsRefreshFailed(TokenExpired):
    """The access token was rejected and refreshing it failed: the user must reconnect."""


class _Refresher(Protocol):
    @property
    def platform(self) -> str: ...

    async def refresh(self, refresh_token: str) -> TokenSet: ...


class ConnectionToken:
    def __init__(
        self,
        client: _Refresher,
        tokens: TokenSet,
        *,
        persist: Callable[[TokenSet], Awaitable[None]],
        mark_expired: Callable[[], Awaitable[None]],
        max_refreshes: int = 1,
    ) -> None:
        self._client = client
        self.tokens = tokens
        self._persist = persist
        self._mark_expired = mark_expired
        self._left = max_refreshes
        self._lock = asyncio.Lock()
        self.refreshed = 0

    @property
    def platform(self) -> str:
        return self._client.platform

    async def access_token(self) -> str:
        return self.tokens.access_token

    async def ensure_fresh(self, margin_seconds: float = 60.0) -> None:
        """Refresh ahead of time when the stored token is (about to be) expired."""
        expires = self.tokens.expires_at
        if expires is None or not self.tokens.refresh_token:
            return
        if expires - timedelta(seconds=margin_seconds) <= datetime.now(UTC):
            await self.refresh(self.tokens.access_token)

    async def refresh(self, rejected: str) -> str:
        async with self._lock:
            if self.tokens.access_token != rejected:
                return self.tokens.access_token  # another call refreshed it meanwhile
            if self._left <= 0 or not self.tokens.refresh_token:
                await self._expired()
                raise CredentialsRefreshFailed(
                    self.platform, None, "access token rejected and no refresh left"
                )
            self._left -= 1
            try:
                fresh = await self._client.refresh(self.tokens.refresh_token)
            except (PlatformUnavailable, RateLimited):
                raise
            except PlatformError as exc:
                await self._expired()
                raise CredentialsRefreshFailed(
                    self.platform, exc.code, f"token refresh refused: {exc.message}"
                ) from exc
            if fresh.refresh_token is None:
                fresh = replace(fresh, refresh_token=self.tokens.refresh_token)
            self.tokens = fresh
            self.refreshed += 1
            await self._persist(fresh)
            logger.info("platform token refreshed", extra={"platform": self.platform})
            return fresh.access_token

    async def _expired(self) -> None:
        try:
            await self._mark_expired()
        except Exception:  # the refusal matters more than the bookkeeping
            logger.exception("could not mark the connection expired")
