"""Every client implements the protocol; build_client picks them by name."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from adscale_platforms import (
    AdPlatformClient,
    CampaignPlatformClient,
    GoogleClient,
    MetaClient,
    SnapchatClient,
    TikTokClient,
    build_client,
)


@pytest.mark.parametrize(
    ("platform", "cls", "campaigns"),
    [
        ("meta", MetaClient, True),
        ("google", GoogleClient, True),
        ("tiktok", TikTokClient, False),
        ("snapchat", SnapchatClient, False),
    ],
)
def test_build_client(
    platform: str, cls: type, campaigns: bool, http: httpx.AsyncClient, settings: Any
) -> None:
    client = build_client(platform, http, settings)
    assert type(client) is cls
    assert client.platform == platform
    assert client.settings is settings
    assert isinstance(client, AdPlatformClient)
    assert isinstance(client, CampaignPlatformClient) is campaigns
    assert client.supports_pkce is (platform == "google")


def test_unknown_platform(http: httpx.AsyncClient) -> None:
    with pytest.raises(ValueError, match="myspace"):
        build_client("myspace", http)
