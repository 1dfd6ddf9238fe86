"""Meta login: the dialog ``{www}/{version}/dialog/oauth``, the code exchanged with ``GET
{graph}/{version}/oauth/access_token``, and ``fb_exchange_token`` in place of a refresh
(Meta issues no refresh token; a returned ``refresh_token`` is kept and used instead)."""

from __future__ import annotations

from typing import Any

from adscale_platforms.errors import InvalidRequest
from adscale_platforms.meta.base import MetaBase
from adscale_platforms.meta.errors import PLATFORM
from adscale_platforms.models import TokenSet
from adscale_platforms.oauth import code_grant_query, expires_at

__all__ = ["MetaOAuth"]


class MetaOAuth(MetaBase):
    """Login dialog URL, code exchange and long-lived token exchange."""

    def _authorization_page(self) -> str:
        www = self.settings.meta_www_url.rstrip("/")
        return f"{www}/{self.settings.meta_api_version}/dialog/oauth"

    def _authorization_query(self, state: str, redirect_uri: str) -> dict[str, str]:
        scope = ",".join(self.settings.meta_scopes)
        return code_grant_query(self.settings.meta_client_id, redirect_uri, state, scope)

    def _token_set(self, body: Any) -> TokenSet:
        if not isinstance(body, dict) or not body.get("access_token"):
            raise InvalidRequest(PLATFORM, None, "token response without access_token")
        access = str(body["access_token"])
        refresh = body.get("refresh_token")
        scope = body.get("scope")
        scopes = tuple(s for s in str(scope).replace(",", " ").split() if s) if scope else ()
        return TokenSet(
            access_token=access,
            refresh_token=str(refresh) if refresh else access,
            expires_at=expires_at(body.get("expires_in")),
            scopes=scopes,
            raw={k: v for k, v in body.items() if "token" not in k},
        )

    async def exchange_code(
        self, code: str, redirect_uri: str, code_verifier: str | None = None
    ) -> TokenSet:
        body = await self._request(
            "GET",
            f"{self.graph}/oauth/access_token",
            params={
                "client_id": self.settings.meta_client_id,
                "client_secret": self.settings.meta_client_secret.get_secret_value(),
                "redirect_uri": redirect_uri,
                "code": code,
            },
        )
        return self._token_set(body)

    async def refresh(self, refresh_token: str) -> TokenSet:
        body = await self._request(
            "GET",
            f"{self.graph}/oauth/access_token",
            params={
                "grant_type": "fb_exchange_token",
                "client_id": self.settings.meta_client_id,
                "client_secret": self.settings.meta_client_secret.get_secret_value(),
                "fb_exchange_token": refresh_token,
            },
        )
        return self._token_set(body)
