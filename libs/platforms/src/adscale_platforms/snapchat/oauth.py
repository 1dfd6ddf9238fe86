"""Snapchat OAuth (``{accounts}/login/oauth2/authorize`` and ``/access_token``, form-encoded
``authorization_code`` / ``refresh_token`` grants) and the ad accounts the token opens
(``GET /v1/me/organizations?with_ad_accounts=true``)."""

from __future__ import annotations

from typing import Any

from adscale_platforms.models import AdAccount, TokenSet
from adscale_platforms.oauth import code_grant_query, oauth_token_set
from adscale_platforms.protocol import TokenLike
from adscale_platforms.snapchat.base import SnapchatBase
from adscale_platforms.snapchat.errors import PLATFORM

__all__ = ["SnapchatOAuth"]


class SnapchatOAuth(SnapchatBase):
    """Consent URL, token grants and ad accounts."""

    def _authorization_page(self) -> str:
        return f"{self.settings.snapchat_accounts_url.rstrip('/')}/login/oauth2/authorize"

    def _authorization_query(self, state: str, redirect_uri: str) -> dict[str, str]:
        scope = " ".join(self.settings.snapchat_scopes)
        return code_grant_query(self.settings.snapchat_client_id, redirect_uri, state, scope)

    async def _token_grant(self, grant_type: str, **fields: str) -> Any:
        """``POST`` to the token endpoint (form-encoded, client credentials first)."""
        client = self.settings.snapchat_client_id, self.settings.snapchat_client_secret
        return await self._form_grant(self._token_url, *client, grant_type, **fields)

    async def exchange_code(
        self, code: str, redirect_uri: str, code_verifier: str | None = None
    ) -> TokenSet:
        body = await self._token_grant("authorization_code", code=code, redirect_uri=redirect_uri)
        return oauth_token_set(PLATFORM, body)

    async def refresh(self, refresh_token: str) -> TokenSet:
        body = await self._token_grant("refresh_token", refresh_token=refresh_token)
        return oauth_token_set(PLATFORM, body, refresh_token)

    async def list_ad_accounts(self, token: TokenLike) -> list[AdAccount]:
        body = await self._request(
            "GET",
            f"{self.api}/me/organizations",
            token=token,
            params={"with_ad_accounts": "true"},
        )
        accounts: list[AdAccount] = []
        for wrapper in (body or {}).get("organizations", []) or []:
            organization = wrapper.get("organization", wrapper) if isinstance(wrapper, dict) else {}
            for account in organization.get("ad_accounts", []) or []:
                if isinstance(account, dict):
                    accounts.append(
                        AdAccount(
                            id=str(account.get("id")),
                            name=str(account.get("name", "")),
                            currency=account.get("currency"),
                        )
                    )
        return accounts
