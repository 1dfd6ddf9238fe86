"""What every Snapchat call shares: the Ads API and OAuth hosts, the error mapping."""

from __future__ import annotations

from typing import Any, ClassVar

import httpx

from adscale_platforms.base import BaseClient
from adscale_platforms.errors import PlatformError
from adscale_platforms.snapchat.errors import PLATFORM, snapchat_error

__all__ = ["SnapchatBase"]


class SnapchatBase(BaseClient):
    """Hosts and error mapping."""

    platform: ClassVar[str] = PLATFORM
    supports_pkce: ClassVar[bool] = False

    @property
    def api(self) -> str:
        return f"{self.settings.snapchat_adsapi_url.rstrip('/')}/v1"

    @property
    def _token_url(self) -> str:
        return f"{self.settings.snapchat_accounts_url.rstrip('/')}/login/oauth2/access_token"

    def _error_from(self, response: httpx.Response, body: Any) -> PlatformError | None:
        return snapchat_error(response.status_code, response.headers, body)
