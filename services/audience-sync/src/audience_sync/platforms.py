"""The service's port to the ad platforms: one ``adscale_platforms`` client per platform.

:class:`PlatformRegistry` keeps one ``httpx.AsyncClient`` per platform (timeouts; retries,
rate-limit backoff and error mapping live in the clients) and builds the client for it.
Base URLs, OAuth client ids and batch limits come from ``PLATFORMS_*``
(:class:`~adscale_platforms.settings.PlatformSettings`); the sandbox in development and
tests. Never call a platform inside a database transaction.
"""

from __future__ import annotations

import os
from typing import Any, cast

import httpx
from pydantic import SecretStr

from adscale_common.http import make_http_client
from adscale_platforms import build_client
from adscale_platforms.errors import PlatformError
from adscale_platforms.protocol import AdPlatformClient
from adscale_platforms.settings import PlatformSettings

PLATFORM_NAMES: dict[str, str] = {
    "meta": "Meta",
    "google": "Google",
    "tiktok": "TikTok",
    "snapchat": "Snapchat",
}


def with_fallbacks(settings: PlatformSettings, default_client_id: str) -> PlatformSettings:
    """Fill unset OAuth client ids with ``default_client_id`` (development against the
    sandbox, which accepts any non-empty id) and read the TikTok app secret from
    ``PLATFORMS_TIKTOK_CLIENT_SECRET`` when ``PLATFORMS_TIKTOK_SECRET`` is unset."""
    update: dict[str, Any] = {}
    for name in ("meta_client_id", "google_client_id", "tiktok_app_id", "snapchat_client_id"):
        if not getattr(settings, name) and default_client_id:
            update[name] = default_client_id
    if not settings.tiktok_secret.get_secret_value():
        alias = os.environ.get("PLATFORMS_TIKTOK_CLIENT_SECRET", "")
        if alias:
            update["tiktok_secret"] = SecretStr(alias)
    return settings.model_copy(update=update) if update else settings


class PlatformRegistry:
    """Clients for the four platforms, built lazily, sharing the process's HTTP pools."""

    def __init__(
        self,
        settings: PlatformSettings,
        *,
        timeout: float = 60.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self._timeout = timeout
        self._transport = transport
        self._clients: dict[str, AdPlatformClient] = {}
        self._http: list[httpx.AsyncClient] = []

    def client(self, platform: str) -> AdPlatformClient:
        existing = self._clients.get(platform)
        if existing is not None:
            return existing
        http = make_http_client(timeout=self._timeout, transport=self._transport)
        self._http.append(http)
        made = cast(AdPlatformClient, build_client(platform, http, self.settings))
        self._clients[platform] = made
        return made

    async def aclose(self) -> None:
        for http in self._http:
            await http.aclose()
        self._http.clear()
        self._clients.clear()


def describe(error: BaseException) -> str:
    """A short, token-free description of a platform failure for logs and job records."""
    if isinstance(error, PlatformError):
        name = PLATFORM_NAMES.get(error.platform, error.platform)
        code = f" (code {error.code})" if error.code is not None else ""
        return f"{name}{code}: {error.message}"[:1000]
    return f"{type(error).__name__}: {error}"[:1000]
