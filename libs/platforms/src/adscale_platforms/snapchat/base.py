"""What every Snapchat call shares: the Ads API and OAuth hosts, the error mapping."""

from __future__ import annotations

from typing import ClassVar

from adscale_platforms.base import BaseClient
from adscale_platforms.snapchat.errors import PLATFORM, snapchat_error

__all__ = ["SnapchatBase"]


class SnapchatBase(BaseClient):
    """Hosts and error mapping."""

    platform: ClassVar[str] = PLATFORM
    map_error = staticmethod(snapchat_error)

    @property
    def api(self) -> str:
        return f"{self.settings.snapchat_adsapi_url.rstrip('/')}/v1"

    @property
    def _token_url(self) -> str:
        return f"{self.settings.snapchat_accounts_url.rstrip('/')}/login/oauth2/access_token"
