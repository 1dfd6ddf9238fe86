"""adscale_platforms: ad-platform clients for Meta, Google, TikTok and Snapchat.

* :mod:`adscale_platforms.identifiers`: per-platform identifier normalization and hashing.
* :mod:`adscale_platforms.batching`: row/byte-bounded batching.
* :mod:`adscale_platforms.errors`: typed platform errors.
* :mod:`adscale_platforms.protocol`: the :class:`AdPlatformClient` protocol.
* :mod:`adscale_platforms.http`: one logical call (request, error mapping, retries);
  :mod:`adscale_platforms.base`: the member operations every client shares.
* one client per platform: :class:`MetaClient`, :class:`GoogleClient`,
  :class:`TikTokClient`, :class:`SnapchatClient`; :func:`build_client` picks one by name.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import httpx

from adscale_platforms.base import BaseClient
from adscale_platforms.google import GoogleClient
from adscale_platforms.meta import MetaClient
from adscale_platforms.models import (
    AdAccount,
    AudienceInfo,
    BatchReport,
    DailyInsight,
    TokenSet,
    UploadResult,
)
from adscale_platforms.oauth import RefreshingToken, TokenSource
from adscale_platforms.protocol import AdPlatformClient, CampaignPlatformClient
from adscale_platforms.settings import PlatformSettings, get_settings
from adscale_platforms.snapchat import SnapchatClient
from adscale_platforms.tiktok import TikTokClient

CLIENTS: dict[str, type[BaseClient]] = {
    "meta": MetaClient,
    "google": GoogleClient,
    "tiktok": TikTokClient,
    "snapchat": SnapchatClient,
}


def build_client(
    platform: str,
    http: httpx.AsyncClient,
    settings: PlatformSettings | None = None,
    *,
    sleep: Callable[[float], Awaitable[None]] | None = None,
) -> BaseClient:
    """The client for ``platform`` (``meta``, ``google``, ``tiktok`` or ``snapchat``)."""
    try:
        cls = CLIENTS[platform]
    except KeyError:
        raise ValueError(f"unknown platform {platform!r}") from None
    return cls(http, settings, sleep=sleep)


if TYPE_CHECKING:

    def _clients_satisfy_protocols(http: httpx.AsyncClient) -> list[AdPlatformClient]:
        """Never called: mypy (strict) checks here that every client satisfies its protocol,
        class-variable ``platform`` / ``supports_pkce`` included."""
        meta: CampaignPlatformClient = MetaClient(http)
        google: CampaignPlatformClient = GoogleClient(http)
        tiktok: AdPlatformClient = TikTokClient(http)
        snapchat: AdPlatformClient = SnapchatClient(http)
        return [meta, google, tiktok, snapchat]


__all__ = [
    "CLIENTS",
    "AdAccount",
    "AdPlatformClient",
    "AudienceInfo",
    "BatchReport",
    "CampaignPlatformClient",
    "DailyInsight",
    "GoogleClient",
    "MetaClient",
    "PlatformSettings",
    "RefreshingToken",
    "SnapchatClient",
    "TikTokClient",
    "TokenSet",
    "TokenSource",
    "UploadResult",
    "build_client",
    "get_settings",
]
