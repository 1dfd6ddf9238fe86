"""Google OAuth 2.0: authorization code flow with PKCE S256 (``{accounts}/o/oauth2/v2/auth``,
``access_type=offline``, ``prompt=consent``) and ``POST {oauth2}/token``."""

from __future__ import annotations

from typing import Any

from adscale_platforms.google.base import GoogleBase
from adscale_platforms.google.errors import PLATFORM
from adscale_platforms.models import TokenSet
from adscale_platforms.oauth import code_grant_query, oauth_token_set

__all__ = ["GoogleOAuth"]


class GoogleOAuth(GoogleBase):
    """Consent URL, code exchange and refresh."""

    def _authorization_page(self) -> str:
        return f"{self.settings.google_accounts_url.rstrip('/')}/o/oauth2/v2/auth"

    def _authorization_query(self, state: str, redirect_uri: str) -> dict[str, str]:
        scope = " ".join(self.settings.google_scopes)
        query = code_grant_query(self.settings.google_client_id, redirect_uri, state, scope)
        return query | {
            "access_type": "offline",
            "prompt": "consent",
            "include_granted_scopes": "true",
        }

    async def _token_grant(self, grant_type: str, **fields: str) -> Any:
        """``POST {oauth2}/token`` (form-encoded, client credentials first)."""
        url = f"{self.settings.google_oauth2_url.rstrip('/')}/token"
        client = self.settings.google_client_id, self.settings.google_client_secret
        return await self._form_grant(url, *client, grant_type, **fields)

    async def exchange_code(
        self, code: str, redirect_uri: str, code_verifier: str | None = None
    ) -> TokenSet:
        fields = {"code": code, "redirect_uri": redirect_uri}
        if code_verifier:
            fields["code_verifier"] = code_verifier
        body = await self._token_grant("authorization_code", **fields)
        return oauth_token_set(PLATFORM, body)

    async def refresh(self, refresh_token: str) -> TokenSet:
        body = await self._token_grant("refresh_token", refresh_token=refresh_token)
        return oauth_token_set(PLATFORM, body, refresh_token)
