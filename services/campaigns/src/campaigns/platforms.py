"""The service's port to the ad platforms, backed by ``adscale_platforms``.

Only two calls are needed here: daily campaign insights (metrics sync) and
campaign updates (rule actions). :class:`PlatformGateway` keeps one
``httpx.AsyncClient`` per platform (timeouts; retries live in the clients) and
hands each call to ``adscale_platforms``' Meta or Google client, whose typed
errors (``TokenExpired``, ``PermissionDenied``, ``RateLimited`` ...) propagate
to the caller. Base URLs come from the ``PLATFORMS_*`` settings (the sandbox in
development and tests). Never call these inside a database transaction.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import httpx

from adscale_common.http import make_http_client
from adscale_platforms.errors import PlatformError
from adscale_platforms.google import GoogleClient
from adscale_platforms.meta import MetaClient
from adscale_platforms.models import DailyInsight
from adscale_platforms.settings import PlatformSettings
from adscale_platforms.settings import get_settings as platform_settings

__all__ = ["DailyInsight", "PlatformError", "PlatformGateway"]


class PlatformGateway:
    """The ad platforms campaigns talks to, over the real clients (one HTTP client per
    platform; tests point them at the sandbox)."""

    def __init__(
        self,
        *,
        settings: PlatformSettings | None = None,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings or platform_settings()
        self._timeout = timeout
        self._transport = transport
        self._clients: dict[str, MetaClient | GoogleClient] = {}
        self._http: list[httpx.AsyncClient] = []

    def client(self, platform: str) -> MetaClient | GoogleClient:
        existing = self._clients.get(platform)
        if existing is not None:
            return existing
        http = make_http_client(timeout=self._timeout, transport=self._transport)
        self._http.append(http)
        made: MetaClient | GoogleClient
        if platform == "meta":
            made = MetaClient(http, self.settings)
        elif platform == "google":
            made = GoogleClient(http, self.settings)
        else:
            raise ValueError(f"campaigns run on google or meta, not {platform!r}")
        self._clients[platform] = made
        return made

    async def get_campaign_insights(
        self, platform: str, token: str, ad_account_id: str, since: date, until: date
    ) -> list[DailyInsight]:
        return await self.client(platform).get_campaign_insights(token, ad_account_id, since, until)

    async def update_campaign(
        self,
        platform: str,
        token: str,
        ad_account_id: str,
        campaign_external_id: str,
        *,
        status: str | None = None,
        daily_budget: Decimal | None = None,
    ) -> None:
        await self.client(platform).update_campaign(
            token, ad_account_id, campaign_external_id, status=status, daily_budget=daily_budget
        )

    async def aclose(self) -> None:
        for http in self._http:
            await http.aclose()
        self._http.clear()
        self._clients.clear()


def describe_platform_error(error: Exception) -> str:
    """A short, token-free description of a platform failure for logs and records."""
    if isinstance(error, PlatformError):
        parts = [type(error).__name__]
        if error.code is not None:
            parts.append(f"code={error.code}")
        if error.subcode is not None:
            parts.append(f"subcode={error.subcode}")
        if error.http_status is not None:
            parts.append(f"http={error.http_status}")
        return f"{' '.join(parts)}: {error.message}"[:1000]
    return f"{type(error).__name__}: {error}"[:1000]
