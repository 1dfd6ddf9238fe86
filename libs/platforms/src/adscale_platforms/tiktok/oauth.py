"""TikTok authorization: the advertiser authorization page, ``oauth2/access_token/`` and
``oauth2/refresh_token/``, and the advertisers it grants (``oauth2/advertiser/get/``, with
currencies from ``advertiser/info/``)."""

from __future__ import annotations

import json
from typing import Any

from adscale_platforms.errors import InvalidRequest
from adscale_platforms.models import AdAccount, TokenSet
from adscale_platforms.oauth import expires_at
from adscale_platforms.protocol import TokenLike
from adscale_platforms.tiktok.base import TikTokBase
from adscale_platforms.tiktok.errors import PLATFORM

__all__ = ["TikTokOAuth"]


class TikTokOAuth(TikTokBase):
    """Authorization, tokens and the advertiser accounts they open."""

    def _authorization_page(self) -> str:
        return f"{self.settings.tiktok_auth_url.rstrip('/')}/portal/auth"

    def _authorization_query(self, state: str, redirect_uri: str) -> dict[str, str]:
        return {"app_id": self.settings.tiktok_app_id, "state": state, "redirect_uri": redirect_uri}

    def _token_set(self, body: Any, refresh_token: str | None = None) -> TokenSet:
        data = self._data(body)
        if not data.get("access_token"):
            raise InvalidRequest(PLATFORM, None, "token response without access_token")
        scope = data.get("scope")
        scopes = tuple(str(s) for s in scope) if isinstance(scope, list) else ()
        lifetime = data.get("access_token_expire_in", data.get("expires_in"))
        return TokenSet(
            access_token=str(data["access_token"]),
            refresh_token=str(data.get("refresh_token") or refresh_token or "") or None,
            expires_at=expires_at(lifetime),
            scopes=scopes,
            raw={k: v for k, v in data.items() if "token" not in k or k.endswith("expire_in")},
        )

    async def _token_call(self, endpoint: str, **fields: str) -> Any:
        """``POST oauth2/{endpoint}/`` with the app credentials first."""
        return await self._request(
            "POST",
            f"{self.api}/oauth2/{endpoint}/",
            json_body={
                "app_id": self.settings.tiktok_app_id,
                "secret": self.settings.tiktok_secret.get_secret_value(),
                **fields,
            },
        )

    async def exchange_code(
        self, code: str, redirect_uri: str, code_verifier: str | None = None
    ) -> TokenSet:
        return self._token_set(await self._token_call("access_token", auth_code=code))

    async def refresh(self, refresh_token: str) -> TokenSet:
        body = await self._token_call(
            "refresh_token", refresh_token=refresh_token, grant_type="refresh_token"
        )
        return self._token_set(body, refresh_token)

    async def list_ad_accounts(self, token: TokenLike) -> list[AdAccount]:
        body = await self._request(
            "GET",
            f"{self.api}/oauth2/advertiser/get/",
            token=token,
            params={
                "app_id": self.settings.tiktok_app_id,
                "secret": self.settings.tiktok_secret.get_secret_value(),
            },
        )
        listed = [item for item in self._data(body).get("list", []) if isinstance(item, dict)]
        if not listed:
            return []
        ids = [str(item.get("advertiser_id")) for item in listed]
        currencies: dict[str, Any] = {}
        for start in range(0, len(ids), 100):
            info = await self._request(
                "GET",
                f"{self.api}/advertiser/info/",
                token=token,
                params={
                    "advertiser_ids": json.dumps(ids[start : start + 100]),
                    "fields": json.dumps(["advertiser_id", "name", "currency"]),
                },
            )
            for item in self._data(info).get("list", []):
                if isinstance(item, dict):
                    currencies[str(item.get("advertiser_id"))] = item.get("currency")
        return [
            AdAccount(
                id=str(item.get("advertiser_id")),
                name=str(item.get("advertiser_name") or item.get("name") or ""),
                currency=currencies.get(str(item.get("advertiser_id"))),
            )
            for item in listed
        ]
