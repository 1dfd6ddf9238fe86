"""What every Google call shares: hosts, the Ads API headers, the error mapping."""

from __future__ import annotations

from typing import ClassVar

from adscale_platforms.base import BaseClient
from adscale_platforms.google.errors import PLATFORM, google_error

__all__ = ["GoogleBase", "customer_number"]


def customer_number(ad_account_id: str) -> str:
    """A Google Ads customer id without ``customers/`` and dashes."""
    return ad_account_id.removeprefix("customers/").replace("-", "")


class GoogleBase(BaseClient):
    """Hosts, headers and error mapping of the Data Manager and Google Ads APIs."""

    platform: ClassVar[str] = PLATFORM
    map_error = staticmethod(google_error)
    supports_pkce: ClassVar[bool] = True

    @property
    def datamanager(self) -> str:
        return f"{self.settings.google_datamanager_url.rstrip('/')}/v1"

    @property
    def ads(self) -> str:
        return f"{self.settings.google_ads_url.rstrip('/')}/{self.settings.google_ads_api_version}"

    def _ads_headers(self) -> dict[str, str]:
        headers = {"developer-token": self.settings.google_developer_token.get_secret_value()}
        if self.settings.google_login_customer_id:
            headers["login-customer-id"] = customer_number(self.settings.google_login_customer_id)
        return headers

    def _login_account(self) -> dict[str, str] | None:
        if not self.settings.google_login_customer_id:
            return None
        return {
            "accountType": "GOOGLE_ADS",
            "accountId": customer_number(self.settings.google_login_customer_id),
        }
