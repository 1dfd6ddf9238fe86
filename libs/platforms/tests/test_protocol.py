"""Every client implements the protocol; build_client picks them by name; the consent
page each builds with the one ``authorization_url``."""

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
from kit import split_url


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


@pytest.mark.parametrize(
    ("platform", "state", "challenge", "endpoint", "query"),
    [
        (
            "meta",
            "st-1",
            "ignored",
            "https://www.facebook.com/v25.0/dialog/oauth",
            {
                "client_id": "meta-app",
                "redirect_uri": "https://app.test/cb",
                "state": "st-1",
                "scope": "ads_management,ads_read",
                "response_type": "code",
            },
        ),
        (
            "snapchat",
            "st",
            None,
            "https://accounts.snapchat.com/login/oauth2/authorize",
            {
                "client_id": "snap-client",
                "redirect_uri": "https://app.test/cb",
                "response_type": "code",
                "scope": "snapchat-marketing-api",
                "state": "st",
            },
        ),
        (
            "tiktok",
            "st",
            None,
            "https://business-api.tiktok.com/portal/auth",
            {"app_id": "tt-app", "state": "st", "redirect_uri": "https://app.test/cb"},
        ),
    ],
)
def test_authorization_url_without_pkce(
    platform: str,
    state: str,
    challenge: str | None,
    endpoint: str,
    query: dict[str, str],
    http: httpx.AsyncClient,
    settings: Any,
) -> None:
    """The consent page of each platform without PKCE (Google's, with PKCE, is in
    test_google_client); a code challenge is not passed on."""
    client = build_client(platform, http, settings)
    url = client.authorization_url(state, "https://app.test/cb", challenge)
    assert split_url(url) == (endpoint, query)
    assert client.supports_pkce is False
